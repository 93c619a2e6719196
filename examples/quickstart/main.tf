# A four-site mesh across AWS, GCP, Azure and a Linux host, every pair of
# sites kept connected by two disjoint paths. `terraform plan` shows every
# tunnel, address, ASN, BGP session, route, path and cloud object.
terraform {
  required_providers {
    crosslink = { source = "crosslink/crosslink" }
  }
}

provider "crosslink" {
  # The mesh secret (pre-shared keys are derived from it) is needed to apply,
  # not to plan: set CROSSLINK_MESH_SECRET or mesh_secret.
}

resource "crosslink_mesh" "quickstart" {
  name       = "quickstart"
  topology   = "full"
  redundancy = 2
  psk_epoch  = 1

  site {
    name       = "aws-use1"
    cloud      = "aws"
    region     = "us-east-1"
    network_id = "vpc-0a1b2c3d4e5f67890"
    cidrs      = ["10.10.0.0/16"]
  }
  site {
    name       = "gcp-euw1"
    cloud      = "gcp"
    region     = "europe-west1"
    network_id = "prod"
    cidrs      = ["10.20.0.0/16"]
  }
  site {
    name       = "az-weu"
    cloud      = "azure"
    region     = "westeurope"
    network_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/prod"
    cidrs      = ["10.30.0.0/16"]
  }
  site {
    name  = "dc1"
    cloud = "host"
    agent = "https://198.51.100.7:7443"
    cidrs = ["10.40.0.0/16"]
  }
}

output "tunnels" {
  value = crosslink_mesh.quickstart.tunnels
}

output "paths" {
  value = crosslink_mesh.quickstart.paths
}

output "weak_points" {
  value = crosslink_mesh.quickstart.weak_points
}

# AWS and GCP joined over HA VPN with BGP: four tunnels, two disjoint paths.
resource "crosslink_mesh" "prod" {
  name       = "prod"
  redundancy = 2

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
}

# Hosts in a hub-and-spoke topology with two hubs.
resource "crosslink_mesh" "edge" {
  name       = "edge"
  topology   = "hub_spoke"
  hubs       = ["hub-a", "hub-b"]
  redundancy = 2

  site {
    name  = "hub-a"
    cloud = "host"
    agent = "https://198.51.100.10:7443"
    cidrs = ["10.100.0.0/24"]
  }
  site {
    name  = "hub-b"
    cloud = "host"
    agent = "https://198.51.100.11:7443"
    cidrs = ["10.100.1.0/24"]
  }
  site {
    name  = "shop-1"
    cloud = "host"
    agent = "https://198.51.100.21:7443"
    cidrs = ["10.101.0.0/24"]
  }
}

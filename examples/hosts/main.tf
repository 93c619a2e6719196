# Four Linux hosts, each running the crosslink agent
# (`terraform-provider-crosslink agent --listen … --cert … --key … --client-ca …`),
# joined in a full mesh of WireGuard links with BGP over each: every pair of
# sites keeps two disjoint paths, and when a link dies traffic moves to the
# backup path within about a second, without a Terraform run.
# `make demo` applies this example to hosts in network namespaces.
terraform {
  required_providers {
    crosslink = { source = "crosslink/crosslink" }
  }
}

variable "ca_cert" {
  description = "PEM of the CA that signs the agents' certificates."
  type        = string
}

variable "client_cert" {
  description = "PEM client certificate the agents accept."
  type        = string
}

variable "client_key" {
  description = "PEM key of client_cert."
  type        = string
  sensitive   = true
}

provider "crosslink" {
  # mesh_secret, or CROSSLINK_MESH_SECRET: needed to apply.
  hosts {
    ca_cert     = var.ca_cert
    client_cert = var.client_cert
    client_key  = var.client_key
  }
}

resource "crosslink_mesh" "hosts" {
  name       = "hosts"
  topology   = "full"
  redundancy = 2

  site {
    name  = "h0"
    cloud = "host"
    agent = "https://198.51.100.10:7443"
    cidrs = ["10.40.0.0/16"]
  }
  site {
    name  = "h1"
    cloud = "host"
    agent = "https://198.51.100.11:7443"
    cidrs = ["10.41.0.0/16"]
  }
  site {
    name  = "h2"
    cloud = "host"
    agent = "https://198.51.100.12:7443"
    cidrs = ["10.42.0.0/16"]
  }
  site {
    name  = "h3"
    cloud = "host"
    agent = "https://198.51.100.13:7443"
    cidrs = ["10.43.0.0/16"]
  }
}

output "paths" {
  value = crosslink_mesh.hosts.paths
}

output "tunnels" {
  value = crosslink_mesh.hosts.tunnels
}

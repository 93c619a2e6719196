# The classic hard case: an AWS VPC and a GCP VPC joined by HA VPN with BGP.
# By hand that is about 21 resources in two providers with 16 values wired
# across (outside IPs, inside /30s, PSKs, ASNs); here it is two site blocks.
# Plan shows the four tunnels, their inside addresses and ASNs, and every
# object both clouds will hold; apply converges both clouds to it.
# `make demo` applies this example against crosslink's AWS and GCP emulators.
terraform {
  required_providers {
    crosslink = { source = "crosslink/crosslink" }
  }
}

variable "aws_vpc" {
  description = "The AWS VPC to connect."
  type        = string
  default     = "vpc-0a1b2c3d4e5f60718"
}

variable "gcp_project" {
  description = "The GCP project of the network to connect."
  type        = string
  default     = "crosslink-demo"
}

# Endpoints and credentials: leave them null to use the real clouds and the
# SDKs' default credential chains; the demo points them at the emulators.
variable "aws_endpoint" {
  type    = string
  default = null
}
variable "aws_access_key" {
  type    = string
  default = null
}
variable "aws_secret_key" {
  type      = string
  default   = null
  sensitive = true
}
variable "gcp_endpoint" {
  type    = string
  default = null
}
variable "gcp_access_token" {
  type      = string
  default   = null
  sensitive = true
}

provider "crosslink" {
  # mesh_secret, or CROSSLINK_MESH_SECRET: every PSK derives from it.
  aws {
    endpoint   = var.aws_endpoint
    access_key = var.aws_access_key
    secret_key = var.aws_secret_key
  }
  gcp {
    project      = var.gcp_project
    endpoint     = var.gcp_endpoint
    access_token = var.gcp_access_token
  }
}

resource "crosslink_mesh" "pair" {
  name       = "pair"
  redundancy = 2

  site {
    name       = "aws-use1"
    cloud      = "aws"
    region     = "us-east-1"
    network_id = var.aws_vpc
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

output "tunnels" {
  description = "Every tunnel: its two ends, inside /30 and ASNs."
  value       = crosslink_mesh.pair.tunnels
}

provider "crosslink" {
  # Pre-shared keys are derived from this secret; it is never stored.
  # Prefer the CROSSLINK_MESH_SECRET environment variable.
  mesh_secret = var.mesh_secret

  # Mutual TLS to the crosslink agents of host sites (only needed to apply
  # a mesh that has host sites).
  hosts {
    ca_cert     = file("${path.module}/pki/ca.pem")
    client_cert = file("${path.module}/pki/provider.pem")
    client_key  = var.agent_client_key
  }

  # AWS: the SDK's default credential chain; regions come from the sites.
  aws {
    profile = "network-admin"
  }

  # GCP: Application Default Credentials; the project of sites whose
  # network_id is a bare network name.
  gcp {
    project = "net-prod"
  }
}

variable "mesh_secret" {
  type      = string
  sensitive = true
}

variable "agent_client_key" {
  type      = string
  sensitive = true
}

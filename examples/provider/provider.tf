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
}

variable "mesh_secret" {
  type      = string
  sensitive = true
}

variable "agent_client_key" {
  type      = string
  sensitive = true
}

provider "crosslink" {
  # Pre-shared keys are derived from this secret; it is never stored.
  # Prefer the CROSSLINK_MESH_SECRET environment variable.
  mesh_secret = var.mesh_secret
}

variable "mesh_secret" {
  type      = string
  sensitive = true
}

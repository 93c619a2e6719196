# Which pairs stay connected if dc1's tunnel to gcp-euw1 and the whole
# az-weu site are lost, and by which paths?
data "crosslink_failure_analysis" "what_if" {
  name   = "prod"
  remove = ["tunnel:dc1~gcp-euw1#0", "site:az-weu"]

  site {
    name  = "dc1"
    cloud = "host"
    agent = "https://198.51.100.7:7443"
    cidrs = ["10.40.0.0/16"]
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
}

output "disconnected" {
  value = data.crosslink_failure_analysis.what_if.disconnected
}

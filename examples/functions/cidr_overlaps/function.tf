output "overlaps" {
  value = provider::crosslink::cidr_overlaps("10.0.0.0/8", "10.20.0.0/16") # true
}

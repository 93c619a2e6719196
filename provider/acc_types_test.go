package provider

import "github.com/hashicorp/terraform-plugin-testing/terraform"

type terraformState = terraform.State

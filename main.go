// Command terraform-provider-crosslink serves the crosslink provider to
// Terraform/OpenTofu over the plugin protocol (v6).
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/crosslink-net/terraform-provider-crosslink/provider"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/crosslink/crosslink",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}

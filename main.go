// Command terraform-provider-crosslink serves the crosslink provider to
// Terraform/OpenTofu over the plugin protocol (v6). Its `agent` subcommand
// is the crosslink host agent, so a host site needs this one binary.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/agent"
	"github.com/crosslink-net/terraform-provider-crosslink/provider"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "agent" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if err := agent.Main(ctx, os.Args[2:]); err != nil {
			log.Fatalf("crosslink agent: %v", err)
		}
		return
	}
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

package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest"
)

// factories serves the provider as built for users: no drivers in this build.
func factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"crosslink": providerserver.NewProtocol6WithError(New("test")()),
	}
}

// memFactories serves the provider with in-memory clouds, to exercise the
// whole lifecycle (apply, refresh, sticky allocation, destroy).
func memFactories(c *memCloud) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"crosslink": providerserver.NewProtocol6WithError(New("test", WithDrivers(c.drivers()))()),
	}
}

func preCheck(t *testing.T) func() { return func() { acctest.PreCheck(t) } }

package provider

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/hashicorp/terraform-plugin-framework/function"
)

var _ function.Function = (*cidrOverlapsFunction)(nil)

// NewCIDROverlapsFunction builds provider::crosslink::cidr_overlaps.
func NewCIDROverlapsFunction() function.Function { return &cidrOverlapsFunction{} }

type cidrOverlapsFunction struct{}

func (f *cidrOverlapsFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "cidr_overlaps"
}

func (f *cidrOverlapsFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary:     "Whether two CIDR blocks overlap",
		Description: "Returns true when the two CIDR blocks share any address, as crosslink's validation does for site CIDRs. Both must be network addresses (no host bits set).",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "a", Description: "A CIDR block, e.g. 10.10.0.0/16."},
			function.StringParameter{Name: "b", Description: "Another CIDR block."},
		},
		Return: function.BoolReturn{},
	}
}

func (f *cidrOverlapsFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var a, b string
	resp.Error = function.ConcatFuncErrors(req.Arguments.Get(ctx, &a, &b))
	if resp.Error != nil {
		return
	}
	pa, err := parseNetwork(a)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, err.Error())
		return
	}
	pb, err := parseNetwork(b)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(1, err.Error())
		return
	}
	resp.Error = resp.Result.Set(ctx, pa.Overlaps(pb))
}

func parseNetwork(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return p, fmt.Errorf("%q is not a CIDR block such as 10.10.0.0/16", s)
	}
	if p.Masked() != p {
		return p, fmt.Errorf("%q has host bits set; did you mean %s?", s, p.Masked())
	}
	return p, nil
}

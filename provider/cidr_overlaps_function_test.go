package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestCIDROverlapsFunction(t *testing.T) {
	cases := []struct {
		a, b    string
		want    bool
		wantErr bool
	}{
		{"10.0.0.0/8", "10.20.0.0/16", true, false},
		{"10.20.0.0/16", "10.21.0.0/16", false, false},
		{"fd00::/8", "fd00:1::/32", true, false},
		{"10.20.1.0/16", "10.0.0.0/8", false, true},
		{"10.0.0.0/8", "nope", false, true},
	}
	f := NewCIDROverlapsFunction()
	for _, c := range cases {
		req := function.RunRequest{Arguments: function.NewArgumentsData([]attr.Value{types.StringValue(c.a), types.StringValue(c.b)})}
		resp := &function.RunResponse{Result: function.NewResultData(types.BoolUnknown())}
		f.Run(context.Background(), req, resp)
		if (resp.Error != nil) != c.wantErr {
			t.Fatalf("%s, %s: error %v, want error %v", c.a, c.b, resp.Error, c.wantErr)
		}
		if c.wantErr {
			continue
		}
		if got := resp.Result.Value().(types.Bool).ValueBool(); got != c.want {
			t.Fatalf("%s, %s: %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

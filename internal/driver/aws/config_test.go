package aws

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

func TestConfigDefaults(t *testing.T) {
	c, err := Config{}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if c.RequestsPerSecond != 15 || c.Burst != 30 || c.MutatingRequestsPerSecond != 4 || c.MutatingBurst != 40 || c.MaxAttempts != 8 || c.MaxBackoff != 20*time.Second || c.PollInterval != time.Second {
		t.Fatalf("defaults: %+v", c)
	}
	c, err = Config{RequestsPerSecond: 3, Burst: 4, MaxAttempts: 2, MaxBackoff: time.Millisecond, PollInterval: time.Millisecond}.withDefaults()
	if err != nil || c.RequestsPerSecond != 3 || c.Burst != 4 || c.MaxAttempts != 2 || c.MaxBackoff != time.Millisecond {
		t.Fatalf("explicit values changed: %+v, %v", c, err)
	}
	// Mutating calls are never paced faster than describes.
	if c.MutatingRequestsPerSecond != 3 {
		t.Fatalf("mutating pace %v with describes at 3/s", c.MutatingRequestsPerSecond)
	}
}

func TestConfigErrorsSurfaceOnFirstUseNamingTheSite(t *testing.T) {
	for name, tc := range map[string]struct {
		cfg  Config
		want string
	}{
		"half credentials": {Config{AccessKey: "AKID"}, "access key and secret key"},
		"bad endpoint":     {Config{Endpoint: "localhost:9"}, "not an absolute URL"},
		"negative rate":    {Config{RequestsPerSecond: -1}, "requests per second"},
	} {
		t.Run(name, func(t *testing.T) {
			m := &topology.Mesh{Name: "m", Sites: []topology.Site{{Name: "aws-use1", Cloud: topology.AWS, Region: "us-east-1", NetworkID: "vpc-1"}}}
			d := New(m, tc.cfg) // no error yet: New makes no call
			_, err := d.site(context.Background(), "aws-use1")
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `site "aws-use1"`) {
				t.Fatalf("error %v; want it to name the site and say %q", err, tc.want)
			}
		})
	}
}

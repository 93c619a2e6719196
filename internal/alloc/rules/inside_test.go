package rules

import (
	"net/netip"
	"strings"
	"testing"
)

func TestAWSInsideProblem(t *testing.T) {
	for _, tc := range []struct {
		p    string
		want string
	}{
		{"169.254.10.0/30", ""},
		{"169.254.21.4/30", ""},
		{"169.254.169.248/30", ""},
		{"169.254.0.0/30", "reserved"},
		{"169.254.3.0/30", "reserved"},
		{"169.254.5.0/30", "reserved"},
		{"169.254.6.0/30", ""},
		{"169.254.169.252/30", "reserved"},
		{"169.254.10.1/30", "network address"},
		{"169.254.10.0/29", "/30"},
		{"10.0.0.0/30", "169.254.0.0/16"},
		{"::/126", "IPv4"},
	} {
		got := AWSInsideProblem(netip.MustParsePrefix(tc.p))
		if (got == "") != (tc.want == "") || !strings.Contains(got, tc.want) {
			t.Errorf("AWSInsideProblem(%s) = %q, want %q", tc.p, got, tc.want)
		}
	}
	if AWSInsideProblem(netip.Prefix{}) == "" {
		t.Error("zero prefix accepted")
	}
}

func TestAzureAPIPA(t *testing.T) {
	for _, tc := range []struct {
		p                  string
		contains, overlaps bool
	}{
		{"169.254.21.0/30", true, true},
		{"169.254.22.252/30", true, true},
		{"169.254.20.252/30", false, false},
		{"169.254.23.0/30", false, false},
		{"169.254.20.0/23", false, true},
		{"169.254.22.0/23", false, true},
		{"169.254.0.0/16", false, true},
		{"169.254.21.0/24", true, true},
		{"::/0", false, false},
	} {
		p := netip.MustParsePrefix(tc.p)
		if got := AzureAPIPA.ContainsPrefix(p); got != tc.contains {
			t.Errorf("ContainsPrefix(%s) = %v", tc.p, got)
		}
		if got := AzureAPIPA.Overlaps(p); got != tc.overlaps {
			t.Errorf("Overlaps(%s) = %v", tc.p, got)
		}
	}
	if AzureAPIPA.Contains(netip.MustParseAddr("::ffff:169.254.21.1")) {
		t.Error("4in6 address counted as inside APIPA")
	}
}

package rules

import (
	"strings"
	"testing"
)

func TestASNProblem(t *testing.T) {
	tests := []struct {
		cloud    string
		asn      uint32
		facesAWS bool
		want     string // substring of the problem; "" = acceptable
	}{
		{AWS, 64512, false, ""},
		{AWS, 64513, true, ""},
		{AWS, 65534, false, ""},
		{AWS, 65535, false, "reserved"},
		{AWS, 64511, false, "private"},
		{AWS, 4200000000, false, ""},
		{AWS, 4294967294, false, ""},
		{AWS, 4199999999, false, "private"},
		{AWS, 4294967295, false, "reserved"},
		{AWS, 100, false, "private"},
		{GCP, 100, false, "private"},
		{GCP, 65000, true, ""},
		{GCP, 64512, true, "64512"},
		{GCP, 64512, false, ""},
		{Azure, 65515, false, "Azure"},
		{Azure, 65516, false, ""},
		{Azure, 65517, false, "Azure"},
		{Azure, 65520, false, "Azure"},
		{Azure, 65521, false, ""},
		{Azure, 8075, false, "Azure"},
		{Azure, 12076, false, "Azure"},
		{Azure, 64500, false, "Azure"},
		{Azure, 65540, false, "Azure"},
		{Azure, 100, false, ""},
		{Azure, 64512, true, "64512"},
		{Host, 100, false, ""},
		{Host, 65515, false, ""},
		{Host, 64512, true, "AWS"},
		{Host, 0, false, "not a valid"},
		{Host, 23456, false, "reserved"},
		{Host, 65535, false, "reserved"},
		{Host, 4294967295, false, "reserved"},
		{Host, 4294967294, true, ""},
	}
	for _, tc := range tests {
		got := ASNProblem(tc.cloud, tc.asn, tc.facesAWS)
		if (got == "") != (tc.want == "") || !strings.Contains(got, tc.want) {
			t.Errorf("ASNProblem(%s, %d, %v) = %q, want %q", tc.cloud, tc.asn, tc.facesAWS, got, tc.want)
		}
	}
}

// Every ASN of the allocation pool except Azure's is fine for every cloud,
// facing AWS or not: allocated ASNs never depend on neighbours.
func TestAllocPoolAcceptedEverywhere(t *testing.T) {
	for a := AllocASNs.First; a <= AllocASNs.Last; a++ {
		if IsAzureReservedASN(a) {
			continue
		}
		for _, c := range []string{AWS, GCP, Azure, Host} {
			if p := ASNProblem(c, a, true); p != "" {
				t.Fatalf("pool ASN %d refused for %s: %s", a, c, p)
			}
		}
	}
}

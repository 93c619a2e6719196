package aws

import (
	"slices"
	"testing"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

func TestOwnerTagsAndKeys(t *testing.T) {
	key := plan.Key("aws", "aws-use1", "customer_gateway", "host1-0")
	tags := tagMap(ownerTags("mesh", plan.Object{Key: key}))
	if tags[tagMesh] != "mesh" || tags[tagKey] != key || tags[tagName] == "" {
		t.Fatalf("owner tags %v", tags)
	}
	other := plan.Key("aws", "aws-use1b", "customer_gateway", "host1-0")
	tags[alsoTag(other)] = other
	// A crosslink-key-* tag whose name does not match its value's hash is
	// not an owner (a hand-made or truncated tag).
	tags[tagKeyAlso+"000000000000"] = "aws/x/customer_gateway/y"
	got := ownerKeys(tags)
	want := []string{key, other}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("owners %v, want %v", got, want)
	}
	if len(alsoTag(key+key+key+key)) > 128 {
		t.Fatal("tag keys must fit EC2's 128 characters")
	}
	if alsoTag(key) == alsoTag(other) {
		t.Fatal("owner tags of distinct keys collide")
	}
}

func TestTunnelTagRoundTrip(t *testing.T) {
	k, c, ok := parseTunnelTag(tunnelTag("a~b#0", "169.254.10.0/30"))
	if !ok || k != "a~b#0" || c != "169.254.10.0/30" {
		t.Fatalf("got %q %q %v", k, c, ok)
	}
	for _, bad := range []string{"", "nokey", " 169.254.10.0/30", "key "} {
		if _, _, ok := parseTunnelTag(bad); ok {
			t.Errorf("parseTunnelTag(%q) accepted", bad)
		}
	}
}

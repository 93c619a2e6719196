package aws

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// Ownership and bookkeeping tags. EC2 accepts any character in tag values,
// so keys (with '/', '~', '#') are stored as they are.
const (
	tagMesh = "crosslink-mesh"
	tagKey  = "crosslink-key"
	tagName = "Name"
	// tagKeyAlso prefixes further owner keys of a customer gateway that
	// several objects share (see customer_gateway.go).
	tagKeyAlso = "crosslink-key-"
	// tagPSKEpoch is the epoch of a VPN connection's pre-shared keys.
	tagPSKEpoch = "crosslink-psk-epoch"
	// tagTunnel + slot holds "<tunnel key> <inside CIDR>" of a VPN
	// connection's tunnel slot, so Observe maps AWS's tunnels back to slots
	// by inside CIDR whatever order AWS lists them in.
	tagTunnel = "crosslink-tunnel-"
)

// ownerTags are the tags every created object carries.
func ownerTags(mesh string, o plan.Object) []types.Tag {
	_, site, kind, name, _ := plan.SplitKey(o.Key)
	return []types.Tag{
		{Key: awssdk.String(tagMesh), Value: awssdk.String(mesh)},
		{Key: awssdk.String(tagKey), Value: awssdk.String(o.Key)},
		{Key: awssdk.String(tagName), Value: awssdk.String(mesh + " " + site + " " + kind + " " + name)},
	}
}

func tagSpec(rt types.ResourceType, tags []types.Tag) []types.TagSpecification {
	return []types.TagSpecification{{ResourceType: rt, Tags: tags}}
}

// tagMap flattens EC2 tags.
func tagMap(tags []types.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[awssdk.ToString(t.Key)] = awssdk.ToString(t.Value)
	}
	return m
}

// meshFilter selects the objects one mesh owns; keyFilter narrows to one key.
func meshFilter(mesh string) types.Filter {
	return types.Filter{Name: awssdk.String("tag:" + tagMesh), Values: []string{mesh}}
}

func keyFilters(mesh, key string) []types.Filter {
	return []types.Filter{meshFilter(mesh), {Name: awssdk.String("tag:" + tagKey), Values: []string{key}}}
}

func filter(name string, values ...string) types.Filter {
	return types.Filter{Name: awssdk.String(name), Values: values}
}

// alsoTag is the tag that records key as a further owner: a short hash
// keeps the tag key within EC2's 128 characters whatever the key's length.
func alsoTag(key string) string {
	h := sha256.Sum256([]byte(key))
	return tagKeyAlso + hex.EncodeToString(h[:6])
}

// ownerKeys lists the keys tags name as owners, sorted.
func ownerKeys(tags map[string]string) []string {
	var keys []string
	for k, v := range tags {
		if k == tagKey || (strings.HasPrefix(k, tagKeyAlso) && k == alsoTag(v)) {
			keys = append(keys, v)
		}
	}
	sort.Strings(keys)
	return keys
}

// tunnelTag is the value of tagTunnel+slot.
func tunnelTag(key, insideCIDR string) string { return key + " " + insideCIDR }

func parseTunnelTag(v string) (key, cidr string, ok bool) {
	key, cidr, ok = strings.Cut(v, " ")
	return key, cidr, ok && key != "" && cidr != ""
}

func slotTag(slot int) string { return tagTunnel + strconv.Itoa(slot) }

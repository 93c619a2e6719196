package alloc

import (
	"fmt"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/alloc/rules"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// asnPool is AllocASNs without Azure's reserved ASNs: allocated ASNs are
// then valid for every cloud (private, not 64512, not Azure's), so a site
// never has to change ASN because a neighbour's cloud changed.
var asnPool = func() []uint32 {
	var p []uint32
	for a := rules.AllocASNs.First; a <= rules.AllocASNs.Last; a++ {
		if !rules.IsAzureReservedASN(a) && a != rules.AWSDefaultASN {
			p = append(p, a)
		}
	}
	return p
}()

// allocateASNs gives every site an ASN. sites are in name order, so nothing
// depends on the order of sites in the configuration.
//
//  1. A user-given ASN is kept (validation already checked it; checked
//     again here so a bad mesh is an error, not a broken allocation).
//  2. Sticky: a site that had an ASN keeps it while it is still acceptable
//     for its cloud and not taken by a user-given one, because changing a
//     gateway's ASN resets every BGP session (and replaces an AWS gateway).
//  3. The rest: probe the pool linearly from a hash of the site name, so a
//     new site's ASN does not depend on which other sites exist.
func allocateASNs(sites []topology.Site, facesAWS []bool, prev map[string]uint32) ([]uint32, error) {
	out := make([]uint32, len(sites))
	owner := make(map[uint32]int, len(sites))
	for i, s := range sites {
		if s.ASN == 0 {
			continue
		}
		if p := ASNProblem(s.Cloud, s.ASN, facesAWS[i]); p != "" {
			return nil, fmt.Errorf("site %q: %s", s.Name, p)
		}
		if o, dup := owner[s.ASN]; dup {
			return nil, fmt.Errorf("site %q: ASN %d is also given to site %q", s.Name, s.ASN, sites[o].Name)
		}
		owner[s.ASN] = i
		out[i] = s.ASN
	}
	for i, s := range sites {
		if out[i] != 0 {
			continue
		}
		a, ok := prev[s.Name]
		if !ok || ASNProblem(s.Cloud, a, facesAWS[i]) != "" {
			continue
		}
		if _, taken := owner[a]; taken {
			continue
		}
		owner[a] = i
		out[i] = a
	}
	for i, s := range sites {
		if out[i] != 0 {
			continue
		}
		start := int(hashString(s.Name) % uint64(len(asnPool)))
		for k := range asnPool {
			a := asnPool[(start+k)%len(asnPool)]
			if _, taken := owner[a]; !taken {
				owner[a] = i
				out[i] = a
				break
			}
		}
		if out[i] == 0 {
			return nil, fmt.Errorf("site %q: no free ASN left in the allocation pool %v (%d usable ASNs, all taken); give some sites an ASN of your own",
				s.Name, rules.AllocASNs, len(asnPool))
		}
	}
	return out, nil
}

// hashString is 64-bit FNV-1a with a final avalanche (murmur3's fmix64, so
// that similar names spread over the pool): stable across processes and Go
// versions, unlike maphash, which start positions must be.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

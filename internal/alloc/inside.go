package alloc

import (
	"fmt"
	"net/netip"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/alloc/rules"
)

// A slot is one /30 of 169.254.0.0/16, numbered 0..16383 in address order.
const slots = 1 << 14

func slotPrefix(j int) netip.Prefix {
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{169, 254, byte(j >> 6), byte(j&63) << 2}), 30)
}

// prefixSlot is the slot of p, if p is exactly a /30 of 169.254.0.0/16.
func prefixSlot(p netip.Prefix) (int, bool) {
	if !p.IsValid() || p.Bits() != 30 || !p.Addr().Is4() || p.Masked() != p || !rules.LinkLocal.Contains(p.Addr()) {
		return 0, false
	}
	b := p.Addr().As4()
	return int(b[2])<<6 | int(b[3])>>2, true
}

// The two pools, derived from the rules data. A tunnel with an Azure end
// must take an APIPA /30 (Azure accepts nothing else); every other tunnel
// stays out of that small range so Azure tunnels have all of it. Neither
// pool holds AWS's reserved /30s: a tunnel never has to move because one of
// its ends became AWS.
var (
	generalPool, azurePool []uint16
	slotPool               [slots]int8 // 0 unusable, 1 general, 2 azure
)

const (
	poolNone int8 = iota
	poolGeneral
	poolAzure
)

func init() {
	for j := range slots {
		p := slotPrefix(j)
		if rules.AWSInsideProblem(p) != "" {
			continue
		}
		switch {
		case rules.AzureAPIPA.ContainsPrefix(p):
			azurePool = append(azurePool, uint16(j))
			slotPool[j] = poolAzure
		case !rules.AzureAPIPA.Overlaps(p):
			generalPool = append(generalPool, uint16(j))
			slotPool[j] = poolGeneral
		}
	}
}

func poolName(kind int8) string {
	if kind == poolAzure {
		return fmt.Sprintf("the Azure APIPA range %v (%d /30s)", rules.AzureAPIPA, len(azurePool))
	}
	return fmt.Sprintf("169.254.0.0/16 outside the Azure APIPA range and AWS's reserved /30s (%d /30s)", len(generalPool))
}

// slotSet marks the slots one site's tunnels use. Uniqueness is per site,
// not global: AWS wants inside CIDRs unique per gateway, GCP per Cloud
// Router, a host per routing table, Azure per gateway (its two instances
// must not share an APIPA address); a large full mesh has far more tunnels
// than 169.254.0.0/16 has /30s.
type slotSet [slots / 64]uint64

func (s *slotSet) has(j int) bool { return s[j>>6]&(1<<(j&63)) != 0 }
func (s *slotSet) add(j int)      { s[j>>6] |= 1 << (j & 63) }

// insideAllocator hands out /30s, one slotSet per site.
type insideAllocator struct {
	used []slotSet
}

func newInsideAllocator(sites int) *insideAllocator {
	return &insideAllocator{used: make([]slotSet, sites)}
}

// claim takes slot j for a tunnel between sites a and b if it belongs to
// the wanted pool and neither site uses it yet.
func (ia *insideAllocator) claim(j int, a, b int, kind int8) bool {
	if slotPool[j] != kind || ia.used[a].has(j) || ia.used[b].has(j) {
		return false
	}
	ia.used[a].add(j)
	ia.used[b].add(j)
	return true
}

// pick claims the first free slot of the pool probing linearly from a hash
// of the tunnel key: the start does not depend on other tunnels, so a new
// tunnel lands in the same place whatever else the mesh holds (unless that
// place is taken). Returns -1 when the pool is exhausted for this pair.
func (ia *insideAllocator) pick(key string, a, b int, kind int8) int {
	pool := generalPool
	if kind == poolAzure {
		pool = azurePool
	}
	ua, ub := &ia.used[a], &ia.used[b]
	start := int(hashString(key) % uint64(len(pool)))
	for k := range pool {
		i := start + k
		if i >= len(pool) {
			i -= len(pool)
		}
		j := int(pool[i])
		if (ua[j>>6]|ub[j>>6])&(1<<(j&63)) == 0 {
			ua.add(j)
			ub.add(j)
			return j
		}
	}
	return -1
}

// endAddrs returns the two inside addresses of slot j: the AWS end gets .1
// (AWS's convention: its side is the first host of the /30, the customer
// side the second); otherwise A gets .1 and B .2.
func endAddrs(j int, bIsAWS, aIsAWS bool) (a, b netip.Addr) {
	base := slotPrefix(j).Addr().As4()
	first, second := base, base
	first[3] |= 1
	second[3] |= 2
	if bIsAWS && !aIsAWS {
		return netip.AddrFrom4(second), netip.AddrFrom4(first)
	}
	return netip.AddrFrom4(first), netip.AddrFrom4(second)
}

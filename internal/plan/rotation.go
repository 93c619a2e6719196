package plan

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Staged key rotation.
//
// A psk_epoch bump changes every IPsec tunnel's key, and a tunnel is down
// from the moment one half has the new key until the other has it too. Done
// all at once, a pair's every tunnel is down together. So rotations are
// staged per site pair: the tunnels an object carries (an AWS VPN connection
// carries two) are rotated together with their other halves as one unit,
// and a pair's units go one after another, each waiting for the one before
// to be done, where done means its tunnels are up again as the clouds report
// them (the engine asks the driver to wait: Action.AwaitUp). Meanwhile the
// pair's other units carry the traffic, as every pair of a redundancy-2
// mesh has at least two units (docs/design.md). A pair with one unit (a
// single tunnel) cannot avoid its outage.

// tunnelsOf lists the tunnel keys object o carries: its tunnel.N.key
// attributes, or its name for a kind that is one tunnel half.
func tunnelsOf(o Object) []string {
	var out []string
	for k, v := range o.Attrs {
		if strings.HasPrefix(k, "tunnel.") && strings.HasSuffix(k, ".key") && v != "" {
			out = append(out, v)
		}
	}
	if len(out) == 0 && kindRegistry[o.Kind].TunnelHalf {
		if _, _, _, name, ok := SplitKey(o.Key); ok {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// rotates reports whether a decision changes a pre-shared key.
func rotates(dec *decision) bool {
	for a := range dec.changed {
		if strings.HasSuffix(a, "psk_epoch") {
			return true
		}
	}
	return false
}

// tunnelPair splits a tunnel key "a~b#n" into its pair "a~b" and n.
func tunnelPair(key string) (string, int) {
	pair, n, ok := strings.Cut(key, "#")
	if !ok {
		return key, 0
	}
	i, _ := strconv.Atoi(n)
	return pair, i
}

// stageRotations orders the rotation actions of g unit after unit per
// site pair and marks which must wait for their tunnels to come up: those
// the observed object reported up before the rotation (a tunnel that was
// down is not waited for, so an apply never blocks on a peer that was
// never there). ids maps each decided key to its action IDs.
func (p *planner) stageRotations(g *Graph, ids map[string][]string, dep func(id, on string)) {
	type member struct {
		key     string
		tunnels []string
	}
	var ms []member
	for _, key := range slices.Sorted(maps.Keys(p.decided)) {
		dec := p.decided[key]
		if (dec.op != OpUpdate && dec.op != OpReplace) || !rotates(dec) {
			continue
		}
		ts := tunnelsOf(dec.desired)
		if len(ts) == 0 {
			continue
		}
		ms = append(ms, member{key, ts})
		up := upTunnels(dec.kept)
		var await []string
		for _, t := range ts {
			if up[t] {
				await = append(await, t)
			}
		}
		if len(await) > 0 {
			// The create of a replacement, or the update, is the action
			// after which the half has its new key.
			for _, id := range ids[key] {
				if a, ok := g.actions[id]; ok && a.Op != OpDelete {
					a.AwaitUp = await
					g.actions[id] = a
				}
			}
		}
	}
	// Units: members joined by the tunnels they share.
	parent := make([]int, len(ms))
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	owner := map[string]int{}
	for i, m := range ms {
		for _, t := range m.tunnels {
			if j, ok := owner[t]; ok {
				parent[find(i)] = find(j)
			} else {
				owner[t] = i
			}
		}
	}
	type unit struct {
		pair  string
		first int // lowest tunnel index
		ids   []string
	}
	byRoot := map[int]*unit{}
	for i, m := range ms {
		r := find(i)
		u := byRoot[r]
		pair, n := tunnelPair(m.tunnels[0])
		if u == nil {
			u = &unit{pair: pair, first: n}
			byRoot[r] = u
		}
		for _, t := range m.tunnels {
			_, n := tunnelPair(t)
			u.first = min(u.first, n)
		}
		u.ids = append(u.ids, ids[m.key]...)
	}
	byPair := map[string][]*unit{}
	for _, u := range byRoot {
		byPair[u.pair] = append(byPair[u.pair], u)
	}
	for _, pair := range slices.Sorted(maps.Keys(byPair)) {
		us := byPair[pair]
		slices.SortFunc(us, func(a, b *unit) int { return cmp.Compare(a.first, b.first) })
		for i := 1; i < len(us); i++ {
			for _, id := range us[i].ids {
				for _, on := range us[i-1].ids {
					if !g.reaches(on, id) { // never a cycle
						dep(id, on)
					}
				}
			}
		}
	}
}

// upTunnels reads an observed object's report of which of its tunnels are
// up (attribute tunnels_up: tunnel keys, comma-separated).
func upTunnels(o Object) map[string]bool {
	out := map[string]bool{}
	for _, t := range strings.Split(o.Attrs["tunnels_up"], ",") {
		if t != "" {
			out[t] = true
		}
	}
	return out
}

// reaches reports whether action from waits, directly or not, for to.
func (g *Graph) reaches(from, to string) bool {
	seen := map[string]bool{}
	stack := []string{from}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if x == to {
			return true
		}
		if seen[x] {
			continue
		}
		seen[x] = true
		for d := range g.deps[x] {
			stack = append(stack, d)
		}
	}
	return false
}

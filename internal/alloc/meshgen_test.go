package alloc

import (
	"fmt"
	"math/rand"
	"slices"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// Random meshes for property tests. Every mesh is one validation would
// accept: unique names, acceptable unique user ASNs, no aws↔aws adjacency.

var allKinds = []topology.Kind{topology.Full, topology.HubSpoke, topology.Links}

func randomName(r *rand.Rand, taken map[string]bool) string {
	const letters = "abcdefghijklmnopqrstuvwxyz"
	for {
		b := make([]byte, 1+r.Intn(6))
		for i := range b {
			b[i] = letters[r.Intn(len(letters))]
		}
		if r.Intn(3) == 0 {
			b = append(b, '-')
			b = append(b, letters[r.Intn(len(letters))])
		}
		if s := string(b); !taken[s] {
			taken[s] = true
			return s
		}
	}
}

// randomUserASN returns an ASN acceptable for cloud c (never 64512, so it
// stays acceptable whoever the site's neighbours are), not in used.
func randomUserASN(r *rand.Rand, c topology.Cloud, used map[uint32]bool) uint32 {
	for {
		var a uint32
		switch r.Intn(3) {
		case 0:
			a = 64513 + uint32(r.Intn(65534-64513+1))
		case 1:
			a = 4200000000 + uint32(r.Intn(1000000))
		default:
			if c == topology.AWS || c == topology.GCP {
				continue
			}
			a = 1 + uint32(r.Intn(64000))
		}
		if ASNProblem(c, a, true) == "" && !used[a] {
			used[a] = true
			return a
		}
	}
}

func randomCloud(r *rand.Rand) topology.Cloud { return topology.Clouds[r.Intn(len(topology.Clouds))] }

func randomMesh(r *rand.Rand, n int) *topology.Mesh {
	m := &topology.Mesh{Name: "m", Topology: allKinds[r.Intn(len(allKinds))], Redundancy: 2, PSKEpoch: 1}
	taken := map[string]bool{}
	used := map[uint32]bool{}
	for range n {
		s := topology.Site{Name: randomName(r, taken), Cloud: randomCloud(r)}
		if r.Intn(5) == 0 {
			s.ASN = randomUserASN(r, s.Cloud, used)
		}
		m.Sites = append(m.Sites, s)
	}
	switch m.Topology {
	case topology.HubSpoke:
		for _, i := range r.Perm(n)[:1+r.Intn(min(2, n))] {
			m.Hubs = append(m.Hubs, m.Sites[i].Name)
		}
	case topology.Links:
		seen := map[[2]string]bool{}
		for range n + r.Intn(2*n) {
			a, b := m.Sites[r.Intn(n)].Name, m.Sites[r.Intn(n)].Name
			if a == b || seen[[2]string{a, b}] || seen[[2]string{b, a}] {
				continue
			}
			seen[[2]string{a, b}] = true
			m.Links = append(m.Links, topology.Link{A: a, B: b})
		}
	}
	fixAWSPairs(r, m)
	return m
}

// fixAWSPairs turns the second AWS site of every aws↔aws adjacency into
// another cloud (adjacencies do not depend on clouds).
func fixAWSPairs(r *rand.Rand, m *topology.Mesh) {
	idx := map[string]int{}
	for i, s := range m.Sites {
		idx[s.Name] = i
	}
	for _, l := range topology.Adjacencies(m) {
		a, b := &m.Sites[idx[l.A]], &m.Sites[idx[l.B]]
		if a.Cloud == topology.AWS && b.Cloud == topology.AWS {
			b.Cloud = []topology.Cloud{topology.GCP, topology.Azure, topology.Host}[r.Intn(3)]
			if b.ASN != 0 && ASNProblem(b.Cloud, b.ASN, true) != "" {
				b.ASN = 0
			}
		}
	}
}

func cloneMesh(m *topology.Mesh) *topology.Mesh {
	c := *m
	c.Sites = slices.Clone(m.Sites)
	c.Hubs = slices.Clone(m.Hubs)
	c.Links = slices.Clone(m.Links)
	return &c
}

// addSite returns m with one more site, linked as its topology does, that
// creates no aws↔aws adjacency and whose user ASN (if any) is not one prev
// allocated: a user taking an allocated ASN moves that site, by design.
func addSite(r *rand.Rand, m *topology.Mesh, prev *Allocation) *topology.Mesh {
	c := cloneMesh(m)
	taken := map[string]bool{}
	used := map[uint32]bool{}
	for _, s := range c.Sites {
		taken[s.Name] = true
	}
	for _, a := range prev.ASNs {
		used[a] = true
	}
	s := topology.Site{Name: randomName(r, taken), Cloud: randomCloud(r)}
	c.Sites = append(c.Sites, s)
	switch c.Topology {
	case topology.HubSpoke:
		if r.Intn(4) == 0 {
			c.Hubs = append(c.Hubs, s.Name)
		}
	case topology.Links:
		for range 1 + r.Intn(3) {
			o := c.Sites[r.Intn(len(c.Sites))].Name
			if o != s.Name && !slices.ContainsFunc(c.Links, func(l topology.Link) bool {
				return l.A == o && l.B == s.Name || l.A == s.Name && l.B == o
			}) {
				c.Links = append(c.Links, topology.Link{A: o, B: s.Name})
			}
		}
	}
	last := &c.Sites[len(c.Sites)-1]
	if last.Cloud == topology.AWS {
		for _, l := range topology.Adjacencies(c) {
			if (l.A == s.Name || l.B == s.Name) && cloudOf(c, l.A) == topology.AWS && cloudOf(c, l.B) == topology.AWS {
				last.Cloud = topology.GCP
				break
			}
		}
	}
	if r.Intn(4) == 0 {
		last.ASN = randomUserASN(r, last.Cloud, used)
	}
	return c
}

// removeSite returns m without one random site (and its hub entry and links).
func removeSite(r *rand.Rand, m *topology.Mesh) *topology.Mesh {
	c := cloneMesh(m)
	i := r.Intn(len(c.Sites))
	name := c.Sites[i].Name
	c.Sites = slices.Delete(c.Sites, i, i+1)
	c.Hubs = slices.DeleteFunc(c.Hubs, func(h string) bool { return h == name })
	c.Links = slices.DeleteFunc(c.Links, func(l topology.Link) bool { return l.A == name || l.B == name })
	return c
}

func cloudOf(m *topology.Mesh, name string) topology.Cloud {
	s, _ := m.Site(name)
	return s.Cloud
}

// shuffled returns m with sites, hubs and links in a random order and link
// ends randomly swapped: nothing the allocation may depend on.
func shuffled(r *rand.Rand, m *topology.Mesh) *topology.Mesh {
	c := cloneMesh(m)
	r.Shuffle(len(c.Sites), func(i, j int) { c.Sites[i], c.Sites[j] = c.Sites[j], c.Sites[i] })
	r.Shuffle(len(c.Hubs), func(i, j int) { c.Hubs[i], c.Hubs[j] = c.Hubs[j], c.Hubs[i] })
	r.Shuffle(len(c.Links), func(i, j int) { c.Links[i], c.Links[j] = c.Links[j], c.Links[i] })
	for i := range c.Links {
		if r.Intn(2) == 0 {
			c.Links[i].A, c.Links[i].B = c.Links[i].B, c.Links[i].A
		}
	}
	return c
}

func describe(m *topology.Mesh) string {
	s := fmt.Sprintf("%s hubs=%v links=%v sites:", m.Topology, m.Hubs, m.Links)
	for i, x := range m.Sites {
		if i == 20 {
			return s + fmt.Sprintf(" … (%d sites)", len(m.Sites))
		}
		s += fmt.Sprintf(" %s/%s/%d", x.Name, x.Cloud, x.ASN)
	}
	return s
}

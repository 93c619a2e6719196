package alloc

import (
	"fmt"
	"math/rand"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

func site(name string, c topology.Cloud) topology.Site { return topology.Site{Name: name, Cloud: c} }

func fullMesh(sites ...topology.Site) *topology.Mesh {
	return &topology.Mesh{Name: "t", Topology: topology.Full, Sites: sites}
}

func mustAllocate(t *testing.T, m *topology.Mesh, prev *Allocation) *Allocation {
	t.Helper()
	a, err := Allocate(m, prev)
	if err != nil {
		t.Fatalf("Allocate(%s): %v", describe(m), err)
	}
	if err := checkAllocation(m, a); err != nil {
		t.Fatalf("Allocate(%s): %v", describe(m), err)
	}
	return a
}

func tunnel(a *Allocation, key string) *Tunnel {
	for i := range a.Tunnels {
		if a.Tunnels[i].Key == key {
			return &a.Tunnels[i]
		}
	}
	return nil
}

// The per-cloud layouts, spelled out.
func TestLayouts(t *testing.T) {
	type ifs struct{ aIf, aConn, bIf, bConn int }
	tests := []struct {
		a, b topology.Cloud
		want []ifs
	}{
		{topology.AWS, topology.GCP, []ifs{{0, 0, 0, 0}, {1, 0, 0, 0}, {0, 1, 1, 0}, {1, 1, 1, 0}}},
		{topology.GCP, topology.AWS, []ifs{{0, 0, 0, 0}, {0, 0, 1, 0}, {1, 0, 0, 1}, {1, 0, 1, 1}}},
		{topology.AWS, topology.Azure, []ifs{{0, 0, 0, 0}, {1, 0, 0, 0}, {0, 1, 1, 0}, {1, 1, 1, 0}}},
		{topology.Azure, topology.AWS, []ifs{{0, 0, 0, 0}, {0, 0, 1, 0}, {1, 0, 0, 1}, {1, 0, 1, 1}}},
		{topology.AWS, topology.Host, []ifs{{0, 0, 0, 0}, {1, 0, 0, 0}}},
		{topology.Host, topology.AWS, []ifs{{0, 0, 0, 0}, {0, 0, 1, 0}}},
		{topology.GCP, topology.GCP, []ifs{{0, 0, 0, 0}, {1, 0, 1, 0}}},
		{topology.GCP, topology.Azure, []ifs{{0, 0, 0, 0}, {1, 0, 1, 0}}},
		{topology.Azure, topology.GCP, []ifs{{0, 0, 0, 0}, {1, 0, 1, 0}}},
		{topology.GCP, topology.Host, []ifs{{0, 0, 0, 0}, {1, 0, 0, 0}}},
		{topology.Host, topology.GCP, []ifs{{0, 0, 0, 0}, {0, 0, 1, 0}}},
		{topology.Azure, topology.Azure, []ifs{{0, 0, 0, 0}, {1, 0, 1, 0}}},
		{topology.Azure, topology.Host, []ifs{{0, 0, 0, 0}, {1, 0, 0, 0}}},
		{topology.Host, topology.Azure, []ifs{{0, 0, 0, 0}, {0, 0, 1, 0}}},
		{topology.Host, topology.Host, []ifs{{0, 0, 0, 0}}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s-%s", tc.a, tc.b), func(t *testing.T) {
			a := mustAllocate(t, fullMesh(site("a", tc.a), site("b", tc.b)), nil)
			var got []ifs
			for i, tn := range a.Tunnels {
				if want := fmt.Sprintf("a~b#%d", i); tn.Key != want {
					t.Errorf("key %q, want %q", tn.Key, want)
				}
				got = append(got, ifs{tn.A.Interface, tn.A.Connection, tn.B.Interface, tn.B.Connection})
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("interfaces %v, want %v", got, tc.want)
			}
			wantTransport := topology.IPsec
			if tc.a == topology.Host && tc.b == topology.Host {
				wantTransport = topology.WireGuard
			}
			for _, tn := range a.Tunnels {
				if tn.Transport != wantTransport {
					t.Errorf("%s: transport %s, want %s", tn.Key, tn.Transport, wantTransport)
				}
			}
		})
	}
}

// Addresses: the AWS end is .1 whichever side it is on; else A is .1.
func TestAddresses(t *testing.T) {
	for _, tc := range []struct {
		a, b         topology.Cloud
		aLast, bLast byte
	}{
		{topology.AWS, topology.GCP, 1, 2},
		{topology.GCP, topology.AWS, 2, 1},
		{topology.Azure, topology.AWS, 2, 1},
		{topology.Host, topology.AWS, 2, 1},
		{topology.GCP, topology.Azure, 1, 2},
		{topology.Azure, topology.GCP, 1, 2},
		{topology.Host, topology.Host, 1, 2},
	} {
		a := mustAllocate(t, fullMesh(site("a", tc.a), site("b", tc.b)), nil)
		for _, tn := range a.Tunnels {
			base := tn.Inside.Addr().As4()
			ga, gb := tn.A.Address.As4(), tn.B.Address.As4()
			if ga[3]-base[3] != tc.aLast || gb[3]-base[3] != tc.bLast || !tn.Inside.Contains(tn.A.Address) || !tn.Inside.Contains(tn.B.Address) {
				t.Errorf("%s–%s %s: %v has A=%v B=%v", tc.a, tc.b, tn.Key, tn.Inside, tn.A.Address, tn.B.Address)
			}
		}
	}
}

// Pools: over many meshes, no tunnel ever takes a reserved /30, Azure
// tunnels are all in APIPA, others all outside, per-site unique
// (checkAllocation checks each), and across meshes every part of each pool
// gets used (the hash spreads).
func TestInsidePools(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	seenAzure := map[netip.Prefix]bool{}
	for range 200 {
		m := randomMesh(r, 2+r.Intn(12))
		mustAllocate(t, m, nil)
		a := mustAllocate(t, m, nil)
		for _, tn := range a.Tunnels {
			if tn.A.Cloud == topology.Azure || tn.B.Cloud == topology.Azure {
				seenAzure[tn.Inside] = true
			}
		}
	}
	if len(seenAzure) < 100 {
		t.Errorf("only %d of 128 APIPA /30s ever used: start positions do not spread", len(seenAzure))
	}
	if len(generalPool) != 16384-128-7 || len(azurePool) != 128 {
		t.Errorf("pools hold %d and %d /30s", len(generalPool), len(azurePool))
	}
	for _, p := range AWSReservedInside {
		j, _ := prefixSlot(p)
		if slotPool[j] != poolNone {
			t.Errorf("reserved %v is in a pool", p)
		}
	}
}

// Per-site uniqueness, not global: a big hub_spoke with one GCP hub puts
// many tunnels at the hub (all distinct) while spokes reuse /30s among
// themselves.
func TestInsidePerSite(t *testing.T) {
	m := &topology.Mesh{Name: "t", Topology: topology.HubSpoke, Hubs: []string{"hub"}}
	m.Sites = append(m.Sites, site("hub", topology.GCP))
	for i := range 120 {
		m.Sites = append(m.Sites, site(fmt.Sprintf("h%03d", i), topology.Host))
	}
	a := mustAllocate(t, m, nil)
	if len(a.Tunnels) != 240 {
		t.Fatalf("%d tunnels", len(a.Tunnels))
	}
	// A bigger case where global uniqueness could not fit: a 200-site full
	// mesh of GCP sites needs 39800 /30s, more than 169.254/16 holds.
	var sites []topology.Site
	for i := range 200 {
		sites = append(sites, site(fmt.Sprintf("g%03d", i), topology.GCP))
	}
	a = mustAllocate(t, fullMesh(sites...), nil)
	distinct := map[netip.Prefix]bool{}
	for _, tn := range a.Tunnels {
		distinct[tn.Inside] = true
	}
	if len(a.Tunnels) != 39800 || len(distinct) >= len(a.Tunnels) {
		t.Errorf("%d tunnels, %d distinct /30s", len(a.Tunnels), len(distinct))
	}
}

// ASNs: private, unique, never 64512 nor Azure's, user ones kept.
func TestASNs(t *testing.T) {
	var sites []topology.Site
	for i := range 300 {
		sites = append(sites, site(fmt.Sprintf("s%d", i), topology.Clouds[1+i%3]))
	}
	sites[0].Cloud = topology.AWS
	sites[7].ASN = 65001      // Azure
	sites[8].ASN = 100        // host, public: fine for hosts
	sites[9].ASN = 4200000123 // GCP, 32-bit private
	// No links: 300 Azure sites in a full mesh would overflow APIPA.
	a := mustAllocate(t, &topology.Mesh{Topology: topology.Links, Sites: sites}, nil)
	for _, s := range sites {
		asn := a.ASNs[s.Name]
		if s.ASN != 0 {
			if asn != s.ASN {
				t.Errorf("%s: user ASN %d became %d", s.Name, s.ASN, asn)
			}
			continue
		}
		if asn < 64513 || asn > 65534 || asn == 65515 || asn >= 65517 && asn <= 65520 {
			t.Errorf("%s: allocated ASN %d", s.Name, asn)
		}
	}
}

func TestASNSticky(t *testing.T) {
	m := fullMesh(site("a", topology.GCP), site("b", topology.Azure), site("c", topology.Host))
	prev := &Allocation{ASNs: map[string]uint32{
		"a": 65000,
		"b": 65515, // Azure-reserved: must move
		"c": 64999,
	}}
	a := mustAllocate(t, m, prev)
	if a.ASNs["a"] != 65000 || a.ASNs["c"] != 64999 || a.ASNs["b"] == 65515 {
		t.Errorf("ASNs %v", a.ASNs)
	}
	// A user-given ASN wins over a sticky one; the sticky site moves.
	m.Sites[2].ASN = 65000
	a = mustAllocate(t, m, prev)
	if a.ASNs["c"] != 65000 || a.ASNs["a"] == 65000 {
		t.Errorf("ASNs %v", a.ASNs)
	}
	// A site that now faces AWS cannot keep 64512.
	m = fullMesh(site("a", topology.GCP), site("x", topology.AWS))
	a = mustAllocate(t, m, &Allocation{ASNs: map[string]uint32{"a": 64512}})
	if a.ASNs["a"] == 64512 {
		t.Errorf("ASNs %v", a.ASNs)
	}
}

func TestDeterministicAcrossOrder(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for range 100 {
		m := randomMesh(r, 2+r.Intn(10))
		a := mustAllocate(t, m, nil)
		prev := mustAllocate(t, addSite(r, m, a), a)
		for range 3 {
			s := shuffled(r, m)
			if b := mustAllocate(t, s, nil); !reflect.DeepEqual(a, b) {
				t.Fatalf("order changed the allocation of %s", describe(m))
			}
			if x, y := mustAllocate(t, m, prev), mustAllocate(t, s, prev); !reflect.DeepEqual(x, y) {
				t.Fatalf("order changed the sticky allocation of %s", describe(m))
			}
		}
	}
}

// Sticky /30s: a prev value is kept when valid for the tunnel's ends, and
// replaced when reserved, in the wrong range, not a /30, or clashing with an
// earlier sticky tunnel at a shared site.
func TestInsideSticky(t *testing.T) {
	m := fullMesh(site("a", topology.GCP), site("b", topology.Host), site("c", topology.Azure))
	p := netip.MustParsePrefix
	prev := &Allocation{Tunnels: []Tunnel{
		{Key: "a~b#0", Inside: p("169.254.100.0/30")},           // kept
		{Key: "a~b#1", Inside: p("169.254.100.0/30")},           // clashes at a and b with #0: moves
		{Key: "a~c#0", Inside: p("169.254.22.4/30")},            // kept
		{Key: "a~c#1", Inside: p("169.254.100.4/30")},           // Azure tunnel outside APIPA: moves
		{Key: "b~c#0", Inside: p("169.254.22.4/30")},            // clashes at c with a~c#0: moves
		{Key: "b~c#1", Inside: p("169.254.21.9/30")},            // not a network address: moves
		{Key: "x~y#0", Inside: p("169.254.50.0/30")},            // gone: ignored
		{Key: "a~b#0", Inside: p("169.254.200.0/30")},           // duplicate key: first wins
		{Key: "a~a#0", Inside: p("169.254.169.252/30")},         // nonsense
		{Key: "a~b#1", Inside: netip.Prefix{}},                  // nonsense
		{Key: "b~c#1", Inside: p("::/126")},                     // nonsense
		{Key: "b~c#0", Inside: p("169.254.21.0/29")},            // nonsense
		{Key: "b~c#0", Inside: p("10.0.0.0/30")},                // nonsense
		{Key: "b~c#0", Inside: p("169.254.0.0/30")},             // reserved
		{Key: "b~c#0", Inside: p("169.254.5.0/30")},             // reserved
		{Key: "b~c#0", Inside: p("169.254.169.252/30")},         // reserved
		{Key: "b~c#0", Inside: p("169.254.21.0/30")},            // fine but a later duplicate
		{Key: "a~c#0", Inside: p("169.254.23.0/30")},            // later duplicate
		{Key: "b~c#0", Inside: p("169.254.22.252/30").Masked()}, // later duplicate
	}}
	a := mustAllocate(t, m, prev)
	want := map[string]netip.Prefix{"a~b#0": p("169.254.100.0/30"), "a~c#0": p("169.254.22.4/30")}
	for k, w := range want {
		if got := tunnel(a, k).Inside; got != w {
			t.Errorf("%s: %v, want %v (kept)", k, got, w)
		}
	}
	for k, old := range map[string]netip.Prefix{"a~b#1": p("169.254.100.0/30"), "a~c#1": p("169.254.100.4/30"), "b~c#0": p("169.254.22.4/30")} {
		if got := tunnel(a, k).Inside; got == old {
			t.Errorf("%s kept %v", k, got)
		}
	}
	// A reserved /30 in prev is never kept.
	prev = &Allocation{Tunnels: []Tunnel{{Key: "a~b#0", Inside: p("169.254.3.0/30")}}}
	if got := tunnel(mustAllocate(t, m, prev), "a~b#0").Inside; got == p("169.254.3.0/30") {
		t.Errorf("kept reserved %v", got)
	}
}

// A site that changes cloud moves the tunnels whose range no longer fits,
// and only those.
func TestCloudChange(t *testing.T) {
	m := fullMesh(site("a", topology.GCP), site("b", topology.Host), site("c", topology.GCP))
	a1 := mustAllocate(t, m, nil)
	m2 := cloneMesh(m)
	m2.Sites[2].Cloud = topology.Azure
	a2 := mustAllocate(t, m2, a1)
	for _, tn := range a2.Tunnels {
		old := tunnel(a1, tn.Key)
		if strings.Contains(tn.Key, "c") {
			if !AzureAPIPA.ContainsPrefix(tn.Inside) {
				t.Errorf("%s: %v", tn.Key, tn.Inside)
			}
		} else if *old != tn {
			t.Errorf("%s moved: %+v → %+v", tn.Key, *old, tn)
		}
	}
}

func TestWireGuard(t *testing.T) {
	var sites []topology.Site
	for i := range 6 {
		sites = append(sites, site(fmt.Sprintf("h%d", i), topology.Host))
	}
	sites = append(sites, site("g", topology.GCP))
	m := fullMesh(sites...)
	a := mustAllocate(t, m, nil)
	// New tunnels in key order take the lowest free numbers: h0's five
	// WireGuard tunnels are xl0..xl4, the IPsec tunnel to g has none.
	for n := range 5 {
		tn := tunnel(a, fmt.Sprintf("h0~h%d#0", n+1))
		if tn.A.WGDevice != fmt.Sprintf("xl%d", n) || tn.A.WGPort != 51820+n {
			t.Errorf("%s: A %s:%d", tn.Key, tn.A.WGDevice, tn.A.WGPort)
		}
	}
	if tn := tunnel(a, "g~h0#0"); tn.B.WGDevice != "" || tn.B.WGPort != 0 || tn.Transport != topology.IPsec {
		t.Errorf("IPsec tunnel has WireGuard: %+v", tn)
	}
	// Two hosts joined by IPsec (explicit link): one tunnel, no WireGuard.
	ip := mustAllocate(t, &topology.Mesh{Topology: topology.Links, Sites: sites[:2],
		Links: []topology.Link{{A: "h1", B: "h0", Transport: topology.IPsec}}}, nil)
	if len(ip.Tunnels) != 1 || ip.Tunnels[0].A.WGDevice != "" || ip.Tunnels[0].Transport != topology.IPsec {
		t.Errorf("host–host IPsec: %+v", ip.Tunnels)
	}
	// Sticky: keep a prev slot, even a high one; non-canonical ones move.
	prev := &Allocation{Tunnels: []Tunnel{
		{Key: "h0~h5#0", A: End{WGDevice: "xl7", WGPort: 51827}, B: End{WGDevice: "xl01", WGPort: 51821}},
		{Key: "h0~h4#0", A: End{WGDevice: "xl7", WGPort: 51827}},  // same slot at h0: h0~h4 comes first in key order, keeps it
		{Key: "h1~h2#0", A: End{WGDevice: "xl3", WGPort: 51820}},  // port mismatch
		{Key: "h1~h3#0", A: End{WGDevice: "wg0", WGPort: 51820}},  // foreign name
		{Key: "h2~h3#0", B: End{WGDevice: "xl99999", WGPort: 0}},  // out of range
		{Key: "h2~h4#0", B: End{WGDevice: "xl-1", WGPort: 51819}}, // nonsense
	}}
	a = mustAllocate(t, m, prev)
	if tn := tunnel(a, "h0~h4#0"); tn.A.WGDevice != "xl7" {
		t.Errorf("h0~h4#0 (first in key order) lost xl7: %s", tn.A.WGDevice)
	}
	if tn := tunnel(a, "h0~h5#0"); tn.A.WGDevice == "xl7" || tn.B.WGDevice == "xl01" {
		t.Errorf("h0~h5#0 kept a clashing or non-canonical device: %+v", tn)
	}
}

func TestWireGuardExhausted(t *testing.T) {
	w := newWGAllocator(1)
	for n := range WGMaxSlots {
		if got := w.lowest(0); got != n {
			t.Fatalf("lowest = %d, want %d", got, n)
		}
	}
	if got := w.lowest(0); got != -1 {
		t.Fatalf("lowest past the end = %d", got)
	}
	if d := WGDevice(WGMaxSlots - 1); len(d) > 15 || WGBasePort+WGMaxSlots-1 != 65535 {
		t.Errorf("last slot %s port %d", d, WGBasePort+WGMaxSlots-1)
	}
}

func TestErrors(t *testing.T) {
	many := func(c topology.Cloud, n int) []topology.Site {
		var s []topology.Site
		for i := range n {
			s = append(s, site(fmt.Sprintf("%s%04d", c, i), c))
		}
		return s
	}
	tests := []struct {
		name string
		m    *topology.Mesh
		want []string // substrings of the error
	}{
		{"nil", nil, []string{"no mesh"}},
		{"aws-aws", fullMesh(site("a", topology.AWS), site("b", topology.AWS)), []string{`"a"`, `"b"`, "aws to aws"}},
		{"dup site", fullMesh(site("a", topology.GCP), site("a", topology.Host)), []string{`"a"`, "twice"}},
		{"unknown cloud", fullMesh(site("a", "ibm")), []string{`"a"`, "ibm"}},
		{"bad user ASN", fullMesh(topology.Site{Name: "a", Cloud: topology.AWS, ASN: 100}), []string{`"a"`, "private"}},
		{"64512 facing AWS", fullMesh(site("a", topology.AWS), topology.Site{Name: "b", Cloud: topology.Host, ASN: 64512}), []string{`"b"`, "64512"}},
		{"dup user ASN", fullMesh(topology.Site{Name: "a", Cloud: topology.Host, ASN: 7}, topology.Site{Name: "b", Cloud: topology.Host, ASN: 7}), []string{`"b"`, `"a"`, "7"}},
		{"wireguard to cloud", &topology.Mesh{Topology: topology.Links, Sites: []topology.Site{site("a", topology.GCP), site("b", topology.Host)},
			Links: []topology.Link{{A: "a", B: "b", Transport: topology.WireGuard}}}, []string{"WireGuard"}},
		{"self link", &topology.Mesh{Topology: topology.Links, Sites: []topology.Site{site("a", topology.GCP)},
			Links: []topology.Link{{A: "a", B: "a"}}}, []string{`"a"`, "itself"}},
		{"unknown site", &topology.Mesh{Topology: topology.Links, Sites: []topology.Site{site("a", topology.GCP)},
			Links: []topology.Link{{A: "a", B: "zz"}}}, []string{"zz", "unknown site"}},
		{"twice linked", &topology.Mesh{Topology: topology.Links, Sites: []topology.Site{site("a", topology.GCP), site("b", topology.GCP)},
			Links: []topology.Link{{A: "a", B: "b"}, {A: "b", B: "a"}}}, []string{"twice"}},
		{"key clash", &topology.Mesh{Topology: topology.Links, Sites: []topology.Site{site("x", topology.Host), site("x~y", topology.Host), site("y~z", topology.Host), site("z", topology.Host)},
			Links: []topology.Link{{A: "x", B: "y~z"}, {A: "x~y", B: "z"}}}, []string{"x~y~z#0", "twice"}},
		{"unknown topology", &topology.Mesh{Topology: "ring"}, []string{"ring"}},
		// An Azure hub with 65 GCP spokes needs 130 APIPA /30s: 128 exist.
		{"APIPA exhausted", &topology.Mesh{Topology: topology.HubSpoke, Hubs: []string{"az"},
			Sites: append([]topology.Site{site("az", topology.Azure)}, many(topology.GCP, 65)...)}, []string{"tunnel ", `"az"`, "APIPA", "128"}},
		// 1018 sites without ASNs: the pool has 1017.
		{"ASNs exhausted", &topology.Mesh{Topology: topology.Links, Sites: many(topology.Host, 1018)}, []string{"site ", "ASN", "64513–65534"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Allocate(tc.m, nil)
			if err == nil {
				t.Fatalf("no error; %d tunnels", len(a.Tunnels))
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// The general pool is big enough that a host in a huge mesh of hosts does
// not run out; and its exhaustion message names the pool too.
func TestGeneralPoolExhausted(t *testing.T) {
	ia := newInsideAllocator(2)
	for range len(generalPool) {
		if ia.pick("k", 0, 1, poolGeneral) < 0 {
			t.Fatal("pool ran out early")
		}
	}
	if j := ia.pick("k", 0, 1, poolGeneral); j != -1 {
		t.Fatalf("pick past the end = %d", j)
	}
	if !strings.Contains(poolName(poolGeneral), "16249") {
		t.Errorf("pool name %q", poolName(poolGeneral))
	}
}

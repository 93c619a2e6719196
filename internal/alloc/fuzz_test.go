package alloc

import (
	"encoding/binary"
	"net/netip"
	"reflect"
	"strconv"
	"testing"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// bytesIn hands out fuzz bytes; past the end it yields zeros.
type bytesIn struct {
	b []byte
	i int
}

func (r *bytesIn) u8() byte {
	if r.i >= len(r.b) {
		return 0
	}
	r.i++
	return r.b[r.i-1]
}

func (r *bytesIn) u16() uint16 { return uint16(r.u8())<<8 | uint16(r.u8()) }
func (r *bytesIn) u32() uint32 { return uint32(r.u16())<<16 | uint32(r.u16()) }

// Names include '~' and '#' so colliding tunnel keys get exercised.
var fuzzNames = []string{"a", "b", "c", "d", "e", "f", "g", "h", "aa", "a-b", "x~y", "y", "x", "z#1", "z", "m"}

// ASNs worth hitting: boundaries of every range the rules mention.
var fuzzASNs = []uint32{0, 1, 100, 8074, 23456, 64495, 64496, 64512, 64513, 65000, 65514, 65515, 65516, 65517,
	65520, 65521, 65534, 65535, 65536, 65551, 65552, 4199999999, 4200000000, 4294967294, 4294967295}

func (r *bytesIn) asn() uint32 {
	if c := r.u8(); c&1 == 0 {
		return fuzzASNs[int(c>>1)%len(fuzzASNs)]
	}
	return r.u32()
}

// decodeMesh turns fuzz bytes into a small mesh (possibly invalid: Allocate
// must then fail cleanly) and a previous allocation holding arbitrary values.
func decodeMesh(data []byte) (*topology.Mesh, *Allocation) {
	r := &bytesIn{b: data}
	m := &topology.Mesh{Name: "f", Topology: allKinds[int(r.u8())%3]}
	n := 1 + int(r.u8())%8
	// Names: distinct (an odd step through 16 names) unless a site's flag
	// asks for a duplicate, so most inputs reach the allocator proper.
	start, step := int(r.u8()), 2*int(r.u8())+1
	for i := range n {
		f := r.u8() // bits 0-1 cloud, 2 has ASN; 0xff: duplicate name
		s := topology.Site{Name: fuzzNames[(start+i*step)%len(fuzzNames)], Cloud: topology.Clouds[f&3]}
		if f == 0xff && i > 0 {
			s.Name = m.Sites[i-1].Name
		}
		if f&4 != 0 {
			s.ASN = r.asn()
		}
		m.Sites = append(m.Sites, s)
	}
	hubs := r.u8()
	for i, s := range m.Sites {
		if hubs&(1<<i) != 0 {
			m.Hubs = append(m.Hubs, s.Name)
		}
	}
	for range int(r.u8()) % 12 {
		a, b, f := int(r.u8())%n, int(r.u8())%n, r.u8()
		if a == b && f&0xf0 != 0xf0 {
			b = (a + 1) % n // self-links only when asked for
		}
		l := topology.Link{A: m.Sites[a].Name, B: m.Sites[b].Name}
		l.Transport = []topology.Transport{"", topology.IPsec, topology.WireGuard}[int(f&3)%3]
		m.Links = append(m.Links, l)
	}
	if r.u8()&1 == 0 {
		return m, nil
	}
	prev := &Allocation{ASNs: map[string]uint32{}}
	for range int(r.u8()) % 8 {
		prev.ASNs[fuzzNames[int(r.u8())%len(fuzzNames)]] = r.asn()
	}
	for range int(r.u8()) % 24 {
		// Mostly keys of this mesh's own site pairs, so prev values matter.
		a, b := m.Sites[int(r.u8())%n].Name, m.Sites[int(r.u8())%n].Name
		if f := r.u8(); f&1 == 1 {
			a = fuzzNames[int(f>>1)%len(fuzzNames)]
		}
		if a > b {
			a, b = b, a
		}
		t := Tunnel{Key: a + "~" + b + "#" + strconv.Itoa(int(r.u8())%5)}
		switch r.u8() % 4 {
		case 0: // a real slot: the likely case
			t.Inside = slotPrefix(int(r.u16()) % slots)
		case 1: // an APIPA slot
			t.Inside = slotPrefix(1344 + int(r.u8())%128)
		case 2: // anything
			var b4 [4]byte
			binary.BigEndian.PutUint32(b4[:], r.u32())
			t.Inside = netip.PrefixFrom(netip.AddrFrom4(b4), int(r.u8())%40)
		}
		t.A.Address = netip.AddrFrom4([4]byte{169, 254, r.u8(), r.u8()})
		t.B.WGDevice = "xl" + strconv.Itoa(int(r.u8())-8)
		t.B.WGPort = WGBasePort + int(r.u8()) - 8
		t.A.WGDevice, t.A.WGPort = WGDevice(int(r.u8())%8), WGBasePort+int(r.u8())%8
		prev.Tunnels = append(prev.Tunnels, t)
	}
	return m, prev
}

func FuzzAllocate(f *testing.F) {
	f.Add([]byte{0, 3, 0, 0, 0, 1, 1, 0, 2, 2, 0})
	f.Add([]byte{1, 5, 0, 0, 0, 1, 1, 1, 2, 2, 0, 3, 3, 1, 0x12, 4, 1, 0, 3, 0, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		m, prev := decodeMesh(data)
		a, err := Allocate(m, prev)
		if err != nil {
			return
		}
		if err := checkAllocation(m, a); err != nil {
			t.Fatalf("%s: %v", describe(m), err)
		}
		// Re-planning with the result as prev changes nothing.
		again, err := Allocate(m, a)
		if err != nil {
			t.Fatalf("re-allocation failed: %v", err)
		}
		if !reflect.DeepEqual(a, again) {
			t.Fatalf("re-allocation with prev = result changed it")
		}
		// Nor does the order of sites and links.
		rev := cloneMesh(m)
		for i, j := 0, len(rev.Sites)-1; i < j; i, j = i+1, j-1 {
			rev.Sites[i], rev.Sites[j] = rev.Sites[j], rev.Sites[i]
		}
		for i := range rev.Links {
			rev.Links[i].A, rev.Links[i].B = rev.Links[i].B, rev.Links[i].A
		}
		b, err := Allocate(rev, prev)
		if err != nil || !reflect.DeepEqual(a, b) {
			t.Fatalf("reordered mesh allocated differently (err %v)", err)
		}
	})
}

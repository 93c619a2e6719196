package bgp

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"testing"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// testNetns creates a named network namespace, removed in Cleanup, and
// returns a netlink handle into it.
func testNetns(t *testing.T) *netlink.Handle {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (network namespaces)")
	}
	name := fmt.Sprintf("xlbgp-test-%d", os.Getpid())
	// NewNamed switches the calling thread into the new namespace.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := netns.Get()
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()
	ns, err := netns.NewNamed(name)
	if serr := netns.Set(orig); serr != nil {
		panic(serr) // the thread is stuck in the wrong namespace
	}
	if err != nil {
		t.Fatalf("create netns: %v", err)
	}
	t.Cleanup(func() {
		ns.Close()
		if err := netns.DeleteNamed(name); err != nil {
			t.Errorf("delete netns %s: %v", name, err)
		}
	})
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return h
}

func TestNetlinkRoutes(t *testing.T) {
	h := testNetns(t)
	// A dummy link; a veth pair where the dummy module is missing.
	if err := h.LinkAdd(&netlink.Dummy{LinkAttrs: netlink.LinkAttrs{Name: "xl-test0"}}); err != nil {
		veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "xl-test0"}, PeerName: "xl-test1"}
		if err := h.LinkAdd(veth); err != nil {
			t.Fatalf("no dummy or veth link: %v", err)
		}
		peer, err := h.LinkByName("xl-test1")
		if err != nil {
			t.Fatal(err)
		}
		if err := h.LinkSetUp(peer); err != nil {
			t.Fatal(err)
		}
	}
	link, err := h.LinkByName("xl-test0")
	if err != nil {
		t.Fatal(err)
	}
	addr, _ := netlink.ParseAddr("169.254.0.1/30")
	if err := h.AddrAdd(link, addr); err != nil {
		t.Fatal(err)
	}
	if err := h.LinkSetUp(link); err != nil {
		t.Fatal(err)
	}
	gw := netip.MustParseAddr("169.254.0.2")
	ipnet := func(s string) *net.IPNet { _, n, _ := net.ParseCIDR(s); return n }

	// Somebody else's routes: one elsewhere, one on a prefix we will want
	// with our metric (a conflict), one on a prefix we want with metric 0.
	foreign := []netlink.Route{
		{Dst: ipnet("10.50.0.0/24"), Gw: gw.AsSlice(), LinkIndex: link.Attrs().Index, Protocol: 4},
		{Dst: ipnet("10.60.0.0/24"), Gw: gw.AsSlice(), LinkIndex: link.Attrs().Index, Protocol: 4, Priority: RouteMetric},
		{Dst: ipnet("10.70.0.0/24"), Gw: gw.AsSlice(), LinkIndex: link.Attrs().Index, Protocol: 4},
	}
	for _, r := range foreign {
		if err := h.RouteAdd(&r); err != nil {
			t.Fatalf("add foreign route %v: %v", r.Dst, err)
		}
	}

	rt := NewNetlinkRoutes(h)
	r70 := Route{Prefix: netip.MustParsePrefix("10.70.0.0/24"), NextHop: gw, Device: "xl-test0"}
	r71 := Route{Prefix: netip.MustParsePrefix("10.71.0.0/24"), NextHop: gw, Device: "xl-test0"}
	if err := rt.Sync([]Route{r70, r71}); err != nil {
		t.Fatal(err)
	}
	if err := rt.Sync([]Route{r70, r71}); err != nil { // idempotent
		t.Fatal(err)
	}
	ours := listProto(t, h, RouteProtocol)
	if len(ours) != 2 {
		t.Fatalf("our routes: %v", ours)
	}
	for _, r := range ours {
		if !r.Gw.Equal(gw.AsSlice()) || r.LinkIndex != link.Attrs().Index || r.Priority != RouteMetric || r.Table != 254 {
			t.Errorf("route %+v", r)
		}
	}

	// Fewer routes: the missing one goes.
	if err := rt.Sync([]Route{r70}); err != nil {
		t.Fatal(err)
	}
	if ours := listProto(t, h, RouteProtocol); len(ours) != 1 || ours[0].Dst.String() != "10.70.0.0/24" {
		t.Fatalf("after second Sync: %v", ours)
	}

	// A prefix a foreign route holds at our metric is refused, not replaced;
	// an unknown device is an error; the others are still installed.
	r60 := Route{Prefix: netip.MustParsePrefix("10.60.0.0/24"), NextHop: gw, Device: "xl-test0"}
	bad := Route{Prefix: netip.MustParsePrefix("10.80.0.0/24"), NextHop: gw, Device: "nonexistent0"}
	if err := rt.Sync([]Route{r70, r60, bad}); err == nil {
		t.Fatal("Sync over a foreign route or with an unknown device succeeded")
	}
	if ours := listProto(t, h, RouteProtocol); len(ours) != 1 {
		t.Fatalf("after conflicting Sync: %v", ours)
	}
	if got := listProto(t, h, 4); len(got) != len(foreign) {
		t.Fatalf("foreign routes touched: %v", got)
	}

	// Flush removes ours only.
	if err := rt.Flush(); err != nil {
		t.Fatal(err)
	}
	if ours := listProto(t, h, RouteProtocol); len(ours) != 0 {
		t.Fatalf("after Flush: %v", ours)
	}
	if got := listProto(t, h, 4); len(got) != len(foreign) {
		t.Fatalf("foreign routes after Flush: %v", got)
	}

	// A route the kernel dropped (device down/up) comes back on the next Sync.
	if err := rt.Sync([]Route{r71}); err != nil {
		t.Fatal(err)
	}
	if err := h.LinkSetDown(link); err != nil {
		t.Fatal(err)
	}
	if err := h.LinkSetUp(link); err != nil {
		t.Fatal(err)
	}
	if ours := listProto(t, h, RouteProtocol); len(ours) != 0 {
		t.Logf("kernel kept routes across down/up: %v", ours)
	}
	if err := rt.Sync([]Route{r71}); err != nil {
		t.Fatal(err)
	}
	if ours := listProto(t, h, RouteProtocol); len(ours) != 1 {
		t.Fatalf("after resync: %v", ours)
	}
}

func listProto(t *testing.T, h *netlink.Handle, p netlink.RouteProtocol) []netlink.Route {
	t.Helper()
	rs, err := h.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{Protocol: p}, netlink.RT_FILTER_PROTOCOL)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

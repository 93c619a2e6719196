package alloc

import (
	"strconv"
	"strings"
)

// WireGuard ends: each WireGuard tunnel is its own device on the host (one
// peer per device keeps each tunnel's routes and failover independent), so
// a host needs a device name and a UDP listen port per tunnel. Both derive
// from one number n per host: device "xl<n>" (Linux caps names at 15
// characters; "xl13715" is 7) and port 51820+n (WireGuard's usual port up).
const (
	WGDevicePrefix = "xl"
	WGBasePort     = 51820
	// WGMaxSlots bounds n so that the port stays a valid port.
	WGMaxSlots = 65535 - WGBasePort + 1
)

// WGDevice is the device name of slot n.
func WGDevice(n int) string { return WGDevicePrefix + strconv.Itoa(n) }

// wgSlot returns the slot a device/port pair stands for, if the pair is one
// this package would give (canonical name, matching port).
func wgSlot(dev string, port int) (int, bool) {
	s, ok := strings.CutPrefix(dev, WGDevicePrefix)
	if !ok || s == "" || len(s) > 5 || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n >= WGMaxSlots || port != WGBasePort+n {
		return 0, false
	}
	return n, true
}

// wgAllocator tracks the slots each host uses.
type wgAllocator struct {
	used [][]uint64 // per site, bitset grown on demand
	next []int      // per site: no free slot below this
}

func newWGAllocator(sites int) *wgAllocator {
	return &wgAllocator{used: make([][]uint64, sites), next: make([]int, sites)}
}

func (w *wgAllocator) has(site, n int) bool {
	u := w.used[site]
	return n>>6 < len(u) && u[n>>6]&(1<<(n&63)) != 0
}

func (w *wgAllocator) add(site, n int) {
	for n>>6 >= len(w.used[site]) {
		w.used[site] = append(w.used[site], 0)
	}
	w.used[site][n>>6] |= 1 << (n & 63)
}

// claim takes slot n at site if free (sticky ends).
func (w *wgAllocator) claim(site, n int) bool {
	if w.has(site, n) {
		return false
	}
	w.add(site, n)
	return true
}

// lowest takes the lowest free slot at site, or -1 when none is left. Sticky
// claims all come first, so the cursor only ever moves up.
func (w *wgAllocator) lowest(site int) int {
	n := w.next[site]
	for n < WGMaxSlots && w.has(site, n) {
		n++
	}
	if n == WGMaxSlots {
		return -1
	}
	w.add(site, n)
	w.next[site] = n + 1
	return n
}

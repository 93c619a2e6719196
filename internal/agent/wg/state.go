package wg

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"time"

	"github.com/vishvananda/netlink"
	"golang.zx2c4.com/wireguard/wgctrl"
	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// DeviceState is a device as the system holds it.
type DeviceState struct {
	Name       string
	Kind       string // KindKernel or KindUserspace
	PublicKey  string // base64; "" when the device has no key
	ListenPort int
	Addresses  []netip.Prefix // without IPv6 link-local addresses
	Up         bool           // administratively up
	KeyEpoch   int64          // epoch of the stored key; -1 if the device holds another key
	MTU        int
	Peer       *PeerState // nil when the device has no peer
}

// PeerState is the device's peer as the system holds it.
type PeerState struct {
	PublicKey     string
	Endpoint      string // "ip:port" as the device has it now (it follows roaming); "" if none
	AllowedIPs    []netip.Prefix
	Keepalive     time.Duration
	LastHandshake time.Time // zero before the first handshake
	RxBytes       int64
	TxBytes       int64
}

// Device reads the device's real state (wgctrl + netlink). It is absent
// (false, nil error) when no link of that name is a WireGuard device.
func (m *Manager) Device(ctx context.Context, name string) (DeviceState, bool, error) {
	if err := validName(name); err != nil {
		return DeviceState{}, false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.usable(ctx); err != nil {
		return DeviceState{}, false, err
	}
	m.reapEmbedded(name)
	wgc, err := m.client()
	if err != nil {
		return DeviceState{}, false, err
	}
	defer wgc.Close()
	return m.state(wgc, name)
}

func (m *Manager) state(wgc *wgctrl.Client, name string) (DeviceState, bool, error) {
	// The link first: a stale UAPI socket must not make a device appear.
	link, err := m.nl.LinkByName(name)
	if isLinkNotFound(err) {
		return DeviceState{}, false, nil
	} else if err != nil {
		return DeviceState{}, false, fmt.Errorf("device %s: %w", name, err)
	}
	d, err := wgc.Device(name)
	if errors.Is(err, fs.ErrNotExist) {
		return DeviceState{}, false, nil
	} else if err != nil {
		return DeviceState{}, false, fmt.Errorf("device %s: reading: %w", name, err)
	}
	addrs, err := m.addrList(link)
	if err != nil {
		return DeviceState{}, false, fmt.Errorf("device %s: %w", name, err)
	}
	st := DeviceState{
		Name: name, Kind: KindUserspace, ListenPort: d.ListenPort, KeyEpoch: -1,
		Up: link.Attrs().Flags&net.FlagUp != 0, MTU: link.Attrs().MTU, Addresses: []netip.Prefix{},
	}
	if d.Type == wgtypes.LinuxKernel {
		st.Kind = KindKernel
	}
	if d.PublicKey != (wgtypes.Key{}) {
		st.PublicKey = d.PublicKey.String()
		st.KeyEpoch = m.storedEpoch(name, d.PublicKey)
	}
	for _, a := range addrs {
		if p, ok := addrPrefix(a); ok {
			st.Addresses = append(st.Addresses, p)
		}
	}
	if len(d.Peers) > 0 {
		st.Peer = peerState(d.Peers[0])
	}
	return st, true, nil
}

func peerState(p wgtypes.Peer) *PeerState {
	ps := &PeerState{
		PublicKey: p.PublicKey.String(), Keepalive: p.PersistentKeepaliveInterval,
		RxBytes: p.ReceiveBytes, TxBytes: p.TransmitBytes, AllowedIPs: []netip.Prefix{},
	}
	if p.Endpoint != nil {
		ps.Endpoint = p.Endpoint.String()
	}
	// Userspace devices report "never" as the Unix epoch.
	if !p.LastHandshakeTime.IsZero() && p.LastHandshakeTime.Unix() != 0 {
		ps.LastHandshake = p.LastHandshakeTime
	}
	for _, n := range p.AllowedIPs {
		if pr, ok := ipNetPrefix(n); ok {
			ps.AllowedIPs = append(ps.AllowedIPs, pr)
		}
	}
	return ps
}

// addrPrefix converts an interface address; false for IPv6 link-local
// addresses, which the kernel manages.
func addrPrefix(a netlink.Addr) (netip.Prefix, bool) {
	if a.IPNet == nil {
		return netip.Prefix{}, false
	}
	p, ok := ipNetPrefix(*a.IPNet)
	if !ok || (p.Addr().Is6() && p.Addr().IsLinkLocalUnicast()) {
		return netip.Prefix{}, false
	}
	return p, true
}

func ipNetPrefix(n net.IPNet) (netip.Prefix, bool) {
	ip, ok := netip.AddrFromSlice(n.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	ip = ip.Unmap()
	ones, bits := n.Mask.Size()
	if ip.Is4() && bits == 128 {
		ones -= 96
	}
	if bits == 0 || ones < 0 || ones > ip.BitLen() {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(ip, ones), true
}

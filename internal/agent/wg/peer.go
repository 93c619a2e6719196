package wg

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"slices"
	"time"

	"golang.zx2c4.com/wireguard/wgctrl"
	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// PeerConfig is the desired single peer of a device.
type PeerConfig struct {
	PublicKey  string        // base64
	Endpoint   string        // "host:port", resolved on each SetPeer; "" = none (wait to be contacted)
	Keepalive  time.Duration // whole seconds; 0 = off
	AllowedIPs []netip.Prefix
}

// SetPeer makes p the device's only peer, or removes every peer when p is
// nil. Idempotent, and gentle: a peer that already has p's key is updated
// in place, so its session survives; only a different key replaces it.
// A missing device is an error matching fs.ErrNotExist.
func (m *Manager) SetPeer(ctx context.Context, device string, p *PeerConfig) error {
	if err := validName(device); err != nil {
		return err
	}
	var want *wgtypes.PeerConfig
	if p != nil {
		w, err := peerConfig(*p) // resolves a name: outside the lock
		if err != nil {
			return fmt.Errorf("device %s: %w", device, err)
		}
		want = &w
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.usable(ctx); err != nil {
		return err
	}
	m.reapEmbedded(device)
	if _, err := m.nl.LinkByName(device); isLinkNotFound(err) {
		return fmt.Errorf("device %s: %w", device, fs.ErrNotExist)
	} else if err != nil {
		return fmt.Errorf("device %s: %w", device, err)
	}
	wgc, err := m.client()
	if err != nil {
		return err
	}
	defer wgc.Close()
	if err := applyPeer(wgc, device, want); err != nil {
		return err
	}
	if p == nil {
		delete(m.peers, device)
	} else {
		c := *p
		c.AllowedIPs = slices.Clone(p.AllowedIPs)
		m.peers[device] = c
	}
	return nil
}

// setPeer is SetPeer under the lock (putting a peer back on a remade device).
func (m *Manager) setPeer(wgc *wgctrl.Client, device string, p *PeerConfig) error {
	w, err := peerConfig(*p)
	if err != nil {
		return err
	}
	return applyPeer(wgc, device, &w)
}

func peerConfig(p PeerConfig) (wgtypes.PeerConfig, error) {
	key, err := wgtypes.ParseKey(p.PublicKey)
	if err != nil {
		return wgtypes.PeerConfig{}, errors.New("the peer public key is not a base64 WireGuard key")
	}
	if p.Keepalive < 0 || p.Keepalive > 65535*time.Second {
		return wgtypes.PeerConfig{}, fmt.Errorf("keepalive %v is out of range", p.Keepalive)
	}
	ka := p.Keepalive.Truncate(time.Second)
	c := wgtypes.PeerConfig{PublicKey: key, PersistentKeepaliveInterval: &ka, ReplaceAllowedIPs: true}
	if p.Endpoint != "" {
		if c.Endpoint, err = net.ResolveUDPAddr("udp", p.Endpoint); err != nil {
			return wgtypes.PeerConfig{}, fmt.Errorf("peer endpoint: %w", err)
		}
	}
	for _, a := range p.AllowedIPs {
		if !a.IsValid() {
			return wgtypes.PeerConfig{}, fmt.Errorf("allowed IP %v is not a valid prefix", a)
		}
		a = a.Masked()
		c.AllowedIPs = append(c.AllowedIPs, net.IPNet{IP: a.Addr().AsSlice(), Mask: net.CIDRMask(a.Bits(), a.Addr().BitLen())})
	}
	return c, nil
}

// applyPeer sends only what differs: ReplacePeers drops the session and the
// handshake, which a converge loop calling this every few seconds must not.
func applyPeer(wgc *wgctrl.Client, device string, want *wgtypes.PeerConfig) error {
	d, err := wgc.Device(device)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("device %s: %w", device, fs.ErrNotExist)
	} else if err != nil {
		return fmt.Errorf("device %s: reading: %w", device, err)
	}
	var cfg wgtypes.Config
	switch {
	case want == nil && len(d.Peers) == 0:
		return nil
	case want == nil:
		cfg.ReplacePeers = true
	case len(d.Peers) == 1 && d.Peers[0].PublicKey == want.PublicKey:
		cur, upd := d.Peers[0], wgtypes.PeerConfig{PublicKey: want.PublicKey, UpdateOnly: true}
		changed := false
		if want.Endpoint != nil && !sameUDPAddr(cur.Endpoint, want.Endpoint) {
			upd.Endpoint, changed = want.Endpoint, true
		}
		if cur.PersistentKeepaliveInterval != *want.PersistentKeepaliveInterval {
			upd.PersistentKeepaliveInterval, changed = want.PersistentKeepaliveInterval, true
		}
		if !samePrefixes(cur.AllowedIPs, want.AllowedIPs) {
			upd.ReplaceAllowedIPs, upd.AllowedIPs, changed = true, want.AllowedIPs, true
		}
		if !changed {
			return nil
		}
		cfg.Peers = []wgtypes.PeerConfig{upd}
	default:
		cfg.ReplacePeers, cfg.Peers = true, []wgtypes.PeerConfig{*want}
	}
	if err := wgc.ConfigureDevice(device, cfg); err != nil {
		return fmt.Errorf("device %s: setting the peer: %w", device, err)
	}
	return nil
}

func sameUDPAddr(a, b *net.UDPAddr) bool {
	if a == nil || b == nil {
		return a == b
	}
	pa, pb := a.AddrPort(), b.AddrPort()
	return pa.Addr().Unmap() == pb.Addr().Unmap() && pa.Port() == pb.Port()
}

func samePrefixes(a, b []net.IPNet) bool {
	set := func(ns []net.IPNet) []string {
		var out []string
		for _, n := range ns {
			if p, ok := ipNetPrefix(n); ok {
				out = append(out, p.Masked().String())
			}
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(set(a), set(b))
}

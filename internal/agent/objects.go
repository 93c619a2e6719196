package agent

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/agent/api"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/agent/bgp"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/agent/wg"
)

// The object kinds an agent holds (the planner's host kinds).
const (
	kindDevice  = "host_wireguard_device"
	kindPeer    = "host_wireguard_peer"
	kindSession = "host_bgp_session"
	kindIPsec   = "host_ipsec_tunnel"
)

// badObject is a request the agent can never apply as sent (HTTP 400).
type badObject struct{ msg string }

func (e badObject) Error() string { return e.msg }

func bad(o api.Object, format string, args ...any) error {
	return badObject{fmt.Sprintf("%s %s: ", o.Kind, o.Key) + fmt.Sprintf(format, args...)}
}

// attrs reads typed attributes, remembering the first problem.
type attrs struct {
	o   api.Object
	err error
}

func (a *attrs) str(k string) string {
	v, ok := a.o.Attrs[k]
	if (!ok || v == "") && a.err == nil {
		a.err = bad(a.o, "attribute %q is missing", k)
	}
	return v
}

func (a *attrs) int(k string) int64 {
	s := a.str(k)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil && a.err == nil {
		a.err = bad(a.o, "attribute %q: %q is not a number", k, s)
	}
	return n
}

func (a *attrs) addr(k string) netip.Addr {
	s := a.str(k)
	v, err := netip.ParseAddr(s)
	if err != nil && a.err == nil {
		a.err = bad(a.o, "attribute %q: %q is not an IP address", k, s)
	}
	return v
}

func (a *attrs) prefixes(k string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range strings.Split(a.str(k), ",") {
		p, err := netip.ParsePrefix(strings.TrimSpace(s))
		if err != nil {
			if a.err == nil {
				a.err = bad(a.o, "attribute %q: %q is not a CIDR", k, s)
			}
			continue
		}
		out = append(out, p)
	}
	return out
}

func deviceConfig(o api.Object) (wg.DeviceConfig, error) {
	a := attrs{o: o}
	c := wg.DeviceConfig{Name: a.str("device"), ListenPort: int(a.int("listen_port")), KeyEpoch: a.int("key_epoch")}
	s := a.str("address")
	p, err := netip.ParsePrefix(s)
	if err != nil && a.err == nil {
		a.err = bad(o, "attribute %q: %q is not an address with a prefix length", "address", s)
	}
	c.Address = p
	if a.err == nil && (len(c.Name) > 15 || strings.ContainsAny(c.Name, "/ \t\n")) {
		a.err = bad(o, "device name %q is not a valid interface name", c.Name)
	}
	if a.err == nil && (c.ListenPort < 1 || c.ListenPort > 65535) {
		a.err = bad(o, "listen_port %d is out of range", c.ListenPort)
	}
	return c, a.err
}

func peerConfig(o api.Object) (string, wg.PeerConfig, error) {
	a := attrs{o: o}
	dev := a.str("device")
	p := wg.PeerConfig{PublicKey: a.str("peer_public_key"), Endpoint: a.str("endpoint"),
		Keepalive: time.Duration(a.int("keepalive")) * time.Second, AllowedIPs: a.prefixes("allowed_ips")}
	return dev, p, a.err
}

func sessionConfig(o api.Object) (bgp.Session, uint32, error) {
	a := attrs{o: o}
	s := bgp.Session{
		LocalAddress: a.addr("local_address"), PeerAddress: a.addr("peer_address"),
		PeerASN: uint32(a.int("peer_asn")), Announce: a.prefixes("announce"),
		MED: uint32(a.int("med")), Prepend: int(a.int("prepend")),
		HoldTime: time.Duration(a.int("hold_time")) * time.Second, Keepalive: time.Duration(a.int("keepalive")) * time.Second,
	}
	local := uint32(a.int("local_asn"))
	if a.err == nil && (s.Prepend < 0 || s.Prepend > 16) {
		a.err = bad(o, "prepend %d is out of range 0-16", s.Prepend)
	}
	if a.err == nil && s.HoldTime != 0 && s.HoldTime < 3*time.Second {
		a.err = bad(o, "hold_time must be 0 or at least 3 seconds")
	}
	return s, local, a.err
}

// observedDevice renders a device as the object the planner wants.
func observedDevice(o api.Object, st wg.DeviceState) api.Object {
	addr := ""
	if len(st.Addresses) > 0 {
		addr = st.Addresses[0].String()
	}
	return api.Object{Key: o.Key, Kind: o.Kind, ID: st.Name, Attrs: map[string]string{
		"device": st.Name, "listen_port": strconv.Itoa(st.ListenPort), "address": addr,
		"key_epoch": strconv.FormatInt(st.KeyEpoch, 10), "public_key": st.PublicKey,
		"implementation": st.Kind,
	}}
}

func observedPeer(o api.Object, st wg.DeviceState) (api.Object, bool) {
	p := st.Peer
	if p == nil {
		return api.Object{}, false
	}
	ips := make([]string, len(p.AllowedIPs))
	for i, a := range p.AllowedIPs {
		ips[i] = a.String()
	}
	attrs := map[string]string{
		"device": st.Name, "peer_public_key": p.PublicKey, "endpoint": p.Endpoint,
		"keepalive": strconv.Itoa(int(p.Keepalive / time.Second)), "allowed_ips": strings.Join(ips, ","),
	}
	if !p.LastHandshake.IsZero() {
		attrs["last_handshake"] = p.LastHandshake.UTC().Format(time.RFC3339)
	}
	return api.Object{Key: o.Key, Kind: o.Kind, ID: st.Name, Attrs: attrs}, true
}

// observedSession renders a session: what the speaker runs, with the
// addresses and ASN the agent configured it from.
func observedSession(o api.Object, localASN uint32, s bgp.Session, st bgp.SessionState) api.Object {
	ann := make([]string, len(s.Announce))
	for i, p := range s.Announce {
		ann[i] = p.String()
	}
	return api.Object{Key: o.Key, Kind: o.Kind, ID: st.PeerAddress.String(), Attrs: map[string]string{
		"local_address": s.LocalAddress.String(), "peer_address": st.PeerAddress.String(),
		"local_asn": strconv.FormatUint(uint64(localASN), 10), "peer_asn": strconv.FormatUint(uint64(st.PeerASN), 10),
		"announce": strings.Join(ann, ","), "med": strconv.FormatUint(uint64(st.MED), 10), "prepend": strconv.Itoa(st.Prepend),
		"hold_time": strconv.Itoa(int(st.HoldTime / time.Second)), "keepalive": strconv.Itoa(int(st.Keepalive / time.Second)),
		"state": st.State,
	}}
}

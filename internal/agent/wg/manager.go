package wg

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
	"golang.zx2c4.com/wireguard/wgctrl"
	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// Options configure a Manager.
type Options struct {
	StateDir       string         // private keys live here, files mode 0600, dir 0700
	NetNS          netns.NsHandle // 0 or -1 = current namespace; the Manager keeps its own copy
	ForceUserspace bool           // skip the kernel attempt
	Logger         *slog.Logger   // nil = discard
}

// Device kinds (DeviceState.Kind).
const (
	KindKernel    = "kernel"
	KindUserspace = "userspace"
)

// DefaultMTU is the MTU of a device whose config leaves it 0.
const DefaultMTU = 1420

// ErrClosed is returned by a Manager after Close.
var ErrClosed = errors.New("wg: manager is closed")

// Manager creates and converges WireGuard devices. It is safe for
// concurrent use; operations are serialised.
type Manager struct {
	mu       sync.Mutex
	stateDir string
	force    bool
	ns       netns.NsHandle // own duplicate of Options.NetNS, or -1
	nl       *netlink.Handle
	log      *slog.Logger
	emb      map[string]*embedded
	peers    map[string]PeerConfig // last SetPeer, put back on a remade device
	closed   bool
}

// DeviceConfig is the desired state of one device.
type DeviceConfig struct {
	Name       string       // interface name, e.g. "xl3"; unique host-wide
	ListenPort int          // 0 = leave as is (random on creation)
	Address    netip.Prefix // the link's only address, e.g. 169.254.0.1/30
	KeyEpoch   int64        // a new epoch => a new private key generated on this host
	MTU        int          // 0 = DefaultMTU
}

// New makes a Manager. StateDir is created (0700) if missing.
func New(o Options) (*Manager, error) {
	if o.StateDir == "" {
		return nil, errors.New("wg: StateDir is required")
	}
	if err := os.MkdirAll(o.StateDir, 0o700); err != nil {
		return nil, fmt.Errorf("wg: creating state dir: %w", err)
	}
	if fi, err := os.Stat(o.StateDir); err == nil && fi.Mode().Perm()&0o077 != 0 {
		// Private keys live here: nobody but the owner may list or read it.
		if err := os.Chmod(o.StateDir, fi.Mode().Perm()&0o700); err != nil {
			return nil, fmt.Errorf("wg: restricting state dir: %w", err)
		}
	}
	m := &Manager{
		stateDir: o.StateDir, force: o.ForceUserspace, ns: netns.None(), log: o.Logger,
		emb: map[string]*embedded{}, peers: map[string]PeerConfig{},
	}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	var err error
	if o.NetNS > 0 {
		// A copy, so that the caller may close its handle; sockets opened
		// later by embedded devices still need it.
		fd, derr := unix.FcntlInt(uintptr(o.NetNS), unix.F_DUPFD_CLOEXEC, 0)
		if derr != nil {
			return nil, fmt.Errorf("wg: duplicating the namespace handle: %w", derr)
		}
		m.ns = netns.NsHandle(fd)
		m.nl, err = netlink.NewHandleAt(m.ns)
	} else {
		m.nl, err = netlink.NewHandle()
	}
	if err != nil {
		m.ns.Close()
		return nil, fmt.Errorf("wg: opening netlink: %w", err)
	}
	return m, nil
}

// EnsureDevice creates the device if missing and converges it: the private
// key of KeyEpoch (loaded from StateDir, or generated and stored), listen
// port, exactly the one address, MTU, link up. Changing the key keeps the
// peer. Idempotent; returns the observed state.
func (m *Manager) EnsureDevice(ctx context.Context, c DeviceConfig) (DeviceState, error) {
	if err := checkDeviceConfig(&c); err != nil {
		return DeviceState{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.usable(ctx); err != nil {
		return DeviceState{}, err
	}
	key, rotated, err := m.keyFor(c.Name, c.KeyEpoch)
	if err != nil {
		return DeviceState{}, fmt.Errorf("device %s: %w", c.Name, err)
	}
	link, created, err := m.ensureLink(c.Name, c.MTU)
	if err != nil {
		return DeviceState{}, err
	}
	wgc, err := m.client()
	if err != nil {
		return DeviceState{}, err
	}
	defer wgc.Close()
	d, err := wgc.Device(c.Name)
	if errors.Is(err, fs.ErrNotExist) {
		return DeviceState{}, fmt.Errorf("device %s: the link exists but is not a WireGuard device", c.Name)
	} else if err != nil {
		return DeviceState{}, fmt.Errorf("device %s: reading: %w", c.Name, err)
	}
	// Only what differs is sent: a listen_port write rebinds the sockets.
	var cfg wgtypes.Config
	if d.PrivateKey != key {
		cfg.PrivateKey = &key
	}
	if c.ListenPort != 0 && d.ListenPort != c.ListenPort {
		cfg.ListenPort = &c.ListenPort
	}
	if cfg.PrivateKey != nil || cfg.ListenPort != nil {
		if err := wgc.ConfigureDevice(c.Name, cfg); err != nil {
			return DeviceState{}, fmt.Errorf("device %s: configuring: %w", c.Name, err)
		}
	}
	if rotated {
		m.log.Info("private key rotated", "device", c.Name, "epoch", c.KeyEpoch, "public_key", key.PublicKey().String())
	}
	if err := m.convergeLink(link, c.MTU, c.Address); err != nil {
		return DeviceState{}, fmt.Errorf("device %s: %w", c.Name, err)
	}
	if e := m.emb[c.Name]; e != nil {
		// The TUN "up" event does this too, but silently; here a busy port
		// becomes an error.
		if err := e.dev.Up(); err != nil {
			return DeviceState{}, fmt.Errorf("device %s: bringing up (listen port %d): %w", c.Name, c.ListenPort, err)
		}
	}
	if p, ok := m.peers[c.Name]; ok && created {
		if err := m.setPeer(wgc, c.Name, &p); err != nil {
			return DeviceState{}, fmt.Errorf("device %s: restoring its peer: %w", c.Name, err)
		}
	}
	st, ok, err := m.state(wgc, c.Name)
	if err == nil && !ok {
		err = fmt.Errorf("device %s vanished while being configured", c.Name)
	}
	return st, err
}

func checkDeviceConfig(c *DeviceConfig) error {
	if err := validName(c.Name); err != nil {
		return err
	}
	if !c.Address.IsValid() || c.Address.Addr().Is4In6() || c.Address.Addr().Zone() != "" {
		return fmt.Errorf("device %s: address %v is not a valid interface address", c.Name, c.Address)
	}
	if c.ListenPort < 0 || c.ListenPort > 65535 {
		return fmt.Errorf("device %s: listen port %d is out of range", c.Name, c.ListenPort)
	}
	if c.MTU == 0 {
		c.MTU = DefaultMTU
	}
	if c.MTU < 68 || c.MTU > 65535 {
		return fmt.Errorf("device %s: MTU %d is out of range", c.Name, c.MTU)
	}
	return nil
}

// validName admits interface names that are also safe as file names.
func validName(name string) error {
	ok := len(name) > 0 && len(name) < unix.IFNAMSIZ && name[0] != '.' && name[0] != '-'
	for _, r := range name {
		ok = ok && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
	}
	if !ok {
		return fmt.Errorf("wg: %q is not a valid device name (1-15 of [A-Za-z0-9._-])", name)
	}
	return nil
}

func (m *Manager) usable(ctx context.Context) error {
	if m.closed {
		return ErrClosed
	}
	return ctx.Err()
}

// ensureLink returns the device's link, creating the device when missing
// (kernel first unless forced, else embedded). A dead embedded device of
// this name is cleared first, which is how a lost device heals.
func (m *Manager) ensureLink(name string, mtu int) (link netlink.Link, created bool, err error) {
	m.reapEmbedded(name)
	link, err = m.nl.LinkByName(name)
	if err == nil {
		return link, false, nil
	}
	if !isLinkNotFound(err) {
		return nil, false, fmt.Errorf("device %s: looking up the link: %w", name, err)
	}
	if e := m.emb[name]; e != nil { // alive but its link is gone: replace it
		m.dropEmbedded(name, e)
	}
	if !m.force {
		err := m.nl.LinkAdd(&netlink.Wireguard{LinkAttrs: netlink.LinkAttrs{Name: name, MTU: mtu}})
		if err == nil {
			m.log.Info("device created", "device", name, "kind", KindKernel)
			link, err = m.nl.LinkByName(name)
			return link, true, err
		}
		m.log.Debug("kernel WireGuard unavailable, using the embedded implementation", "device", name, "err", err)
	}
	e, err := startEmbedded(name, mtu, m.ns, m.log)
	if err != nil {
		return nil, false, fmt.Errorf("device %s: %w", name, err)
	}
	m.emb[name] = e
	m.log.Info("device created", "device", name, "kind", KindUserspace)
	link, err = m.nl.LinkByName(name)
	if err != nil {
		return nil, false, fmt.Errorf("device %s: looking up the new link: %w", name, err)
	}
	return link, true, nil
}

// reapEmbedded forgets an embedded device that has died (its TUN was
// deleted, or its UAPI socket removed).
func (m *Manager) reapEmbedded(name string) {
	if e := m.emb[name]; e != nil && !e.alive() {
		m.log.Warn("embedded device was lost", "device", name)
		m.dropEmbedded(name, e)
	}
}

func (m *Manager) dropEmbedded(name string, e *embedded) {
	e.close()
	delete(m.emb, name)
	m.waitGone(name)
}

// waitGone waits (briefly) for a closed TUN's link to disappear, so that a
// new device can take the name.
func (m *Manager) waitGone(name string) {
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, err := m.nl.LinkByName(name); isLinkNotFound(err) {
			return
		}
	}
}

// convergeLink sets MTU, the one address and link up. Other addresses go
// first: deleting an IPv4 primary would take a same-subnet secondary with
// it. IPv6 link-local addresses are the kernel's and are left alone.
func (m *Manager) convergeLink(link netlink.Link, mtu int, addr netip.Prefix) error {
	if link.Attrs().MTU != mtu {
		if err := m.nl.LinkSetMTU(link, mtu); err != nil {
			return fmt.Errorf("setting MTU %d: %w", mtu, err)
		}
	}
	addrs, err := m.addrList(link)
	if err != nil {
		return err
	}
	have := false
	for _, a := range addrs {
		p, ok := addrPrefix(a)
		switch {
		case !ok:
		case p == addr:
			have = true
		default:
			if err := m.nl.AddrDel(link, &a); err != nil && !errors.Is(err, unix.EADDRNOTAVAIL) {
				return fmt.Errorf("removing address %s: %w", p, err)
			}
		}
	}
	if !have {
		a := &netlink.Addr{IPNet: &net.IPNet{IP: addr.Addr().AsSlice(), Mask: net.CIDRMask(addr.Bits(), addr.Addr().BitLen())}}
		if err := m.nl.AddrReplace(link, a); err != nil {
			return fmt.Errorf("setting address %s: %w", addr, err)
		}
	}
	if link.Attrs().Flags&net.FlagUp == 0 {
		if err := m.nl.LinkSetUp(link); err != nil {
			return fmt.Errorf("setting link up: %w", err)
		}
	}
	return nil
}

// SetLinkUp brings an existing device's link up (and an embedded device's
// sockets with it).
func (m *Manager) SetLinkUp(ctx context.Context, name string) error {
	if err := validName(name); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.usable(ctx); err != nil {
		return err
	}
	m.reapEmbedded(name)
	link, err := m.nl.LinkByName(name)
	if isLinkNotFound(err) {
		return fmt.Errorf("device %s: %w", name, fs.ErrNotExist)
	} else if err != nil {
		return fmt.Errorf("device %s: %w", name, err)
	}
	if err := m.nl.LinkSetUp(link); err != nil {
		return fmt.Errorf("device %s: setting link up: %w", name, err)
	}
	if e := m.emb[name]; e != nil {
		if err := e.dev.Up(); err != nil {
			return fmt.Errorf("device %s: bringing up: %w", name, err)
		}
	}
	return nil
}

// RemoveDevice deletes the device and its key file. A missing device is
// not an error; a link of that name that is not WireGuard is left alone.
func (m *Manager) RemoveDevice(ctx context.Context, name string) error {
	if err := validName(name); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.usable(ctx); err != nil {
		return err
	}
	delete(m.peers, name)
	if e := m.emb[name]; e != nil {
		m.dropEmbedded(name, e)
	}
	link, err := m.nl.LinkByName(name)
	switch {
	case isLinkNotFound(err):
	case err != nil:
		return fmt.Errorf("device %s: %w", name, err)
	case m.isWireGuard(link):
		if err := m.nl.LinkDel(link); err != nil && !isLinkNotFound(err) && !errors.Is(err, unix.ENODEV) {
			return fmt.Errorf("device %s: deleting the link: %w", name, err)
		}
		m.waitGone(name)
	default:
		m.log.Warn("a link of the device's name is not WireGuard; left alone", "device", name, "type", link.Type())
	}
	if err := m.removeKey(name); err != nil {
		return fmt.Errorf("device %s: %w", name, err)
	}
	m.log.Info("device removed", "device", name)
	return nil
}

// isWireGuard: a kernel WireGuard link, or a userspace one wgctrl reaches
// (another process's wireguard-go).
func (m *Manager) isWireGuard(link netlink.Link) bool {
	if link.Type() == "wireguard" {
		return true
	}
	wgc, err := m.client()
	if err != nil {
		return false
	}
	defer wgc.Close()
	_, err = wgc.Device(link.Attrs().Name)
	return err == nil
}

// Close closes every embedded device this manager made; kernel devices
// stay. The Manager is unusable afterwards.
func (m *Manager) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	m.closed = true
	for name, e := range m.emb {
		e.close()
		delete(m.emb, name)
	}
	m.nl.Close()
	if m.ns.IsOpen() {
		return m.ns.Close()
	}
	return nil
}

// client opens a wgctrl client in the manager's namespace: its kernel
// (genetlink) part only sees devices there. A fresh one per operation also
// picks up a kernel module loaded since.
func (m *Manager) client() (*wgctrl.Client, error) {
	var c *wgctrl.Client
	err := inNS(m.ns, func() (err error) {
		c, err = wgctrl.New()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("wg: opening wgctrl: %w", err)
	}
	return c, nil
}

func (m *Manager) addrList(link netlink.Link) ([]netlink.Addr, error) {
	for i := 0; ; i++ {
		a, err := m.nl.AddrList(link, netlink.FAMILY_ALL)
		if errors.Is(err, netlink.ErrDumpInterrupted) && i < 5 {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("listing addresses: %w", err)
		}
		return a, nil
	}
}

func isLinkNotFound(err error) bool {
	var nf netlink.LinkNotFoundError
	return errors.As(err, &nf)
}

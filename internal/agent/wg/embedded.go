package wg

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"runtime"
	"sync"

	"github.com/vishvananda/netns"
	"golang.zx2c4.com/wireguard/conn"
	"golang.zx2c4.com/wireguard/device"
	"golang.zx2c4.com/wireguard/ipc"
	"golang.zx2c4.com/wireguard/tun"
)

// embedded is a wireguard-go device run by this process.
type embedded struct {
	dev       *device.Device
	uapi      net.Listener
	closeOnce sync.Once
	stopped   chan struct{} // closed once the UAPI accept loop has ended
	sock      string        // the UAPI socket's path
}

// startEmbedded makes the TUN, the device and its UAPI socket, all inside
// ns: the TUN must be born there, and NewDevice reads the MTU by name.
func startEmbedded(name string, mtu int, ns netns.NsHandle, log *slog.Logger) (*embedded, error) {
	var bind conn.Bind = conn.NewDefaultBind()
	if ns.IsOpen() {
		// Only in a foreign namespace: the plain bind keeps wireguard-go's
		// route listener (sticky source addresses), which would watch the
		// wrong namespace here.
		bind = &nsBind{Bind: bind, ns: ns}
	}
	e := &embedded{stopped: make(chan struct{}), sock: socketPath(name)}
	var uapiFile interface{ Close() error }
	err := inNS(ns, func() error {
		t, err := tun.CreateTUN(name, mtu)
		if err != nil {
			return fmt.Errorf("creating TUN %s: %w", name, err)
		}
		if ns.IsOpen() {
			t = &nsTun{Device: t, ns: ns}
		}
		e.dev = device.NewDevice(t, bind, wgLogger(log.With("device", name)))
		f, err := ipc.UAPIOpen(name)
		if err != nil {
			e.dev.Close()
			return fmt.Errorf("opening the UAPI socket of %s: %w", name, err)
		}
		uapiFile = f
		// Not ipc.UAPIListen: it takes an inotify instance per device to
		// notice the socket's removal, and the default limit (128 per user)
		// stops a host at about a hundred links. alive stats the file instead.
		e.uapi, err = net.FileListener(f)
		if err != nil {
			f.Close()
			os.Remove(e.sock)
			e.dev.Close()
			return fmt.Errorf("listening on the UAPI socket of %s: %w", name, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	uapiFile.Close() // FileListener holds its own copy
	go e.serve()
	go func() { <-e.dev.Wait(); e.close() }() // it closes itself when its TUN goes away
	return e, nil
}

func (e *embedded) serve() {
	defer close(e.stopped)
	for {
		c, err := e.uapi.Accept()
		if err != nil {
			// The listener never recovers (closed, or its socket file was
			// removed); a device nobody can configure is closed too.
			e.close()
			return
		}
		go e.dev.IpcHandle(c)
	}
}

// close shuts the listener first: that unlinks the socket, which a later
// device of the same name will have recreated if closed in the other order.
func (e *embedded) close() {
	e.closeOnce.Do(func() {
		e.uapi.Close()
		os.Remove(e.sock)
		e.dev.Close()
	})
}

// alive is false once the device or its UAPI socket has gone.
func (e *embedded) alive() bool {
	select {
	case <-e.dev.Wait():
		return false
	case <-e.stopped:
		return false
	default:
		_, err := os.Stat(e.sock)
		return err == nil
	}
}

// socketPath is where wgctrl looks for a userspace device's UAPI socket
// (the directory is fixed in both wireguard-go and wgctrl).
func socketPath(name string) string { return "/var/run/wireguard/" + name + ".sock" }

// nsBind opens wireguard-go's UDP sockets in ns: Open runs later on
// whatever goroutine brings the device up, whose thread is in the
// process's namespace.
type nsBind struct {
	conn.Bind
	ns netns.NsHandle
}

func (b *nsBind) Open(port uint16) (fns []conn.ReceiveFunc, actual uint16, err error) {
	err = inNS(b.ns, func() error {
		fns, actual, err = b.Bind.Open(port)
		return err
	})
	return fns, actual, err
}

// nsTun reads the MTU (an ioctl by interface name) in ns, so that MTU
// changes reach wireguard-go instead of failing with "no such device".
type nsTun struct {
	tun.Device
	ns netns.NsHandle
}

func (t *nsTun) MTU() (mtu int, err error) {
	err = inNS(t.ns, func() error {
		mtu, err = t.Device.MTU()
		return err
	})
	return mtu, err
}

// inNS runs fn on a thread switched into ns (when ns is open; else here).
// A thread that cannot be switched back stays locked, so the runtime
// discards it instead of reusing it in the wrong namespace.
func inNS(ns netns.NsHandle, fn func() error) error {
	if !ns.IsOpen() {
		return fn()
	}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("reading the current network namespace: %w", err)
			return
		}
		defer orig.Close()
		if err := netns.Set(ns); err != nil {
			errc <- fmt.Errorf("entering the network namespace: %w", err)
			return
		}
		err = fn()
		if rerr := netns.Set(orig); rerr != nil {
			errc <- errors.Join(err, fmt.Errorf("leaving the network namespace: %w", rerr))
			return
		}
		runtime.UnlockOSThread()
		errc <- err
	}()
	return <-errc
}

// wgLogger sends wireguard-go's log to slog; its errors are warnings here
// because the device carries on after them.
func wgLogger(l *slog.Logger) *device.Logger {
	return &device.Logger{
		Verbosef: func(format string, args ...any) {
			if l.Enabled(context.Background(), slog.LevelDebug) {
				l.Debug(fmt.Sprintf(format, args...))
			}
		},
		Errorf: func(format string, args ...any) { l.Warn(fmt.Sprintf(format, args...)) },
	}
}

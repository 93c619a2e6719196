package agent

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// sysctls is the host side the agent changes besides links: IPv4
// forwarding and reverse-path filtering. It acts on the namespace the agent
// runs in. The value forwarding had before the first link is kept in the
// state directory, so that removing the last link restores it even across
// restarts, and nothing else on the host is left changed.
type sysctls struct {
	root     string // "/proc/sys" (tests point it elsewhere)
	stateDir string
}

func (s sysctls) forwardPath() string { return filepath.Join(s.root, "net/ipv4/ip_forward") }
func (s sysctls) savedPath() string   { return filepath.Join(s.stateDir, "ip_forward.before") }

func (s sysctls) forwarding(on bool) error {
	saved, err := os.ReadFile(s.savedPath())
	switch {
	case on && errors.Is(err, fs.ErrNotExist):
		cur, err := os.ReadFile(s.forwardPath())
		if err != nil {
			return fmt.Errorf("reading ip_forward: %w", err)
		}
		if err := os.WriteFile(s.savedPath(), cur, 0o600); err != nil {
			return err
		}
		return s.write(s.forwardPath(), "1")
	case on:
		return s.write(s.forwardPath(), "1")
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	}
	if err := s.write(s.forwardPath(), strings.TrimSpace(string(saved))); err != nil {
		return err
	}
	return os.Remove(s.savedPath())
}

// looseRPFilter: a backup path brings packets in on a link other than the
// one the source's best route leaves by, which strict mode drops.
func (s sysctls) looseRPFilter(dev string) error {
	return s.write(filepath.Join(s.root, "net/ipv4/conf", dev, "rp_filter"), "2")
}

func (s sysctls) write(path, v string) error {
	if err := os.WriteFile(path, []byte(v+"\n"), 0o644); err != nil {
		return fmt.Errorf("setting %s: %w", strings.TrimPrefix(path, s.root+"/"), err)
	}
	return nil
}

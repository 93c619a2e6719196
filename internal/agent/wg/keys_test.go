package wg

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

func newKeyManager(t *testing.T) *Manager {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "state")
	m, err := New(Options{StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func readKeyFile(t *testing.T, path string) keyFile {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f keyFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestKeyEpochs(t *testing.T) {
	m := newKeyManager(t)
	fi, err := os.Stat(m.stateDir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("state dir: %v %v, want 0700", fi.Mode(), err)
	}
	k1, rotated, err := m.keyFor("xl1", 1)
	if err != nil || rotated {
		t.Fatalf("first key: rotated=%v err=%v", rotated, err)
	}
	fi, err = os.Stat(m.keyPath("xl1"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v, want 0600", fi.Mode(), err)
	}
	if f := readKeyFile(t, m.keyPath("xl1")); f.Epoch != 1 || f.PrivateKey != k1.String() {
		t.Fatalf("key file holds epoch %d and another key", f.Epoch)
	}
	again, rotated, err := m.keyFor("xl1", 1)
	if err != nil || rotated || again != k1 {
		t.Fatalf("same epoch gave another key (rotated=%v err=%v)", rotated, err)
	}
	k2, rotated, err := m.keyFor("xl1", 2)
	if err != nil || !rotated || k2 == k1 {
		t.Fatalf("new epoch: rotated=%v err=%v same=%v", rotated, err, k2 == k1)
	}
	if f := readKeyFile(t, m.keyPath("xl1")); f.Epoch != 2 || f.PrivateKey != k2.String() {
		t.Fatalf("key file not replaced: epoch %d", f.Epoch)
	}
	if got := m.storedEpoch("xl1", k2.PublicKey()); got != 2 {
		t.Fatalf("storedEpoch = %d, want 2", got)
	}
	if got := m.storedEpoch("xl1", k1.PublicKey()); got != -1 {
		t.Fatalf("storedEpoch of the old key = %d, want -1", got)
	}
	ents, _ := os.ReadDir(m.stateDir)
	if len(ents) != 1 {
		t.Fatalf("state dir holds %d files, want only the key file", len(ents))
	}
	if err := m.removeKey("xl1"); err != nil {
		t.Fatal(err)
	}
	if err := m.removeKey("xl1"); err != nil {
		t.Fatalf("removing a missing key: %v", err)
	}
}

func TestCorruptKeyFileErrorHidesContent(t *testing.T) {
	m := newKeyManager(t)
	k, _ := wgtypes.GeneratePrivateKey()
	secret := k.String()
	for _, content := range []string{secret, `{"epoch":1,"private_key":"` + secret[:20] + `"}`} {
		if err := os.WriteFile(m.keyPath("xl1"), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, _, err := m.keyFor("xl1", 1)
		if err == nil {
			t.Fatal("corrupt key file accepted")
		}
		if strings.Contains(err.Error(), secret[:20]) {
			t.Fatalf("error shows key material: %v", err)
		}
	}
}

func TestValidName(t *testing.T) {
	for _, n := range []string{"xl3", "wg-0", "a_b.c", "abcdefghijklmno"} {
		if err := validName(n); err != nil {
			t.Errorf("%q: %v", n, err)
		}
	}
	for _, n := range []string{"", ".", "..", "../x", "a/b", "a b", "abcdefghijklmnop", "-x", "x:1"} {
		if validName(n) == nil {
			t.Errorf("%q accepted", n)
		}
	}
}

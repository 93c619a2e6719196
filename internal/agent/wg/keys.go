package wg

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// keyFile is what StateDir/<device>.key holds. Errors about it never carry
// its content.
type keyFile struct {
	Epoch      int64  `json:"epoch"`
	PrivateKey string `json:"private_key"`
}

func (m *Manager) keyPath(name string) string {
	return filepath.Join(m.stateDir, name+".key")
}

// loadKey reads a device's stored key; ok is false when there is none.
func loadKey(path string) (epoch int64, key wgtypes.Key, ok bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, wgtypes.Key{}, false, nil
	}
	if err != nil {
		return 0, wgtypes.Key{}, false, fmt.Errorf("reading key file: %w", err)
	}
	var f keyFile
	if json.Unmarshal(b, &f) != nil {
		return 0, wgtypes.Key{}, false, fmt.Errorf("key file %s is corrupt (not JSON); remove it to have a new key made", path)
	}
	key, err = wgtypes.ParseKey(f.PrivateKey)
	if err != nil {
		return 0, wgtypes.Key{}, false, fmt.Errorf("key file %s is corrupt (bad key); remove it to have a new key made", path)
	}
	return f.Epoch, key, true, nil
}

// keyFor returns the device's private key of epoch, generating and storing
// a new one when the stored key is of another epoch (or there is none).
// Any epoch change, up or down, means a new key: the agent only ever asks
// for a different epoch to rotate.
func (m *Manager) keyFor(name string, epoch int64) (key wgtypes.Key, rotated bool, err error) {
	path := m.keyPath(name)
	have, key, ok, err := loadKey(path)
	if err != nil {
		return wgtypes.Key{}, false, err
	}
	if ok && have == epoch {
		return key, false, nil
	}
	key, err = wgtypes.GeneratePrivateKey()
	if err != nil {
		return wgtypes.Key{}, false, fmt.Errorf("generating a private key: %w", err)
	}
	if err := writeKeyFile(path, keyFile{Epoch: epoch, PrivateKey: key.String()}); err != nil {
		return wgtypes.Key{}, false, err
	}
	return key, ok, nil
}

// writeKeyFile replaces path atomically, so that a crash leaves either the
// old key or the new one, never a torn file.
func writeKeyFile(path string, f keyFile) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".key-*") // mode 0600
	if err != nil {
		return fmt.Errorf("writing key file: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	_, err = tmp.Write(append(b, '\n'))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("writing key file %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// storedEpoch is the epoch of the stored key when it is the key pub belongs
// to, else -1: the device holds a key this manager did not make (or lost).
func (m *Manager) storedEpoch(name string, pub wgtypes.Key) int64 {
	epoch, key, ok, err := loadKey(m.keyPath(name))
	if err != nil || !ok || key.PublicKey() != pub {
		return -1
	}
	return epoch
}

func (m *Manager) removeKey(name string) error {
	err := os.Remove(m.keyPath(name))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing key file: %w", err)
	}
	return nil
}

package agent

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/agent/api"
)

// store is what the agent was asked to hold, per mesh and key: the
// configuration to re-apply after a restart (embedded WireGuard devices die
// with the process). It holds no secrets. Not safe for concurrent use; the
// agent serializes access.
type store struct {
	path   string
	meshes map[string]map[string]api.Object
}

func openStore(dir string) (*store, error) {
	s := &store{path: filepath.Join(dir, "objects.json"), meshes: map[string]map[string]api.Object{}}
	b, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &s.meshes); err != nil {
		return nil, fmt.Errorf("reading %s: %w", s.path, err)
	}
	return s, nil
}

func (s *store) get(mesh, key string) (api.Object, bool) {
	o, ok := s.meshes[mesh][key]
	return o, ok
}

func (s *store) put(mesh string, o api.Object) error {
	if s.meshes[mesh] == nil {
		s.meshes[mesh] = map[string]api.Object{}
	}
	s.meshes[mesh][o.Key] = o
	return s.save()
}

func (s *store) remove(mesh, key string) error {
	if _, ok := s.meshes[mesh][key]; !ok {
		return nil
	}
	delete(s.meshes[mesh], key)
	if len(s.meshes[mesh]) == 0 {
		delete(s.meshes, mesh)
	}
	return s.save()
}

// list returns a mesh's objects in key order.
func (s *store) list(mesh string) []api.Object {
	m := s.meshes[mesh]
	out := make([]api.Object, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, m[k])
	}
	return out
}

// all calls f for every object of every mesh, in (mesh, key) order.
func (s *store) all(f func(mesh string, o api.Object)) {
	for _, mesh := range slices.Sorted(maps.Keys(s.meshes)) {
		for _, o := range s.list(mesh) {
			f(mesh, o)
		}
	}
}

// save writes atomically: a crash leaves the old or the new file.
func (s *store) save() error {
	b, err := json.MarshalIndent(s.meshes, "", " ")
	if err != nil {
		return err
	}
	tmp := s.path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, s.path)
}

package cloudbench

import (
	"encoding/json"
	"fmt"
	"sort"
)

// StateObject is one cloud object the mesh's state records.
type StateObject struct {
	Key, Kind, Cloud, Site, ID string
}

// StateObjects reads the crosslink_mesh objects from `show -json` output,
// sorted by key.
func StateObjects(showJSON []byte) ([]StateObject, error) {
	var st struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Type   string `json:"type"`
					Values struct {
						Objects map[string]struct {
							Kind  string `json:"kind"`
							Cloud string `json:"cloud"`
							Site  string `json:"site"`
							ID    string `json:"id"`
						} `json:"objects"`
					} `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal(showJSON, &st); err != nil {
		return nil, fmt.Errorf("reading show -json: %w", err)
	}
	var out []StateObject
	for _, r := range st.Values.RootModule.Resources {
		if r.Type != "crosslink_mesh" {
			continue
		}
		for k, o := range r.Values.Objects {
			out = append(out, StateObject{Key: k, Kind: o.Kind, Cloud: o.Cloud, Site: o.Site, ID: o.ID})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the state records no crosslink_mesh object")
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

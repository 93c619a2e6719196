package gce

import (
	"fmt"
	"net/netip"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// Network is a VPC network to seed, with its subnetworks. Networks are
// read-only through the API: crosslink attaches to existing networks.
type Network struct {
	Name    string   `json:"name"`
	Subnets []Subnet `json:"subnets,omitempty"`
}

// Subnet is one subnetwork of a seeded network.
type Subnet struct {
	Name   string `json:"name"`
	Region string `json:"region"`
	CIDR   string `json:"cidr"`
}

// SeedNetwork creates a network and its subnetworks in project, creating
// the project on first use. Seeding again adds missing subnetworks; a
// subnetwork that exists with another region or range is an error.
func (f *Frontend) SeedNetwork(project string, n Network) error {
	if !nameRE.MatchString(project) {
		return fmt.Errorf("seeding GCP network (%s/%s): invalid project id", project, n.Name)
	}
	if !nameRE.MatchString(n.Name) {
		return fmt.Errorf("seeding GCP network (%s/%s): invalid network name", project, n.Name)
	}
	global := "projects/" + project + "/global"
	netPath := global + "/networks/" + n.Name
	prefixes := map[string]netip.Prefix{}
	for _, s := range n.Subnets {
		p, err := netip.ParsePrefix(s.CIDR)
		switch {
		case !nameRE.MatchString(s.Name):
			return fmt.Errorf("seeding GCP subnetwork (%s/%s): invalid name", netPath, s.Name)
		case !validRegion(s.Region):
			return fmt.Errorf("seeding GCP subnetwork (%s/%s): invalid region %q", netPath, s.Name, s.Region)
		case err != nil || !p.Addr().Is4() || p != p.Masked() || p.Bits() > 29:
			return fmt.Errorf("seeding GCP subnetwork (%s/%s): invalid range %q", netPath, s.Name, s.CIDR)
		}
		for other, q := range prefixes {
			if q.Overlaps(p) {
				return fmt.Errorf("seeding GCP subnetwork (%s/%s): range %s overlaps subnetwork %s", netPath, s.Name, p, other)
			}
		}
		prefixes[s.Name] = p
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.st.Lookup(kindProject, "", project); err != nil {
		if _, _, err := f.st.Create(store.CreateRequest{Cloud: "gcp", Kind: kindProject, Name: project}); err != nil {
			return fmt.Errorf("seeding GCP project (%s): %w", project, err)
		}
	}
	nw, err := f.st.Lookup(kindNetwork, global, n.Name)
	if err != nil {
		nw, _, err = f.st.Create(store.CreateRequest{Cloud: "gcp", Kind: kindNetwork, Name: n.Name, Scope: global,
			Attrs: map[string]any{
				"autoCreateSubnetworks": false,
				"routingConfig":         map[string]any{"routingMode": "REGIONAL"},
				"mtu":                   1460,
				"subnetworks":           []any{},
			}})
		if err != nil {
			return fmt.Errorf("seeding GCP network (%s): %w", netPath, err)
		}
	}
	var added []any
	for _, s := range n.Subnets {
		scope := "projects/" + project + "/regions/" + s.Region
		p := prefixes[s.Name]
		if old, err := f.st.Lookup(kindSubnetwork, scope, s.Name); err == nil {
			if old.Attrs["ipCidrRange"] != p.String() || old.Attrs["network"] != netPath {
				return fmt.Errorf("seeding GCP subnetwork (%s/subnetworks/%s): exists with another range or network", scope, s.Name)
			}
			continue
		}
		if _, _, err := f.st.Create(store.CreateRequest{Cloud: "gcp", Kind: kindSubnetwork, Name: s.Name, Scope: scope,
			Attrs: map[string]any{
				"network":        netPath,
				"ipCidrRange":    p.String(),
				"gatewayAddress": p.Addr().Next().String(),
				"stackType":      "IPV4_ONLY",
				"purpose":        "PRIVATE",
			}}); err != nil {
			return fmt.Errorf("seeding GCP subnetwork (%s/subnetworks/%s): %w", scope, s.Name, err)
		}
		added = append(added, scope+"/subnetworks/"+s.Name)
	}
	if len(added) > 0 {
		if _, err := f.st.Update(nw.ID, func(r *store.Resource) error {
			l, _ := r.Attrs["subnetworks"].([]any)
			r.Attrs["subnetworks"] = append(l, added...)
			return nil
		}); err != nil {
			return fmt.Errorf("seeding GCP network (%s): %w", netPath, err)
		}
	}
	return nil
}

// exists reports whether a live (not deleting) resource of kind is at
// the relative path p.
func exists(v store.View, kind, p string) (store.Resource, bool) {
	r, ok := parseRef(p, "")
	if !ok {
		return store.Resource{}, false
	}
	for _, res := range v.Find(store.And(store.ByKind(kind), store.ByScope(r.scope()), store.ByName(r.name))) {
		if res.State != stateDeleting {
			return res, true
		}
	}
	return store.Resource{}, false
}

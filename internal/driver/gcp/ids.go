package gcp

import (
	"fmt"
	"strings"
)

// IDs are relative resource paths ("projects/P/regions/R/vpnTunnels/N"):
// what the API accepts as a reference and what its URLs end in, whatever
// endpoint served them, so the IDs the engine resolves into other objects'
// attributes compare equal to what Observe reads back.

// relPath returns the "projects/…" part of a resource URL or path.
func relPath(u string) string {
	if i := strings.Index(u, "projects/"); i >= 0 {
		return strings.TrimSuffix(u[i:], "/")
	}
	return u
}

// lastSegment is the name at the end of a URL (a region URL's region).
func lastSegment(u string) string {
	u = strings.TrimSuffix(u, "/")
	return u[strings.LastIndexByte(u, '/')+1:]
}

func regionalID(project, region, collection, name string) string {
	return "projects/" + project + "/regions/" + region + "/" + collection + "/" + name
}

func globalID(project, collection, name string) string {
	return "projects/" + project + "/global/" + collection + "/" + name
}

// ref locates one resource; region is empty for global ones.
type ref struct {
	project, region, name string
}

// parseID parses a regional or global ID of the given collection.
func parseID(id, collection string) (ref, error) {
	p := strings.Split(relPath(id), "/")
	switch {
	case len(p) == 6 && p[0] == "projects" && p[2] == "regions" && p[4] == collection && p[1] != "" && p[3] != "" && p[5] != "":
		return ref{project: p[1], region: p[3], name: p[5]}, nil
	case len(p) == 5 && p[0] == "projects" && p[2] == "global" && p[3] == collection && p[1] != "" && p[4] != "":
		return ref{project: p[1], name: p[4]}, nil
	}
	return ref{}, fmt.Errorf("%q is not the ID of a GCP %s resource", id, collection)
}

func (r ref) id(collection string) string {
	if r.region == "" {
		return globalID(r.project, collection, r.name)
	}
	return regionalID(r.project, r.region, collection, r.name)
}

// siteInfo is where a GCP site's objects live.
type siteInfo struct {
	name, project, region string
	// network is the relative path of the site's VPC; networkID is the
	// mesh's network_id as written, reported back when they agree.
	network, networkName, networkID string
}

// site resolves a site of the mesh: its project is the one its network_id
// names, else the driver's default project.
func (d *Driver) site(name string) (siteInfo, error) {
	s, ok := d.mesh.Site(name)
	if !ok {
		return siteInfo{}, fmt.Errorf("site %q is not in mesh %q", name, d.mesh.Name)
	}
	si := siteInfo{name: name, region: s.Region, networkID: s.NetworkID}
	if !strings.Contains(s.NetworkID, "/") {
		if d.cfg.Project == "" {
			return siteInfo{}, fmt.Errorf("site %q: network_id %q names no project and the provider has no default GCP project", name, s.NetworkID)
		}
		si.project, si.networkName = d.cfg.Project, s.NetworkID
	} else {
		r, err := parseID(s.NetworkID, "networks")
		if err != nil || r.region != "" {
			return siteInfo{}, fmt.Errorf("site %q: network_id %q is neither a network name nor projects/PROJECT/global/networks/NAME", name, s.NetworkID)
		}
		si.project, si.networkName = r.project, r.name
	}
	if si.region == "" {
		return siteInfo{}, fmt.Errorf("site %q has no region", name)
	}
	si.network = globalID(si.project, "networks", si.networkName)
	return si, nil
}

// observedNetwork is how a network reference the cloud reports is shown:
// as the mesh wrote it when it names the site's network, so the plan sees
// no difference between spellings of the same network.
func (si siteInfo) observedNetwork(cloud string) string {
	if relPath(cloud) == si.network {
		return si.networkID
	}
	return relPath(cloud)
}

package topology

import "regexp"

// Names end up inside cloud object names (GCP: RFC 1035, 63 characters at
// most, composed with the mesh and peer names), so both are kept short and
// RFC 1035-shaped.
var nameRE = regexp.MustCompile(`^[a-z]([-a-z0-9]*[a-z0-9])?$`)

const (
	maxMeshName = 20
	maxSiteName = 24
)

func checkName(ps *Problems, p Path, what, name string, max int) {
	switch {
	case name == "":
		ps.Add(p, "Missing "+what+" name", "Give the %s a name: lowercase letters, digits and hyphens, starting with a letter.", what)
	case len(name) > max:
		ps.Add(p, "The "+what+" name is too long", "%q has %d characters; at most %d are allowed because it becomes part of cloud object names.", name, len(name), max)
	case !nameRE.MatchString(name):
		ps.Add(p, "Invalid "+what+" name", "%q must consist of lowercase letters, digits and hyphens, start with a letter and not end with a hyphen (RFC 1035), because it becomes part of cloud object names.", name)
	}
}

package alloc

import (
	"github.com/crosslink-net/terraform-provider-crosslink/internal/alloc/rules"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

// The per-cloud rules, re-exported from package rules (which topology
// validation imports directly: it cannot import alloc without a cycle).
var (
	// LinkLocal holds every inside /30.
	LinkLocal = rules.LinkLocal
	// AWSReservedInside are the /30s AWS refuses; no tunnel uses them.
	AWSReservedInside = rules.AWSReservedInside
	// AzureAPIPA is 169.254.21.0–169.254.22.255: tunnels with an Azure end
	// live here, all others outside.
	AzureAPIPA = rules.AzureAPIPA
	// PrivateASNs are 64512–65534 and 4200000000–4294967294.
	PrivateASNs = rules.PrivateASNs
	// AzureReservedASNs are 65515, 65517–65520.
	AzureReservedASNs = rules.AzureReservedASNs
	// AllocASNs is the pool allocated ASNs come from (64513–65534).
	AllocASNs = rules.AllocASNs
)

// AWSDefaultASN is AWS's default Amazon-side ASN (64512).
const AWSDefaultASN = rules.AWSDefaultASN

// AddrRange is an inclusive address range (AzureAPIPA's type).
type AddrRange = rules.AddrRange

// ASNRange is an inclusive ASN range.
type ASNRange = rules.ASNRange

// ASNProblem returns "" when a user-given asn is acceptable for a site in
// cloud c, else a human reason why not. facesAWS tells whether the site
// links directly to an AWS site.
func ASNProblem(c topology.Cloud, asn uint32, facesAWS bool) string {
	return rules.ASNProblem(string(c), asn, facesAWS)
}

// ValidPSK reports whether s satisfies AWS's pre-shared key rule: 8–64
// characters of [A-Za-z0-9._], not starting with '0'.
func ValidPSK(s string) bool { return rules.ValidPSK(s) }

package routing

import "github.com/crosslink-net/terraform-provider-crosslink/internal/topology"

// Kind is the kind of router a site routes with: what decides which
// routes it passes on, what it may set on what it announces, and how it
// chooses among what it hears.
type Kind uint8

const (
	KindHost   Kind = iota // the crosslink agent (GoBGP)
	KindAWSVGW             // AWS virtual private gateway
	KindAWSTGW             // AWS transit gateway (VPN attachments)
	KindGCP                // GCP Cloud Router with HA VPN, default advertise mode
	KindAzure              // Azure VPN gateway, active-active, BGP
)

// KindOf is the kind of router site s routes with.
func KindOf(s *topology.Site) Kind {
	switch s.Cloud {
	case topology.AWS:
		if s.Gateway == topology.GatewayTGW {
			return KindAWSTGW
		}
		return KindAWSVGW
	case topology.GCP:
		return KindGCP
	case topology.Azure:
		return KindAzure
	}
	return KindHost
}

// MEDScope says which received MEDs a router compares.
type MEDScope uint8

const (
	// MEDIgnored: the router does not rank routes by MED.
	MEDIgnored MEDScope = iota
	// MEDSameNeighbour: MEDs are compared only between routes whose AS
	// paths start with the same AS (RFC 4271's default).
	MEDSameNeighbour
	// MEDAlways: MEDs are compared across neighbours.
	MEDAlways
	// MEDUnknown: the cloud does not document whether it compares MEDs.
	// Routes that differ only in MED are all possible choices (OneOf).
	MEDUnknown
)

// ASPathRule says where the AS-path length comes in.
type ASPathRule uint8

const (
	// ASPathFirst: the shortest AS path wins before anything else.
	ASPathFirst ASPathRule = iota
	// ASPathPerTask: the AS path is compared only among routes that meet
	// in one of the router's BGP tasks, and the network then ranks by MED
	// (GCP's legacy best-path mode). Which peers share a task is not
	// known, so when the lowest MED and the shortest AS path disagree
	// either may carry the traffic (OneOf).
	ASPathPerTask
)

// Tie is what a router does with the routes left equal after every
// comparison it documents.
type Tie uint8

const (
	// TieOne: it uses one of them, chosen by tie-breakers the plan
	// cannot know (route age, router ID). The plan shows the set and says
	// that one member carries the traffic.
	TieOne Tie = iota
	// TieECMP: it spreads traffic over all of them.
	TieECMP
	// TieECMPSameAS: it spreads traffic over equal routes from one
	// neighbouring AS, and uses one of equal routes from different ASes
	// (no "multipath AS-path relax").
	TieECMPSameAS
)

// Behaviour is how one kind of site routes. Each field is one fact with
// one source in Sources (docs/design.md lists them too); the planner and
// the failure analysis use only these, so a wrong fact is wrong in one
// place.
type Behaviour struct {
	Kind Kind
	Name string
	// Transit: routes learned on one session are re-advertised on the
	// others, and traffic is forwarded between tunnels. A site that does
	// not transit is never in the middle of a path.
	Transit bool
	// Announces is what the site announces of its own.
	Announces string
	// SetsMED and SetsPrepend: crosslink can set a MED, or prepend the
	// site's AS, per session on what it announces.
	SetsMED, SetsPrepend bool
	// ASPath is where the AS-path length comes in.
	ASPath ASPathRule
	// MED is how received MEDs are compared (after the AS path).
	MED MEDScope
	// Ties is what happens to routes still equal.
	Ties Tie
	// Sources: the documentation behind each fact, by field name.
	Sources map[string]string
}

// Behaviours is the routing model: one row per kind, indexed by Kind.
// Sources are the clouds' own pages (docs/design.md quotes them).
var Behaviours = [...]Behaviour{
	KindHost: {
		Kind: KindHost, Name: "host (crosslink agent)",
		Transit:   true,
		Announces: "the site's cidrs",
		SetsMED:   true, SetsPrepend: true,
		ASPath: ASPathFirst, MED: MEDAlways, Ties: TieOne,
		Sources: map[string]string{
			"Transit":   "crosslink's agent: GoBGP re-advertises its best paths to every peer; the agent enables IPv4 forwarding (docs/design.md, host sites)",
			"Announces": "crosslink's agent announces the site's cidrs",
			"SetsMED":   "crosslink's agent: one GoBGP export policy sets MED and prepends per session (docs/design.md, host sites)",
			"ASPath":    "GoBGP best-path selection: AS-path length before MED (GoBGP docs, route selection)",
			"MED":       "the agent runs GoBGP with always-compare-med (docs/design.md, host sites)",
			"Ties":      "GoBGP installs one best path per prefix (no multipath configured); the last tie-breakers are route age and router ID",
		},
	},
	KindAWSVGW: {
		Kind: KindAWSVGW, Name: "AWS virtual private gateway",
		Transit:   true,
		Announces: "the attached VPC's CIDR blocks",
		ASPath:    ASPathFirst, MED: MEDSameNeighbour, Ties: TieOne,
		Sources: map[string]string{
			"Transit":   "https://docs.aws.amazon.com/vpn/latest/s2svpn/VPN_CloudHub.html: routes from each customer gateway \"are received and re-advertised to each BGP peer\"",
			"Announces": "AWS's generated device configurations: \"The Virtual Private Gateway will announce the prefix corresponding to your VPC\"",
			"SetsMED":   "https://docs.aws.amazon.com/vpn/latest/s2svpn/routing-vpn-tunnel-updates.html: AWS sets MEDs itself (a lower MED on the other tunnel during updates); nothing lets a user set MED or prepend",
			"ASPath":    "https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-route-priority.html: \"the AS PATH is compared and the prefix with the shortest AS PATH is preferred\"",
			"MED":       "https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-route-priority.html: MEDs are compared \"if the first AS in the AS_SEQUENCE is the same across multiple paths\"",
			"Ties":      "https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-route-priority.html: \"one tunnel across all Site-to-Site VPN connections on the gateway will be selected ... ECMP is not supported\"; with equal attributes the tunnel is \"randomly chosen by AWS\" (AWS Knowledge Center, vpn-configure-tunnel-preference)",
		},
	},
	KindAWSTGW: {
		Kind: KindAWSTGW, Name: "AWS transit gateway",
		Transit:   true,
		Announces: "the CIDRs of its attached VPCs, from its route table",
		ASPath:    ASPathFirst, MED: MEDSameNeighbour, Ties: TieECMPSameAS,
		Sources: map[string]string{
			"Transit":   "https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html: attachments exchange routes through the transit gateway route table (default association and propagation)",
			"Announces": "https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html: VPN attachments are advertised the routes of the associated route table",
			"SetsMED":   "AWS sets no MED or prepend that a user controls",
			"ASPath":    "https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html: \"the route priority is controlled by BGP attributes: Shorter AS Path length; Lower MED value\"",
			"MED":       "same page: lower MED next; a VPN route sent without a MED is given 100. Compared within one neighbouring AS, as ECMP is",
			"Ties":      "same page: with VPN ECMP support (crosslink enables it) equal routes are load-balanced, but \"you can't use ECMP over different Autonomous System Numbers\"",
		},
	},
	KindGCP: {
		Kind: KindGCP, Name: "GCP Cloud Router (HA VPN)",
		Transit:   false,
		Announces: "the site's cidrs (custom advertisement)",
		SetsMED:   true,
		ASPath:    ASPathPerTask, MED: MEDAlways, Ties: TieECMP,
		Sources: map[string]string{
			"Transit":   "https://docs.cloud.google.com/network-connectivity/docs/router/concepts/learned-routes: \"Cloud Router doesn't re-advertise learned routes unless you use an NCC hybrid spoke with data transfer enabled\"; nothing documents a VPC forwarding tunnel-to-tunnel traffic for custom-advertised ranges",
			"Announces": "https://docs.cloud.google.com/network-connectivity/docs/router/concepts/advertised-routes: custom advertisement mode announces exactly the listed ranges",
			"SetsMED":   "same page: \"a base advertised priority that is used as a value for the BGP MED attribute\" (advertisedRoutePriority); prepending exists only in route policies",
			"ASPath":    "learned-routes page: \"In legacy best path selection mode, AS path information is only relevant within a single Cloud Router BGP task\" (legacy is the default)",
			"MED":       "learned-routes page: the dynamic route control plane keeps the routes with the lowest MED",
			"Ties":      "VPC routes: routes of the same priority are used together with a five-tuple hash (ECMP)",
		},
	},
	KindAzure: {
		Kind: KindAzure, Name: "Azure VPN gateway (active-active, BGP)",
		Transit:   true,
		Announces: "the virtual network's address space",
		ASPath:    ASPathFirst, MED: MEDUnknown, Ties: TieECMP,
		Sources: map[string]string{
			"Transit":   "https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-vpn-faq: \"BGP transit routing is supported\" (except default routes)",
			"Announces": "same FAQ: it advertises the VNet address prefixes and routes learned from other BGP peers",
			"SetsMED":   "no Azure setting sets MED or prepends on a VPN gateway's announcements",
			"ASPath":    "same FAQ: \"A shorter AS path is preferred in BGP path selection\"",
			"MED":       "not documented for VPN gateways: routes differing only in MED are all possible choices",
			"Ties":      "https://learn.microsoft.com/azure/vpn-gateway/about-active-active-gateways: traffic is \"routed through both tunnels simultaneously\", one flow per tunnel",
		},
	},
}

// behaviour is the row of kind k.
func behaviour(k Kind) *Behaviour { return &Behaviours[k] }

package rules

import "fmt"

// ASNRange is an inclusive range of ASNs.
type ASNRange struct {
	First, Last uint32
}

// Contains reports whether asn lies in the range.
func (r ASNRange) Contains(asn uint32) bool { return r.First <= asn && asn <= r.Last }

func (r ASNRange) String() string { return fmt.Sprintf("%d–%d", r.First, r.Last) }

// PrivateASNs are the private-use ranges (RFC 6996). AWS gateways and GCP
// Cloud Routers take only these.
var PrivateASNs = []ASNRange{{64512, 65534}, {4200000000, 4294967294}}

// AWSDefaultASN is the Amazon-side ASN AWS gives a gateway by default; a peer
// of an AWS site must not use it, or the BGP session would see its own ASN.
const AWSDefaultASN uint32 = 64512

// AllocASNs is the pool crosslink allocates site ASNs from: 16-bit private
// ASNs above AWS's default (64512). AzureReservedASNs inside it are skipped.
var AllocASNs = ASNRange{64513, 65534}

// ReservedASNs no site may use anywhere: 0 (invalid), 23456 (AS_TRANS),
// 65535 and 4294967295 (last 16- and 32-bit ASNs, reserved).
var ReservedASNs = []uint32{0, 23456, 65535, 4294967295}

// AzureReservedASNs are the private ASNs Azure VPN gateways use internally and
// refuse for a gateway or a peer (65515 is the default gateway ASN).
var AzureReservedASNs = []uint32{65515, 65517, 65518, 65519, 65520}

// AzureRefusedASNs are the further ASNs Azure's documentation lists as not
// usable: Microsoft's public ASNs and IANA's documentation ranges.
var AzureRefusedASNs = []ASNRange{{8074, 8075}, {12076, 12076}, {64496, 64511}, {65536, 65551}}

// IsPrivateASN reports whether asn is in a private-use range.
func IsPrivateASN(asn uint32) bool {
	for _, r := range PrivateASNs {
		if r.Contains(asn) {
			return true
		}
	}
	return false
}

// IsAzureReservedASN reports whether Azure refuses asn.
func IsAzureReservedASN(asn uint32) bool {
	for _, a := range AzureReservedASNs {
		if a == asn {
			return true
		}
	}
	for _, r := range AzureRefusedASNs {
		if r.Contains(asn) {
			return true
		}
	}
	return false
}

// Cloud names as topology spells them; this package does not import topology
// (see the package comment).
const (
	AWS   = "aws"
	GCP   = "gcp"
	Azure = "azure"
	Host  = "host"
)

// ASNProblem returns "" when asn is acceptable for a site in cloud, else a
// human reason why not. facesAWS tells whether the site has an AWS site as
// a direct neighbour.
func ASNProblem(cloud string, asn uint32, facesAWS bool) string {
	for _, r := range ReservedASNs {
		if asn == r {
			if asn == 0 {
				return "ASN 0 is not a valid ASN"
			}
			return fmt.Sprintf("ASN %d is reserved and cannot be used by any site", asn)
		}
	}
	switch cloud {
	case AWS, GCP:
		if !IsPrivateASN(asn) {
			return fmt.Sprintf("%s sites need a private ASN (%v or %v), not %d",
				cloudTitle(cloud), PrivateASNs[0], PrivateASNs[1], asn)
		}
	case Azure:
		if IsAzureReservedASN(asn) {
			return fmt.Sprintf("ASN %d is reserved by Azure", asn)
		}
	}
	if facesAWS && asn == AWSDefaultASN {
		return fmt.Sprintf("ASN %d is AWS's default Amazon-side ASN; a site linked to an AWS site cannot use it", asn)
	}
	return ""
}

func cloudTitle(c string) string {
	switch c {
	case AWS:
		return "AWS"
	case GCP:
		return "GCP"
	}
	return c
}

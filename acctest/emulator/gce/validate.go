package gce

import (
	"fmt"
	"net/http"
	"regexp"
)

var (
	// RFC 1035 names, 1–63 characters: resources, router interfaces, BGP peers.
	nameRE     = regexp.MustCompile(`^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`)
	labelKeyRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)
	labelValRE = regexp.MustCompile(`^[a-z0-9_-]{0,63}$`)
	regionRE   = regexp.MustCompile(`^[a-z]+-[a-z]+[0-9]{1,2}$`)
	// A canonical UUID; GCE rejects other spellings and the zero UUID.
	uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

const maxLabels = 64

func validRegion(r string) bool { return regionRE.MatchString(r) }

func checkName(field, name string) *apiError {
	if !nameRE.MatchString(name) {
		return invalidField(field, name, "Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'")
	}
	return nil
}

func checkLabels(field string, labels map[string]string) *apiError {
	if len(labels) > maxLabels {
		return invalidField(field, "", fmt.Sprintf("Resource can have at most %d labels, got %d.", maxLabels, len(labels)))
	}
	for k, v := range labels {
		if !labelKeyRE.MatchString(k) {
			return invalidField(field, "", fmt.Sprintf("Label key '%s' violates format constraints. The key must "+
				"start with a lowercase character, can only contain lowercase letters, numeric characters, "+
				"underscores and dashes. The key can be at most 63 characters long.", k))
		}
		if !labelValRE.MatchString(v) {
			return invalidField(field, "", fmt.Sprintf("Label value '%s' violates format constraints. The value "+
				"can only contain lowercase letters, numeric characters, underscores and dashes. The value can be "+
				"at most 63 characters long.", v))
		}
	}
	return nil
}

// checkRequestID validates the requestId query parameter.
func checkRequestID(id string) *apiError {
	if id == "" {
		return nil
	}
	if !uuidRE.MatchString(id) || id == "00000000-0000-0000-0000-000000000000" {
		return &apiError{Code: http.StatusBadRequest, Reason: reasonInvalid, Message: fmt.Sprintf(
			"Invalid value for field 'requestId': '%s'. The request ID must be a valid UUID with the exception "+
				"that zero UUID is not supported (00000000-0000-0000-0000-000000000000).", id)}
	}
	return nil
}

// privateASN reports whether asn is an RFC 6996 private ASN, the only
// kind Cloud Router accepts.
func privateASN(asn uint32) bool {
	return (asn >= 64512 && asn <= 65534) || (asn >= 4200000000 && asn <= 4294967294)
}

package rules

// PSKAlphabet is the characters a pre-shared key may hold: AWS's rule, the
// strictest of the clouds. 64 characters, so each encodes 6 bits.
const PSKAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"

// PSK length bounds (AWS).
const (
	PSKMinLen = 8
	PSKMaxLen = 64
)

// ValidPSK reports whether s is acceptable to AWS as a pre-shared key: 8–64
// characters of [A-Za-z0-9._], not starting with '0'.
func ValidPSK(s string) bool {
	if len(s) < PSKMinLen || len(s) > PSKMaxLen || s[0] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

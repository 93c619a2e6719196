package alloc

import (
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/alloc/rules"
)

// PSKLen is the length of every derived pre-shared key: 40 characters of a
// 64-symbol alphabet carry 239+ bits, well inside AWS's 8–64.
const PSKLen = 40

// pskDomain separates these keys from anything else derived from the secret.
const pskDomain = "crosslink psk v1"

// PSK derives the pre-shared key of one tunnel: HKDF-SHA256 of the mesh
// secret, with info binding the mesh name, the tunnel key and the epoch
// (length-prefixed, so no two distinct inputs share an info string). Keys
// are derived, never stored: bumping the epoch rotates all of them.
//
// It panics only if crypto/hkdf refuses the secret, which happens in FIPS
// 140-only mode for secrets shorter than 14 bytes; callers should require
// longer secrets anyway.
func PSK(secret []byte, mesh, tunnelKey string, epoch int64) string {
	info := make([]byte, 0, len(pskDomain)+len(mesh)+len(tunnelKey)+24)
	info = append(info, pskDomain...)
	info = binary.BigEndian.AppendUint32(info, uint32(len(mesh)))
	info = append(info, mesh...)
	info = binary.BigEndian.AppendUint32(info, uint32(len(tunnelKey)))
	info = append(info, tunnelKey...)
	info = binary.BigEndian.AppendUint64(info, uint64(epoch))

	// 48 bytes = 64 sextets: 40 for the key, the rest to redraw a leading '0'.
	raw, err := hkdf.Key(sha256.New, secret, nil, string(info), 48)
	if err != nil {
		panic("alloc.PSK: " + err.Error())
	}
	out := make([]byte, 0, PSKLen)
	for i := 0; i < len(raw)*8/6 && len(out) < PSKLen; i++ {
		c := rules.PSKAlphabet[sextet(raw, i)]
		if len(out) == 0 && c == '0' {
			continue // AWS refuses a leading 0: redraw rather than bias
		}
		out = append(out, c)
	}
	for len(out) < PSKLen { // unreachable in practice (24 redraws of '0' in a row)
		out = append(out, 'x')
	}
	return string(out)
}

// sextet returns the i-th 6-bit group of b, big-endian.
func sextet(b []byte, i int) byte {
	bit := i * 6
	v := uint16(b[bit/8]) << 8
	if bit/8+1 < len(b) {
		v |= uint16(b[bit/8+1])
	}
	return byte(v>>(10-bit%8)) & 63
}

package content

import (
	"crypto/rand"
	"encoding/binary"
	"strings"
	"time"
)

// crockford is Crockford's base32 alphabet: ids sort as strings in time order
// and read unambiguously when a person copies one from a log.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// newID returns a 26-character ULID-shaped id: 48 bits of milliseconds then 80
// random bits, so ids sort by creation time across replicas.
func newID(now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[0:8], uint64(now.UnixMilli())<<16)
	_, _ = rand.Read(b[6:]) // crypto/rand.Read never fails (Go 1.24+)
	// 128 bits -> 26 base32 digits (130 bits, the top two are zero).
	hi := binary.BigEndian.Uint64(b[0:8])
	lo := binary.BigEndian.Uint64(b[8:16])
	var out [26]byte
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}

// ValidID reports whether s has the shape of a post id (a ULID: 26
// characters of Crockford's base32). The HTTP edge refuses anything else
// before it reaches a key name.
func ValidID(s string) bool { return validID(s) }

// validID reports whether s has the shape of the ids newID makes.
func validID(s string) bool {
	if len(s) != 26 {
		return false
	}
	for i := range len(s) {
		if !strings.ContainsRune(crockford, rune(s[i])) {
			return false
		}
	}
	return true
}

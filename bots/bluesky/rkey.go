package bluesky

import (
	"crypto/sha256"
	"encoding/binary"
	"strings"
	"time"
)

// tidAlphabet is the base32-sortable alphabet of TIDs.
const tidAlphabet = "234567abcdefghijklmnopqrstuvwxyz"

// crockford decodes the post ids' ULID time.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// RecordKey is the record key of a post's record: a TID (the record-key
// type of app.bsky.feed.post: 13 characters of base32-sortable, top bit
// zero, 53 bits of microseconds since the epoch, 10 bits of clock id) derived
// from the post id alone, so that every attempt at one post writes to one
// key. For Fanfare's post ids (ULIDs) the time is the id's own millisecond
// with microseconds and clock id from a hash of the id: keys sort like the
// posts were created, never lie in the future, and two posts of the same
// millisecond differ in 20 hashed bits. Any other id gets a hashed time in
// 2024, so a key is always a valid TID.
func RecordKey(postID string) string {
	sum := sha256.Sum256([]byte("fanfare:bluesky:" + postID))
	h := binary.BigEndian.Uint64(sum[:8])
	var micros uint64
	if ms, ok := ulidMillis(postID); ok {
		micros = ms*1000 + h%1000
	} else {
		base := uint64(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro())
		micros = base + h%(1<<44)
	}
	clock := binary.BigEndian.Uint64(sum[8:16]) % 1024
	return encodeTID(micros, clock)
}

func encodeTID(micros, clock uint64) string {
	v := (micros&(1<<53-1))<<10 | clock&1023
	var b [13]byte
	for i := 12; i >= 0; i-- {
		b[i] = tidAlphabet[v&31]
		v >>= 5
	}
	return string(b[:])
}

// ulidMillis reads the 48-bit millisecond time of a ULID.
func ulidMillis(id string) (uint64, bool) {
	if len(id) != 26 {
		return 0, false
	}
	var v uint64
	for i := 0; i < 10; i++ { // 10 characters: 50 bits, the top 2 zero
		d := strings.IndexByte(crockford, id[i])
		if d < 0 {
			return 0, false
		}
		v = v<<5 | uint64(d)
	}
	for i := 10; i < 26; i++ {
		if strings.IndexByte(crockford, id[i]) < 0 {
			return 0, false
		}
	}
	if v>>48 != 0 {
		return 0, false
	}
	return v, true
}

// ValidTID reports whether s is a TID by the record-key syntax.
func ValidTID(s string) bool {
	if len(s) != 13 || strings.IndexByte("234567abcdefghij", s[0]) < 0 {
		return false
	}
	for i := 1; i < 13; i++ {
		if strings.IndexByte(tidAlphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}

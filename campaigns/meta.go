package campaigns

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"
)

// meta is the small part of a stored campaign the tracker decides on, kept in
// the campaign hash (field m) next to the snapshot JSON (field j) so that
// reading it costs no JSON decoding:
//
//	"<version µs>|<state>|<hour ms>|<deadline ms>|<at ms>|<pledged>|<backers>|<url hash>"
//
// hour is the hour of at (the snapshot's updated_at), used to keep one
// history sample per hour; url hash is FNV-64a of the normalized URL, to
// rewrite the URL index only when the link changes.
type meta struct {
	version  int64
	state    State
	hour     int64
	deadline int64
	at       int64
	pledged  int64
	backers  int64
	urlHash  string
}

func newMeta(c Campaign, normURL string) meta {
	return newMetaHashed(c, urlHash(normURL))
}

// urlHash is the url hash field of a normalized URL.
func urlHash(normURL string) string {
	h := fnv.New64a()
	h.Write([]byte(normURL))
	return strconv.FormatUint(h.Sum64(), 16)
}

// newMetaHashed is newMeta when the URL's hash is known.
func newMetaHashed(c Campaign, urlHash string) meta {
	at := c.UpdatedAt.UnixMilli()
	return meta{
		version:  c.UpdatedAt.UnixMicro(),
		state:    c.State,
		hour:     at - at%time.Hour.Milliseconds(),
		deadline: c.Deadline.UnixMilli(),
		at:       at,
		pledged:  c.Pledged,
		backers:  c.Backers,
		urlHash:  urlHash,
	}
}

func (m meta) String() string {
	b := make([]byte, 0, 96)
	b = strconv.AppendInt(b, m.version, 10)
	b = append(b, '|')
	b = append(b, m.state...)
	for _, n := range []int64{m.hour, m.deadline, m.at, m.pledged, m.backers} {
		b = append(b, '|')
		b = strconv.AppendInt(b, n, 10)
	}
	b = append(b, '|')
	b = append(b, m.urlHash...)
	return string(b)
}

func parseMeta(s string) (meta, error) {
	parts := strings.Split(s, "|")
	if len(parts) != 8 {
		return meta{}, fmt.Errorf("campaigns: corrupt campaign meta %q", s)
	}
	var n [6]int64
	for i, p := range []string{parts[0], parts[2], parts[3], parts[4], parts[5], parts[6]} {
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return meta{}, fmt.Errorf("campaigns: corrupt campaign meta %q", s)
		}
		n[i] = v
	}
	return meta{
		version: n[0], state: State(parts[1]), hour: n[1], deadline: n[2],
		at: n[3], pledged: n[4], backers: n[5], urlHash: parts[7],
	}, nil
}

// sample is the history point of a meta: "<at ms>:<pledged>:<backers>".
func (m meta) sample() string {
	return strconv.FormatInt(m.at, 10) + ":" + strconv.FormatInt(m.pledged, 10) + ":" + strconv.FormatInt(m.backers, 10)
}

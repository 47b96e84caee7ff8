package campaigns

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// closeIfOverdue closes a snapshot still live CloseAfter past its deadline:
// its platform never said how it ended, and a campaign live forever would
// keep its place among the live ones (and in every "ending soon" list).
func (t *Tracker) closeIfOverdue(c *Campaign, now time.Time) {
	if c.State != StateLive || now.Sub(c.Deadline) < t.closeAfter {
		return
	}
	c.State = StateEnded
	c.ClosedNote = fmt.Sprintf("Closed by Fanfare on %s: still live %s after its deadline (%s) with no final state from the platform; nothing was posted.",
		now.UTC().Format("2006-01-02 15:04 MST"), formatHours(t.closeAfter), c.Deadline.UTC().Format("2006-01-02 15:04 MST"))
}

func formatHours(d time.Duration) string {
	if d%time.Hour == 0 {
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	}
	return d.String()
}

// closeBatch bounds the campaigns one CloseOverdue call reads at a time.
const closeBatch = 200

// CloseOverdue closes the live campaigns whose deadline is more than
// CloseAfter ago and that no source has settled: those a listing stopped
// showing, or a webhook stopped sending. Each is stored again as StateEnded
// with a ClosedNote, without a post. The closing snapshot is dated just after
// the stored one, so any snapshot the platform sends later wins over it. It
// returns how many campaigns it closed.
func (t *Tracker) CloseOverdue(ctx context.Context) (int, error) {
	now := t.now()
	cutoff := strconv.FormatInt(now.Add(-t.closeAfter).UnixMilli(), 10)
	closed := 0
	// Each round closes what it read; the bound only guards against a bug
	// that would make the same campaigns come back.
	for round := 0; round < 1000; round++ {
		ids, err := t.rdb.ZRangeArgs(ctx, redis.ZRangeArgs{Key: t.keys.live(), Start: "-inf", Stop: cutoff, ByScore: true, Count: closeBatch}).Result()
		if err != nil {
			return closed, fmt.Errorf("campaigns: unable to list overdue campaigns: %w", err)
		}
		if len(ids) == 0 {
			return closed, nil
		}
		cs, err := t.load(ctx, ids)
		if err != nil {
			return closed, err
		}
		if len(cs) < len(ids) {
			// Keys expired under the live set: drop the dangling entries,
			// or they would be listed again forever.
			if err := t.dropDangling(ctx, ids, cs); err != nil {
				return closed, err
			}
		}
		for i := range cs {
			cs[i].UpdatedAt = cs[i].UpdatedAt.Add(time.Microsecond)
		}
		res, err := t.Ingest(ctx, cs)
		if err != nil {
			return closed, err
		}
		for _, r := range res.Rejected {
			// A stored snapshot that no longer validates (stricter rules
			// since) would block the loop: leave it to the next snapshot.
			t.log.Warn("campaigns: unable to close an overdue campaign", "campaign_id", r.ID, "error", r.Err)
		}
		n := res.Accepted
		closed += n
		if n == 0 {
			return closed, nil
		}
	}
	return closed, nil
}

func (t *Tracker) dropDangling(ctx context.Context, ids []string, found []Campaign) error {
	have := make(map[string]bool, len(found))
	for _, c := range found {
		have[c.ID] = true
	}
	var gone []any
	for _, id := range ids {
		if !have[id] {
			gone = append(gone, id)
		}
	}
	if err := t.rdb.ZRem(ctx, t.keys.live(), gone...).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("campaigns: unable to drop expired campaigns from the live set: %w", err)
	}
	return nil
}

// hostList is campaigns.url_hosts: exact hosts, and "*." suffixes.
type hostList struct {
	exact    map[string]bool
	suffixes []string // ".example.com"
	raw      []string
}

// CheckURLHost reports an entry of campaigns.url_hosts that is not a host
// name ("example.com") or a wildcard below one ("*.example.com").
func CheckURLHost(h string) error {
	base := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(h)), "*.")
	if base == "" || strings.ContainsAny(base, "/:@*?#[] \\") || !validHost(base) || strings.Trim(base, ".") != base {
		return fmt.Errorf("%q is not a host name such as example.com or *.example.com", h)
	}
	return nil
}

func newHostList(hosts []string) (hostList, error) {
	var l hostList
	for _, h := range hosts {
		if err := CheckURLHost(h); err != nil {
			return hostList{}, fmt.Errorf("url_hosts: %w", err)
		}
		h = strings.ToLower(strings.TrimSpace(h))
		base := strings.TrimPrefix(h, "*.")
		l.raw = append(l.raw, h)
		if strings.HasPrefix(h, "*.") {
			l.suffixes = append(l.suffixes, "."+base)
			continue
		}
		if l.exact == nil {
			l.exact = map[string]bool{}
		}
		l.exact[h] = true
	}
	return l, nil
}

// allows reports whether the URL's host is listed (any host when none is).
func (l hostList) allows(raw string) bool {
	if len(l.raw) == 0 {
		return true
	}
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	h := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if l.exact[h] {
		return true
	}
	for _, s := range l.suffixes {
		if strings.HasSuffix(h, s) {
			return true
		}
	}
	return false
}

func (l hostList) String() string { return strings.Join(l.raw, ", ") }

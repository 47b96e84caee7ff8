package campaigns

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// History returns a campaign's pledge samples since a time, oldest first: the
// last snapshot of each past hour, then the current snapshot, so momentum is
// measured up to now. Samples older than the retention are gone.
func (t *Tracker) History(ctx context.Context, id string, since time.Time) ([]Sample, error) {
	pipe := t.rdb.Pipeline()
	zr := pipe.ZRangeByScore(ctx, t.keys.history(id), &redis.ZRangeBy{
		Min: strconv.FormatInt(since.UnixMilli(), 10), Max: "+inf",
	})
	cur := pipe.HGet(ctx, t.keys.campaign(id), "m")
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("campaigns: unable to read history of %q: %w", id, err)
	}
	out := make([]Sample, 0, len(zr.Val())+1)
	for _, m := range zr.Val() {
		s, err := parseSample(m)
		if err != nil {
			return nil, fmt.Errorf("campaigns: history of %q: %w", id, err)
		}
		out = append(out, s)
	}
	raw, err := cur.Result()
	if errors.Is(err, redis.Nil) {
		return out, nil
	} else if err != nil {
		return nil, fmt.Errorf("campaigns: unable to read history of %q: %w", id, err)
	}
	m, err := parseMeta(raw)
	if err != nil {
		return nil, err
	}
	if at := time.UnixMilli(m.at).UTC(); !at.Before(since) && (len(out) == 0 || at.After(out[len(out)-1].At)) {
		out = append(out, Sample{At: at, Pledged: m.pledged, Backers: m.backers})
	}
	return out, nil
}

// parseSample reads "<unix ms>:<pledged>:<backers>".
func parseSample(m string) (Sample, error) {
	parts := strings.Split(m, ":")
	if len(parts) != 3 {
		return Sample{}, fmt.Errorf("corrupt sample %q", m)
	}
	var n [3]int64
	for i, p := range parts {
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return Sample{}, fmt.Errorf("corrupt sample %q", m)
		}
		n[i] = v
	}
	return Sample{At: time.UnixMilli(n[0]).UTC(), Pledged: n[1], Backers: n[2]}, nil
}

package campaigns

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Get returns the stored snapshot of a campaign and its fired milestones.
func (t *Tracker) Get(ctx context.Context, id string) (Campaign, []FiredMilestone, error) {
	pipe := t.rdb.Pipeline()
	j := pipe.HGet(ctx, t.keys.campaign(id), "j")
	f := pipe.HGetAll(ctx, t.keys.fired(id))
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return Campaign{}, nil, fmt.Errorf("campaigns: unable to get campaign %q: %w", id, err)
	}
	b, err := j.Bytes()
	if errors.Is(err, redis.Nil) {
		return Campaign{}, nil, ErrNotFound
	} else if err != nil {
		return Campaign{}, nil, fmt.Errorf("campaigns: unable to get campaign %q: %w", id, err)
	}
	var c Campaign
	if err := json.Unmarshal(b, &c); err != nil {
		return Campaign{}, nil, fmt.Errorf("campaigns: stored campaign %q is corrupt: %w", id, err)
	}
	fired, err := parseFired(id, f.Val())
	if err != nil {
		return Campaign{}, nil, err
	}
	return c, fired, nil
}

// Fired lists a campaign's recorded milestones, oldest first.
func (t *Tracker) Fired(ctx context.Context, id string) ([]FiredMilestone, error) {
	m, err := t.rdb.HGetAll(ctx, t.keys.fired(id)).Result()
	if err != nil {
		return nil, fmt.Errorf("campaigns: unable to read fired milestones of %q: %w", id, err)
	}
	return parseFired(id, m)
}

func parseFired(id string, m map[string]string) ([]FiredMilestone, error) {
	out := make([]FiredMilestone, 0, len(m))
	for name, v := range m {
		ms, how, ok := strings.Cut(v, "|")
		n, err := strconv.ParseInt(ms, 10, 64)
		if !ok || err != nil || (how != "posted" && how != "silent") {
			return nil, fmt.Errorf("campaigns: fired milestone %s of %q is corrupt: %q", name, id, v)
		}
		out = append(out, FiredMilestone{Milestone: Milestone(name), At: time.UnixMilli(n).UTC(), Posted: how == "posted"})
	}
	slices.SortFunc(out, func(a, b FiredMilestone) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Milestone, b.Milestone))
	})
	return out, nil
}

// List pages through tracked campaigns: live ones by deadline (soonest first),
// then ended ones, most recently ended first. o.State keeps one state only.
// The total counts every campaign the filter matches.
func (t *Tracker) List(ctx context.Context, o ListOptions) ([]Campaign, int, error) {
	if o.Offset < 0 {
		return nil, 0, fmt.Errorf("campaigns: list offset %d is negative", o.Offset)
	}
	if o.Limit <= 0 {
		o.Limit = 50
	}
	// Each part is a zset read in one direction; the listing is their concatenation.
	type part struct {
		key string
		rev bool
	}
	var parts []part
	switch o.State {
	case "":
		parts = []part{{t.keys.live(), false}, {t.keys.ended(), true}}
	case StateLive:
		parts = []part{{t.keys.live(), false}}
	case StateSuccessful, StateFailed, StateCanceled, StateEnded:
		parts = []part{{t.keys.state(o.State), true}}
	default:
		return nil, 0, fmt.Errorf("campaigns: unknown state %q", o.State)
	}
	nowMS := strconv.FormatInt(t.now().UnixMilli(), 10)
	pipe := t.rdb.Pipeline()
	counts := make([]*redis.IntCmd, len(parts))
	for i, p := range parts {
		if p.rev {
			// Ended entries past their expiry point at keys that are gone.
			counts[i] = pipe.ZCount(ctx, p.key, "("+nowMS, "+inf")
		} else {
			counts[i] = pipe.ZCard(ctx, p.key)
		}
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, 0, fmt.Errorf("campaigns: unable to list campaigns: %w", err)
	}
	var ids []string
	total, skip, want := 0, o.Offset, o.Limit
	for i, p := range parts {
		n := int(counts[i].Val())
		total += n
		if want == 0 || skip >= n {
			skip = max(skip-n, 0)
			continue
		}
		var got []string
		var err error
		if p.rev {
			got, err = t.rdb.ZRangeArgs(ctx, redis.ZRangeArgs{Key: p.key, Start: "+inf", Stop: "(" + nowMS, ByScore: true, Rev: true, Offset: int64(skip), Count: int64(want)}).Result()
		} else {
			got, err = t.rdb.ZRange(ctx, p.key, int64(skip), int64(skip+want-1)).Result()
		}
		if err != nil {
			return nil, 0, fmt.Errorf("campaigns: unable to list campaigns: %w", err)
		}
		ids = append(ids, got...)
		want -= len(got)
		skip = 0
	}
	cs, err := t.load(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	return cs, total, nil
}

// load reads snapshots by id, skipping ids whose keys expired meanwhile.
func (t *Tracker) load(ctx context.Context, ids []string) ([]Campaign, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	pipe := t.rdb.Pipeline()
	cmds := make([]*redis.StringCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.HGet(ctx, t.keys.campaign(id), "j")
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("campaigns: unable to load campaigns: %w", err)
	}
	out := make([]Campaign, 0, len(ids))
	for i, cmd := range cmds {
		b, err := cmd.Bytes()
		if errors.Is(err, redis.Nil) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("campaigns: unable to load campaign %q: %w", ids[i], err)
		}
		var c Campaign
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("campaigns: stored campaign %q is corrupt: %w", ids[i], err)
		}
		out = append(out, c)
	}
	return out, nil
}

// MatchURL finds the tracked campaign a link points to, ignoring scheme,
// "www.", trailing slash, query and fragment.
func (t *Tracker) MatchURL(ctx context.Context, link string) (string, bool, error) {
	norm := normalizeURL(link)
	if norm == "" {
		return "", false, nil
	}
	id, err := t.rdb.HGet(ctx, t.keys.urls(), norm).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	} else if err != nil {
		return "", false, fmt.Errorf("campaigns: unable to match url: %w", err)
	}
	// Nothing trims the index when keys expire or a campaign moves to another
	// URL: check the entry and drop it if stale.
	cs, err := t.load(ctx, []string{id})
	if err != nil {
		return "", false, err
	}
	if len(cs) == 0 || normalizeURL(cs[0].URL) != norm {
		if err := unindexURLScript.Run(ctx, t.rdb, []string{t.keys.urls()}, norm, id).Err(); err != nil {
			return "", false, fmt.Errorf("campaigns: unable to match url: %w", err)
		}
		return "", false, nil
	}
	return id, true, nil
}

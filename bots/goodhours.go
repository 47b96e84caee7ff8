package bots

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/content"
)

// HourRange is a daily window in the platform's time zone: minutes after
// local midnight, End excluded. It does not wrap midnight.
type HourRange struct {
	Start, End int
}

func (r HourRange) String() string {
	return fmt.Sprintf("%02d:%02d–%02d:%02d", r.Start/60, r.Start%60, r.End/60, r.End%60)
}

// DefaultGoodHours are the hours each network's audience is most there when
// Fanfare has not learned better from the account's own engagement: the
// commute and lunch breaks and the evening on X, late morning, early
// afternoon and evening on Facebook (the usual findings of the schedulers'
// published studies; the account's own history replaces them).
var DefaultGoodHours = map[string][]string{
	"x":        {"08:00-10:00", "12:00-14:00", "17:00-21:00"},
	"facebook": {"09:00-11:00", "13:00-16:00", "19:00-21:00"},
	// Instagram's audience scrolls at lunch and in the evening; Mastodon and
	// Bluesky read like X.
	"instagram": {"11:00-13:00", "18:00-21:00"},
	"mastodon":  {"08:00-10:00", "12:00-14:00", "17:00-21:00"},
	"bluesky":   {"08:00-10:00", "12:00-14:00", "17:00-21:00"},
}

// ParseHourRanges reads windows like "08:00-10:00" (24:00 ends the day).
func ParseHourRanges(specs []string) ([]HourRange, error) {
	out := make([]HourRange, 0, len(specs))
	for _, s := range specs {
		a, b, ok := strings.Cut(strings.ReplaceAll(s, "–", "-"), "-")
		if !ok {
			return nil, fmt.Errorf("%q is not a window like 08:00-10:00", s)
		}
		start, err := parseClock(strings.TrimSpace(a))
		if err != nil {
			return nil, fmt.Errorf("%q: %w", s, err)
		}
		end := 24 * 60
		if e := strings.TrimSpace(b); e != "24:00" {
			if end, err = parseClock(e); err != nil {
				return nil, fmt.Errorf("%q: %w", s, err)
			}
		}
		if end <= start {
			return nil, fmt.Errorf("%q: the window ends before it starts (a window does not wrap midnight: write two)", s)
		}
		out = append(out, HourRange{Start: start, End: end})
	}
	slices.SortFunc(out, func(a, b HourRange) int { return cmp.Compare(a.Start, b.Start) })
	return out, nil
}

func inRanges(rs []HourRange, t time.Time) bool {
	m := t.Hour()*60 + t.Minute()
	for _, r := range rs {
		if m >= r.Start && m < r.End {
			return true
		}
	}
	return false
}

// nextRangeStart is the first start of a window after t (t local).
func nextRangeStart(rs []HourRange, t time.Time) time.Time {
	y, mo, d := t.Date()
	for day := 0; day < 2; day++ {
		for _, r := range rs {
			s := time.Date(y, mo, d+day, r.Start/60, r.Start%60, 0, 0, t.Location())
			if s.After(t) {
				return s
			}
		}
	}
	return time.Time{}
}

// GoodHoursLearner says when an account's audience engages most, from its
// own history; ok is false while there is not enough of it.
type GoodHoursLearner interface {
	LearnedGoodHours(ctx context.Context, network string, loc *time.Location) (hours []HourRange, ok bool, err error)
}

// Learning thresholds: enough posts, read, spread over enough hours, for an
// hour's average to mean something.
const (
	learnWindow       = 28 * 24 * time.Hour
	learnMinPosts     = 50
	learnMinHours     = 8
	learnMinHourPosts = 3
)

// LearnedGoodHours ranks the hours of the day by the engagement of the
// network's posts published in the last four weeks (their latest reading):
// engagement per impression where the network reports impressions, else
// likes, shares and replies. The good hours are those above the median
// hour. Without 50 read posts spread over 8 hours (3 posts each), ok is false
// and the scheduler keeps the defaults.
func (j *EngagementJob) LearnedGoodHours(ctx context.Context, network string, loc *time.Location) ([]HourRange, bool, error) {
	if loc == nil {
		loc = time.UTC
	}
	posts, err := j.store.PublishedSince(ctx, j.opts.Now().Add(-learnWindow))
	if err != nil {
		return nil, false, err
	}
	posts = slices.DeleteFunc(posts, func(p content.Post) bool { return p.Network != network || p.PublishedAt.IsZero() })
	if len(posts) < learnMinPosts {
		return nil, false, nil
	}
	pipe := j.rdb.Pipeline()
	cmds := make([]*redis.StringCmd, len(posts))
	for i, p := range posts {
		cmds[i] = pipe.LIndex(ctx, j.k.engagement(p.ID), 0)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, false, fmt.Errorf("bots: unable to read engagement: %w", err)
	}
	type reading struct {
		hour int
		e    Engagement
	}
	var rs []reading
	perImpression := true
	for i, p := range posts {
		raw, err := cmds[i].Result()
		if err != nil {
			continue
		}
		var s EngagementSample
		if json.Unmarshal([]byte(raw), &s) != nil {
			continue
		}
		perImpression = perImpression && s.Impressions > 0
		rs = append(rs, reading{hour: p.PublishedAt.In(loc).Hour(), e: s.Engagement})
	}
	if len(rs) < learnMinPosts {
		return nil, false, nil
	}
	var sum [24]float64
	var n [24]int
	for _, r := range rs {
		v := float64(r.e.Likes + 2*r.e.Shares + r.e.Replies)
		if perImpression {
			v /= float64(r.e.Impressions)
		}
		sum[r.hour] += v
		n[r.hour]++
	}
	var means []float64
	for h := range 24 {
		if n[h] >= learnMinHourPosts {
			means = append(means, sum[h]/float64(n[h]))
		}
	}
	if len(means) < learnMinHours {
		return nil, false, nil
	}
	// Good hours stand out: those above the median hour. Without any (every
	// hour alike) there is nothing to learn.
	slices.Sort(means)
	median := means[len(means)/2]
	var out []HourRange
	for h := range 24 {
		if n[h] < learnMinHourPosts || sum[h]/float64(n[h]) <= median {
			continue
		}
		if k := len(out); k > 0 && out[k-1].End == h*60 {
			out[k-1].End += 60
			continue
		}
		out = append(out, HourRange{Start: h * 60, End: h*60 + 60})
	}
	return out, len(out) > 0, nil
}

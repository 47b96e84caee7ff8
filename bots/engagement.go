package bots

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/content"
)

// EngagementOptions configures the engagement job; the zero value is usable.
type EngagementOptions struct {
	Window    time.Duration    // posts published this recently are read; default 7 days
	Every     time.Duration    // at most one reading per post per Every; default 1h
	MaxPoints int              // samples kept per post; default 48
	Batch     int              // ids per Engagement call, at most 100 (the X lookup limit); default 100
	Timeout   time.Duration    // per Engagement call; default 30s
	Now       func() time.Time // nil: time.Now
	Logger    *slog.Logger     // nil: slog.Default()
}

// EngagementJob reads published posts' metrics into a small series per post
// and implements EngagementReader for the dashboard.
type EngagementJob struct {
	rdb        redis.UniversalClient
	k          keys
	store      PublishedPosts
	publishers map[string]Publisher
	opts       EngagementOptions
	log        *slog.Logger
}

var _ EngagementReader = (*EngagementJob)(nil)

// NewEngagementJob returns the job; publishers is keyed by network name (it may
// be nil for a reader that never runs the job).
func NewEngagementJob(rdb redis.UniversalClient, prefix string, store PublishedPosts, publishers map[string]Publisher, opts EngagementOptions) *EngagementJob {
	if opts.Window <= 0 {
		opts.Window = 7 * 24 * time.Hour
	}
	if opts.Every <= 0 {
		opts.Every = time.Hour
	}
	if opts.MaxPoints <= 0 {
		opts.MaxPoints = 48
	}
	if opts.Batch <= 0 || opts.Batch > 100 {
		opts.Batch = 100
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &EngagementJob{rdb: rdb, k: newKeys(prefix), store: store, publishers: publishers, opts: opts, log: log.With("job", "engagement")}
}

// Run reads metrics for the recent published posts not read within Every.
func (j *EngagementJob) Run(ctx context.Context) error {
	now := j.opts.Now()
	posts, err := j.store.PublishedSince(ctx, now.Add(-j.opts.Window))
	if err != nil {
		return err
	}
	// Readings older than the window are of no use to the schedule.
	if err := j.rdb.ZRemRangeByScore(ctx, j.k.engagementFetched(), "-inf", fmt.Sprint(now.Add(-j.opts.Window-j.opts.Every).UnixMilli())).Err(); err != nil {
		return fmt.Errorf("bots: unable to prune engagement readings: %w", err)
	}
	if len(posts) == 0 {
		return nil
	}
	ids := make([]string, len(posts))
	for i, p := range posts {
		ids[i] = p.ID
	}
	last, err := j.rdb.ZMScore(ctx, j.k.engagementFetched(), ids...).Result()
	if err != nil {
		return fmt.Errorf("bots: unable to read engagement readings: %w", err)
	}
	byNet := map[string][]content.Post{}
	for i, p := range posts {
		if p.ExternalID == "" || (last[i] != 0 && now.Sub(time.UnixMilli(int64(last[i]))) < j.opts.Every) {
			continue
		}
		byNet[p.Network] = append(byNet[p.Network], p)
	}
	var errs []error
	for net, ps := range byNet {
		pub, ok := j.publishers[net]
		if !ok {
			continue
		}
		for batch := range slices.Chunk(ps, j.opts.Batch) {
			if err := j.read(ctx, pub, batch, now); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", net, err))
				break // the next run tries again
			}
		}
	}
	return errors.Join(errs...)
}

func (j *EngagementJob) read(ctx context.Context, pub Publisher, batch []content.Post, now time.Time) error {
	ext := make([]string, len(batch))
	for i, p := range batch {
		ext[i] = p.ExternalID
	}
	rctx, cancel := context.WithTimeout(ctx, j.opts.Timeout)
	got, err := pub.Engagement(rctx, ext)
	cancel()
	if err != nil {
		return err
	}
	pipe := j.rdb.TxPipeline()
	for _, p := range batch {
		// Marked read even when the network no longer knows the post, so a
		// deleted post is not asked for every run.
		pipe.ZAdd(ctx, j.k.engagementFetched(), redis.Z{Score: float64(now.UnixMilli()), Member: p.ID})
		e, ok := got[p.ExternalID]
		if !ok {
			continue
		}
		b, err := json.Marshal(EngagementSample{At: now.UTC(), Engagement: e})
		if err != nil {
			return err
		}
		key := j.k.engagement(p.ID)
		pipe.LPush(ctx, key, b)
		pipe.LTrim(ctx, key, 0, int64(j.opts.MaxPoints-1))
		pipe.Expire(ctx, key, j.opts.Window+30*24*time.Hour)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("bots: unable to store engagement: %w", err)
	}
	return nil
}

// Series returns a post's readings, oldest first.
func (j *EngagementJob) Series(ctx context.Context, postID string) ([]EngagementSample, error) {
	raw, err := j.rdb.LRange(ctx, j.k.engagement(postID), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("bots: unable to read engagement of %s: %w", postID, err)
	}
	out := make([]EngagementSample, 0, len(raw))
	for i := len(raw) - 1; i >= 0; i-- {
		var s EngagementSample
		if err := json.Unmarshal([]byte(raw[i]), &s); err != nil {
			return nil, fmt.Errorf("bots: bad engagement sample of %s: %w", postID, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// Summary averages the latest reading of each post published since the given
// time, by network, kind and template variant. Posts never read are left out.
func (j *EngagementJob) Summary(ctx context.Context, since time.Time) ([]EngagementSummary, error) {
	posts, err := j.store.PublishedSince(ctx, since)
	if err != nil {
		return nil, err
	}
	if len(posts) == 0 {
		return nil, nil
	}
	pipe := j.rdb.Pipeline()
	cmds := make([]*redis.StringCmd, len(posts))
	for i, p := range posts {
		cmds[i] = pipe.LIndex(ctx, j.k.engagement(p.ID), 0)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("bots: unable to read engagement: %w", err)
	}
	type group struct{ network, kind, variant string }
	sums := map[group]*EngagementSummary{}
	for i, p := range posts {
		raw, err := cmds[i].Result()
		if err != nil {
			continue // never read
		}
		var s EngagementSample
		if err := json.Unmarshal([]byte(raw), &s); err != nil {
			return nil, fmt.Errorf("bots: bad engagement sample of %s: %w", p.ID, err)
		}
		g := group{p.Network, string(p.Kind), p.Variant}
		sum := sums[g]
		if sum == nil {
			sum = &EngagementSummary{Network: g.network, Kind: g.kind, Variant: g.variant}
			sums[g] = sum
		}
		sum.Posts++
		sum.AvgLikes += float64(s.Likes)
		sum.AvgShares += float64(s.Shares)
		sum.AvgReplies += float64(s.Replies)
		sum.AvgImpressions += float64(s.Impressions)
	}
	out := make([]EngagementSummary, 0, len(sums))
	for _, s := range sums {
		n := float64(s.Posts)
		s.AvgLikes, s.AvgShares, s.AvgReplies, s.AvgImpressions = s.AvgLikes/n, s.AvgShares/n, s.AvgReplies/n, s.AvgImpressions/n
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b EngagementSummary) int {
		return cmp.Or(cmp.Compare(a.Network, b.Network), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Variant, b.Variant))
	})
	return out, nil
}

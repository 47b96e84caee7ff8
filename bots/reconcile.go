package bots

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/content"
)

// ReconcileOptions configures the reconcile job; the zero value is usable.
type ReconcileOptions struct {
	// MaxTries bounds how many looks one post gets; 0 means as many as the
	// backoff allows within GiveUpAfter (see reconcileWait).
	MaxTries int
	// GiveUpAfter stops looking for posts claimed longer ago than this: they
	// stay unknown for a person. Default 24h.
	GiveUpAfter time.Duration
	Timeout     time.Duration    // per FindRecent call; default 30s
	Now         func() time.Time // nil: time.Now
	Logger      *slog.Logger     // nil: slog.Default()
}

// ReconcileJob settles posts whose publish outcome is unknown by looking for
// them on the account. It never sends anything: a post it does not find stays
// unknown for a person to resolve.
type ReconcileJob struct {
	rdb        redis.UniversalClient
	k          keys
	store      ReconcileQueue
	networks   NetworkState
	publishers map[string]Publisher
	opts       ReconcileOptions
	log        *slog.Logger
}

// NewReconcileJob returns the job; publishers is keyed by network name.
func NewReconcileJob(rdb redis.UniversalClient, prefix string, store ReconcileQueue, networks NetworkState, publishers map[string]Publisher, opts ReconcileOptions) *ReconcileJob {
	if opts.GiveUpAfter <= 0 {
		opts.GiveUpAfter = 24 * time.Hour
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
	return &ReconcileJob{rdb: rdb, k: newKeys(prefix), store: store, networks: networks,
		publishers: publishers, opts: opts, log: log.With("job", "reconcile")}
}

// Run moves publishing posts whose lease ended to unknown, then looks for each
// unknown post on its network.
func (j *ReconcileJob) Run(ctx context.Context) error {
	expired, err := j.store.ExpireLeases(ctx, j.opts.Now())
	if err != nil {
		return err
	}
	for _, p := range expired {
		j.log.Warn("publish lease expired: outcome unknown", "post_id", p.ID, "network", p.Network)
	}
	return eachNetwork(j.publishers, func(name string) error { return j.runNetwork(ctx, name) })
}

func (j *ReconcileJob) runNetwork(ctx context.Context, network string) error {
	st, err := j.networks.Status(ctx, network)
	if err != nil {
		return err
	}
	if st.Paused {
		return nil // the timeline cannot be read with a broken token
	}
	pub := j.publishers[network]
	for offset := 0; ; offset += 500 {
		posts, total, err := j.store.List(ctx, content.ListOptions{State: content.StateUnknown, Network: network, Limit: 500, Offset: offset})
		if err != nil {
			return err
		}
		for _, p := range posts {
			if err := j.look(ctx, pub, p); err != nil {
				return err
			}
		}
		if offset+500 >= total {
			return nil
		}
	}
}

func (j *ReconcileJob) look(ctx context.Context, pub Publisher, p content.Post) error {
	now := j.opts.Now()
	claimed, err := j.store.ClaimedAt(ctx, p.ID)
	if err != nil {
		return err
	}
	if claimed.IsZero() {
		claimed = p.UpdatedAt // never claimed here: a person's or an import's unknown
	}
	if now.Sub(claimed) > j.opts.GiveUpAfter {
		return nil
	}
	// Counted and checked in one step: two runs at once cannot both take a
	// look the backoff gives once.
	key := j.k.reconcileLooks(p.ID)
	tries, err := lookScript.Run(ctx, j.rdb, []string{key}, now.UnixMilli(), reconcileFirstWait.Milliseconds(),
		reconcileMaxWait.Milliseconds(), (2 * j.opts.GiveUpAfter).Milliseconds(), max(j.opts.MaxTries, 0)).Int()
	if err != nil {
		return fmt.Errorf("bots: unable to count reconcile tries: %w", err)
	}
	if tries == 0 {
		return nil
	}
	log := j.log.With("post_id", p.ID, "network", p.Network, "try", tries)
	fctx, cancel := context.WithTimeout(ctx, j.opts.Timeout)
	// A minute of slack: the network's clock and ours differ.
	since := claimed.Add(-time.Minute)
	rcpt, found, err := pub.FindRecent(fctx, p.Text, since)
	cancel()
	if err != nil {
		log.Warn("unable to look for the post", "error", err)
		return nil
	}
	if !found {
		if last := j.opts.MaxTries > 0 && tries == j.opts.MaxTries ||
			now.Add(reconcileWait(tries)).Sub(claimed) > j.opts.GiveUpAfter; last {
			log.Warn("post not found on the network after looking for it since the attempt: left unknown for a person",
				"looked_for", now.Sub(claimed).Round(time.Minute).String())
		}
		return nil
	}
	taken, err := j.attribute(ctx, p, rcpt.ID, since, now)
	if err != nil || taken {
		if taken {
			log.Warn("post found on the network is already one of ours: left unknown", "external_id", rcpt.ID)
		}
		return err
	}
	_, err = j.store.Found(ctx, p.ID, "system:reconcile", content.Outcome{ExternalID: rcpt.ID, ExternalURL: rcpt.URL, PublishedAt: rcpt.PublishedAt})
	switch {
	case err == nil:
		log.Info("unknown post found on the network", "external_id", rcpt.ID)
	case errors.Is(err, content.ErrWrongState):
		// A person or a late answer settled it meanwhile: the network post is
		// free for another match.
		if err := j.rdb.ZRem(ctx, j.k.reconcileFound(p.Network), rcpt.ID).Err(); err != nil {
			return fmt.Errorf("bots: unable to forget a reconcile match: %w", err)
		}
	default:
		return err
	}
	return j.rdb.Del(ctx, key).Err()
}

// attribute takes the network post externalID for p, unless one of our posts
// already has it: a post published since (its receipt) or an unknown post
// matched by reconcile (the found set, taken atomically, so two runs matching
// two posts of the same text at once give the network post to one of them).
// taken reports that it was not free.
func (j *ReconcileJob) attribute(ctx context.Context, p content.Post, externalID string, since, now time.Time) (taken bool, err error) {
	published, err := j.store.PublishedSince(ctx, since)
	if err != nil {
		return false, err
	}
	for _, q := range published {
		if q.Network == p.Network && q.ExternalID == externalID && q.ID != p.ID {
			return true, nil
		}
	}
	key := j.k.reconcileFound(p.Network)
	pipe := j.rdb.TxPipeline()
	// Matches older than any post reconcile still looks for are forgotten.
	pipe.ZRemRangeByScore(ctx, key, "-inf", "("+strconv.FormatInt(now.Add(-2*j.opts.GiveUpAfter).UnixMilli(), 10))
	added := pipe.ZAddNX(ctx, key, redis.Z{Score: float64(now.UnixMilli()), Member: externalID})
	pipe.Expire(ctx, key, 2*j.opts.GiveUpAfter)
	if _, err := pipe.Exec(ctx); err != nil {
		return false, fmt.Errorf("bots: unable to record a reconcile match: %w", err)
	}
	return added.Val() == 0, nil
}

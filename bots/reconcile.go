package bots

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/content"
)

// ReconcileOptions configures the reconcile job; the zero value is usable.
type ReconcileOptions struct {
	// MaxTries bounds how many runs look for one post. Default 10.
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
	store      *content.Store
	networks   *Networks
	publishers map[string]Publisher
	opts       ReconcileOptions
	log        *slog.Logger
}

// NewReconcileJob returns the job; publishers is keyed by network name.
func NewReconcileJob(rdb redis.UniversalClient, prefix string, store *content.Store, networks *Networks, publishers map[string]Publisher, opts ReconcileOptions) *ReconcileJob {
	if opts.MaxTries <= 0 {
		opts.MaxTries = 10
	}
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
	names := make([]string, 0, len(j.publishers))
	for name := range j.publishers {
		names = append(names, name)
	}
	slices.Sort(names)
	var errs []error
	for _, name := range names {
		if err := j.runNetwork(ctx, name); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	return errors.Join(errs...)
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
	key := j.k.reconcileTries(p.ID)
	tries, err := j.rdb.Get(ctx, key).Int()
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("bots: unable to count reconcile tries: %w", err)
	}
	if tries >= j.opts.MaxTries {
		return nil
	}
	pipe := j.rdb.TxPipeline()
	pipe.Incr(ctx, key)
	pipe.Expire(ctx, key, 2*j.opts.GiveUpAfter)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("bots: unable to count reconcile tries: %w", err)
	}
	tries++
	log := j.log.With("post_id", p.ID, "network", p.Network, "try", tries)
	fctx, cancel := context.WithTimeout(ctx, j.opts.Timeout)
	// A minute of slack: the network's clock and ours differ.
	rcpt, found, err := pub.FindRecent(fctx, p.Text, claimed.Add(-time.Minute))
	cancel()
	if err != nil {
		log.Warn("unable to look for the post", "error", err)
		return nil
	}
	if !found {
		if tries == j.opts.MaxTries {
			log.Warn("post not found on the network: left unknown for a person")
		}
		return nil
	}
	_, err = j.store.Found(ctx, p.ID, "system:reconcile", content.Outcome{ExternalID: rcpt.ID, ExternalURL: rcpt.URL, PublishedAt: rcpt.PublishedAt})
	switch {
	case err == nil:
		log.Info("unknown post found on the network", "external_id", rcpt.ID)
	case errors.Is(err, content.ErrWrongState):
		// A person or a late answer settled it meanwhile.
	default:
		return err
	}
	return j.rdb.Del(ctx, key).Err()
}

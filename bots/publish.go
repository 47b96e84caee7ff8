package bots

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fanfarehq/fanfare/content"
)

// Verifier is an optional Publisher method: a cheap authenticated call that
// succeeds when the credentials work (X GET /2/users/me, Graph GET /me). A paused
// network is resumed when it succeeds. Publishers without it are checked with
// FindRecent.
type Verifier interface {
	Verify(ctx context.Context) error
}

// PublishOptions configures the publish job; the zero value is usable.
type PublishOptions struct {
	// Lease is how long a claim holds a post; a post still publishing after it
	// goes unknown. Default 2m.
	Lease time.Duration
	// Timeout bounds one Publish call; it must be shorter than Lease so a live
	// publisher always finishes before its lease ends. A run whose context
	// deadline is closer than Timeout claims nothing more. Default Lease/2.
	Timeout time.Duration
	// MaxPerRun bounds posts sent per network per run. Default 20; 1 when the
	// network has a min spacing, so a backlog (after a pause) drains one slot
	// at a time instead of bursting.
	MaxPerRun int
	// Backoff is the wait before retrying a post that certainly was not sent,
	// by attempts so far. Default 1m doubling, capped at 30m.
	Backoff func(attempts int) time.Duration
	// VerifyEvery spaces the credential checks of a paused network. Default 1m.
	VerifyEvery time.Duration
	// Fold, when set, runs before each network is planned: it withdraws the
	// posts that are no longer true and folds what the network cannot carry
	// alone in time into digests (see Folder).
	Fold   *Folder
	Now    func() time.Time // nil: time.Now
	Logger *slog.Logger     // nil: slog.Default()
	// Registerer receives the job's metrics; nil registers nothing.
	Registerer prometheus.Registerer
}

func defaultBackoff(attempts int) time.Duration {
	d := time.Minute
	for i := 1; i < attempts && d < 30*time.Minute; i++ {
		d *= 2
	}
	return min(d, 30*time.Minute)
}

// PublishJob sends due posts, at most once each: claim (atomic, under a lease),
// publish, record the outcome.
type PublishJob struct {
	store      PublishQueue
	networks   NetworkState
	sched      Planner
	publishers map[string]Publisher
	opts       PublishOptions
	log        *slog.Logger
	m          *publishMetrics
	lastVerify map[string]time.Time // only touched by Run, which the daemon never overlaps
}

// NewPublishJob returns the job. publishers is keyed by network name. The job
// plans each network with sched before sending: new posts, missed slots and
// posts released after a failed attempt all get their slot there. nil sched
// plans without limits, on the queue's own calendar (a SlotCalendar).
func NewPublishJob(store PublishQueue, networks NetworkState, sched Planner, publishers map[string]Publisher, opts PublishOptions) (*PublishJob, error) {
	if opts.Lease <= 0 {
		opts.Lease = 2 * time.Minute
	}
	if opts.Timeout <= 0 {
		opts.Timeout = opts.Lease / 2
	}
	if opts.Timeout >= opts.Lease {
		return nil, fmt.Errorf("bots: publish timeout %s must be shorter than the lease %s", opts.Timeout, opts.Lease)
	}
	if opts.MaxPerRun <= 0 {
		opts.MaxPerRun = 20
	}
	if opts.Backoff == nil {
		opts.Backoff = defaultBackoff
	}
	if opts.VerifyEvery <= 0 {
		opts.VerifyEvery = time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	m, err := newPublishMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	if sched == nil {
		cal, ok := store.(SlotCalendar)
		if !ok {
			return nil, errors.New("bots: the publish job needs a planner when its queue keeps no slot calendar")
		}
		if sched, err = NewScheduler(cal, SchedulerOptions{Now: opts.Now, Logger: log}); err != nil {
			return nil, err
		}
	}
	return &PublishJob{store: store, networks: networks, sched: sched, publishers: publishers,
		opts: opts, log: log.With("job", "publish"), m: m, lastVerify: map[string]time.Time{}}, nil
}

// Run expires what can no longer go out, plans slots, then publishes each
// network's due posts in turn. One network's trouble does not stop the others.
func (j *PublishJob) Run(ctx context.Context) error {
	now := j.opts.Now()
	n, err := j.store.ExpireDue(ctx, now)
	if err != nil {
		return err
	}
	if n > 0 {
		j.log.Info("posts expired", "count", n)
	}
	return eachNetwork(j.publishers, func(name string) error { return j.runNetwork(ctx, name) })
}

func (j *PublishJob) runNetwork(ctx context.Context, network string) (err error) {
	pub := j.publishers[network]
	st, err := j.networks.Status(ctx, network)
	if err != nil {
		return err
	}
	if st.Paused {
		j.m.paused.WithLabelValues(network).Set(1)
		if !j.verify(ctx, network, pub) {
			return nil
		}
	}
	j.m.paused.WithLabelValues(network).Set(0)
	held, err := j.networks.HeldUntil(ctx, network)
	if err != nil {
		return err
	}
	// While a rate limit holds the network, the slots that pass are not
	// planned again run after run (each plan is a line of the post's audit
	// trail, and the new slot would pass too): once the hold ends they are,
	// once, with the slot they really get.
	if !j.opts.Now().Before(held) {
		if err := j.replanMissed(ctx, network); err != nil {
			return err
		}
	}
	if j.opts.Fold != nil {
		// A failed fold leaves the posts as they were: planning and
		// publishing go on, and the run reports the error at its end.
		if _, foldErr := j.opts.Fold.Run(ctx, network); foldErr != nil {
			defer func() { err = errors.Join(foldErr, err) }()
		}
	}
	if err := j.sched.PlanNetwork(ctx, network); err != nil {
		return err
	}
	now := j.opts.Now()
	if now.Before(held) {
		return nil
	}
	limit := j.opts.MaxPerRun
	if j.sched.Limits(network).MinSpacing > 0 {
		limit = 1
	}
	due, err := j.store.Due(ctx, network, now, limit)
	if err != nil {
		return err
	}
	replan := false
	for _, p := range due {
		if err := ctx.Err(); err != nil {
			return err
		}
		// A request the job's deadline cuts short ends unknown for nothing:
		// leave the post to the next run instead.
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < j.opts.Timeout {
			j.log.Info("run ends before its deadline: due posts left for the next run", "network", network, "deadline_in", time.Until(dl).Round(time.Millisecond))
			break
		}
		r, err := j.publishOne(ctx, pub, p)
		if err != nil {
			return err
		}
		replan = replan || r.released
		if r.stop {
			break
		}
	}
	if !replan {
		return nil
	}
	// A post given back without a slot gets its new one now, so the
	// dashboard shows when it will be tried again. A paused network is planned
	// when it resumes.
	if st, err := j.networks.Status(ctx, network); err != nil || st.Paused {
		return err
	}
	return j.sched.PlanNetwork(ctx, network)
}

// missedAfter is how late a slot may be before its post is planned again.
const missedAfter = 10 * time.Minute

// replanMissed gives back the slots that passed long ago (the network was
// paused or held): sending the backlog at once would break the spacing and the
// daily cap, so the scheduler places those posts again, and expires the ones
// that can no longer go out in time. Slots set by a person are kept.
func (j *PublishJob) replanMissed(ctx context.Context, network string) error {
	now := j.opts.Now()
	late := now.Add(-max(missedAfter, j.sched.Limits(network).MinSpacing))
	missed, err := j.store.Due(ctx, network, late, 0)
	if err != nil {
		return err
	}
	for _, p := range missed {
		if strings.HasPrefix(p.SlotNote, "set by ") {
			continue
		}
		reason := "slot " + p.ScheduledAt.Format(time.RFC3339) + " missed: planned again"
		if _, err := j.store.Replan(ctx, p.ID, "system:scheduler", reason); err != nil && !errors.Is(err, content.ErrWrongState) {
			return err
		}
	}
	return nil
}

// verify checks a paused network's credentials, at most every VerifyEvery, and
// resumes it when they work.
func (j *PublishJob) verify(ctx context.Context, network string, pub Publisher) bool {
	now := j.opts.Now()
	if last, ok := j.lastVerify[network]; ok && now.Sub(last) < j.opts.VerifyEvery {
		return false
	}
	j.lastVerify[network] = now
	vctx, cancel := context.WithTimeout(ctx, j.opts.Timeout)
	defer cancel()
	var err error
	if v, ok := pub.(Verifier); ok {
		err = v.Verify(vctx)
	} else {
		_, _, err = pub.FindRecent(vctx, "fanfare: credentials check", now.Add(-time.Minute))
	}
	if err != nil {
		j.log.Info("network still paused", "network", network, "error", err)
		return false
	}
	if _, err := j.networks.Resume(ctx, network); err != nil {
		j.log.Error("unable to resume network", "network", network, "error", err)
		return false
	}
	j.log.Warn("network resumed: credentials work again", "network", network)
	return true
}

func newAttemptID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// sendResult says what one publish attempt means for the rest of the run.
type sendResult struct {
	stop     bool // the network must not be sent to again in this run (rate limited, bad token)
	released bool // the post went back to approved without a slot
}

// expiredReason is recorded on a post whose not_after passed between the
// run's ExpireDue and its claim.
const expiredReason = "not_after passed before it could go out"

// publishOne claims, sends and records one post.
func (j *PublishJob) publishOne(ctx context.Context, pub Publisher, p content.Post) (res sendResult, err error) {
	attempt := newAttemptID()
	claimed, err := j.store.Claim(ctx, p.ID, attempt, j.opts.Lease)
	switch {
	case errors.Is(err, content.ErrNotAfterPassed):
		// The run started before not_after and reached this post after it.
		if _, err := j.store.Expire(ctx, p.ID, "system:publish", expiredReason); err != nil && !errors.Is(err, content.ErrWrongState) {
			return res, err
		}
		j.log.Info("post expired before it could be claimed", "post_id", p.ID, "network", p.Network, "not_after", p.NotAfter)
		return res, nil
	case errors.Is(err, content.ErrWrongState), errors.Is(err, content.ErrNotDue), errors.Is(err, content.ErrNotFound):
		return res, nil // another replica has it, or it moved
	case errors.Is(err, content.ErrNotReplicated):
		// The claim is on the primary only: sending now could send twice
		// after a failover. The post was given back; the replicas lag for
		// every post, so the run stops here.
		j.log.Warn("post not sent: its claim did not reach the Redis replicas (redis.claim_replicas); it is tried again shortly",
			"post_id", p.ID, "network", p.Network, "error", err)
		return sendResult{released: true, stop: true}, nil
	case err != nil:
		return res, err
	}
	log := j.log.With("post_id", p.ID, "network", p.Network, "attempt_id", attempt, "attempts", claimed.Attempts)

	pctx, cancel := context.WithTimeout(ctx, j.opts.Timeout)
	start := time.Now()
	rcpt, perr := pub.Publish(pctx, Message{PostID: p.ID, Text: claimed.Text, Link: claimed.Link,
		ImageURL: claimed.ImageURL, ImageAlt: claimed.ImageAlt, Lang: claimed.Lang})
	cancel()
	j.m.duration.WithLabelValues(p.Network).Observe(time.Since(start).Seconds())

	// The outcome must be recorded even when the run is being canceled: the
	// network has answered.
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer rcancel()
	now := j.opts.Now()
	if perr == nil {
		_, err := j.store.Complete(rctx, p.ID, attempt, content.Outcome{State: content.StatePublished,
			ExternalID: rcpt.ID, ExternalURL: rcpt.URL, PublishedAt: rcpt.PublishedAt})
		j.m.outcomes.WithLabelValues(p.Network, "published").Inc()
		if err != nil {
			// The post exists on the network; its lease will expire to unknown
			// and reconcile will find it.
			log.Error("published but unable to record it", "external_id", rcpt.ID, "error", err)
			return res, nil
		}
		log.Info("post published", "external_id", rcpt.ID, "url", rcpt.URL)
		return res, nil
	}

	kind := ClassifyError(perr)
	msg := perr.Error()
	var pe *Error
	if errors.As(perr, &pe) && pe.Message != "" {
		msg = pe.Message
	}
	j.m.outcomes.WithLabelValues(p.Network, kind.String()).Inc()
	log = log.With("kind", kind.String(), "error", perr)
	complete := func(st content.State) error {
		_, err := j.store.Complete(rctx, p.ID, attempt, content.Outcome{State: st, Error: msg})
		return err
	}
	// A released post is planned again by the scheduler, no earlier than at,
	// within the network's spacing, cap and quiet hours.
	release := func(at time.Time, reason string) error {
		_, err := j.store.Release(rctx, p.ID, attempt, at, reason)
		res.released = res.released || err == nil
		return err
	}
	switch kind {
	case KindDuplicate:
		log.Warn("network says duplicate")
		err = complete(content.StateDuplicate)
	case KindInvalid, KindBlocked:
		log.Warn("network refused the post")
		err = complete(content.StateFailed)
	case KindNotSent:
		retry := now.Add(j.opts.Backoff(claimed.Attempts))
		log.Info("post not sent: retrying later", "retry_at", retry)
		err = release(retry, "not sent: "+msg)
	case KindRateLimited:
		retry := now.Add(time.Minute)
		if pe != nil && pe.RetryAt.After(now) {
			retry = pe.RetryAt
		}
		log.Warn("rate limited: holding the network", "retry_at", retry)
		// The hold keeps every post of the network back until the reset, not
		// only this one.
		err = errors.Join(j.networks.Hold(rctx, p.Network, retry), release(retry, "rate limited: "+msg))
		res.stop = true
	case KindAuth:
		log.Error("credentials refused: pausing the network")
		if _, perr := j.networks.Pause(rctx, p.Network, msg); perr != nil {
			err = perr
		}
		j.m.paused.WithLabelValues(p.Network).Set(1)
		j.lastVerify[p.Network] = now
		// Planned again when the network resumes.
		err = errors.Join(err, release(time.Time{}, "paused: "+msg))
		res.stop = true
	default: // KindAmbiguous and anything unclassified: the post may exist.
		log.Warn("publish outcome unknown: reconcile will look for it")
		err = complete(content.StateUnknown)
	}
	if err != nil {
		log.Error("unable to record the publish outcome", "record_error", err)
	}
	return res, nil
}

type publishMetrics struct {
	outcomes *prometheus.CounterVec
	duration *prometheus.HistogramVec
	paused   *prometheus.GaugeVec
}

func newPublishMetrics(reg prometheus.Registerer) (*publishMetrics, error) {
	m := &publishMetrics{
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fanfare_publish_attempts_total",
			Help: "Publish attempts by network and outcome (published or the error kind)."}, []string{"network", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "fanfare_publish_duration_seconds",
			Help: "Time the network took to answer a publish.", Buckets: prometheus.DefBuckets}, []string{"network"}),
		paused: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "fanfare_network_paused",
			Help: "1 while a network is paused by a broken token."}, []string{"network"}),
	}
	if reg == nil {
		return m, nil
	}
	var err error
	m.outcomes, err = register(reg, m.outcomes)
	if err != nil {
		return nil, err
	}
	m.duration, err = register(reg, m.duration)
	if err != nil {
		return nil, err
	}
	m.paused, err = register(reg, m.paused)
	return m, err
}

// register registers c, or returns the collector already registered under its
// name (several jobs in one process share the metrics).
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing, nil
			}
		}
		return c, fmt.Errorf("bots: unable to register metrics: %w", err)
	}
	return c, nil
}

package bots

import (
	"context"
	"time"

	"github.com/fanfarehq/fanfare/content"
)

// The jobs depend on what they use of the post queue, not on its Redis
// implementation: *content.Store implements every interface below, and
// content/contenttest.Queue is an in-memory PublishQueue and ReconcileQueue
// for unit tests. The
// interfaces live here, beside the jobs that use them, so that a job's needs
// are read in one place and a test fake implements only those.

// PublishQueue is what the publish job does with posts: expire, find the due
// ones, claim one under a lease, record its outcome or give it back.
type PublishQueue interface {
	ExpireDue(ctx context.Context, now time.Time) (int, error)
	Due(ctx context.Context, network string, now time.Time, limit int) ([]content.Post, error)
	Replan(ctx context.Context, id, actor, reason string) (content.Post, error)
	Claim(ctx context.Context, id, attemptID string, lease time.Duration) (content.Post, error)
	Expire(ctx context.Context, id, actor, reason string) (content.Post, error)
	Complete(ctx context.Context, id, attemptID string, o content.Outcome) (content.Post, error)
	Release(ctx context.Context, id, attemptID string, notBefore time.Time, reason string) (content.Post, error)
}

// SlotCalendar is what the scheduler reads and takes of a network's posting
// slots; ReserveSlot re-checks the limits atomically, so replicas planning at
// once agree.
type SlotCalendar interface {
	Unscheduled(ctx context.Context, network string) ([]content.Post, error)
	Scheduled(ctx context.Context, network string, from, to time.Time) ([]content.Post, error)
	NotBefore(ctx context.Context, ids []string) (map[string]time.Time, error)
	SlotTimes(ctx context.Context, network string, from, to time.Time) ([]time.Time, error)
	CampaignSlotTimes(ctx context.Context, network, campaignID string, from, to time.Time) ([]time.Time, error)
	PruneSlots(ctx context.Context, network string, before time.Time) error
	ReserveSlot(ctx context.Context, id string, at time.Time, note string, g content.SlotGuard) error
	MoveSlot(ctx context.Context, id string, at time.Time, g content.SlotGuard, actor string) (content.Post, error)
	Unschedule(ctx context.Context, id, actor, reason string) (content.Post, error)
	ExpireUnplaced(ctx context.Context, id, actor, reason string) (bool, error)
}

// PublishedPosts lists what went out: the engagement job reads their metrics,
// the good-hours learner their times.
type PublishedPosts interface {
	PublishedSince(ctx context.Context, since time.Time) ([]content.Post, error)
}

// ReconcileQueue is what the reconcile job does with posts whose outcome is
// unknown: find them, and mark the ones found on the network published.
type ReconcileQueue interface {
	PublishedPosts
	ExpireLeases(ctx context.Context, now time.Time) ([]content.Post, error)
	List(ctx context.Context, o content.ListOptions) ([]content.Post, int, error)
	ClaimedAt(ctx context.Context, id string) (time.Time, error)
	Found(ctx context.Context, id, actor string, o content.Outcome) (content.Post, error)
}

// FoldQueue is what the Folder does with waiting posts: read them and the
// slots they compete for, fold them into digests (a bundle's open post is
// revised or created under a compare-and-set, so replicas folding at once
// agree) and expire what a digest now tells.
type FoldQueue interface {
	Waiting(ctx context.Context, network string) ([]content.Post, error)
	SlotTimes(ctx context.Context, network string, from, to time.Time) ([]time.Time, error)
	CampaignsSlotTimes(ctx context.Context, network string, campaignIDs []string, from, to time.Time) (map[string][]time.Time, error)
	OpenBundle(ctx context.Context, b content.Bundle) (content.Post, bool, error)
	CreateBundled(ctx context.Context, d content.Draft, cas content.BundleCAS, members []string) (content.Post, bool, error)
	Revise(ctx context.Context, p content.Post, r content.Revision) (content.Post, bool, error)
	Expire(ctx context.Context, id, actor, reason string) (content.Post, error)
	NewID() string
}

// NetworkState is the shared publishing state of the networks (pause on a
// broken token, hold on a rate limit); *Networks keeps it in Redis.
type NetworkState interface {
	Status(ctx context.Context, network string) (NetworkStatus, error)
	Pause(ctx context.Context, network, reason string) (bool, error)
	Resume(ctx context.Context, network string) (bool, error)
	Hold(ctx context.Context, network string, until time.Time) error
	HeldUntil(ctx context.Context, network string) (time.Time, error)
}

// Planner gives a network's approved posts their slots before the publish job
// sends the due ones; *Scheduler is the one the daemon uses.
type Planner interface {
	PlanNetwork(ctx context.Context, network string) error
	Limits(network string) NetworkLimits
}

var (
	_ PublishQueue   = (*content.Store)(nil)
	_ SlotCalendar   = (*content.Store)(nil)
	_ ReconcileQueue = (*content.Store)(nil)
	_ FoldQueue      = (*content.Store)(nil)
	_ NetworkState   = (*Networks)(nil)
	_ Planner        = (*Scheduler)(nil)
)

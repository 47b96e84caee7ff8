package content

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Outcome is what a publish attempt ended with.
type Outcome struct {
	State       State // published, failed, unknown or duplicate
	ExternalID  string
	ExternalURL string
	PublishedAt time.Time // zero: now
	Error       string    // the network's words, for failed, unknown and duplicate
	Actor       string    // "" means "system:publish"
}

func (o Outcome) check() error {
	switch o.State {
	case StatePublished:
		if o.ExternalID == "" {
			return &FieldError{Field: "external_id", Message: "is required for a published post"}
		}
	case StateFailed, StateUnknown, StateDuplicate:
	default:
		return &FieldError{Field: "state", Message: fmt.Sprintf("a publish attempt cannot end %q", o.State)}
	}
	return nil
}

// Due returns a network's approved posts whose slot is at or before now, by
// priority then slot, at most limit (0: all).
func (s *Store) Due(ctx context.Context, network string, now time.Time, limit int) ([]Post, error) {
	ids, err := s.rdb.ZRangeByScore(ctx, s.k.scheduled(network), &redis.ZRangeBy{Min: "-inf", Max: msString(now)}).Result()
	if err != nil {
		return nil, fmt.Errorf("content: unable to list due posts: %w", err)
	}
	posts, err := s.load(ctx, ids)
	if err != nil {
		return nil, err
	}
	sortForSlots(posts)
	if limit > 0 && len(posts) > limit {
		posts = posts[:limit]
	}
	return posts, nil
}

// Unscheduled returns a network's approved posts without a slot, by priority
// then age: the order in which the scheduler hands out slots.
func (s *Store) Unscheduled(ctx context.Context, network string) ([]Post, error) {
	ids, err := s.rdb.ZRange(ctx, s.k.unscheduled(network), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("content: unable to list unscheduled posts: %w", err)
	}
	posts, err := s.load(ctx, ids)
	if err != nil {
		return nil, err
	}
	sortForSlots(posts)
	return posts, nil
}

// SlotGuard is what ReserveSlot re-checks against the network's calendar in
// the same atomic step as it takes the slot. Zero fields check nothing.
type SlotGuard struct {
	MinSpacing      time.Duration
	CampaignSpacing time.Duration
	DailyCap        int
	DayStart        time.Time // the slot's calendar day, in the platform's zone
	DayEnd          time.Time // excluded
	// Forget drops the campaign's slots before it from its calendar (zero:
	// none), as PruneSlots does for the network's: nothing else prunes them.
	Forget time.Time
}

// ReserveSlot gives an approved post without a slot its slot if the slot still
// fits the guard and is not before the post's retry time (see Release);
// otherwise ErrSlotTaken (plan again) or ErrScheduled (another replica already
// placed it). The zero guard checks only the retry time.
func (s *Store) ReserveSlot(ctx context.Context, id string, at time.Time, note string, g SlotGuard) error {
	_, err := s.takeSlot(ctx, id, at, note, g, "system:scheduler", "")
	return err
}

// MoveSlot is a person's move of an approved post to at: the guard is
// checked against the calendar without the post's own slot, in the same
// atomic step as the move, so two people (or a person and the scheduler)
// cannot fill one hour past the network's limits; otherwise ErrSlotTaken.
// A retry time the publisher asked for does not bind a person's slot.
func (s *Store) MoveSlot(ctx context.Context, id string, at time.Time, g SlotGuard, actor string) (Post, error) {
	if err := needActor(actor); err != nil {
		return Post{}, err
	}
	return s.takeSlot(ctx, id, at, "set by "+actor, g, actor, "move")
}

// takeSlot runs reserveSlotScript: mode "" reserves for the scheduler,
// "move" moves for a person.
func (s *Store) takeSlot(ctx context.Context, id string, at time.Time, note string, g SlotGuard, actor, mode string) (Post, error) {
	now := s.now()
	dayStart, dayEnd := msString(g.DayStart), msString(g.DayEnd)
	if dayStart == "" || dayEnd == "" {
		dayStart, dayEnd = "0", "0"
	}
	args := []any{id, msString(at), note, msString(now), stamp(now), actor,
		g.MinSpacing.Milliseconds(), g.CampaignSpacing.Milliseconds(), dayStart, dayEnd, g.DailyCap, msString(g.Forget), mode}
	keys, err := s.postKeys(ctx, id)
	if err != nil {
		return Post{}, err
	}
	action := "schedule"
	if mode == "move" {
		action = "move"
	}
	res, err := reserveSlotScript.Run(ctx, s.rdb, keys, args...).Result()
	if err != nil {
		return Post{}, scriptError(id, action, "", err)
	}
	p, ok := postFromHash(pairsToMap(res))
	if !ok {
		return Post{}, fmt.Errorf("content: %s post %q: %w", action, id, ErrNotFound)
	}
	return p, nil
}

// SlotTimes returns the times a network's slots are used between from and to
// (approved and publishing posts by slot, published ones by publish time,
// unknown ones by slot since they may have gone out).
func (s *Store) SlotTimes(ctx context.Context, network string, from, to time.Time) ([]time.Time, error) {
	return s.slotTimes(ctx, s.k.slots(network), from, to)
}

// CampaignSlotTimes is SlotTimes for one campaign's posts, for campaign spacing.
func (s *Store) CampaignSlotTimes(ctx context.Context, network, campaignID string, from, to time.Time) ([]time.Time, error) {
	return s.slotTimes(ctx, s.k.campaignSlots(network, campaignID), from, to)
}

// CampaignsSlotTimes is CampaignSlotTimes for several campaigns in one round
// trip, keyed by campaign id.
func (s *Store) CampaignsSlotTimes(ctx context.Context, network string, campaignIDs []string, from, to time.Time) (map[string][]time.Time, error) {
	out := make(map[string][]time.Time, len(campaignIDs))
	if len(campaignIDs) == 0 {
		return out, nil
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.ZSliceCmd, len(campaignIDs))
	for i, c := range campaignIDs {
		cmds[i] = pipe.ZRangeByScoreWithScores(ctx, s.k.campaignSlots(network, c), &redis.ZRangeBy{Min: msString(from), Max: msString(to)})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("content: unable to read campaign slots: %w", err)
	}
	for i, c := range cmds {
		for _, z := range c.Val() {
			out[campaignIDs[i]] = append(out[campaignIDs[i]], time.UnixMilli(int64(z.Score)).UTC())
		}
	}
	return out, nil
}

func (s *Store) slotTimes(ctx context.Context, key string, from, to time.Time) ([]time.Time, error) {
	zs, err := s.rdb.ZRangeByScoreWithScores(ctx, key, &redis.ZRangeBy{Min: msString(from), Max: msString(to)}).Result()
	if err != nil {
		return nil, fmt.Errorf("content: unable to read slots: %w", err)
	}
	out := make([]time.Time, len(zs))
	for i, z := range zs {
		out[i] = time.UnixMilli(int64(z.Score)).UTC()
	}
	return out, nil
}

// PruneSlots forgets a network's slot times before the given time (the
// calendar only needs the current day and spacing windows).
func (s *Store) PruneSlots(ctx context.Context, network string, before time.Time) error {
	if err := s.rdb.ZRemRangeByScore(ctx, s.k.slots(network), "-inf", "("+msString(before)).Err(); err != nil {
		return fmt.Errorf("content: unable to prune slots: %w", err)
	}
	return nil
}

// Claim moves a due approved post to publishing under a lease held by
// attemptID, counting one more attempt. Two claimers of one post: one gets
// ErrWrongState. A post whose slot has not come gets ErrNotDue; one whose
// not_after has passed gets ErrNotAfterPassed and stays approved for the
// caller to expire (ExpireDue may not have run since it passed).
func (s *Store) Claim(ctx context.Context, id, attemptID string, lease time.Duration) (Post, error) {
	if attemptID == "" || lease <= 0 {
		return Post{}, fmt.Errorf("content: claim post %s: an attempt id and a positive lease are required", id)
	}
	now := s.now()
	p, err := s.apply(ctx, id, change{from: []State{StateApproved}, to: StatePublishing,
		actor: "system:publish", action: "claim", reason: "attempt " + attemptID, dueBy: now, liveAt: now, countTry: true,
		set:     []string{"attempt_id", attemptID, "lease_until", msString(now.Add(lease)), "claimed_at", msString(now)},
		durable: true})
	if errors.Is(err, ErrNotReplicated) {
		// Not sent: a failover now could lose the claim. The post goes back
		// to be placed again a little later, when the replicas have caught up.
		reason := "not sent: " + strings.TrimPrefix(err.Error(), "content: ")
		if _, rerr := s.Release(ctx, id, attemptID, now.Add(notReplicatedRetry), reason); rerr != nil {
			return Post{}, fmt.Errorf("content: claim of post %s not replicated (%w), and unable to give it back: %w", id, err, rerr)
		}
		return Post{}, fmt.Errorf("content: claim of post %s: %w", id, err)
	}
	return p, err
}

// notReplicatedRetry is how long a post whose claim did not reach the
// replicas waits before it is tried again.
const notReplicatedRetry = 30 * time.Second

// Complete records how a publish attempt ended. Only the attempt that holds the
// post may complete it (ErrStaleAttempt otherwise); an attempt whose lease ran
// out (the post went unknown) may still land its answer.
func (s *Store) Complete(ctx context.Context, id, attemptID string, o Outcome) (Post, error) {
	if err := o.check(); err != nil {
		return Post{}, err
	}
	if attemptID == "" {
		return Post{}, fmt.Errorf("content: complete post %s: an attempt id is required", id)
	}
	actor := o.Actor
	if actor == "" {
		actor = "system:publish"
	}
	set := []string{"lease_until", ""}
	if o.State == StatePublished {
		at := o.PublishedAt
		if at.IsZero() {
			at = s.now()
		}
		set = append(set, "external_id", o.ExternalID, "external_url", o.ExternalURL,
			"published_at", msString(at), "last_error", "")
	} else {
		set = append(set, "last_error", o.Error)
	}
	return s.apply(ctx, id, change{from: []State{StatePublishing, StateUnknown}, to: o.State,
		actor: actor, action: "complete", reason: o.Error, attemptID: attemptID, set: set})
}

// Found marks an unknown post published with what reconcile found on the
// network.
func (s *Store) Found(ctx context.Context, id, actor string, o Outcome) (Post, error) {
	o.State = StatePublished
	if err := o.check(); err != nil {
		return Post{}, err
	}
	at := o.PublishedAt
	if at.IsZero() {
		at = s.now()
	}
	return s.apply(ctx, id, change{from: []State{StateUnknown}, to: StatePublished, actor: actor,
		action: "reconcile", reason: "found on the network",
		set: []string{"external_id", o.ExternalID, "external_url", o.ExternalURL, "published_at", msString(at),
			"last_error", "", "lease_until", ""}})
}

// Release gives a publishing post back to approved, without a slot, to be
// planned again no earlier than notBefore (zero: as soon as a slot fits). Only
// for outcomes where the network certainly did not create the post (not sent,
// rate limited, bad token). The post does not keep a slot of its own: the
// scheduler places it through ReserveSlot, so a retry never breaks the
// network's spacing, daily cap or quiet hours.
func (s *Store) Release(ctx context.Context, id, attemptID string, notBefore time.Time, reason string) (Post, error) {
	return s.apply(ctx, id, change{from: []State{StatePublishing}, to: StateApproved,
		actor: "system:publish", action: "release", reason: reason, attemptID: attemptID,
		set: []string{"scheduled_at", "", "slot_note", "", "not_before", msString(notBefore),
			"last_error", reason, "lease_until", "", "attempt_id", ""}})
}

// NotBefore returns the retry times of released posts among ids (see
// Release); posts without one are absent from the map.
func (s *Store) NotBefore(ctx context.Context, ids []string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	if len(ids) == 0 {
		return out, nil
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.StringCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.HGet(ctx, s.k.post(id), "not_before")
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("content: unable to read retry times: %w", err)
	}
	for i, c := range cmds {
		if t := msTime(c.Val()); !t.IsZero() {
			out[ids[i]] = t
		}
	}
	return out, nil
}

// ExpireLeases moves publishing posts whose lease ended at or before now to
// unknown (the publisher crashed or hung mid-request: the post may exist) and
// returns them. They are never put back to approved: reconcile looks for them.
func (s *Store) ExpireLeases(ctx context.Context, now time.Time) ([]Post, error) {
	ids, err := s.rdb.ZRangeByScore(ctx, s.k.leases(), &redis.ZRangeBy{Min: "-inf", Max: msString(now)}).Result()
	if err != nil {
		return nil, fmt.Errorf("content: unable to list expired leases: %w", err)
	}
	var out []Post
	for _, id := range ids {
		reason := "publish lease expired: the request may have gone through"
		p, err := s.apply(ctx, id, change{from: []State{StatePublishing}, to: StateUnknown,
			actor: "system:reconcile", action: "lease_expired", reason: reason, leaseBy: now,
			set: []string{"last_error", reason, "lease_until", ""}})
		switch {
		case err == nil:
			out = append(out, p)
		case errors.Is(err, ErrWrongState), errors.Is(err, ErrNotFound):
			// Completed meanwhile.
		default:
			return out, err
		}
	}
	return out, nil
}

// PublishedSince returns posts that entered published at or after since.
func (s *Store) PublishedSince(ctx context.Context, since time.Time) ([]Post, error) {
	ids, err := s.rdb.ZRangeByScore(ctx, s.k.state(StatePublished), &redis.ZRangeBy{Min: msString(since), Max: "+inf"}).Result()
	if err != nil {
		return nil, fmt.Errorf("content: unable to list published posts: %w", err)
	}
	return s.load(ctx, ids)
}

// ClaimedAt returns when the post was last claimed (zero if never): reconcile
// searches the network's timeline from there.
func (s *Store) ClaimedAt(ctx context.Context, id string) (time.Time, error) {
	v, err := s.rdb.HGet(ctx, s.k.post(id), "claimed_at").Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return time.Time{}, fmt.Errorf("content: unable to read post %s: %w", id, err)
	}
	return msTime(v), nil
}

// Scheduled returns a network's approved posts whose slot lies in [from, to].
func (s *Store) Scheduled(ctx context.Context, network string, from, to time.Time) ([]Post, error) {
	ids, err := s.rdb.ZRangeByScore(ctx, s.k.scheduled(network), &redis.ZRangeBy{Min: msString(from), Max: msString(to)}).Result()
	if err != nil {
		return nil, fmt.Errorf("content: unable to list scheduled posts: %w", err)
	}
	return s.load(ctx, ids)
}

// Unschedule takes an approved post's slot back (it gave it to a more urgent
// post), if the slot has not come yet: a due post may be being claimed.
func (s *Store) Unschedule(ctx context.Context, id, actor, reason string) (Post, error) {
	p, err := s.apply(ctx, id, change{from: []State{StateApproved}, actor: actor, action: "unschedule", reason: reason,
		notDueBy: s.now(), set: []string{"scheduled_at", "", "slot_note", ""}})
	return p, err
}

// Replan takes an approved post's slot back whatever its time, so the
// scheduler places it again (a slot missed while the network was paused).
func (s *Store) Replan(ctx context.Context, id, actor, reason string) (Post, error) {
	return s.apply(ctx, id, change{from: []State{StateApproved}, actor: actor, action: "unschedule", reason: reason,
		set: []string{"scheduled_at", "", "slot_note", ""}})
}

package content

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// change describes one run of transitionScript.
type change struct {
	from        []State // allowed current states
	to          State   // "" keeps the state
	actor       string
	action      string // audit verb, also used in error messages
	reason      string
	attemptID   string    // the post must be held by this claim
	dueBy       time.Time // the post's slot must be at or before this
	notDueBy    time.Time // the post's slot must be after this
	notAfterBy  time.Time // the post's not_after must be at or before this
	liveAt      time.Time // the post's not_after, if any, must be after this
	leaseBy     time.Time // the post's lease must have ended by this
	unscheduled bool      // the post must have no slot
	countTry    bool      // one more publish attempt
	set         []string  // field/value pairs; an empty value deletes
	// durable: the change must reach the configured replicas before the
	// caller acts on it (a claim: see durableTransition).
	durable bool
}

func (s *Store) apply(ctx context.Context, id string, c change) (Post, error) {
	now := s.now()
	from := make([]string, len(c.from))
	for i, st := range c.from {
		from[i] = string(st)
	}
	flag := func(b bool) string {
		if b {
			return "1"
		}
		return ""
	}
	args := []any{id, strings.Join(from, " "), string(c.to), msString(now), stamp(now),
		c.actor, c.action, c.reason, c.attemptID, msString(c.dueBy), msString(c.notAfterBy),
		msString(c.leaseBy), flag(c.unscheduled), flag(c.countTry), msString(c.notDueBy), msString(c.liveAt)}
	for _, f := range c.set {
		args = append(args, f)
	}
	keys, err := s.postKeys(ctx, id)
	if err != nil {
		return Post{}, err
	}
	var res any
	var notReplicated error
	if c.durable && s.replicas > 0 {
		res, err = s.durableTransition(ctx, keys, args)
		if errors.Is(err, ErrNotReplicated) {
			notReplicated, err = err, nil
		}
	} else {
		res, err = transitionScript.Run(ctx, s.rdb, keys, args...).Result()
	}
	if err != nil {
		return Post{}, scriptError(id, c.action, c.attemptID, err)
	}
	p, ok := postFromHash(pairsToMap(res))
	if !ok {
		return Post{}, fmt.Errorf("content: %s post %q: %w", c.action, id, ErrNotFound)
	}
	return p, notReplicated
}

// scriptError turns a script's FANFARE_* error reply into the package's errors,
// naming the post and, for state errors, the state it is in.
func scriptError(id, action, attemptID string, err error) error {
	var rerr redis.Error
	if !errors.As(err, &rerr) {
		return fmt.Errorf("content: unable to %s post %s: %w", action, id, err)
	}
	// Redis prefixes "ERR " to replies without a space in them.
	code, detail, _ := strings.Cut(strings.TrimPrefix(err.Error(), "ERR "), " ")
	switch code {
	case "FANFARE_NOTFOUND":
		return fmt.Errorf("content: cannot %s post %q: %w", action, id, ErrNotFound)
	case "FANFARE_WRONGSTATE":
		return fmt.Errorf("content: cannot %s post %s: it is %s: %w", action, id, detail, ErrWrongState)
	case "FANFARE_STALE":
		return fmt.Errorf("content: cannot %s post %s: attempt %s no longer holds it (it is %s): %w", action, id, attemptID, detail, ErrStaleAttempt)
	case "FANFARE_DUE":
		return fmt.Errorf("content: cannot %s post %s: its slot has come: %w", action, id, ErrWrongState)
	case "FANFARE_NOTDUE":
		return fmt.Errorf("content: cannot %s post %s: %w", action, id, ErrNotDue)
	case "FANFARE_NOTEXPIRED":
		return fmt.Errorf("content: cannot %s post %s: its not_after has not passed: %w", action, id, ErrWrongState)
	case "FANFARE_LEASED":
		return fmt.Errorf("content: cannot %s post %s: its lease has not ended: %w", action, id, ErrWrongState)
	case "FANFARE_SCHEDULED":
		return fmt.Errorf("content: cannot %s post %s: %w", action, id, ErrScheduled)
	case "FANFARE_EXPIRED":
		return fmt.Errorf("content: cannot %s post %s: its not_after %s has passed: %w", action, id, msTime(detail).Format(time.RFC3339), ErrNotAfterPassed)
	case "FANFARE_SLOTTAKEN":
		return fmt.Errorf("content: cannot %s post %s: %s: %w", action, id, detail, ErrSlotTaken)
	}
	return fmt.Errorf("content: unable to %s post %s: %w", action, id, err)
}

func needActor(actor string) error {
	if strings.TrimSpace(actor) == "" {
		return &FieldError{Field: "actor", Message: "is required: every change records who made it"}
	}
	return nil
}

// Approve moves a pending post to approved; the scheduler gives it a slot.
func (s *Store) Approve(ctx context.Context, id, actor string) (Post, error) {
	if err := needActor(actor); err != nil {
		return Post{}, err
	}
	return s.apply(ctx, id, change{from: []State{StatePending}, to: StateApproved, actor: actor, action: "approve",
		set: []string{"approved_by", actor}})
}

// Reject moves a pending (or approved, not yet publishing) post to rejected.
// The reason is required: it is shown in the audit trail.
func (s *Store) Reject(ctx context.Context, id, actor, reason string) (Post, error) {
	if err := needActor(actor); err != nil {
		return Post{}, err
	}
	if strings.TrimSpace(reason) == "" {
		return Post{}, &FieldError{Field: "reason", Message: "is required to reject a post"}
	}
	return s.apply(ctx, id, change{from: []State{StatePending, StateApproved}, to: StateRejected,
		actor: actor, action: "reject", reason: reason,
		set: []string{"scheduled_at", "", "slot_note", ""}})
}

// Expire moves a pending or approved post to expired with a reason (the
// scheduler uses it when no slot fits before not_after).
func (s *Store) Expire(ctx context.Context, id, actor, reason string) (Post, error) {
	return s.apply(ctx, id, change{from: []State{StatePending, StateApproved}, to: StateExpired,
		actor: actor, action: "expire", reason: reason, set: []string{"last_error", reason}})
}

// ExpireDue expires every pending or approved post whose not_after is at or
// before now, and returns how many it expired.
func (s *Store) ExpireDue(ctx context.Context, now time.Time) (int, error) {
	ids, err := s.rdb.ZRangeByScore(ctx, s.k.notAfter(), &redis.ZRangeBy{Min: "-inf", Max: msString(now)}).Result()
	if err != nil {
		return 0, fmt.Errorf("content: unable to list expiring posts: %w", err)
	}
	n := 0
	for _, id := range ids {
		expired, err := s.expireIfWaiting(ctx, id, change{actor: "system:expire",
			reason: "not_after passed before the post could go out", notAfterBy: now})
		if err != nil {
			return n, err
		}
		if expired {
			n++
		}
	}
	return n, nil
}

// expireIfWaiting expires a post still pending or approved, with c's actor,
// reason and guards. A post that moved on since the caller listed it (claimed,
// published, decided by a person, deleted) is left alone: false, no error.
func (s *Store) expireIfWaiting(ctx context.Context, id string, c change) (bool, error) {
	c.from = []State{StatePending, StateApproved}
	c.to = StateExpired
	c.action = "expire"
	c.set = []string{"last_error", c.reason}
	_, err := s.apply(ctx, id, c)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrWrongState), errors.Is(err, ErrNotFound):
		return false, nil
	}
	return false, err
}

// Edit changes a pending or approved post. The text is checked again; an edit of
// an approved post keeps it approved but gives up its slot, so the scheduler
// places it again (unless the edit sets ScheduledAt itself).
func (s *Store) Edit(ctx context.Context, id string, e Edit, actor string) (Post, error) {
	if err := needActor(actor); err != nil {
		return Post{}, err
	}
	// The network never changes, and the state read here is re-checked by the
	// script: a post that moved meanwhile is read again.
	for range 3 {
		cur, err := s.Get(ctx, id)
		if err != nil {
			return Post{}, err
		}
		if cur.State != StatePending && cur.State != StateApproved {
			return Post{}, fmt.Errorf("content: cannot edit post %s: it is %s: %w", id, cur.State, ErrWrongState)
		}
		var set, what []string
		if e.Text != nil {
			if err := s.checkText(cur.Network, *e.Text); err != nil {
				return Post{}, err
			}
			set, what = append(set, "text", *e.Text), append(what, "text")
			if !strings.HasPrefix(actor, "system:") {
				// A person's words: merges and folds no longer rewrite them.
				set = append(set, "edited_by", actor)
			}
		}
		if e.Link != nil {
			if err := checkLink(*e.Link); err != nil {
				return Post{}, err
			}
			set, what = append(set, "link", *e.Link), append(what, "link")
		}
		if e.NotAfter != nil {
			set, what = append(set, "not_after", msString(*e.NotAfter)), append(what, "not_after")
		}
		if e.ScheduledAt != nil {
			note := ""
			if !e.ScheduledAt.IsZero() {
				note = "set by " + actor
			}
			// A person's slot overrides a retry time the publisher asked for.
			set, what = append(set, "scheduled_at", msString(*e.ScheduledAt), "slot_note", note, "not_before", ""), append(what, "scheduled_at")
		} else if cur.State == StateApproved {
			set = append(set, "scheduled_at", "", "slot_note", "")
		}
		if len(what) == 0 {
			return Post{}, &FieldError{Field: "edit", Message: "nothing to change"}
		}
		p, err := s.apply(ctx, id, change{from: []State{cur.State}, actor: actor, action: "edit",
			reason: "changed " + strings.Join(what, ", "), set: set})
		if errors.Is(err, ErrWrongState) {
			continue
		}
		return p, err
	}
	return Post{}, fmt.Errorf("content: cannot edit post %s: it keeps changing state: %w", id, ErrWrongState)
}

// Retry moves a failed, unknown or duplicate post back to approved, to be
// scheduled again. A person decides it: the post may already be on the network.
func (s *Store) Retry(ctx context.Context, id, actor string) (Post, error) {
	if err := needActor(actor); err != nil {
		return Post{}, err
	}
	return s.apply(ctx, id, change{from: []State{StateFailed, StateUnknown, StateDuplicate}, to: StateApproved,
		actor: actor, action: "retry",
		set: []string{"scheduled_at", "", "slot_note", "", "not_before", "", "attempt_id", "", "lease_until", "", "last_error", ""}})
}

// Resolve settles an unknown, failed or duplicate post by hand: published
// (with the URL a person found on the network; for a duplicate, the earlier
// post with the same text) or discarded (rejected, with a reason).
func (s *Store) Resolve(ctx context.Context, id, actor string, r Resolution) (Post, error) {
	if err := needActor(actor); err != nil {
		return Post{}, err
	}
	from := []State{StateUnknown, StateFailed, StateDuplicate}
	if r.Published {
		if !strings.HasPrefix(r.ExternalURL, "https://") && !strings.HasPrefix(r.ExternalURL, "http://") {
			return Post{}, &FieldError{Field: "external_url", Message: "the post's URL on the network (http or https) is required"}
		}
		reason := r.Reason
		if reason == "" {
			reason = "found on the network"
		}
		return s.apply(ctx, id, change{from: from, to: StatePublished, actor: actor, action: "resolve", reason: reason,
			set: []string{"external_url", r.ExternalURL, "external_id", r.ExternalID,
				"published_at", msString(s.now()), "attempt_id", "", "lease_until", "", "last_error", ""}})
	}
	if strings.TrimSpace(r.Reason) == "" {
		return Post{}, &FieldError{Field: "reason", Message: "is required to discard a post"}
	}
	return s.apply(ctx, id, change{from: from, to: StateRejected, actor: actor, action: "resolve", reason: r.Reason,
		set: []string{"attempt_id", "", "lease_until", ""}})
}

// ExpireUnplaced expires a pending or approved post that still has no slot
// (the scheduler found none before its not_after). A post another replica or
// a person placed meanwhile is left alone: false, no error.
func (s *Store) ExpireUnplaced(ctx context.Context, id, actor, reason string) (bool, error) {
	return s.expireIfWaiting(ctx, id, change{actor: actor, reason: reason, unscheduled: true})
}

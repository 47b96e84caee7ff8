// Package contenttest holds an in-memory post queue for unit tests of the
// code that uses content.Store through small interfaces (the bots jobs). It
// follows the store's documented rules for the states and conditions of each
// call (claim only a due approved post, complete only with the attempt that
// holds it, …) with the same errors, so that job logic is tested without
// Redis; what needs Redis's atomicity (several replicas at once) is still
// tested against content.Store.
package contenttest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/fanfarehq/fanfare/content"
)

// Queue is an in-memory post queue. The zero value is not usable: call New.
type Queue struct {
	mu    sync.Mutex
	now   func() time.Time
	posts map[string]*entry

	// Fail, when set, is asked before each call (method name such as
	// "Claim", post id or network); an error it returns is the call's.
	Fail func(method, key string) error
}

type entry struct {
	post       content.Post
	attemptID  string
	leaseUntil time.Time
	claimedAt  time.Time
	notBefore  time.Time
	entered    time.Time // when the post entered its state
}

// New returns an empty queue whose clock is now (nil: time.Now).
func New(now func() time.Time) *Queue {
	if now == nil {
		now = time.Now
	}
	return &Queue{now: now, posts: map[string]*entry{}}
}

// Put stores p as it is (the test sets its state, slot and the rest),
// replacing any post with its id. CreatedAt and UpdatedAt default to now.
func (q *Queue) Put(p content.Post) {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.now()
	if p.CreatedAt.IsZero() {
		p.CreatedAt = now
	}
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = now
	}
	q.posts[p.ID] = &entry{post: p, entered: p.UpdatedAt}
}

// Get returns a post as stored, audit included.
func (q *Queue) Get(id string) (content.Post, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	e, ok := q.posts[id]
	if !ok {
		return content.Post{}, false
	}
	return clonePost(e.post), true
}

// NotBeforeOf returns the retry time Release gave a post (zero: none).
func (q *Queue) NotBeforeOf(id string) time.Time {
	q.mu.Lock()
	defer q.mu.Unlock()
	if e, ok := q.posts[id]; ok {
		return e.notBefore
	}
	return time.Time{}
}

func clonePost(p content.Post) content.Post {
	p.Covers = slices.Clone(p.Covers)
	p.Audit = slices.Clone(p.Audit)
	return p
}

func (q *Queue) fail(method, key string) error {
	if q.Fail == nil {
		return nil
	}
	return q.Fail(method, key)
}

// change is one transition: the states it starts from, the state it goes to
// ("" keeps it) and what it records.
type change struct {
	from          []content.State
	to            content.State
	actor, action string
	reason        string
	attemptID     string // the attempt that must hold the post
	check         func(e *entry, now time.Time) error
	apply         func(e *entry, now time.Time)
	countAttempt  bool
}

// transition applies c to the post id under the lock, as the store's
// transition script does.
func (q *Queue) transition(id string, c change) (content.Post, error) {
	e, ok := q.posts[id]
	if !ok {
		return content.Post{}, fmt.Errorf("contenttest: post %s: %w", id, content.ErrNotFound)
	}
	if !slices.Contains(c.from, e.post.State) {
		return content.Post{}, fmt.Errorf("contenttest: post %s is %s: %w", id, e.post.State, content.ErrWrongState)
	}
	if c.attemptID != "" && e.attemptID != c.attemptID {
		return content.Post{}, fmt.Errorf("contenttest: post %s: %w", id, content.ErrStaleAttempt)
	}
	now := q.now()
	if c.check != nil {
		if err := c.check(e, now); err != nil {
			return content.Post{}, fmt.Errorf("contenttest: post %s: %w", id, err)
		}
	}
	from := e.post.State
	if c.apply != nil {
		c.apply(e, now)
	}
	if c.countAttempt {
		e.post.Attempts++
	}
	e.post.UpdatedAt = now
	ch := content.Change{At: now, Actor: c.actor, Action: c.action, Reason: c.reason}
	if c.to != "" && c.to != from {
		e.post.State, e.entered = c.to, now
		ch.From, ch.To = from, c.to
	}
	e.post.Audit = append(e.post.Audit, ch)
	return clonePost(e.post), nil
}

// sortForSlots orders posts as the store hands them out: priority, slot, age, id.
func sortForSlots(posts []content.Post) {
	slices.SortStableFunc(posts, func(a, b content.Post) int {
		return cmp.Or(cmp.Compare(a.Priority, b.Priority), a.ScheduledAt.Compare(b.ScheduledAt),
			a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
}

// ExpireDue expires every pending or approved post whose not_after is at or
// before now.
func (q *Queue) ExpireDue(_ context.Context, now time.Time) (int, error) {
	if err := q.fail("ExpireDue", ""); err != nil {
		return 0, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for id, e := range q.posts {
		if e.post.NotAfter.IsZero() || e.post.NotAfter.After(now) {
			continue
		}
		reason := "not_after passed before it could go out"
		if _, err := q.transition(id, change{from: []content.State{content.StatePending, content.StateApproved},
			to: content.StateExpired, actor: "system:expire", action: "expire", reason: reason,
			apply: func(e *entry, _ time.Time) {
				e.post.LastError, e.post.ScheduledAt, e.post.SlotNote = reason, time.Time{}, ""
			}}); err == nil {
			n++
		}
	}
	return n, nil
}

// Due returns a network's approved posts whose slot is at or before now, by
// priority then slot, at most limit (0: all).
func (q *Queue) Due(_ context.Context, network string, now time.Time, limit int) ([]content.Post, error) {
	if err := q.fail("Due", network); err != nil {
		return nil, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []content.Post
	for _, e := range q.posts {
		p := e.post
		if p.Network == network && p.State == content.StateApproved && !p.ScheduledAt.IsZero() && !p.ScheduledAt.After(now) {
			out = append(out, clonePost(p))
		}
	}
	sortForSlots(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Replan takes an approved post's slot back.
func (q *Queue) Replan(_ context.Context, id, actor, reason string) (content.Post, error) {
	if err := q.fail("Replan", id); err != nil {
		return content.Post{}, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.transition(id, change{from: []content.State{content.StateApproved}, actor: actor, action: "unschedule", reason: reason,
		apply: func(e *entry, _ time.Time) { e.post.ScheduledAt, e.post.SlotNote = time.Time{}, "" }})
}

// Claim moves a due approved post to publishing under a lease held by
// attemptID: ErrNotDue before its slot, ErrNotAfterPassed after its
// not_after, ErrWrongState when it is not approved.
func (q *Queue) Claim(_ context.Context, id, attemptID string, lease time.Duration) (content.Post, error) {
	if err := q.fail("Claim", id); err != nil {
		return content.Post{}, err
	}
	if attemptID == "" || lease <= 0 {
		return content.Post{}, fmt.Errorf("contenttest: claim post %s: an attempt id and a positive lease are required", id)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.transition(id, change{from: []content.State{content.StateApproved}, to: content.StatePublishing,
		actor: "system:publish", action: "claim", reason: "attempt " + attemptID, countAttempt: true,
		check: func(e *entry, now time.Time) error {
			if e.post.ScheduledAt.IsZero() || e.post.ScheduledAt.After(now) {
				return content.ErrNotDue
			}
			if na := e.post.NotAfter; !na.IsZero() && !na.After(now) {
				return content.ErrNotAfterPassed
			}
			return nil
		},
		apply: func(e *entry, now time.Time) {
			e.attemptID, e.leaseUntil, e.claimedAt = attemptID, now.Add(lease), now
		}})
}

// Expire moves a pending or approved post to expired with a reason.
func (q *Queue) Expire(_ context.Context, id, actor, reason string) (content.Post, error) {
	if err := q.fail("Expire", id); err != nil {
		return content.Post{}, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.transition(id, change{from: []content.State{content.StatePending, content.StateApproved}, to: content.StateExpired,
		actor: actor, action: "expire", reason: reason, apply: func(e *entry, _ time.Time) { e.post.LastError = reason }})
}

// Complete records how a publish attempt ended; only the attempt holding the
// post may (ErrStaleAttempt).
func (q *Queue) Complete(_ context.Context, id, attemptID string, o content.Outcome) (content.Post, error) {
	if err := q.fail("Complete", id); err != nil {
		return content.Post{}, err
	}
	switch o.State {
	case content.StatePublished:
		if o.ExternalID == "" {
			return content.Post{}, &content.FieldError{Field: "external_id", Message: "is required for a published post"}
		}
	case content.StateFailed, content.StateUnknown, content.StateDuplicate:
	default:
		return content.Post{}, &content.FieldError{Field: "state", Message: fmt.Sprintf("a publish attempt cannot end %q", o.State)}
	}
	if attemptID == "" {
		return content.Post{}, fmt.Errorf("contenttest: complete post %s: an attempt id is required", id)
	}
	actor := cmp.Or(o.Actor, "system:publish")
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.transition(id, change{from: []content.State{content.StatePublishing, content.StateUnknown}, to: o.State,
		actor: actor, action: "complete", reason: o.Error, attemptID: attemptID,
		apply: func(e *entry, now time.Time) {
			e.leaseUntil = time.Time{}
			if o.State == content.StatePublished {
				e.post.ExternalID, e.post.ExternalURL, e.post.LastError = o.ExternalID, o.ExternalURL, ""
				e.post.PublishedAt = cmp.Or(o.PublishedAt, now)
				return
			}
			e.post.LastError = o.Error
		}})
}

// Release gives a publishing post back to approved, without a slot, to be
// planned again no earlier than notBefore.
func (q *Queue) Release(_ context.Context, id, attemptID string, notBefore time.Time, reason string) (content.Post, error) {
	if err := q.fail("Release", id); err != nil {
		return content.Post{}, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.transition(id, change{from: []content.State{content.StatePublishing}, to: content.StateApproved,
		actor: "system:publish", action: "release", reason: reason, attemptID: attemptID,
		apply: func(e *entry, _ time.Time) {
			e.post.ScheduledAt, e.post.SlotNote, e.post.LastError = time.Time{}, "", reason
			e.notBefore, e.leaseUntil, e.attemptID = notBefore, time.Time{}, ""
		}})
}

// ExpireLeases moves publishing posts whose lease ended at or before now to
// unknown and returns them.
func (q *Queue) ExpireLeases(_ context.Context, now time.Time) ([]content.Post, error) {
	if err := q.fail("ExpireLeases", ""); err != nil {
		return nil, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []content.Post
	for id, e := range q.posts {
		if e.post.State != content.StatePublishing || e.leaseUntil.After(now) {
			continue
		}
		reason := "publish lease expired: the request may have gone through"
		p, err := q.transition(id, change{from: []content.State{content.StatePublishing}, to: content.StateUnknown,
			actor: "system:reconcile", action: "lease_expired", reason: reason,
			apply: func(e *entry, _ time.Time) { e.post.LastError, e.leaseUntil = reason, time.Time{} }})
		if err == nil {
			out = append(out, p)
		}
	}
	return out, nil
}

// List returns posts newest first, filtered by state, network, campaign,
// group and kind, with the total matching.
func (q *Queue) List(_ context.Context, o content.ListOptions) ([]content.Post, int, error) {
	if err := q.fail("List", o.Network); err != nil {
		return nil, 0, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	var match []content.Post
	for _, e := range q.posts {
		p := e.post
		if (o.State == "" || p.State == o.State) && (o.Network == "" || p.Network == o.Network) &&
			(o.CampaignID == "" || p.CampaignID == o.CampaignID) && (o.GroupID == "" || p.GroupID == o.GroupID) &&
			(o.Kind == "" || p.Kind == o.Kind) && (o.Lang == "" || p.Lang == o.Lang) {
			match = append(match, clonePost(p))
		}
	}
	slices.SortFunc(match, func(a, b content.Post) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
	})
	limit := o.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	offset := max(o.Offset, 0)
	if offset >= len(match) {
		return nil, len(match), nil
	}
	return match[offset:min(offset+limit, len(match))], len(match), nil
}

// ClaimedAt returns when the post was last claimed (zero if never).
func (q *Queue) ClaimedAt(_ context.Context, id string) (time.Time, error) {
	if err := q.fail("ClaimedAt", id); err != nil {
		return time.Time{}, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if e, ok := q.posts[id]; ok {
		return e.claimedAt, nil
	}
	return time.Time{}, nil
}

// Found marks an unknown post published with what reconcile found.
func (q *Queue) Found(_ context.Context, id, actor string, o content.Outcome) (content.Post, error) {
	if err := q.fail("Found", id); err != nil {
		return content.Post{}, err
	}
	if o.ExternalID == "" {
		return content.Post{}, &content.FieldError{Field: "external_id", Message: "is required for a published post"}
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.transition(id, change{from: []content.State{content.StateUnknown}, to: content.StatePublished,
		actor: actor, action: "reconcile", reason: "found on the network",
		apply: func(e *entry, now time.Time) {
			e.post.ExternalID, e.post.ExternalURL, e.post.LastError = o.ExternalID, o.ExternalURL, ""
			e.post.PublishedAt, e.leaseUntil = cmp.Or(o.PublishedAt, now), time.Time{}
		}})
}

// PublishedSince returns posts that entered published at or after since.
func (q *Queue) PublishedSince(_ context.Context, since time.Time) ([]content.Post, error) {
	if err := q.fail("PublishedSince", ""); err != nil {
		return nil, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []content.Post
	for _, e := range q.posts {
		if e.post.State == content.StatePublished && !e.entered.Before(since) {
			out = append(out, clonePost(e.post))
		}
	}
	slices.SortFunc(out, func(a, b content.Post) int {
		return cmp.Or(q.posts[a.ID].entered.Compare(q.posts[b.ID].entered), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

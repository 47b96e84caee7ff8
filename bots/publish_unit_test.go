package bots

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/contenttest"
)

// These tests run the publish job on the in-memory queue
// (content/contenttest), an in-memory network state and a planner that
// places nothing: the job's decisions, without Redis. What needs Redis's
// atomicity (replicas at once, leases) is in publish_test.go and
// reliability_test.go.

// memNetworks is NetworkState in memory.
type memNetworks struct {
	mu     sync.Mutex
	paused map[string]string
	held   map[string]time.Time
}

func newMemNetworks() *memNetworks {
	return &memNetworks{paused: map[string]string{}, held: map[string]time.Time{}}
}

func (n *memNetworks) Status(_ context.Context, network string) (NetworkStatus, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	reason, paused := n.paused[network]
	return NetworkStatus{Network: network, Enabled: true, Paused: paused, Reason: reason}, nil
}

func (n *memNetworks) Pause(_ context.Context, network, reason string) (bool, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	_, was := n.paused[network]
	n.paused[network] = reason
	return !was, nil
}

func (n *memNetworks) Resume(_ context.Context, network string) (bool, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	_, was := n.paused[network]
	delete(n.paused, network)
	return was, nil
}

func (n *memNetworks) Hold(_ context.Context, network string, until time.Time) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.held[network] = until
	return nil
}

func (n *memNetworks) HeldUntil(_ context.Context, network string) (time.Time, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.held[network], nil
}

// noPlanner leaves slots as the test set them.
type noPlanner struct{ limits NetworkLimits }

func (noPlanner) PlanNetwork(context.Context, string) error { return nil }
func (p noPlanner) Limits(string) NetworkLimits             { return p.limits }

// unit is the publish job on in-memory parts.
type unit struct {
	clock *clock
	queue *contenttest.Queue
	nets  *memNetworks
	net   *fakeNet
	job   *PublishJob
}

func newUnit(t *testing.T) *unit {
	t.Helper()
	c := newClock(time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC))
	u := &unit{clock: c, queue: contenttest.New(c.Now), nets: newMemNetworks(), net: newFakeNet("x", c.Now)}
	j, err := NewPublishJob(u.queue, u.nets, noPlanner{}, map[string]Publisher{"x": u.net},
		PublishOptions{Now: c.Now, Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	u.job = j
	return u
}

// due puts an approved post whose slot has come.
func (u *unit) due(id, text string) {
	u.queue.Put(content.Post{ID: id, Kind: content.KindManual, Network: "x", Text: text, State: content.StateApproved,
		ScheduledAt: u.clock.Now().Add(-time.Minute)})
}

func (u *unit) get(t *testing.T, id string) content.Post {
	t.Helper()
	p, ok := u.queue.Get(id)
	if !ok {
		t.Fatalf("post %s is gone", id)
	}
	return p
}

func TestUnitPublishOnce(t *testing.T) {
	u := newUnit(t)
	u.due("a", "hello")
	u.queue.Put(content.Post{ID: "later", Network: "x", Text: "later", State: content.StateApproved,
		ScheduledAt: u.clock.Now().Add(time.Hour)})
	for range 2 {
		if err := u.job.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	p := u.get(t, "a")
	if p.State != content.StatePublished || p.ExternalID == "" || p.Attempts != 1 {
		t.Errorf("post a = %s, external id %q, %d attempts; want published once", p.State, p.ExternalID, p.Attempts)
	}
	if n := u.net.createdCount("a"); n != 1 {
		t.Errorf("a created %d times on the network, want 1", n)
	}
	if p := u.get(t, "later"); p.State != content.StateApproved || u.net.createdCount("later") != 0 {
		t.Errorf("a post whose slot has not come went out: %s", p.State)
	}
}

// Each kind of failure ends as the design says: only a post the network
// certainly did not create goes back to approved.
func TestUnitPublishOutcomes(t *testing.T) {
	tests := []struct {
		name      string
		err       *Error
		want      content.State
		notBefore time.Duration // retry time after now, for released posts
		paused    bool
		held      bool
	}{
		{name: "duplicate", err: &Error{Kind: KindDuplicate, Message: "duplicate content"}, want: content.StateDuplicate},
		{name: "invalid", err: &Error{Kind: KindInvalid, Message: "bad text"}, want: content.StateFailed},
		{name: "blocked", err: &Error{Kind: KindBlocked, Message: "blocked"}, want: content.StateFailed},
		{name: "ambiguous", err: &Error{Kind: KindAmbiguous, Message: "502"}, want: content.StateUnknown},
		{name: "not sent", err: &Error{Kind: KindNotSent, Message: "connection refused"}, want: content.StateApproved, notBefore: time.Minute},
		{name: "rate limited", err: &Error{Kind: KindRateLimited, Message: "429", RetryAt: time.Date(2026, 3, 10, 12, 15, 0, 0, time.UTC)},
			want: content.StateApproved, notBefore: 15 * time.Minute, held: true},
		{name: "auth", err: &Error{Kind: KindAuth, Message: "Unauthorized"}, want: content.StateApproved, paused: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := newUnit(t)
			u.due("a", "hello")
			u.net.fail(failure{err: tt.err})
			if err := u.job.Run(t.Context()); err != nil {
				t.Fatal(err)
			}
			p := u.get(t, "a")
			if p.State != tt.want {
				t.Fatalf("state %s, want %s (last error %q)", p.State, tt.want, p.LastError)
			}
			if p.State != content.StateApproved {
				if p.LastError != tt.err.Message {
					t.Errorf("last error %q, want the network's words %q", p.LastError, tt.err.Message)
				}
			} else if !p.ScheduledAt.IsZero() {
				t.Errorf("a released post keeps its slot %s", p.ScheduledAt)
			}
			var wantNB time.Time
			if tt.notBefore > 0 {
				wantNB = u.clock.Now().Add(tt.notBefore)
			}
			if nb := u.queue.NotBeforeOf("a"); !nb.Equal(wantNB) {
				t.Errorf("retry at %s, want %s", nb, wantNB)
			}
			st, _ := u.nets.Status(t.Context(), "x")
			if st.Paused != tt.paused {
				t.Errorf("network paused = %v, want %v", st.Paused, tt.paused)
			}
			if held, _ := u.nets.HeldUntil(t.Context(), "x"); held.IsZero() == tt.held {
				t.Errorf("network held until %s, want held %v", held, tt.held)
			}
		})
	}
}

// A post whose not_after passed between the run's expiry sweep and its claim
// expires with the reason, and nothing is sent.
func TestUnitPublishNotAfterPassedAtClaim(t *testing.T) {
	u := newUnit(t)
	u.due("a", "hello")
	u.queue.Fail = func(method, _ string) error {
		if method == "Claim" {
			// The clock moves past not_after once ExpireDue has run.
			p, _ := u.queue.Get("a")
			p.NotAfter = u.clock.Now()
			u.queue.Fail = nil
			u.queue.Put(p)
		}
		return nil
	}
	if err := u.job.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	if p := u.get(t, "a"); p.State != content.StateExpired || p.LastError != expiredReason {
		t.Errorf("post %s (%q), want expired with %q", p.State, p.LastError, expiredReason)
	}
	if n := u.net.createdCount("a"); n != 0 {
		t.Errorf("sent %d times after its not_after", n)
	}
}

// Another replica claimed the post first: this one sends nothing and the run
// goes on; a queue that fails otherwise fails the run.
func TestUnitPublishClaimLostOrFailing(t *testing.T) {
	u := newUnit(t)
	u.due("a", "hello")
	u.queue.Fail = func(method, _ string) error {
		if method == "Claim" {
			return content.ErrWrongState
		}
		return nil
	}
	if err := u.job.Run(t.Context()); err != nil {
		t.Fatalf("a lost claim failed the run: %v", err)
	}
	if n := u.net.createdCount("a"); n != 0 {
		t.Errorf("sent %d times without its claim", n)
	}

	down := errors.New("store down")
	u.queue.Fail = func(method, _ string) error {
		if method == "Claim" {
			return down
		}
		return nil
	}
	if err := u.job.Run(t.Context()); !errors.Is(err, down) {
		t.Errorf("Run = %v, want the store's error", err)
	}
}

// A paused network sends nothing until its credentials work again, then
// resumes and sends.
func TestUnitPausedNetworkResumes(t *testing.T) {
	u := newUnit(t)
	u.due("a", "hello")
	u.nets.Pause(t.Context(), "x", "token revoked")
	u.net.setRevoked(true)
	if err := u.job.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := u.net.createdCount("a"); n != 0 {
		t.Fatalf("a paused network was sent to")
	}
	u.net.setRevoked(false)
	u.clock.Add(2 * time.Minute) // past VerifyEvery
	if err := u.job.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	if st, _ := u.nets.Status(t.Context(), "x"); st.Paused {
		t.Error("network still paused after its credentials worked")
	}
	if p := u.get(t, "a"); p.State != content.StatePublished {
		t.Errorf("post %s after resume, want published", p.State)
	}
}

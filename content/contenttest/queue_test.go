package contenttest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/content"
)

// The fake keeps the store's rules for a publish attempt: claim only when
// due, complete only with the holding attempt, a lapsed lease goes unknown,
// and only an unknown post can be found.
func TestQueueAttemptRules(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	q := New(func() time.Time { return now })
	ctx := t.Context()
	q.Put(content.Post{ID: "a", Network: "x", State: content.StateApproved, ScheduledAt: now.Add(time.Minute)})

	if _, err := q.Claim(ctx, "a", "t1", time.Minute); !errors.Is(err, content.ErrNotDue) {
		t.Fatalf("claim before the slot: %v, want ErrNotDue", err)
	}
	now = now.Add(time.Minute)
	if _, err := q.Claim(ctx, "a", "t1", time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Claim(ctx, "a", "t2", time.Minute); !errors.Is(err, content.ErrWrongState) {
		t.Fatalf("second claim: %v, want ErrWrongState", err)
	}
	if _, err := q.Complete(ctx, "a", "t2", content.Outcome{State: content.StateFailed}); !errors.Is(err, content.ErrStaleAttempt) {
		t.Fatalf("complete by another attempt: %v, want ErrStaleAttempt", err)
	}
	if got, _ := q.ExpireLeases(ctx, now); len(got) != 0 {
		t.Fatalf("a live lease expired: %v", got)
	}
	now = now.Add(time.Minute)
	got, _ := q.ExpireLeases(ctx, now)
	if len(got) != 1 || got[0].State != content.StateUnknown {
		t.Fatalf("lapsed lease: %v, want the post unknown", got)
	}
	if at, _ := q.ClaimedAt(ctx, "a"); !at.Equal(now.Add(-time.Minute)) {
		t.Errorf("claimed at %s", at)
	}
	if _, err := q.Found(ctx, "a", "system:reconcile", content.Outcome{ExternalID: "99"}); err != nil {
		t.Fatal(err)
	}
	if pub, _ := q.PublishedSince(ctx, now); len(pub) != 1 || pub[0].ExternalID != "99" || !pub[0].PublishedAt.Equal(now) {
		t.Errorf("published since now: %+v", pub)
	}
	if _, err := q.Found(ctx, "a", "system:reconcile", content.Outcome{ExternalID: "99"}); !errors.Is(err, content.ErrWrongState) {
		t.Errorf("found twice: %v, want ErrWrongState", err)
	}
	p, _ := q.Get("a")
	var actions []string
	for _, c := range p.Audit {
		actions = append(actions, c.Action)
	}
	if want := "claim lease_expired reconcile"; strings.Join(actions, " ") != want {
		t.Errorf("audit %q, want %q", strings.Join(actions, " "), want)
	}
}

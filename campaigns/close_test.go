package campaigns

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/internal/redistest"
)

// A campaign whose platform never says how it ended is closed CloseAfter past
// its deadline: state ended, nothing posted, a note that says why. A
// snapshot the platform sends later still wins.
func TestCloseOverdue(t *testing.T) {
	rdb := redistest.Client(t)
	clk := &clock{t: ruleNow}
	tr, err := NewTracker(rdb, "test", Rules{}, TrackerOptions{Now: clk.Now, Logger: slog.New(slog.DiscardHandler), CloseAfter: 48 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// Three campaigns a listing stopped showing: one overdue, one inside the
	// grace period, one funded and settled by its platform.
	overdue := snap(withID("overdue"), left(2*24*time.Hour), pledged(120000))
	grace := snap(withID("grace"), left(3*24*time.Hour))
	settled := snap(withID("settled"), left(2*24*time.Hour))
	ingest(t, tr, at(overdue, ruleNow), at(grace, ruleNow), at(settled, ruleNow))
	ingest(t, tr, at(snap(withID("settled"), left(2*24*time.Hour), state(StateSuccessful), pledged(100000)), ruleNow.Add(time.Minute)))

	clk.Set(ruleNow.Add(4*24*time.Hour + time.Minute)) // overdue: 2 days past, grace: 1 day past
	n, err := tr.CloseOverdue(ctx)
	if err != nil || n != 1 {
		t.Fatalf("CloseOverdue = %d, %v; want 1 closed", n, err)
	}
	got, fired, err := tr.Get(ctx, "overdue")
	if err != nil {
		t.Fatal(err)
	}
	if got.State != StateEnded || !strings.Contains(got.ClosedNote, "48h after its deadline") || !strings.Contains(got.ClosedNote, "nothing was posted") {
		t.Errorf("closed campaign = %s %q", got.State, got.ClosedNote)
	}
	for _, f := range fired {
		if f.Posted && f.At.After(ruleNow) {
			t.Errorf("closing posted %s", f.Milestone)
		}
	}
	for _, id := range streamIDs(t, rdb, "{test}:events") {
		if strings.HasPrefix(id, "overdue/") {
			t.Errorf("closing queued event %s", id)
		}
	}
	live, _, err := tr.List(ctx, ListOptions{State: StateLive})
	if err != nil || len(live) != 1 || live[0].ID != "grace" {
		t.Errorf("live after closing = %v, %v", live, err)
	}
	closed, _, err := tr.List(ctx, ListOptions{State: StateEnded})
	if err != nil || len(closed) != 1 || closed[0].ID != "overdue" {
		t.Errorf("ended = %v, %v", closed, err)
	}
	if n, err := tr.CloseOverdue(ctx); err != nil || n != 0 {
		t.Errorf("second CloseOverdue = %d, %v; want nothing left", n, err)
	}

	// The platform settles it after all, with a snapshot dated before the
	// closing: the platform's word wins.
	late := at(snap(withID("overdue"), left(2*24*time.Hour), pledged(120000), state(StateSuccessful)), ruleNow.Add(time.Hour))
	if res := ingest(t, tr, late); res.Accepted != 1 || res.Stale != 0 {
		t.Fatalf("late final state = %+v", res)
	}
	if got, _, _ := tr.Get(ctx, "overdue"); got.State != StateSuccessful || got.ClosedNote != "" {
		t.Errorf("after the platform's word: %s %q", got.State, got.ClosedNote)
	}
}

// A listing that keeps saying "live" long after the deadline does not reopen
// the campaign at every poll: the snapshot itself is stored closed.
func TestIngestClosesLiveSnapshotsPastTheGrace(t *testing.T) {
	rdb := redistest.Client(t)
	clk := &clock{t: ruleNow}
	tr := newTestTracker(t, rdb, clk) // default CloseAfter: 72h
	c := snap(withID("stuck"), left(-4*24*time.Hour), pledged(50000))
	res := ingest(t, tr, c)
	if res.Accepted != 1 || len(res.Fired) != 0 {
		t.Fatalf("Ingest = %+v", res)
	}
	got, _, _ := tr.Get(context.Background(), "stuck")
	if got.State != StateEnded || !strings.Contains(got.ClosedNote, "72h") {
		t.Errorf("stored %s %q", got.State, got.ClosedNote)
	}
	// Within the grace it stays live: the platform has three days to say.
	c2 := snap(withID("recent"), left(-24*time.Hour))
	ingest(t, tr, c2)
	if got, _, _ := tr.Get(context.Background(), "recent"); got.State != StateLive {
		t.Errorf("within the grace: %s", got.State)
	}
}

// campaigns.url_hosts: campaign links on the platform's hosts only.
func TestURLHosts(t *testing.T) {
	rdb := redistest.Client(t)
	tr, err := NewTracker(rdb, "test", Rules{}, TrackerOptions{Now: func() time.Time { return ruleNow },
		Logger: slog.New(slog.DiscardHandler), URLHosts: []string{"platform.example", "*.ulule.com"}})
	if err != nil {
		t.Fatal(err)
	}
	var batch []Campaign
	for _, u := range []string{
		"https://platform.example/p/1", "https://fr.ulule.com/les-ombres/", "https://PLATFORM.example./p/2", // ok
		"https://phish.example/p/1", "https://ulule.com.phish.example/x", "https://notulule.com/x", "https://ulule.com/x", // refused
	} {
		c := snap(withID(u))
		c.ID = strings.NewReplacer("https://", "", "/", "-", ".", "_").Replace(u)
		c.URL = u
		batch = append(batch, c)
	}
	res := ingest(t, tr, batch...)
	if res.Accepted != 3 || len(res.Rejected) != 4 {
		t.Fatalf("Ingest = %d accepted, rejected %+v", res.Accepted, res.Rejected)
	}
	for _, r := range res.Rejected {
		if fe := r.Err.(*FieldError); fe.Field != "url" || !strings.Contains(fe.Message, "campaigns.url_hosts") {
			t.Errorf("%s: %v", r.ID, r.Err)
		}
	}
	for _, bad := range []string{"", "https://platform.example", "platform.example/p", "user@platform.example", "*"} {
		if err := CheckURLHost(bad); err == nil {
			t.Errorf("CheckURLHost(%q) = nil", bad)
		}
	}
	if _, err := NewTracker(rdb, "test", Rules{}, TrackerOptions{URLHosts: []string{"https://x.example"}}); err == nil {
		t.Error("NewTracker took a URL as a host")
	}
}

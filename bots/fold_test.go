package bots

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/composer"
	"github.com/fanfarehq/fanfare/internal/redistest"
)

// campaignMap is a CampaignGetter over snapshots in memory.
type campaignMap map[string]campaigns.Campaign

func (m campaignMap) Get(_ context.Context, id string) (campaigns.Campaign, []campaigns.FiredMilestone, error) {
	c, ok := m[id]
	if !ok {
		return c, nil, fmt.Errorf("campaign %q: %w", id, campaigns.ErrNotFound)
	}
	return c, nil, nil
}

// foldEnv is a queue, a composer, a scheduler and a folder on one clock.
type foldEnv struct {
	*env
	comp   *composer.Composer
	sched  *Scheduler
	folder *Folder
	camps  campaignMap
	paris  *time.Location
}

func newFoldEnv(t *testing.T, limits NetworkLimits, auto []string) *foldEnv {
	t.Helper()
	paris := mustLoc(t, "Europe/Paris")
	c := newClock(time.Date(2026, 3, 10, 14, 0, 0, 0, paris))
	e := newEnv(t, redistest.Client(t), c)
	st, err := content.NewStore(e.rdb, testPrefix, content.StoreOptions{Now: c.Now, AutoApprove: auto})
	if err != nil {
		t.Fatal(err)
	}
	e.store = st
	comp, err := composer.New(composer.Options{Now: c.Now, Logger: quietLog(), PublicURL: "https://fanfare.example.org",
		Networks: []string{content.NetworkX}})
	if err != nil {
		t.Fatal(err)
	}
	sched, err := NewScheduler(st, SchedulerOptions{Networks: map[string]NetworkLimits{"x": limits},
		QuietHours: &QuietHours{Start: "22:00", End: "08:00"}, GoodHours: map[string][]HourRange{"x": nil}, Folding: true,
		Location: paris, Now: c.Now, Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	camps := campaignMap{}
	return &foldEnv{env: e, comp: comp, sched: sched, camps: camps, paris: paris,
		folder: NewFolder(st, sched, comp, camps, FoldOptions{Now: c.Now, Logger: quietLog()})}
}

// milestone makes campaign i fire m (through the composer, as the daemon
// does) and returns the X post.
func (f *foldEnv) milestone(t *testing.T, i int, lang string, m campaigns.Milestone, pledged int64) content.Post {
	t.Helper()
	c := campaigns.Campaign{ID: fmt.Sprintf("c%02d", i), Title: fmt.Sprintf("Project %02d", i), URL: fmt.Sprintf("https://fund.example/p/%d", i),
		Lang: lang, Currency: "EUR", Goal: 100_000, Pledged: pledged, Backers: 120, LaunchedAt: f.clock.Now().Add(-10 * 24 * time.Hour),
		Deadline: f.clock.Now().Add(20 * 24 * time.Hour), State: campaigns.StateLive,
		Creator: campaigns.Creator{Name: fmt.Sprintf("Maker %d", i), XHandle: fmt.Sprintf("maker%d", i)}}
	f.camps[c.ID] = c
	ev := campaigns.Event{ID: campaigns.EventID(c.ID, m), Campaign: c, Milestone: m, FiredAt: f.clock.Now()}
	if err := f.comp.Handle(context.Background(), ev, f.store); err != nil {
		t.Fatal(err)
	}
	list, _, err := f.store.List(context.Background(), content.ListOptions{GroupID: ev.ID})
	if err != nil || len(list) != 1 {
		t.Fatalf("posts of %s: %v, %v", ev.ID, list, err)
	}
	return list[0]
}

func (f *foldEnv) all(t *testing.T) []content.Post {
	t.Helper()
	list, _, err := f.store.List(context.Background(), content.ListOptions{Network: content.NetworkX, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestFoldWhenCapsBind: ten campaigns funded in an afternoon against two
// posts a day. Each is told alone in a slot before its freshness runs out,
// or in a digest that is; none waits days, none is lost.
func TestFoldWhenCapsBind(t *testing.T) {
	ctx := context.Background()
	f := newFoldEnv(t, NetworkLimits{DailyCap: 2, MinSpacing: 20 * time.Minute}, []string{"milestone:*"})
	for i := range 10 {
		f.milestone(t, i, "en", "percent:100", 100_000)
		f.clock.Add(time.Minute)
	}
	rep, err := f.folder.Run(ctx, content.NetworkX)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.sched.PlanNetwork(ctx, content.NetworkX); err != nil {
		t.Fatal(err)
	}
	told := map[string]bool{}
	perDay := map[string]int{}
	var digests []content.Post
	for _, p := range f.all(t) {
		switch p.State {
		case content.StateApproved:
			if p.ScheduledAt.IsZero() || !p.ScheduledAt.Before(p.NotAfter) {
				t.Errorf("post %s (%v) slot %s, not before its not_after %s", p.ID, p.Covers, p.ScheduledAt, p.NotAfter)
			}
			perDay[p.ScheduledAt.In(f.paris).Format("2006-01-02")]++
			for _, c := range p.Covers {
				if told[c.CampaignID] {
					t.Errorf("campaign %s told twice", c.CampaignID)
				}
				told[c.CampaignID] = true
			}
			if p.Kind == content.KindDigest {
				digests = append(digests, p)
			}
		case content.StateExpired:
			if p.FoldedInto == "" {
				t.Errorf("post %s expired without being folded: %s", p.ID, p.LastError)
			}
		default:
			t.Errorf("post %s is %s", p.ID, p.State)
		}
	}
	if len(told) != 10 {
		t.Errorf("%d of 10 campaigns told; report %+v", len(told), rep)
	}
	for day, n := range perDay {
		if n > 2 {
			t.Errorf("%d posts on %s, over the cap of 2", n, day)
		}
	}
	if len(digests) != 1 || rep.Digests != 1 || rep.Folded != len(digests[0].Covers) {
		t.Fatalf("digests = %v, report %+v", digests, rep)
	}
	d := digests[0]
	if !strings.HasPrefix(strings.TrimPrefix(d.Text, "🎉 "), "Funded today: Project") || !strings.Contains(d.Text, "@maker") ||
		!strings.Contains(d.Text, "https://fanfare.example.org/digests/"+d.ID) {
		t.Errorf("digest text %q", d.Text)
	}
	if d.State != content.StateApproved {
		t.Errorf("digest of auto-approved posts is %s", d.State)
	}
	// A second run finds nothing more to do.
	if rep, err := f.folder.Run(ctx, content.NetworkX); err != nil || rep != (FoldReport{}) {
		t.Errorf("second run = %+v, %v", rep, err)
	}
}

// TestFoldJoinsTheOpenDigest: later overflow joins the digest still waiting,
// unless it needs a person's approval the digest already has.
func TestFoldJoinsTheOpenDigest(t *testing.T) {
	ctx := context.Background()
	f := newFoldEnv(t, NetworkLimits{DailyCap: 1}, nil)
	for i := range 4 {
		f.milestone(t, i, "fr", "percent:100", 100_000)
	}
	if _, err := f.folder.Run(ctx, content.NetworkX); err != nil {
		t.Fatal(err)
	}
	digest := func() []content.Post {
		var out []content.Post
		for _, p := range f.all(t) {
			if p.Kind == content.KindDigest {
				out = append(out, p)
			}
		}
		return out
	}
	first := digest()
	if len(first) != 1 || first[0].State != content.StatePending || !strings.HasPrefix(strings.TrimPrefix(first[0].Text, "🎉 "), "Financés aujourd'hui") {
		t.Fatalf("digests = %+v", first)
	}
	n := len(first[0].Covers)
	f.clock.Add(time.Hour)
	f.milestone(t, 10, "fr", "percent:100", 100_000)
	if _, err := f.folder.Run(ctx, content.NetworkX); err != nil {
		t.Fatal(err)
	}
	grown := digest()
	if len(grown) != 1 || len(grown[0].Covers) != n+1 || grown[0].Revision != 1 || !grown[0].Covering("c10", "percent:100") {
		t.Fatalf("after one more funded campaign: digests %+v, want one covering %d", grown, n+1)
	}
	// A person approves the digest: a pending post no longer joins it.
	if _, err := f.store.Approve(ctx, grown[0].ID, "ann"); err != nil {
		t.Fatal(err)
	}
	f.milestone(t, 11, "fr", "percent:100", 100_000)
	if _, err := f.folder.Run(ctx, content.NetworkX); err != nil {
		t.Fatal(err)
	}
	after := digest()
	if len(after) != 2 {
		t.Fatalf("digests after approval = %d, want the approved one and a new pending one", len(after))
	}
	for _, d := range after {
		if d.ID == grown[0].ID && (d.State != content.StateApproved || len(d.Covers) != n+1) {
			t.Errorf("the approved digest changed: %+v", d)
		}
		if d.ID != grown[0].ID && (d.State != content.StatePending || !d.Covering("c11", "percent:100")) {
			t.Errorf("new digest = %+v", d)
		}
	}
}

// TestWithdrawAfterRefund: a refund under the threshold withdraws the post
// telling it; a merged post and a digest keep the rest, rewritten.
func TestWithdrawAfterRefund(t *testing.T) {
	ctx := context.Background()
	f := newFoldEnv(t, NetworkLimits{}, nil)
	alone := f.milestone(t, 1, "en", "percent:50", 50_000)
	merged := f.milestone(t, 2, "en", "percent:50", 60_000)
	c2 := f.camps["c02"]
	c2.Backers = 150
	f.camps["c02"] = c2
	ev := campaigns.Event{ID: campaigns.EventID("c02", "backers:100"), Campaign: c2, Milestone: "backers:100", FiredAt: f.clock.Now()}
	if err := f.comp.Handle(ctx, ev, f.store); err != nil {
		t.Fatal(err)
	}
	if merged = f.get(t, merged.ID); len(merged.Covers) != 2 {
		t.Fatalf("merged covers = %v", merged.Covers)
	}
	// Refunds: campaign 1 falls to 49 %, campaign 2 to 45 % (backers stay).
	c1 := f.camps["c01"]
	c1.Pledged = 49_000
	f.camps["c01"] = c1
	c2.Pledged = 45_000
	f.camps["c02"] = c2
	rep, err := f.folder.Run(ctx, content.NetworkX)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Withdrawn != 1 || rep.Rewritten != 1 {
		t.Errorf("report = %+v, want one withdrawn and one rewritten", rep)
	}
	if got := f.get(t, alone.ID); got.State != content.StateExpired ||
		!strings.Contains(got.LastError, "withdrawn percent:50 of Project 01: the campaign went back to 49 % funded, under 50 %") {
		t.Errorf("post of campaign 1: %s %q", got.State, got.LastError)
	}
	got := f.get(t, merged.ID)
	if got.State != content.StatePending || len(got.Covers) != 1 || !got.Covers[0].Same(content.Cover{CampaignID: "c02", Milestone: "backers:100"}) ||
		strings.Contains(got.Text, "50%") || !strings.Contains(got.Text, "100 backers") || got.Milestone != "backers:100" {
		t.Errorf("merged post after the refund: %s %v %q", got.State, got.Covers, got.Text)
	}
	if last := got.Audit[len(got.Audit)-1]; last.Action != "withdraw" || !strings.Contains(last.Reason, "withdrawn percent:50 of Project 02") {
		t.Errorf("audit = %+v", last)
	}
	// A canceled campaign withdraws everything about it.
	c2.State = campaigns.StateCanceled
	f.camps["c02"] = c2
	if _, err := f.folder.Run(ctx, content.NetworkX); err != nil {
		t.Fatal(err)
	}
	if got := f.get(t, merged.ID); got.State != content.StateExpired || !strings.Contains(got.LastError, "the campaign canceled") {
		t.Errorf("post of a canceled campaign: %s %q", got.State, got.LastError)
	}
}

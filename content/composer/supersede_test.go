package composer

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/internal/redistest"
)

// The queue the daemon wires in supersedes; a changed signature must not
// silently turn the feature off.
var _ Superseder = (*content.Store)(nil)

func TestSupersedes(t *testing.T) {
	for _, tc := range []struct {
		newer, older string
		want         bool
	}{
		{"percent:100", "percent:50", true},
		{"percent:100", "percent:25", true},
		{"percent:50", "percent:100", false},
		{"percent:100", "percent:100", false},
		{"backers:1000", "backers:500", true},
		{"backers:500", "backers:1000", false},
		{"stretch:2", "stretch:1", true},
		{"stretch:1", "stretch:0", true},
		{"stretch:1", "stretch:2", false},
		{"ending:24h", "ending:72h", true},
		{"ending:72h", "ending:24h", false},
		{"ending:24h", "ending:24h", false},
		{"percent:100", "backers:50", false},
		{"backers:1000", "percent:50", false},
		{"ending:24h", "percent:50", false},
		{"ended:successful", "percent:100", true},
		{"ended:successful", "ending:24h", true},
		{"ended:successful", "backers:500", true},
		{"ended:successful", "launch", false},
		{"percent:300", "ended:successful", false},
		{"percent:100", "launch", true},
		{"percent:25", "launch", true},
		{"backers:10", "launch", false},
		{"story", "story", false},
		{"launch", "launch", false},
	} {
		newer, err := parseMilestone(tc.newer)
		if err != nil {
			t.Fatal(err)
		}
		older, err := parseMilestone(tc.older)
		if err != nil {
			t.Fatal(err)
		}
		if got := supersedes(newer, older); got != tc.want {
			t.Errorf("supersedes(%s, %s) = %v, want %v", tc.newer, tc.older, got, tc.want)
		}
	}
}

// These tests supersede posts that stand alone (MergeWindow -1): merging,
// which tells a campaign's waiting milestones in one post, has its own tests.

// supersedeStore is the real queue with a fixed clock.
func supersedeStore(t *testing.T, now func() time.Time) *content.Store {
	t.Helper()
	s, err := content.NewStore(redistest.Client(t), "test", content.StoreOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// postsOf maps "<network> <milestone> <dedup>" of a campaign's posts to the posts, with audit.
func postsOf(t *testing.T, s *content.Store, campaignID string) map[string]content.Post {
	t.Helper()
	ctx := context.Background()
	list, _, err := s.List(ctx, content.ListOptions{CampaignID: campaignID, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]content.Post{}
	for _, p := range list {
		full, err := s.Get(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		out[p.ID] = full
	}
	return out
}

func TestHandleSupersedesOlderMilestones(t *testing.T) {
	ctx := context.Background()
	now := testDeadline.Add(-26 * 24 * time.Hour)
	clock := func() time.Time { return now }
	s := supersedeStore(t, clock)
	c := newTestComposer(t, Options{Now: clock, MergeWindow: -1})
	camp := testCampaign("fr")
	other := testCampaign("fr")
	other.ID = "autre-7"

	event := func(camp campaigns.Campaign, m campaigns.Milestone) campaigns.Event {
		return campaigns.Event{ID: campaigns.EventID(camp.ID, m), Campaign: camp, Milestone: m, FiredAt: now}
	}
	handle := func(c *Composer, ev campaigns.Event) {
		t.Helper()
		if err := c.Handle(ctx, ev, s); err != nil {
			t.Fatalf("Handle(%s): %v", ev.ID, err)
		}
	}
	find := func(campaignID, network, milestone string) content.Post {
		t.Helper()
		for _, p := range postsOf(t, s, campaignID) {
			if p.Network == network && p.Milestone == milestone && p.Kind == content.KindMilestone {
				return p
			}
		}
		t.Fatalf("no %s post about %s of %s", network, milestone, campaignID)
		return content.Post{}
	}

	// 50 %: the X post waits, a person approves the Facebook one.
	handle(c, event(camp, "percent:50"))
	x50 := find(camp.ID, content.NetworkX, "percent:50")
	fb50 := find(camp.ID, content.NetworkFacebook, "percent:50")
	if _, err := s.Approve(ctx, fb50.ID, "ann"); err != nil {
		t.Fatal(err)
	}
	// Two more 50 % posts of the campaign already went out or are going out
	// (a person queued them by hand): neither may move.
	inFlight := map[content.State]string{}
	for _, st := range []content.State{content.StatePublishing, content.StatePublished} {
		p, _, err := s.Create(ctx, content.Draft{DedupKey: "by-hand-" + string(st), Kind: content.KindMilestone,
			Network: content.NetworkX, CampaignID: camp.ID, Milestone: "percent:50", Text: "La moitié ! " + string(st),
			Lang: "fr", Actor: "ann"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Approve(ctx, p.ID, "ann"); err != nil {
			t.Fatal(err)
		}
		if err := s.ReserveSlot(ctx, p.ID, now, "now", content.SlotGuard{}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Claim(ctx, p.ID, "a-"+string(st), time.Minute); err != nil {
			t.Fatal(err)
		}
		if st == content.StatePublished {
			if _, err := s.Complete(ctx, p.ID, "a-"+string(st), content.Outcome{State: content.StatePublished,
				ExternalID: "1", ExternalURL: "https://x.com/i/1"}); err != nil {
				t.Fatal(err)
			}
		}
		inFlight[st] = p.ID
	}
	// Other campaigns and families stay as they are.
	handle(c, event(other, "percent:50"))
	handle(c, event(camp, "backers:500"))
	handle(c, event(camp, "launch"))

	before := postsOf(t, s, camp.ID)
	beforeOther := postsOf(t, s, other.ID)

	xLaunch := find(camp.ID, content.NetworkX, "launch")
	fbLaunch := find(camp.ID, content.NetworkFacebook, "launch")

	// 100 %, two days later: the waiting 50 % posts are stale, and so are
	// the launch posts ("just launched" is old news at 100 %).
	now = now.Add(48 * time.Hour)
	handle(c, event(camp, "percent:100"))

	after := postsOf(t, s, camp.ID)
	const reason = "superseded by percent:100"
	superseded := []string{x50.ID, fb50.ID, xLaunch.ID, fbLaunch.ID}
	for id, p := range after {
		old, existed := before[id]
		switch {
		case !existed:
			if p.Milestone != "percent:100" || p.State != content.StatePending {
				t.Errorf("new post %s: %s %s, want a pending percent:100", id, p.Milestone, p.State)
			}
		case slices.Contains(superseded, id):
			if p.State != content.StateExpired || p.LastError != reason {
				t.Errorf("%s %s post: state %s (%q), want expired (%q)", p.Network, p.Milestone, p.State, p.LastError, reason)
			}
			last := p.Audit[len(p.Audit)-1]
			if len(p.Audit) != len(old.Audit)+1 || last.Actor != "system:composer" || last.Action != "expire" ||
				last.From != old.State || last.To != content.StateExpired || last.Reason != reason || !last.At.Equal(now) {
				t.Errorf("%s %s post: audit %+v, want one expire line from %s by system:composer", p.Network, p.Milestone, p.Audit, old.State)
			}
		default:
			if p.State != old.State || len(p.Audit) != len(old.Audit) {
				t.Errorf("%s %s post %s (%s) changed: %+v", p.Network, p.Milestone, id, old.State, p)
			}
		}
	}
	for st, id := range inFlight {
		if after[id].State != st {
			t.Errorf("the %s 50 %% post is now %s", st, after[id].State)
		}
	}
	if len(after) != len(before)+2 {
		t.Errorf("campaign has %d posts after 100 %%, want %d", len(after), len(before)+2)
	}
	assertUnchanged(t, "other campaign", beforeOther, postsOf(t, s, other.ID))

	// A re-delivered 100 % event changes nothing more.
	now = now.Add(time.Hour)
	handle(c, event(camp, "percent:100"))
	assertUnchanged(t, "re-delivery", after, postsOf(t, s, camp.ID))

	log, err := s.AuditLog(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var logged []string
	for _, l := range log {
		if l.Change.Reason == reason {
			logged = append(logged, l.PostID)
		}
	}
	slices.Sort(logged)
	slices.Sort(superseded)
	if !slices.Equal(logged, superseded) {
		t.Errorf("global audit log records %v superseded, want %v", logged, superseded)
	}
}

func TestHandleSupersedesPerNetwork(t *testing.T) {
	ctx := context.Background()
	now := testDeadline.Add(-80 * time.Hour)
	clock := func() time.Time { return now }
	s := supersedeStore(t, clock)
	camp := testCampaign("en")
	both := newTestComposer(t, Options{Now: clock, MergeWindow: -1})
	xOnly := newTestComposer(t, Options{Now: clock, Networks: []string{content.NetworkX}, MergeWindow: -1})

	if err := both.Handle(ctx, campaigns.Event{ID: "e72", Campaign: camp, Milestone: "ending:72h", FiredAt: now}, s); err != nil {
		t.Fatal(err)
	}
	now = testDeadline.Add(-24 * time.Hour)
	if err := xOnly.Handle(ctx, campaigns.Event{ID: "e24", Campaign: camp, Milestone: "ending:24h", FiredAt: now}, s); err != nil {
		t.Fatal(err)
	}
	got := map[string]content.State{}
	for _, p := range postsOf(t, s, camp.ID) {
		got[p.Network+" "+p.Milestone] = p.State
	}
	want := map[string]content.State{
		"x ending:72h":        content.StateExpired,
		"facebook ending:72h": content.StatePending, // no 24h post replaces it there
		"x ending:24h":        content.StatePending,
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %s, want %s", k, got[k], w)
		}
	}
}

// supersedeSink records what Handle asks of a Superseder.
type supersedeSink struct {
	recordingSink
	calls      []string
	supersedes func(newer, older string) bool
	err        error
}

func (s *supersedeSink) Supersede(_ context.Context, campaignID, network string, supersedes func(newer, older string) bool, actor string) (int, error) {
	s.calls = append(s.calls, strings.Join([]string{campaignID, network, actor}, " "))
	s.supersedes = supersedes
	return 0, s.err
}

func TestHandleSupersedeCalls(t *testing.T) {
	ctx := context.Background()
	c := newTestComposer(t, Options{})
	camp := testCampaign("fr")
	ev := func(m campaigns.Milestone) campaigns.Event {
		return campaigns.Event{ID: campaigns.EventID(camp.ID, m), Campaign: camp, Milestone: m}
	}

	sink := &supersedeSink{recordingSink: recordingSink{seen: map[string]bool{}}}
	if err := c.Handle(ctx, ev("launch"), sink); err != nil {
		t.Fatal(err)
	}
	if len(sink.calls) != 0 {
		t.Errorf("launch supersedes nothing, got %v", sink.calls)
	}

	if err := c.Handle(ctx, ev("backers:1000"), sink); err != nil {
		t.Fatal(err)
	}
	want := []string{"jardin-42 x system:composer", "jardin-42 facebook system:composer"}
	if !slices.Equal(sink.calls, want) {
		t.Errorf("calls = %v, want %v", sink.calls, want)
	}
	for _, tc := range []struct {
		newer, older string
		want         bool
	}{
		{"backers:1000", "backers:500", true},
		{"ending:24h", "ending:72h", true},
		{"backers:500", "backers:1000", false},
		{"backers:1000", "percent:50", false},
		{"backers:1000", "not a milestone", false},
		{"not a milestone", "backers:10", false},
		{"", "backers:10", false},
	} {
		if got := sink.supersedes(tc.newer, tc.older); got != tc.want {
			t.Errorf("supersedes(%q, %q) = %v, want %v", tc.newer, tc.older, got, tc.want)
		}
	}

	// A network whose draft was not stored keeps its older posts; a failed
	// supersede fails the event, so that it is tried again.
	sink = &supersedeSink{recordingSink: recordingSink{seen: map[string]bool{}, fail: content.NetworkX},
		err: errors.New("redis down")}
	err := c.Handle(ctx, ev("percent:100"), sink)
	if !slices.Equal(sink.calls, []string{"jardin-42 facebook system:composer"}) {
		t.Errorf("calls = %v, want facebook only", sink.calls)
	}
	if err == nil || !strings.Contains(err.Error(), "redis down") || !strings.Contains(err.Error(), "supersede") {
		t.Errorf("Handle error = %v, want the supersede failure", err)
	}
}

// An older event drafted after a newer one (its first try failed, Consume
// tried again later) must not leave a stale post waiting.
func TestHandleLateOlderEvent(t *testing.T) {
	ctx := context.Background()
	now := testDeadline.Add(-20 * 24 * time.Hour)
	clock := func() time.Time { return now }
	s := supersedeStore(t, clock)
	c := newTestComposer(t, Options{Now: clock, MergeWindow: -1})
	camp := testCampaign("fr")
	for _, m := range []campaigns.Milestone{"percent:100", "percent:50"} {
		if err := c.Handle(ctx, campaigns.Event{ID: campaigns.EventID(camp.ID, m), Campaign: camp, Milestone: m, FiredAt: now}, s); err != nil {
			t.Fatal(err)
		}
	}
	states := map[string]string{}
	for _, p := range postsOf(t, s, camp.ID) {
		states[p.Network+" "+p.Milestone] = string(p.State) + " " + p.LastError
	}
	want := map[string]string{
		"x percent:100":        "pending ",
		"facebook percent:100": "pending ",
		"x percent:50":         "expired superseded by percent:100",
		"facebook percent:50":  "expired superseded by percent:100",
	}
	if !maps.Equal(states, want) {
		t.Errorf("posts = %v, want %v", states, want)
	}
}

func assertUnchanged(t *testing.T, what string, before, after map[string]content.Post) {
	t.Helper()
	if len(after) != len(before) {
		t.Errorf("%s: %d posts, want %d", what, len(after), len(before))
	}
	for id, b := range before {
		a := after[id]
		if a.State != b.State || !a.UpdatedAt.Equal(b.UpdatedAt) || len(a.Audit) != len(b.Audit) {
			t.Errorf("%s: post %s (%s %s) changed: %s → %s, audit %d → %d lines",
				what, id, b.Network, b.Milestone, b.State, a.State, len(b.Audit), len(a.Audit))
		}
	}
}

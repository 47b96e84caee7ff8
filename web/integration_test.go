package web

import (
	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content/curator"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/text"
)

// TestWithRealStore runs the dashboard and the API over the real Redis queue
// (content.Store) and the real scheduler (bots.Scheduler), sharing the Redis
// the sessions use: an approval is placed at once and said, a move in the
// calendar is checked against quiet hours and spacing.
func TestWithRealStore(t *testing.T) {
	var store *content.Store
	e := newEnv(t, func(o *Options) {
		var err error
		store, err = content.NewStore(o.Redis, o.Prefix, content.StoreOptions{
			Now: o.Now,
			Validate: func(network, s string) error {
				res, err := text.Check(network, s)
				if err != nil {
					return err
				}
				if !res.Valid {
					return &content.FieldError{Field: "text", Message: "too long"}
				}
				return nil
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		o.Queue = store
		sched, err := bots.NewScheduler(store, bots.SchedulerOptions{
			Networks:   map[string]bots.NetworkLimits{"x": {DailyCap: 3, MinSpacing: 20 * time.Minute}, "facebook": {DailyCap: 3, MinSpacing: time.Hour}},
			QuietHours: &bots.QuietHours{Start: "22:00", End: "08:00"}, Location: o.Location, Now: o.Now,
			GoodHours: map[string][]bots.HourRange{"x": nil, "facebook": nil}}) // the earliest slot: no good hours to wait for
		if err != nil {
			t.Fatal(err)
		}
		o.Slots = sched
	})
	ctx := t.Context()
	var ids []string
	for _, n := range []string{"x", "facebook"} {
		p, _, err := store.Create(ctx, content.Draft{DedupKey: "42/percent:50", GroupID: "42/percent:50", Kind: content.KindMilestone,
			Network: n, CampaignID: "42", Milestone: "percent:50", Lang: "fr", Text: "Lumière : 50 % ! @atelier https://example.org/p", Actor: "system:composer"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	b := e.login("alice")
	doc := b.page("/?lang=fr")
	if n := doc.Find(`section.group[data-group="42/percent:50"] article.post`).Length(); n != 2 {
		t.Fatalf("group shows %d posts", n)
	}
	if got := strings.TrimSpace(doc.Find("#count-pending").Text()); got != "2" {
		t.Errorf("pending count %q", got)
	}
	// Approve in place: the scheduler places the post now and the notice
	// says when (10:30 in Paris, the earliest free slot).
	st, ans := b.hx("/posts/"+ids[0]+"/approve", "/?lang=fr", url.Values{"ctx": {"queue"}})
	if got := norm(ans.Find("#notice p").Text()); st != 200 || got != "Approuvée. Elle partira le mar. 10 mars à 10 h 30 sur X." {
		t.Errorf("approve: %d %q", st, got)
	}
	p, err := store.Get(ctx, ids[0])
	if err != nil || p.State != content.StateApproved || p.Audit[len(p.Audit)-1].Actor != "system:scheduler" || p.Audit[len(p.Audit)-2].Actor != "alice" ||
		!p.ScheduledAt.Equal(e.clock.Now()) {
		t.Fatalf("after approve: %v %s %s %+v", err, p.State, p.ScheduledAt, p.Audit)
	}
	if got := ans.Find("#count-pending").Text(); got != "1" {
		t.Errorf("the answer's pending count %q", got)
	}
	if st, er := e.api("POST", "/api/v1/posts/"+ids[0]+"/approve", "", nil); st != http.StatusConflict || er.Code != "wrong_state" {
		t.Errorf("approve twice: %d %+v", st, er)
	}
	if st, _ := e.api("POST", "/api/v1/posts/"+ids[1]+"/reject", `{"reason":"one is enough"}`, nil); st != 200 {
		t.Errorf("reject: %d", st)
	}
	// Move it in the calendar: into quiet hours is refused by the real rules…
	form := func(at string) url.Values {
		return url.Values{"scheduled_at": {at}, "ctx": {"calendar"}, "view": {"week"}, "from": {"2026-03-09"}}
	}
	st, ans = b.hx("/posts/"+ids[0]+"/schedule", "/calendar", form("2026-03-11T23:00"))
	if got := norm(ans.Find("#notice p").Text()); st != http.StatusUnprocessableEntity ||
		got != "Impossible de la placer le mer. 11 mars à 23 h 00 : heures calmes jusqu'à 8 h 00. Heure possible la plus proche : le jeu. 12 mars à 8 h 00." {
		t.Errorf("quiet hours: %d %q", st, got)
	}
	// …and a time that fits is taken, in Paris time.
	st, ans = b.hx("/posts/"+ids[0]+"/schedule", "/calendar", form("2026-03-11T09:00"))
	if p, _ = store.Get(ctx, ids[0]); st != 200 || !p.ScheduledAt.Equal(time.Date(2026, 3, 11, 8, 0, 0, 0, time.UTC)) || p.SlotNote != "set by alice" {
		t.Errorf("moved: %d at %s %q", st, p.ScheduledAt, p.SlotNote)
	}
	if ans.Find(`#calendar td[data-day="2026-03-11"][data-hour="9"] #slot-`+ids[0]).Length() != 1 {
		t.Error("the redrawn calendar does not have the post at 09:00 on the 11th")
	}
	if b.page("/calendar").Find(`td[data-day="2026-03-11"][data-hour="9"] #slot-`+ids[0]).Length() != 1 {
		t.Error("the rescheduled post is not at 09:00 on the 11th")
	}
	// A manual post through the API, approved at a given time.
	var l List[content.Post]
	if st, er := e.api("POST", "/api/v1/posts", `{"networks":["x"],"text":"Salon ce week-end","approve":true,"scheduled_at":"2026-03-12T10:00:00Z"}`, &l); st != 201 {
		t.Fatalf("manual post: %d %+v", st, er)
	}
	if l.Items[0].State != content.StateApproved || !l.Items[0].ScheduledAt.Equal(time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("manual post %+v", l.Items[0])
	}
	lines := b.page("/audit").Find("table.audit tbody tr")
	if lines.Length() < 5 || !strings.Contains(lines.First().Text(), "API (ci)") {
		t.Errorf("audit %d lines, newest %q", lines.Length(), lines.First().Text())
	}
}

// TestWithRealFeedRegistry drives the feed API and page over curator.Registry.
func TestWithRealFeedRegistry(t *testing.T) {
	var reg *curator.Registry
	e := newEnv(t, func(o *Options) {
		reg = curator.NewRegistry(o.Redis, o.Prefix)
		o.Feeds = reg
	})
	if err := reg.SyncConfig(t.Context(), []content.Feed{{URL: "https://press.example.org/rss"}}); err != nil {
		t.Fatal(err)
	}
	if st, er := e.api("POST", "/api/v1/feeds", `{"url":"https://blog.example.org/feed","keywords":["jeu"],"lang":"fr"}`, nil); st != 201 {
		t.Fatalf("add: %d %+v", st, er)
	}
	if st, er := e.api("POST", "/api/v1/feeds", `{"url":"https://blog.example.org/feed","schedule":"every tuesday"}`, nil); st != 422 || er.Field != "schedule" {
		t.Errorf("bad schedule: %d %+v", st, er)
	}
	if st, er := e.api("DELETE", "/api/v1/feeds?url=https://press.example.org/rss", "", nil); st != 409 || er.Code != "conflict" {
		t.Errorf("remove a config feed: %d %+v", st, er)
	}
	if st, er := e.api("DELETE", "/api/v1/feeds?url=https://none.example.org/rss", "", nil); st != 404 {
		t.Errorf("remove a missing feed: %d %+v", st, er)
	}
	b := e.login("alice")
	rows := b.page("/feeds").Find("table.feeds tbody tr")
	if rows.Length() != 2 || rows.Find(`form[action="/feeds/remove"]`).Length() != 1 {
		t.Errorf("feeds page: %d rows, %d remove forms", rows.Length(), rows.Find(`form[action="/feeds/remove"]`).Length())
	}
	b.flash(b.postForm("/feeds/remove", url.Values{"url": {"https://blog.example.org/feed"}}))
	if fs, _ := reg.List(t.Context()); len(fs) != 1 {
		t.Errorf("%d feeds left", len(fs))
	}
}

// TestWithRealTracker reads campaigns, milestones and history from the
// campaigns tracker.
func TestWithRealTracker(t *testing.T) {
	var tr *campaigns.Tracker
	e := newEnv(t, func(o *Options) {
		var err error
		tr, err = campaigns.NewTracker(o.Redis, o.Prefix, campaigns.DefaultRules(), campaigns.TrackerOptions{Now: o.Now})
		if err != nil {
			t.Fatal(err)
		}
		o.Campaigns = tr
	})
	c := testCampaign(e.clock.Now())
	c.Pledged, c.Backers, c.UpdatedAt = 100_000, 5, e.clock.Now()
	if _, err := tr.Ingest(t.Context(), []campaigns.Campaign{c}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	c.Pledged, c.Backers, c.UpdatedAt = 550_000, 60, e.clock.Now()
	res, err := tr.Ingest(t.Context(), []campaigns.Campaign{c})
	if err != nil || len(res.Fired) == 0 {
		t.Fatalf("ingest: %v %+v", err, res)
	}
	var d campaignDetail
	if st, er := e.api("GET", "/api/v1/campaigns/42", "", &d); st != 200 || len(d.Milestones) == 0 || len(d.History) != 2 {
		t.Fatalf("detail: %d %+v %+v", st, er, d)
	}
	b := e.login("victor")
	doc := b.page("/campaigns/42")
	if pts := strings.Fields(doc.Find("svg.sparkline polyline").AttrOr("points", "")); len(pts) != 2 {
		t.Errorf("sparkline points %v", pts)
	}
	if !strings.Contains(doc.Find("table.milestones").Text(), "percent:50") {
		t.Errorf("milestones %q", doc.Find("table.milestones").Text())
	}
	if !strings.Contains(doc.Find(".stats").Text(), "55%") {
		t.Errorf("stats %q", doc.Find(".stats").Text())
	}
}

// TestWithRealNetworks shows a pause from bots.Networks and lifts it from the
// banner and the API.
func TestWithRealNetworks(t *testing.T) {
	var nets *bots.Networks
	e := newEnv(t, func(o *Options) {
		nets = bots.NewNetworks(o.Redis, o.Prefix, []bots.NetworkConfig{{Name: "x", Enabled: true}, {Name: "facebook", Enabled: true}}, o.Now)
		o.Networks = nets
		o.ResumeNetwork = nets.Resume
	})
	if _, err := nets.Pause(t.Context(), "facebook", "Graph 190: token expired"); err != nil {
		t.Fatal(err)
	}
	b := e.login("alice")
	banner := b.page("/").Find(".banner.paused")
	if !strings.Contains(banner.Text(), "token expired") || banner.Find(`form[action="/networks/facebook/resume"]`).Length() != 1 {
		t.Fatalf("banner %q", banner.Text())
	}
	if viewer := e.login("victor"); viewer.page("/").Find(".banner.paused form").Length() != 0 {
		t.Error("a viewer is offered to resume")
	}
	msg := b.flash(b.postForm("/networks/facebook/resume", url.Values{"next": {"/"}}))
	if !strings.Contains(msg, "resumed") {
		t.Errorf("flash %q", msg)
	}
	if b.page("/").Find(".banner.paused").Length() != 0 {
		t.Error("banner still shown after resume")
	}
	if st, er := e.api("POST", "/api/v1/networks/facebook/resume", "", nil); st != 409 || er.Code != "wrong_state" {
		t.Errorf("resume a running network: %d %+v", st, er)
	}
	if st, er := e.api("POST", "/api/v1/networks/mastodon/resume", "", nil); st != 404 {
		t.Errorf("resume an unknown network: %d %+v", st, er)
	}
	nets.Pause(t.Context(), "x", "401")
	var ns bots.NetworkStatus
	if st, _ := e.api("POST", "/api/v1/networks/x/resume", "", &ns); st != 200 || ns.Paused || ns.Network != "x" {
		t.Errorf("API resume: %d %+v", st, ns)
	}
}

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
// (content.Store), sharing the Redis the sessions use.
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
	doc := b.page("/")
	if n := doc.Find(`section.group[data-group="42/percent:50"] article.post`).Length(); n != 2 {
		t.Fatalf("group shows %d posts", n)
	}
	if got := strings.TrimSpace(doc.Find("#count-pending").Text()); got != "2" {
		t.Errorf("pending count %q", got)
	}
	b.flash(b.postForm("/posts/"+ids[0]+"/approve", url.Values{"next": {"/"}}))
	p, err := store.Get(ctx, ids[0])
	if err != nil || p.State != content.StateApproved || p.Audit[len(p.Audit)-1].Actor != "alice" {
		t.Fatalf("after approve: %v %s %+v", err, p.State, p.Audit)
	}
	if st, er := e.api("POST", "/api/v1/posts/"+ids[0]+"/approve", "", nil); st != http.StatusConflict || er.Code != "wrong_state" {
		t.Errorf("approve twice: %d %+v", st, er)
	}
	if st, _ := e.api("POST", "/api/v1/posts/"+ids[1]+"/reject", `{"reason":"one is enough"}`, nil); st != 200 {
		t.Errorf("reject: %d", st)
	}
	// Reschedule the approved one from the calendar, in Paris time.
	b.flash(b.postForm("/posts/"+ids[0]+"/schedule", url.Values{"scheduled_at": {"2026-03-11T09:00"}}))
	if p, _ = store.Get(ctx, ids[0]); !p.ScheduledAt.Equal(time.Date(2026, 3, 11, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("scheduled at %s", p.ScheduledAt)
	}
	if b.page("/calendar").Find(`section.day[data-day="2026-03-11"] #slot-`+ids[0]).Length() != 1 {
		t.Error("the rescheduled post is not on the 11th")
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
	if lines.Length() < 5 || !strings.Contains(lines.First().Text(), "api:ci") {
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

package web

import (
	"github.com/PuerkitoBio/goquery"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
)

func TestCalendarPlacesPostsOnTheirDayInParis(t *testing.T) {
	e := newEnv(t, nil) // clock: 2026-03-10 09:30 UTC
	// 23:30 UTC on the 11th is 00:30 on the 12th in Paris (UTC+1 in March).
	late := time.Date(2026, 3, 11, 23, 30, 0, 0, time.UTC)
	p, _, _ := e.queue.Create(t.Context(), content.Draft{DedupKey: "a", GroupID: "a", Kind: content.KindManual, Network: "x", Text: "late one"})
	e.queue.Approve(t.Context(), p.ID, "alice")
	e.queue.Edit(t.Context(), p.ID, content.Edit{ScheduledAt: &late}, "system:scheduler")
	pub := e.queue.add(content.Post{Network: "facebook", Kind: content.KindMilestone, State: content.StatePublished, Text: "went out",
		PublishedAt: time.Date(2026, 3, 10, 7, 0, 0, 0, time.UTC), ExternalURL: "https://facebook.com/1_2"})

	b := e.login("alice")
	doc := b.page("/calendar")
	if n := doc.Find("section.day").Length(); n != 7 {
		t.Errorf("%d days, want 7", n)
	}
	slot := doc.Find(`section.day[data-day="2026-03-12"] #slot-` + p.ID)
	if slot.Length() != 1 {
		t.Fatalf("post scheduled 00:30 Paris on the 12th is not on the 12th: %q", doc.Find("#slot-"+p.ID).Parent().AttrOr("data-day", "nowhere"))
	}
	if got := slot.Find("time").Text(); got != "00:30" {
		t.Errorf("time %q, want 00:30", got)
	}
	if !strings.Contains(slot.Find(".slot-note").Text(), "set by hand") {
		t.Errorf("slot note %q", slot.Find(".slot-note").Text())
	}
	if v, _ := slot.Find(`input[name=scheduled_at]`).Attr("value"); v != "2026-03-12T00:30" {
		t.Errorf("reschedule input %q", v)
	}
	if doc.Find(`section.day[data-day="2026-03-10"] #slot-`+pub.ID).Length() != 1 {
		t.Error("published post missing on the 10th")
	}
	if !doc.Find(`section.day[data-day="2026-03-10"]`).HasClass("today") {
		t.Error("today is not marked")
	}
	if n := b.page("/calendar?days=14").Find("section.day").Length(); n != 14 {
		t.Errorf("%d days, want 14", n)
	}

	// Reschedule: 2026-03-13 08:15 in Paris is 07:15 UTC.
	b.flash(b.postForm("/posts/"+p.ID+"/schedule", url.Values{"scheduled_at": {"2026-03-13T08:15"}, "next": {"/calendar"}}))
	if got := e.queue.post(p.ID).ScheduledAt; !got.Equal(time.Date(2026, 3, 13, 7, 15, 0, 0, time.UTC)) {
		t.Errorf("rescheduled to %s", got)
	}
	msg := b.flash(b.postForm("/posts/"+p.ID+"/schedule", url.Values{"scheduled_at": {"tomorrow"}}))
	if !strings.Contains(msg, "scheduled_at") {
		t.Errorf("bad time flash %q", msg)
	}
}

func TestProblemsPageShowsErrorsAndActions(t *testing.T) {
	e := newEnv(t, nil)
	failed := e.queue.add(content.Post{Network: "x", Kind: content.KindMilestone, State: content.StateFailed, Text: "refused",
		LastError: "x: invalid (HTTP 400): Your Tweet text is too long."})
	unknown := e.queue.add(content.Post{Network: "facebook", Kind: content.KindMilestone, State: content.StateUnknown, Text: "maybe",
		LastError: "facebook: ambiguous: context deadline exceeded"})
	e.queue.add(content.Post{Network: "x", Kind: content.KindMilestone, State: content.StatePublished, Text: "fine"})
	b := e.login("alice")
	doc := b.page("/problems")
	if n := doc.Find("article.post").Length(); n != 2 {
		t.Fatalf("%d problem posts, want 2", n)
	}
	if got := doc.Find("#post-" + failed.ID + " .error-msg").Text(); !strings.Contains(got, "Your Tweet text is too long.") {
		t.Errorf("last error %q", got)
	}
	up := doc.Find("#post-" + unknown.ID)
	for _, sel := range []string{`form[action$="/retry"]`, `form[action$="/resolve"] input[name=url]`, `form[action$="/resolve"] input[name=reason]`} {
		if up.Find(sel).Length() != 1 {
			t.Errorf("action %s missing", sel)
		}
	}
	if got := strings.TrimSpace(doc.Find("#count-problems").Text()); got != "2" {
		t.Errorf("problem count %q", got)
	}
	// Resolve as published needs the URL.
	msg := b.flash(b.postForm("/posts/"+unknown.ID+"/resolve", url.Values{"published": {"true"}, "url": {""}}))
	if !strings.Contains(msg, "url") {
		t.Errorf("flash %q", msg)
	}
	b.flash(b.postForm("/posts/"+unknown.ID+"/resolve", url.Values{"published": {"true"}, "url": {"https://facebook.com/1_9"}}))
	if got := e.queue.post(unknown.ID); got.State != content.StatePublished || got.ExternalURL != "https://facebook.com/1_9" {
		t.Errorf("resolved: %s %q", got.State, got.ExternalURL)
	}
	b.flash(b.postForm("/posts/"+failed.ID+"/retry", nil))
	if got := e.queue.post(failed.ID).State; got != content.StateApproved {
		t.Errorf("retried: %s", got)
	}
}

func TestPausedNetworkBannerOnEveryPage(t *testing.T) {
	e := newEnv(t, nil)
	e.networks.status[0] = bots.NetworkStatus{Network: "x", Enabled: true, Paused: true, Reason: "401 Unauthorized: token revoked", Since: e.clock.Now()}
	b := e.login("alice")
	for _, path := range []string{"/", "/calendar", "/problems", "/audit"} {
		if got := b.page(path).Find(".banner.paused").Text(); !strings.Contains(got, "token revoked") || !strings.Contains(got, "Publishing to X") {
			t.Errorf("%s: banner %q", path, got)
		}
	}
}

func testCampaign(now time.Time) campaigns.Campaign {
	return campaigns.Campaign{ID: "42", Title: "Lumière", URL: "https://example.org/p/lumiere", Lang: "fr", Currency: "EUR",
		Goal: 1_000_000, Pledged: 750_050, Backers: 321, LaunchedAt: now.AddDate(0, 0, -20), Deadline: now.Add(10*24*time.Hour - time.Hour),
		State: campaigns.StateLive, Creator: campaigns.Creator{Name: "Atelier Lumière", XHandle: "atelier_lumiere"}}
}

func TestCampaignPages(t *testing.T) {
	e := newEnv(t, nil)
	now := e.clock.Now()
	c := testCampaign(now)
	var hist []campaigns.Sample
	for i := range 12 {
		hist = append(hist, campaigns.Sample{At: c.LaunchedAt.Add(time.Duration(i) * 24 * time.Hour), Pledged: int64(i) * 60_000, Backers: int64(i * 25)})
	}
	e.camps.put(c, []campaigns.FiredMilestone{
		{Milestone: "launch", At: c.LaunchedAt, Posted: false},
		{Milestone: "percent:50", At: now.Add(-time.Hour), Posted: true},
	}, hist)
	x, _ := milestonePair(t, e.queue, "42", "percent:50")

	b := e.login("alice")
	doc := b.page("/campaigns?lang=en")
	li := doc.Find("li.campaign")
	if li.Length() != 1 || !strings.Contains(li.Text(), "75%") || !strings.Contains(li.Text(), "€7,500.50") || !strings.Contains(li.Text(), "10 days left") {
		t.Errorf("campaign row %q", li.Text())
	}
	if v, _ := li.Find("progress").Attr("value"); v != "75" {
		t.Errorf("progress %q", v)
	}
	doc = b.page("/campaigns/42")
	pts := strings.Fields(doc.Find("svg.sparkline polyline").AttrOr("points", ""))
	if len(pts) != len(hist) {
		t.Errorf("sparkline has %d points, want %d", len(pts), len(hist))
	}
	rows := doc.Find("table.milestones tbody tr")
	if rows.Length() != 2 || !strings.Contains(rows.Eq(0).Text(), "recorded silently") || !strings.Contains(rows.Eq(1).Text(), "posted") {
		t.Errorf("milestones %q", rows.Text())
	}
	if doc.Find("#post-"+x.ID).Length() != 1 {
		t.Error("the campaign's post is not listed")
	}
	if resp := b.get("/campaigns/nope"); resp.StatusCode != 404 {
		t.Errorf("missing campaign: %d", resp.StatusCode)
	}
}

func TestFeedsPage(t *testing.T) {
	e := newEnv(t, nil)
	e.feeds.feeds = []content.FeedStatus{{Feed: content.Feed{URL: "https://press.example.org/feed.xml", FromConfig: true},
		Title: "Press", LastFetch: e.clock.Now(), LastStatus: "error", LastError: "HTTP 503", Items: 0, Curated: 7}}
	b := e.login("alice")
	doc := b.page("/feeds")
	row := doc.Find("table.feeds tbody tr")
	if row.Length() != 1 || !strings.Contains(row.Text(), "HTTP 503") || !strings.Contains(row.Text(), "7") {
		t.Errorf("feed row %q", row.Text())
	}
	if row.Find(`form[action="/feeds/remove"]`).Length() != 0 {
		t.Error("a feed from the config file offers removal")
	}
	b.flash(b.postForm("/feeds/fetch", url.Values{"url": {"https://press.example.org/feed.xml"}}))
	if len(e.fetched) != 1 {
		t.Errorf("fetched %v", e.fetched)
	}
	msg := b.flash(b.postForm("/feeds", url.Values{"url": {"javascript:alert(1)"}}))
	if !strings.Contains(msg, "url") {
		t.Errorf("bad url flash %q", msg)
	}
	b.flash(b.postForm("/feeds", url.Values{"url": {"https://blog.example.org/atom.xml"}, "keywords": {"jeu, board game"}, "auto_approve": {"on"}}))
	fs, _ := e.feeds.List(t.Context())
	if len(fs) != 2 || fs[1].URL != "https://blog.example.org/atom.xml" || len(fs[1].Keywords) != 2 || !fs[1].AutoApprove {
		t.Fatalf("feeds %+v", fs)
	}
	b.flash(b.postForm("/feeds/remove", url.Values{"url": {"https://blog.example.org/atom.xml"}}))
	if fs, _ := e.feeds.List(t.Context()); len(fs) != 1 {
		t.Errorf("feeds after remove %d", len(fs))
	}
}

func TestEngagementPage(t *testing.T) {
	e := newEnv(t, nil)
	p := e.queue.add(content.Post{Network: "x", Kind: content.KindMilestone, Variant: "v2", State: content.StatePublished, Text: "hi"})
	e.eng.series[p.ID] = []bots.EngagementSample{
		{At: e.clock.Now().Add(-2 * time.Hour), Engagement: bots.Engagement{Likes: 3}},
		{At: e.clock.Now(), Engagement: bots.Engagement{Likes: 17, Shares: 4, Replies: 2, Impressions: 900}},
	}
	e.eng.summary = []bots.EngagementSummary{{Network: "x", Kind: "milestone", Variant: "v2", Posts: 5, AvgLikes: 12.5}}
	b := e.login("victor")
	doc := b.page("/engagement")
	if got := doc.Find("table.per-post tbody tr").First().Find("td").Eq(1).Text(); got != "17" {
		t.Errorf("last likes %q, want 17", got)
	}
	if !strings.Contains(doc.Find("table.summary").Text(), "12.5") {
		t.Error("summary average missing")
	}
}

func TestComposePreviewThenCreate(t *testing.T) {
	e := newEnv(t, nil)
	b := e.login("alice")
	form := url.Values{"network": {"x", "facebook"}, "text": {"Rendez-vous samedi au salon !"}, "link": {"https://example.org/salon"},
		"lang": {"fr"}, "action": {"preview"}}
	resp := b.postForm("/compose", form)
	doc, _ := goquery.NewDocumentFromReader(resp.Body)
	if resp.StatusCode != 200 || doc.Find(".preview").Length() != 2 {
		t.Fatalf("preview: %d, %d previews", resp.StatusCode, doc.Find(".preview").Length())
	}
	// X shows links without their scheme: the link is in the text, shortened
	// for display, whole in its href.
	if xl := doc.Find(".preview-x .text a.hl-link"); xl.AttrOr("href", "") != "https://example.org/salon" || xl.Text() != "example.org/salon" {
		t.Errorf("the X preview lacks the link in the text: %q -> %q", xl.Text(), xl.AttrOr("href", ""))
	}
	if n, _ := e.queue.Counts(t.Context()); len(n) != 0 {
		t.Fatal("preview created posts")
	}
	form.Set("action", "create")
	form.Set("approve", "on")
	form.Set("scheduled_at", "2026-03-11T18:00")
	msg := b.flash(b.postForm("/compose", form))
	if !strings.Contains(msg, "2 post(s) queued") {
		t.Errorf("flash %q", msg)
	}
	posts, _, _ := e.queue.List(t.Context(), content.ListOptions{})
	if len(posts) != 2 {
		t.Fatalf("%d posts", len(posts))
	}
	for _, p := range posts {
		if p.Kind != content.KindManual || p.State != content.StateApproved || !strings.HasPrefix(p.GroupID, "manual:") ||
			!p.ScheduledAt.Equal(time.Date(2026, 3, 11, 17, 0, 0, 0, time.UTC)) || p.Audit[0].Actor != "alice" {
			t.Errorf("post %+v", p)
		}
		if p.Network == "facebook" && (p.Link != "https://example.org/salon" || strings.Contains(p.Text, "https://")) {
			t.Errorf("facebook post link %q text %q", p.Link, p.Text)
		}
	}
	// Errors show in the page, the form kept.
	resp = b.postForm("/compose", url.Values{"text": {"no network"}, "action": {"create"}})
	doc, _ = goquery.NewDocumentFromReader(resp.Body)
	if resp.StatusCode != 422 || !strings.Contains(doc.Find(".flash-error").Text(), "networks") || doc.Find("textarea[name=text]").Text() != "no network" {
		t.Errorf("error page: %d %q", resp.StatusCode, doc.Find(".flash-error").Text())
	}
}

func TestAuditPage(t *testing.T) {
	e := newEnv(t, nil)
	x, _ := milestonePair(t, e.queue, "42", "percent:50")
	e.queue.Reject(t.Context(), x.ID, "alice", "wrong amount")
	b := e.login("victor")
	first := b.page("/audit").Find("table.audit tbody tr").First().Text()
	for _, want := range []string{"alice", "reject", "wrong amount", x.ID} {
		if !strings.Contains(first, want) {
			t.Errorf("newest audit line %q lacks %q", first, want)
		}
	}
}

func TestLanguageChoice(t *testing.T) {
	e := newEnv(t, nil)
	b := e.login("alice")
	req, _ := http.NewRequest("GET", e.ts.URL+"/", nil)
	req.Header.Set("Accept-Language", "fr-FR,fr;q=0.9,en;q=0.5")
	doc, _ := goquery.NewDocumentFromReader(b.do(req).Body)
	if doc.Find("html").AttrOr("lang", "") != "fr" || !strings.Contains(doc.Find("nav").Text(), "Calendrier") {
		t.Errorf("Accept-Language fr: lang=%q nav=%q", doc.Find("html").AttrOr("lang", ""), doc.Find("nav").Text())
	}
	// The switch link sticks in a cookie, over Accept-Language.
	href := doc.Find("a.lang-switch").AttrOr("href", "")
	if href != "/?lang=en" {
		t.Fatalf("switch link %q", href)
	}
	b.page(href)
	req, _ = http.NewRequest("GET", e.ts.URL+"/calendar", nil)
	req.Header.Set("Accept-Language", "fr")
	doc, _ = goquery.NewDocumentFromReader(b.do(req).Body)
	if doc.Find("html").AttrOr("lang", "") != "en" {
		t.Error("the language switch did not stick")
	}
}

// TestPostPageHasNoLinkToItself: the "details" link leads to the post page,
// so the post page does not show it; the lists still do.
func TestPostPageHasNoLinkToItself(t *testing.T) {
	e := newEnv(t, nil)
	x, _ := milestonePair(t, e.queue, "42", "percent:50")
	b := e.login("alice")
	doc := b.page("/posts/" + x.ID)
	if doc.Find("#post-"+x.ID).Length() != 1 {
		t.Fatal("the post page does not show the post")
	}
	if n := doc.Find(`a[href="/posts/` + x.ID + `"]`).Length(); n != 0 {
		t.Errorf("the post page links to itself %d time(s)", n)
	}
	if doc.Find("#post-"+x.ID+" form[action$=\"/approve\"]").Length() != 1 {
		t.Error("the post page lost its actions")
	}
	if got := b.page("/").Find("#post-"+x.ID+" a.permalink").AttrOr("href", ""); got != "/posts/"+x.ID {
		t.Errorf("queue details link %q", got)
	}
}

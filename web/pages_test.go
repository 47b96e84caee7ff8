package web

import (
	"github.com/PuerkitoBio/goquery"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
)

// TestProblemsPageExplainsErrors: each problem shows its campaign, when it
// happened, what the network said explained with the next step, and the
// network's own words behind "details"; its actions work in place.
func TestProblemsPageExplainsErrors(t *testing.T) {
	e := newEnv(t, nil)
	e.camps.put(testCampaign(e.clock.Now()), nil, nil)
	failed := e.queue.add(content.Post{Network: "x", Kind: content.KindMilestone, State: content.StateFailed, Text: "refused", CampaignID: "42",
		Milestone: "percent:50", LastError: "unable to create post: Your Tweet text is too long.", UpdatedAt: e.clock.Now().Add(-3 * time.Hour)})
	unknown := e.queue.add(content.Post{Network: "facebook", Kind: content.KindMilestone, State: content.StateUnknown, Text: "maybe",
		LastError: "unable to publish to feed: context deadline exceeded", UpdatedAt: e.clock.Now().Add(-10 * time.Minute)})
	dup := e.queue.add(content.Post{Network: "facebook", Kind: content.KindMilestone, State: content.StateDuplicate, Text: "again",
		LastError: "unable to publish to feed: (#506) Duplicate status message"})
	blocked := e.queue.add(content.Post{Network: "facebook", Kind: content.KindMilestone, State: content.StateFailed, Text: "blocked",
		LastError: "unable to publish to feed: (#368) The action attempted has been deemed abusive or is otherwise disallowed"})
	e.queue.add(content.Post{Network: "x", Kind: content.KindMilestone, State: content.StatePublished, Text: "fine"})
	b := e.login("alice")
	doc := b.page("/problems?lang=fr")
	if n := doc.Find("article.post").Length(); n != 4 {
		t.Fatalf("%d problem posts, want 4", n)
	}
	card := doc.Find("#post-" + failed.ID)
	if got := norm(card.Find(".about").Text()); got != "Lumière · financé à 50 %" {
		t.Errorf("campaign and milestone %q", got)
	}
	if got := norm(card.Find(".when").Text()); got != "Survenu il y a 3 h" {
		t.Errorf("when %q", got)
	}
	if got := norm(card.Find(".neterror strong").Text()); got != "X a refusé la publication." {
		t.Errorf("what %q", got)
	}
	if got := norm(card.Find(".neterror .next").Text()); !strings.HasPrefix(got, "Que faire : Réessayez, puis corrigez le texte") {
		t.Errorf("next step %q", got)
	}
	raw := card.Find(".neterror details .raw")
	if raw.Text() != "unable to create post: Your Tweet text is too long." || raw.AttrOr("lang", "") != "en" {
		t.Errorf("raw error %q behind details, lang %q", raw.Text(), raw.AttrOr("lang", ""))
	}
	for id, want := range map[string]string{unknown.ID: "On ne sait pas si la publication est arrivée sur Facebook", dup.ID: "Facebook indique que ce texte a déjà été publié.",
		blocked.ID: "Facebook a temporairement bloqué les publications du compte."} {
		if got := norm(doc.Find("#post-" + id + " .neterror strong").Text()); !strings.HasPrefix(got, want) {
			t.Errorf("%s: %q, want %q", id, got, want)
		}
	}
	up := doc.Find("#post-" + unknown.ID)
	for _, sel := range []string{`form[action$="/retry"]`, `form[action$="/resolve"] input[name=url]`, `form[action$="/resolve"] input[name=reason]`} {
		if up.Find(sel).Length() != 1 {
			t.Errorf("action %s missing", sel)
		}
	}
	if got := strings.TrimSpace(doc.Find("#count-problems").Text()); got != "4" {
		t.Errorf("problem count %q", got)
	}
	// Resolve as published needs the URL.
	st, ans := b.hx("/posts/"+unknown.ID+"/resolve", "/problems", url.Values{"published": {"true"}, "url": {""}, "ctx": {"problems"}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(ans.Find("#notice").Text(), "https://…") {
		t.Errorf("resolve without URL: %d %q", st, ans.Find("#notice").Text())
	}
	st, ans = b.hx("/posts/"+unknown.ID+"/resolve", "/problems", url.Values{"published": {"true"}, "url": {"https://facebook.com/1_9"}, "ctx": {"problems"}})
	if got := e.queue.post(unknown.ID); st != 200 || got.State != content.StatePublished || got.ExternalURL != "https://facebook.com/1_9" {
		t.Errorf("resolved: %d %s %q", st, got.State, got.ExternalURL)
	}
	if c := ans.Find("#post-" + unknown.ID); c.AttrOr("hx-swap-oob", "") != "outerHTML" || !c.HasClass("done") {
		t.Errorf("the resolved card is not swapped for its short line: %q", c.Text())
	}
	// Retry: back to approved, placed at once, and said when.
	st, ans = b.hx("/posts/"+failed.ID+"/retry", "/problems", url.Values{"ctx": {"problems"}})
	if got := e.queue.post(failed.ID); st != 200 || got.State != content.StateApproved || got.ScheduledAt.IsZero() {
		t.Errorf("retried: %d %s at %s", st, got.State, got.ScheduledAt)
	}
	if got := norm(ans.Find("#notice p").Text()); got != "Remise dans la file d'envoi. Elle partira le mar. 10 mars à 11 h 30 sur X." {
		t.Errorf("retry notice %q", got)
	}
}

func TestPausedNetworkBannerOnEveryPage(t *testing.T) {
	e := newEnv(t, nil)
	e.networks.status[0] = bots.NetworkStatus{Network: "x", Enabled: true, Paused: true, Reason: "unable to create post: Unauthorized", Since: e.clock.Now().Add(-time.Hour)}
	b := e.login("alice")
	for _, path := range []string{"/", "/calendar", "/problems", "/audit"} {
		banner := b.page(path + "?lang=fr").Find(".banner.paused")
		if got := norm(banner.Find("p").First().Text()); !strings.HasPrefix(got, "La publication sur X est en pause depuis 1 h.") ||
			!strings.Contains(got, "X a refusé le jeton d'accès") || !strings.Contains(got, "Reconnectez le jeton (networks.x dans la configuration)") {
			t.Errorf("%s: banner %q", path, got)
		}
		if got := banner.Find("details .raw").Text(); got != "unable to create post: Unauthorized" {
			t.Errorf("%s: the network's words %q", path, got)
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
	if msg != "URL: must be a full http or https address" {
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

// TestEngagementPage: each post with its campaign and text and its latest
// reading; averages per template variant and per milestone family, each as
// a chart the server draws and a table.
func TestEngagementPage(t *testing.T) {
	e := newEnv(t, nil)
	e.camps.put(testCampaign(e.clock.Now()), nil, nil)
	pub := func(milestone, variant string, likes int64, ago time.Duration) content.Post {
		p := e.queue.add(content.Post{Network: "x", Kind: content.KindMilestone, CampaignID: "42", Milestone: milestone, Variant: variant,
			State: content.StatePublished, Text: "Lumière " + milestone, Lang: "fr", PublishedAt: e.clock.Now().Add(-ago)})
		e.eng.series[p.ID] = []bots.EngagementSample{
			{At: e.clock.Now().Add(-2 * time.Hour), Engagement: bots.Engagement{Likes: 3}},
			{At: e.clock.Now(), Engagement: bots.Engagement{Likes: likes, Shares: 4, Replies: 2, Impressions: 900}},
		}
		return p
	}
	pub("percent:50", "percent/v2", 17, 3*time.Hour)
	pub("percent:100", "percent/v1", 9, 2*time.Hour)
	pub("backers:100", "backers/v1", 1, time.Hour)
	old := pub("launch", "launch/v1", 500, 40*24*time.Hour) // outside the 30 days
	e.eng.summary = []bots.EngagementSummary{{Network: "x", Kind: "milestone", Variant: "percent/v2", Posts: 5, AvgLikes: 12.5, AvgShares: 1}}
	b := e.login("victor")
	doc := b.page("/engagement?lang=en")
	rows := doc.Find("table.per-post tbody tr")
	if rows.Length() != 3 || doc.Find("#post-"+old.ID).Length() != 0 {
		t.Fatalf("%d rows, want the 3 posts of the last 30 days", rows.Length())
	}
	first := rows.Last() // newest first: the oldest of the three is last
	if got := norm(first.Find("td a").Text()); got != "X · Lumière · 50% funded" {
		t.Errorf("post %q, want network, campaign and milestone", got)
	}
	if got := first.Find(".excerpt").Text(); got != "Lumière percent:50" || first.Find(".excerpt").AttrOr("lang", "") != "fr" {
		t.Errorf("text %q", got)
	}
	if got := first.Find("td").Eq(1).Text(); got != "17" {
		t.Errorf("last likes %q, want 17", got)
	}
	variants := doc.Find("#per-variant + figure svg.chart")
	if variants.Length() != 1 || variants.Find("rect").Length() != 1 || !strings.Contains(variants.Text(), "X · funding (%) · variant 2") {
		t.Errorf("variant chart %q", variants.Text())
	}
	if got := doc.Find("table.summary").First().Find("tbody tr td").Eq(3).Text(); got != "13.5" {
		t.Errorf("variant average interactions %q, want 13.5", got)
	}
	fam := doc.Find("#per-family + figure svg.chart")
	if fam.Find("rect").Length() != 2 {
		t.Errorf("family chart has %d bars, want percent and backers", fam.Find("rect").Length())
	}
	famRows := doc.Find("table.summary").Eq(1).Find("tbody tr")
	var cells []string
	famRows.First().Find("td").Each(func(_ int, c *goquery.Selection) { cells = append(cells, c.Text()) })
	if got := strings.Join(cells, "|"); got != "X|funding (%)|2|19.0|13.0|4.0|2.0|900" {
		t.Errorf("family row %q, want percent first with 2 posts averaging (17+9)/2 + 4 + 2 = 19", got)
	}
	// Bars scale to the largest.
	w1, _ := strconv.ParseFloat(fam.Find("rect").Eq(0).AttrOr("width", ""), 64)
	w2, _ := strconv.ParseFloat(fam.Find("rect").Eq(1).AttrOr("width", ""), 64)
	if w1 <= w2 || w2 <= 0 {
		t.Errorf("bar widths %v and %v", w1, w2)
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
	if msg != "2 posts queued." {
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
	if got := b.page("/").Find("#post-"+x.ID+" details.more a").AttrOr("href", ""); got != "/posts/"+x.ID {
		t.Errorf("queue details link %q", got)
	}
}

package web

import (
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/fanfarehq/fanfare/internal/langcheck"
)

// TestEveryPageInFrench renders every page of the dashboard in French over a
// desk seeded like the demo (demoDesk), then reads what a person reads —
// text, and the title, aria-label, placeholder and alt attributes — leaving
// out only what is marked as being in another language (an English
// campaign's title and posts, the networks' raw words behind "details") and
// identifiers in <code>. Any English word left fails the test, naming the
// page and the sentence.
func TestEveryPageInFrench(t *testing.T) {
	e := newEnv(t, nil)
	d := seedDemoDesk(t, e)
	english := EnglishWords()
	b := e.login("alice")
	b.page("/?lang=fr")

	pages := []string{
		"/", "/?network=x", "/?family=percent&language=fr", "/?campaign=nope",
		"/calendar", "/calendar?view=month", "/calendar?view=week&from=2026-03-16",
		"/campaigns", "/campaigns?state=live", "/campaigns/" + d.marees.ID, "/campaigns/" + d.lumen.ID,
		"/problems", "/feeds", "/engagement", "/compose", "/audit",
		"/posts/" + d.pendingFR.ID, "/posts/" + d.pendingEN.ID, "/posts/" + d.approved.ID, "/posts/" + d.unplaced.ID,
		"/posts/" + d.published.ID, "/posts/" + d.expired.ID, "/posts/" + d.rejected.ID, "/posts/" + d.failed.ID,
		"/posts/" + d.unknown.ID, "/posts/" + d.duplicate.ID,
	}
	for _, p := range pages {
		checkFrench(t, p, b.page(p), english)
	}
	// Pages that answer errors, and the login page.
	resp := b.get("/posts/nope")
	doc, _ := goquery.NewDocumentFromReader(resp.Body)
	checkFrench(t, "/posts/nope", doc, english)
	anon := e.browser()
	anon.page("/login?lang=fr")
	checkFrench(t, "/login", anon.page("/login"), english)

	// What actions say, in place: approve, a refused reject, a move refused
	// by the rules, compose errors.
	_, doc = b.hx("/posts/"+d.pendingFR.ID+"/approve", "/", url.Values{"ctx": {"queue"}})
	checkFrench(t, "approve (htmx)", doc, english)
	_, doc = b.hx("/posts/"+d.pendingEN.ID+"/reject", "/", url.Values{"ctx": {"queue"}, "reason": {""}})
	checkFrench(t, "reject without reason (htmx)", doc, english)
	_, doc = b.hx("/posts/"+d.approved.ID+"/schedule", "/calendar", url.Values{"ctx": {"calendar"}, "scheduled_at": {"2020-01-01T10:00"}})
	checkFrench(t, "move to the past (htmx)", doc, english)
	_, doc = b.hx("/posts/bulk", "/", url.Values{"ctx": {"queue"}, "action": {"approve"}, "id": {d.pendingFR.ID, d.pendingEN.ID}})
	checkFrench(t, "bulk approve (htmx)", doc, english)
	for _, form := range []url.Values{
		{"action": {"create"}, "text": {"Bonjour"}},
		{"action": {"create"}, "network": {"x"}, "text": {strings.Repeat("trop long ", 40)}},
		{"action": {"preview"}, "network": {"x", "facebook"}, "text": {"Rendez-vous samedi !"}, "link": {"ftp://nope"}},
		{"action": {"preview"}, "network": {"x", "facebook"}, "text": {"Rendez-vous samedi !"}, "scheduled_at": {"2020-01-01T10:00"}},
		{"action": {"preview"}, "network": {"x", "facebook"}, "text": {"Rendez-vous samedi au salon !"}},
	} {
		resp := b.postForm("/compose", form)
		doc, _ := goquery.NewDocumentFromReader(resp.Body)
		checkFrench(t, "compose "+form.Encode(), doc, english)
	}
	// An empty desk: the pages' empty states.
	empty := newEnv(t, func(o *Options) { o.Engagement = nil; o.Feeds = nil })
	eb := empty.login("alice")
	eb.page("/?lang=fr")
	for _, p := range []string{"/", "/calendar", "/calendar?view=month", "/campaigns", "/problems", "/feeds", "/engagement", "/audit"} {
		checkFrench(t, "empty "+p, eb.page(p), english)
	}
	for _, form := range []url.Values{{"url": {"javascript:alert(1)"}}, {"url": {"https://press.example.org/feed.xml"}}} {
		checkFrench(t, "feeds "+form.Encode(), b.page(strings.TrimPrefix(b.postForm("/feeds", form).Header.Get("Location"), "")), english)
	}
}

// checkFrench fails on any English word a person would read on the page.
func checkFrench(t *testing.T, page string, doc *goquery.Document, english map[string]bool) {
	t.Helper()
	if got := doc.Find("html").AttrOr("lang", ""); got != "" && got != "fr" {
		t.Errorf("%s: <html lang=%q>", page, got)
	}
	for _, n := range doc.Nodes {
		for _, leak := range langcheck.Leaks(n, "fr", english) {
			t.Errorf("%s: English left: %s", page, leak)
		}
	}
	if doc.Find("body").Length() > 0 && strings.TrimSpace(doc.Find("main").Text()) == "" && doc.Find("#notice").Length() == 0 {
		t.Errorf("%s: the page is empty", page)
	}
}

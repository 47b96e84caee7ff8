package web

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
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
	english := englishWords()
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
	for _, form := range []url.Values{{"url": {"javascript:alert(1)"}}, {"url": {"https://press.example.org/feed.xml"}}} {
		checkFrench(t, "feeds "+form.Encode(), b.page(strings.TrimPrefix(b.postForm("/feeds", form).Header.Get("Location"), "")), english)
	}
}

// englishWords is the vocabulary that must not appear on a French page: the
// English catalog's words and those of the texts other packages write,
// minus a fixed list of words both languages write alike (names such as X,
// Facebook, Atom; "page", "image", "minutes").
func englishWords() map[string]bool {
	words := map[string]bool{}
	add := func(s string) {
		for _, w := range tokenize(s) {
			words[w] = true
		}
	}
	for _, v := range catalog["en"] {
		add(v)
	}
	// The sentences bots and content write (reasons_test.go holds them all).
	add("earliest free slot quiet hours until daily cap reached on min spacing after post campaign spacing after its post " +
		"retry not before slot given to more urgent post priority not_after superseded by no slot before within days the earliest is " +
		"missed planned again passed before it could go out not sent rate limited paused publish lease expired the request may have gone through " +
		"attempt found on the network changed text link scheduled_at rule is empty must be an http or https URL is required to reject a post discard " +
		"unable to create post publish to feed nothing to change is long over the limit of not a valid post choose at least one network enabled listed twice " +
		"absolute language tag such as in the past too long or invalid for pending approved publishing published rejected failed unknown duplicate " +
		"milestone story curated manual digest launch percent backers stretch ending ended successful funded live canceled")
	// Words both languages write the same way. The list is fixed, not read
	// from the French catalog: a French message left in English must fail.
	for _, w := range strings.Fields("a action actions api atom code configuration console d date en engagement facebook fanfare figure français " +
		"file fr h http https image interactions long main mar message min minute minutes networks nov oct on page pages possible s site " +
		"source type url x europe paris ok v") {
		delete(words, w)
	}
	return words
}

var urlRE = regexp.MustCompile(`(?:https?|ftp|javascript)://\S+|[a-z0-9.-]+\.(?:org|com|net)\S*`)

var wordRE = regexp.MustCompile(`[\p{L}][\p{L}'’_]*`)

func tokenize(s string) []string {
	var out []string
	for _, w := range wordRE.FindAllString(strings.ToLower(s), -1) {
		w = strings.Trim(w, "'’")
		// French elisions: "l'envoi", "d'écart".
		if i := strings.IndexAny(w, "'’"); i >= 0 && i <= 2 {
			w = w[i+len(string([]rune(w[i:])[0])):]
		}
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}

// checkFrench fails on any English word a person would read on the page.
func checkFrench(t *testing.T, page string, doc *goquery.Document, english map[string]bool) {
	t.Helper()
	if got := doc.Find("html").AttrOr("lang", ""); got != "" && got != "fr" {
		t.Errorf("%s: <html lang=%q>", page, got)
	}
	var found []string
	seen := map[string]bool{}
	check := func(text string) {
		// Addresses are not language.
		for _, w := range tokenize(urlRE.ReplaceAllString(text, " ")) {
			if english[w] && !seen[w+"|"+text] {
				seen[w+"|"+text] = true
				found = append(found, w+" in "+strings.Join(strings.Fields(text), " "))
			}
		}
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style", "code":
				return
			}
			for _, a := range n.Attr {
				if a.Key == "lang" && a.Val != "fr" {
					return // marked as another language
				}
			}
			for _, a := range n.Attr {
				switch a.Key {
				case "title", "aria-label", "placeholder", "alt":
					check(a.Val)
				}
			}
		}
		if n.Type == html.TextNode {
			check(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range doc.Nodes {
		walk(n)
	}
	sort.Strings(found)
	for _, f := range found {
		t.Errorf("%s: English left: %s", page, f)
	}
	if doc.Find("body").Length() > 0 && strings.TrimSpace(doc.Find("main").Text()) == "" && doc.Find("#notice").Length() == 0 {
		t.Errorf("%s: the page is empty", page)
	}
}

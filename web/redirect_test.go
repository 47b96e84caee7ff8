package web

import (
	"net/http"
	"net/url"
	"testing"
)

// nastyNext are "next" values that a browser (or a proxy decoding once) could
// follow to another site. Each is given as the decoded form value.
var nastyNext = []string{
	"",
	"evil.example",
	"//evil.example",
	"///evil.example",
	"/\\evil.example",
	"\\\\evil.example",
	"/\t/evil.example",
	"/\n/evil.example",
	"/\r/evil.example",
	"/\x00/evil.example",
	"/\x7f/evil.example",
	"\t//evil.example",
	" //evil.example",
	"/%09/evil.example",
	"/%0a/evil.example",
	"/%2F%2Fevil.example",
	"/%2f/evil.example",
	"/%5Cevil.example",
	"/%5c%5cevil.example",
	"/a\\b",
	"https://evil.example",
	"http:evil.example",
	"javascript:alert(1)",
	"data:text/html,x",
	"/\u2028/evil.example",
	"/\u0085/evil.example",
}

func TestIsLocalPath(t *testing.T) {
	for _, p := range nastyNext {
		if isLocalPath(p) {
			t.Errorf("isLocalPath(%q) = true, want false", p)
		}
	}
	for _, p := range []string{"/", "/calendar", "/posts/p-1?x=1", "/campaigns/42?lang=fr#top", "/posts?q=caf%C3%A9", "/a%20b", "/feeds?next=//x"} {
		if !isLocalPath(p) {
			t.Errorf("isLocalPath(%q) = false, want true", p)
		}
	}
}

// TestLoginNastyNextGoesHome drives the real login form: every nasty value
// lands on "/", whether it arrives in the form or in the login page's query.
func TestLoginNastyNextGoesHome(t *testing.T) {
	e := newEnv(t, nil)
	for _, next := range nastyNext {
		resp := e.browser().postForm("/login", url.Values{"name": {"alice"}, "password": {testPassword}, "next": {next}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("next=%q: status %d", next, resp.StatusCode)
		}
		if loc := resp.Header.Get("Location"); loc != "/" {
			t.Errorf("next=%q redirected to %q", next, loc)
		}
		doc := e.browser().page("/login?next=" + url.QueryEscape(next))
		if v, _ := doc.Find(`input[name=next]`).Attr("value"); v != "/" {
			t.Errorf("login page next=%q kept %q", next, v)
		}
	}
	// A good value still works.
	resp := e.browser().postForm("/login", url.Values{"name": {"alice"}, "password": {testPassword}, "next": {"/campaigns/42?lang=fr"}})
	if loc := resp.Header.Get("Location"); loc != "/campaigns/42?lang=fr" {
		t.Errorf("good next redirected to %q", loc)
	}
}

// TestFormBackRefusesNastyNext checks the other user of isLocalPath: the
// redirect after a dashboard form.
func TestFormBackRefusesNastyNext(t *testing.T) {
	e := newEnv(t, nil)
	b := e.login("alice")
	for _, next := range nastyNext {
		resp := b.postForm("/feeds/fetch", url.Values{"url": {"https://example.org/feed.xml"}, "next": {next}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("next=%q: status %d", next, resp.StatusCode)
		}
		if loc := resp.Header.Get("Location"); loc != "/feeds" {
			t.Errorf("next=%q redirected to %q", next, loc)
		}
	}
}

package web

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/PuerkitoBio/goquery"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/fanfarehq/fanfare/content"
)

// concretePath turns a route pattern into a path that matches it.
func concretePath(pattern string) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	path = strings.ReplaceAll(path, "{$}", "")
	path = strings.ReplaceAll(path, "{id}", "x1")
	path = strings.ReplaceAll(path, "{name}", "x")
	if strings.HasSuffix(path, "/static/") {
		path += "style.css"
	}
	return method, path
}

func TestRouteWalkUnauthenticated(t *testing.T) {
	for _, metricsPublic := range []bool{false, true} {
		t.Run("metrics_public="+map[bool]string{false: "false", true: "true"}[metricsPublic], func(t *testing.T) {
			e := newEnv(t, func(o *Options) { o.MetricsPublic = metricsPublic })
			wantPublic := []string{"GET /healthz", "GET /readyz", "GET /feed.atom", "GET /campaigns/{id}/feed.atom", "GET /digests/{id}",
				"POST /hooks/campaigns", "GET /login", "POST /login", "GET /login/once", "GET /static/"}
			if metricsPublic {
				wantPublic = append(wantPublic, "GET /metrics")
			}
			b := e.browser()
			var gotPublic []string
			for _, rt := range e.srv.routes {
				method, path := concretePath(rt.pattern)
				req, _ := http.NewRequest(method, e.ts.URL+path, strings.NewReader("{}"))
				resp := b.do(req)
				body, _ := io.ReadAll(resp.Body)
				loc := resp.Header.Get("Location")
				toLogin := resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(loc, "/login")
				switch {
				case resp.StatusCode == http.StatusUnauthorized && (strings.HasPrefix(path, "/api/") || path == "/metrics"):
					var er struct {
						Error apiError `json:"error"`
					}
					if err := json.Unmarshal(body, &er); err != nil || er.Error.Code != "unauthorized" {
						t.Errorf("%s: 401 without the API error shape: %s", rt.pattern, body)
					}
				case toLogin && !strings.HasPrefix(path, "/api/"):
				case resp.StatusCode == http.StatusUnauthorized && strings.HasPrefix(path, "/login"):
					gotPublic = append(gotPublic, rt.pattern) // a public page refusing bad credentials
				case resp.StatusCode == http.StatusUnauthorized:
					t.Errorf("%s: 401 on an HTML route: want a redirect to /login", rt.pattern)
				default:
					gotPublic = append(gotPublic, rt.pattern)
				}
			}
			slices.Sort(gotPublic)
			slices.Sort(wantPublic)
			if !slices.Equal(gotPublic, wantPublic) {
				t.Errorf("public routes:\n got %v\nwant %v", gotPublic, wantPublic)
			}
			if e.hooked != 1 {
				t.Errorf("the webhook handler ran %d times, want 1", e.hooked)
			}
		})
	}
}

func TestRouteTableHasNoDuplicates(t *testing.T) {
	e := newEnv(t, nil)
	seen := map[string]bool{}
	for _, rt := range e.srv.routes {
		if seen[rt.pattern] {
			t.Errorf("route %s listed twice", rt.pattern)
		}
		seen[rt.pattern] = true
		if strings.HasPrefix(rt.pattern, "GET /api/") || strings.Contains(rt.pattern, " /api/") {
			if rt.access != accessAPI {
				t.Errorf("%s: API route without API access", rt.pattern)
			}
			if rt.doc == nil {
				t.Errorf("%s: API route without documentation", rt.pattern)
			}
		}
	}
}

func TestCrossSitePostRefused(t *testing.T) {
	e := newEnv(t, nil)
	p, _, _ := e.queue.Create(t.Context(), content.Draft{DedupKey: "k", GroupID: "g", Kind: content.KindManual, Network: "x", Text: "hello"})
	b := e.login("alice")
	cases := []struct {
		name    string
		headers map[string]string
		form    url.Values
	}{
		{"sec-fetch-site cross-site", map[string]string{"Sec-Fetch-Site": "cross-site"}, nil},
		{"foreign origin", map[string]string{"Origin": "https://evil.example"}, nil},
		{"missing form token", nil, url.Values{"csrf": {""}}},
		{"wrong form token", nil, url.Values{"csrf": {"forged"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := url.Values{"csrf": {b.csrf}}
			for k, vs := range tc.form {
				v[k] = vs
			}
			req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/posts/"+p.ID+"/approve", strings.NewReader(v.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, h := range tc.headers {
				req.Header.Set(k, h)
			}
			resp := b.do(req)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("status %d, want 403", resp.StatusCode)
			}
			if got := e.queue.post(p.ID).State; got != content.StatePending {
				t.Errorf("post is %s after a refused request", got)
			}
		})
	}
	t.Run("api with bearer token cross-site", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/api/v1/posts/"+p.ID+"/approve", nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp := b.do(req)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("status %d, want 403", resp.StatusCode)
		}
	})
	t.Run("public URL origin behind a proxy", func(t *testing.T) {
		p2, _, _ := e.queue.Create(t.Context(), content.Draft{DedupKey: "k2", GroupID: "g2", Kind: content.KindManual, Network: "x", Text: "hello again"})
		req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/posts/"+p2.ID+"/approve", strings.NewReader(url.Values{"csrf": {b.csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://fanfare.example.org")
		if resp := b.do(req); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("status %d, want 303", resp.StatusCode)
		}
	})
	t.Run("same-origin still works", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/posts/"+p.ID+"/approve", strings.NewReader(url.Values{"csrf": {b.csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		resp := b.do(req)
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("status %d, want 303", resp.StatusCode)
		}
		if got := e.queue.post(p.ID).State; got != content.StateApproved {
			t.Errorf("post is %s, want approved", got)
		}
	})
}

func TestSecurityHeadersAndNoInlineCode(t *testing.T) {
	e := newEnv(t, nil)
	e.queue.Create(t.Context(), content.Draft{DedupKey: "k", GroupID: "g", Kind: content.KindManual, Network: "x", Text: "hello https://example.org"})
	b := e.login("alice")
	for _, path := range []string{"/healthz", "/", "/login", "/calendar", "/api/v1/posts"} {
		resp := b.get(path)
		h := resp.Header
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
			t.Errorf("%s: missing nosniff or Referrer-Policy", path)
		}
	}
	for _, path := range []string{"/", "/calendar", "/campaigns", "/problems", "/feeds", "/engagement", "/compose", "/audit"} {
		doc := b.page(path)
		if n := doc.Find("[style]").Length(); n > 0 {
			t.Errorf("%s: %d elements with inline style (the CSP forbids them)", path, n)
		}
		doc.Find("script").Each(func(_ int, s *goquery.Selection) {
			if _, ok := s.Attr("src"); !ok {
				t.Errorf("%s: inline script", path)
			}
		})
	}
}

func TestHealthAndReady(t *testing.T) {
	var readyErr error
	e := newEnv(t, func(o *Options) {
		o.Ready = func(context.Context) error { return readyErr }
	})
	b := e.browser()
	if resp := b.get("/healthz"); resp.StatusCode != 200 {
		t.Errorf("healthz %d", resp.StatusCode)
	}
	if resp := b.get("/readyz"); resp.StatusCode != 200 {
		t.Errorf("readyz %d", resp.StatusCode)
	}
	readyErr = errors.New("redis: dial tcp 10.0.0.7:6379: connection refused")
	resp := b.get("/readyz")
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusServiceUnavailable || string(body) != "not ready: redis: unavailable\n" {
		t.Errorf("readyz when not ready, to a stranger: %d %q, want only the part that is unavailable", resp.StatusCode, body)
	}
	// Signed in (a session or a token), the detail is there.
	resp = e.login("victor").get("/readyz")
	body, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "10.0.0.7:6379: connection refused") {
		t.Errorf("readyz when not ready, to a signed-in user: %d %q", resp.StatusCode, body)
	}
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/readyz", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp = b.do(req)
	body, _ = io.ReadAll(resp.Body)
	if !strings.Contains(string(body), "connection refused") {
		t.Errorf("readyz when not ready, to a token: %d %q", resp.StatusCode, body)
	}
}

func TestStaticAssets(t *testing.T) {
	e := newEnv(t, nil)
	b := e.browser()
	for path, ctype := range map[string]string{"/static/style.css": "text/css", "/static/app.js": "text/javascript"} {
		resp := b.get(path)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), ctype) {
			t.Errorf("%s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	for _, path := range []string{"/static/nope.css", "/static/"} {
		if resp := b.get(path); resp.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", path, resp.StatusCode)
		}
	}
}

// TestCrossSiteRefusalIsReadable: a refused cross-site form post gets a page
// in the layout that says what happened, in the person's language; an API
// call gets the API's JSON error.
func TestCrossSiteRefusalIsReadable(t *testing.T) {
	e := newEnv(t, nil)
	p, _, _ := e.queue.Create(t.Context(), content.Draft{DedupKey: "k", GroupID: "g", Kind: content.KindManual, Network: "x", Text: "hello"})
	b := e.login("alice")
	post := func(path, lang string, hdr map[string]string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, e.ts.URL+path, strings.NewReader(url.Values{"csrf": {b.csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept-Language", lang)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		return b.do(req)
	}
	for _, tt := range []struct{ lang, want string }{
		{"en", "came from another site"},
		{"fr", "venait d'un autre site"},
	} {
		resp := post("/posts/"+p.ID+"/approve?lang=en", tt.lang, map[string]string{"Sec-Fetch-Site": "cross-site"})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("%s: status %d, want 403", tt.lang, resp.StatusCode)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("%s: content type %q", tt.lang, ct)
		}
		for _, c := range resp.Cookies() {
			if c.Name == langCookie {
				t.Errorf("%s: a refused request set the language cookie", tt.lang)
			}
		}
		doc, err := goquery.NewDocumentFromReader(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if doc.Find("html").AttrOr("lang", "") != tt.lang || doc.Find("link[rel=stylesheet]").Length() != 1 {
			t.Errorf("%s: not the layout in the right language", tt.lang)
		}
		if got := doc.Find(".error-page").Text(); !strings.Contains(got, tt.want) {
			t.Errorf("%s: error page %q", tt.lang, got)
		}
	}
	if got := e.queue.post(p.ID).State; got != content.StatePending {
		t.Errorf("post is %s after refused requests", got)
	}

	resp := post("/api/v1/posts/"+p.ID+"/approve", "en", map[string]string{"Origin": "https://evil.example", "Authorization": "Bearer " + testToken})
	var body struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusForbidden || body.Error.Code != "forbidden" {
		t.Errorf("api: status %d, body %+v, err %v", resp.StatusCode, body, err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("api: content type %q", ct)
	}
}

package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/impact"
)

// fakeImpact answers a fixed report: percent works best on X, variant v2.
type fakeImpact struct{ pins map[string]string }

func (f *fakeImpact) PostImpact(_ context.Context, p content.Post) (impact.PostImpact, error) {
	return impact.PostImpact{Clicks: 10, UniqueVisitors: 9, AttributedPledges: 3,
		Lift: &impact.Lift{Estimated: true, Method: impact.LiftMethod}}, nil
}

func (f *fakeImpact) Report(_ context.Context, by string, since time.Time) (impact.Report, error) {
	est := &impact.Estimate{Lift: 0.12, Low: -0.03, High: 0.3, SampleSize: 5}
	rows := map[string][]impact.Row{
		"family": {{Key: "percent", Network: "x", Posts: 5, Clicks: 60, ClicksPerPost: 12, AttributedPledges: 4, Lift: est, Best: true},
			{Key: "launch", Network: "x", Posts: 4, Clicks: 20, ClicksPerPost: 5}},
		"variant": {{Key: "fr:percent/v2", Network: "x", Posts: 3, Clicks: 45, ClicksPerPost: 15, Best: true},
			{Key: "fr:percent/v1", Network: "x", Posts: 3, Clicks: 15, ClicksPerPost: 5}},
		"post": {{Key: "01POST", Network: "x", Posts: 1, Clicks: 10, ClicksPerPost: 10, Lift: est}},
	}
	return impact.Report{GroupBy: by, Since: since, Method: impact.LiftMethod, Rows: rows[by]}, nil
}

func (f *fakeImpact) Refresh(context.Context) error { return nil }

func (f *fakeImpact) Stats() []impact.ArmStats {
	return []impact.ArmStats{{Key: impact.BanditKey{Network: "x", Lang: "fr", Family: "percent"},
		Arms:   []impact.Arm{{Variant: "v1", Posts: 3, Clicks: 15}, {Variant: "v2", Posts: 3, Clicks: 45}},
		Shares: map[string]float64{"v1": 0.1, "v2": 0.9}, Pinned: f.pins["x/fr/percent"]}}
}

func (f *fakeImpact) Pin(_ context.Context, k impact.BanditKey, v string) error {
	f.pins[k.String()] = v
	return nil
}

// fakeLinks leads every code but "gone" and "broken" to x.example, and
// records the visits.
type fakeLinks struct {
	mu     sync.Mutex
	visits []impact.Visit
}

func (f *fakeLinks) Follow(_ context.Context, code string, v impact.Visit) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch code {
	case "gone":
		return "", impact.ErrNoLink
	case "broken":
		return "", errors.New("impact: unable to read short link broken: connection refused")
	}
	f.visits = append(f.visits, v)
	return "https://x.example/" + code, nil
}

func newImpactEnv(t *testing.T) (*env, *fakeImpact) {
	e, f, _ := newImpactEnvLinks(t)
	return e, f
}

func newImpactEnvLinks(t *testing.T) (*env, *fakeImpact, *fakeLinks) {
	f := &fakeImpact{pins: map[string]string{}}
	links := &fakeLinks{}
	e := newEnv(t, func(o *Options) {
		o.Impact, o.Bandit = f, f
		o.ShortLinks = links
		o.PledgeHook = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) })
	})
	return e, f, links
}

// TestShortLinkRedirects: GET and HEAD /r/{code} are public 302s that no
// cache keeps; only a GET counts, with the visitor's address as the login
// limits see it; a code that leads nowhere is a plain 404, a store that
// fails a 503.
func TestShortLinkRedirects(t *testing.T) {
	e, _, links := newImpactEnvLinks(t)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, code string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, e.ts.URL+"/r/"+code, nil)
		req.Header.Set("User-Agent", "Mozilla/5.0 test")
		r, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		return r
	}
	for _, method := range []string{"GET", "HEAD"} {
		r := do(method, "Abc1234x")
		if r.StatusCode != http.StatusFound || r.Header.Get("Location") != "https://x.example/Abc1234x" || r.Header.Get("Cache-Control") != "private, no-store" {
			t.Errorf("%s: %d, Location %q, Cache-Control %q", method, r.StatusCode, r.Header.Get("Location"), r.Header.Get("Cache-Control"))
		}
	}
	if len(links.visits) != 2 || !links.visits[0].Count || links.visits[1].Count ||
		links.visits[0].UserAgent != "Mozilla/5.0 test" || links.visits[0].Addr != "127.0.0.1" {
		t.Errorf("visits %+v, want a counted GET from 127.0.0.1 and an uncounted HEAD", links.visits)
	}
	if r := do("GET", "gone"); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown code: %d", r.StatusCode)
	}
	if r := do("GET", "broken"); r.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("failing store: %d", r.StatusCode)
	}
	if r := do("POST", "Abc1234x"); r.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", r.StatusCode)
	}
}

func TestImpactPageSaysWhatWorksBest(t *testing.T) {
	e, f := newImpactEnv(t)
	b := e.login("alice")
	for _, lang := range []string{"en", "fr"} {
		doc := b.page("/impact?lang=" + lang)
		if doc.Find(`nav a[href="/impact"][aria-current="page"]`).Length() != 1 {
			t.Errorf("%s: the menu does not lead to the page", lang)
		}
		if n := doc.Find("svg.chart").Length(); n != 2 {
			t.Errorf("%s: %d charts, want one per family and one per variant", lang, n)
		}
		best := doc.Find("#families + figure + .table-wrap tbody tr").First().Text()
		word := map[string]string{"en": "works best", "fr": "marche le mieux"}[lang]
		if !strings.Contains(best, word) || !strings.Contains(doc.Find("#variants + figure + .table-wrap tbody tr").First().Text(), word) {
			t.Errorf("%s: the best family and variant are not marked %q", lang, word)
		}
		if !strings.Contains(doc.Text(), map[string]string{"en": "estimated", "fr": "estimée"}[lang]) {
			t.Errorf("%s: the lift is not said to be estimated", lang)
		}
		if lang == "fr" {
			checkFrench(t, "/impact", doc, EnglishWords())
			if !strings.Contains(doc.Text(), "+12\u202f% (de −3 à +30\u202f%)") {
				t.Errorf("fr: lift not written the French way")
			}
		}
	}
	resp := b.postForm("/impact/pin", url.Values{"key": {"x/fr/percent"}, "variant": {"v1"}})
	resp.Body.Close()
	if f.pins["x/fr/percent"] != "v1" {
		t.Fatalf("pin: %d, pins %v", resp.StatusCode, f.pins)
	}
	if !strings.Contains(b.page("/impact?lang=en").Text(), "pinned: v1") {
		t.Error("the pinned variant is not shown")
	}
	resp = b.postForm("/impact/pin", url.Values{"key": {"nonsense"}, "variant": {"v1"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad pin key: %d", resp.StatusCode)
	}
	v := e.login("victor")
	if v.page("/impact").Find(`form[action="/impact/pin"]`).Length() != 0 {
		t.Error("a viewer is offered to pin")
	}
}

func TestImpactAPI(t *testing.T) {
	e, _ := newImpactEnv(t)
	get := func(path string) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", e.ts.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, b
	}
	resp, body := get("/api/v1/impact?group_by=family")
	var rep impact.Report
	if err := json.Unmarshal(body, &rep); err != nil || resp.StatusCode != 200 || len(rep.Rows) != 2 || !rep.Rows[0].Best {
		t.Fatalf("report: %d %s", resp.StatusCode, body)
	}
	resp, body = get("/api/v1/impact?group_by=variant&format=csv")
	lines := strings.Split(strings.TrimSpace(string(body)), "\n")
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || len(lines) != 3 ||
		!strings.HasPrefix(lines[0], "variant,network,posts,clicks") || !strings.HasPrefix(lines[1], "fr:percent/v2,x,3,45,") {
		t.Fatalf("csv: %s\n%s", resp.Header.Get("Content-Type"), body)
	}
	for _, q := range []string{"group_by=color", "days=0", "days=x", "format=xml"} {
		if resp, body := get("/api/v1/impact?" + q); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d %s", q, resp.StatusCode, body)
		}
	}
	p, _, _ := e.queue.Create(context.Background(), content.Draft{Kind: content.KindManual, Network: "x", Text: "Hello", Lang: "en"})
	_, body = get("/api/v1/posts/" + p.ID)
	var got map[string]any
	_ = json.Unmarshal(body, &got)
	if got["id"] != p.ID || got["clicks"] != 10.0 || got["unique_visitors"] != 9.0 || got["attributed_pledges"] != 3.0 || got["lift"] == nil {
		t.Fatalf("post with impact: %s", body)
	}
	// Short links and the pledge hook are public; the redirect is not cached.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r, err := noFollow.Get(e.ts.URL + "/r/Abc1234x")
	if err != nil || r.StatusCode != http.StatusFound || r.Header.Get("Location") != "https://x.example/Abc1234x" {
		t.Fatalf("short link: %v %v", r, err)
	}
	r, err = http.Post(e.ts.URL+"/hooks/pledges", "application/json", strings.NewReader(`{}`))
	if err != nil || r.StatusCode != http.StatusAccepted {
		t.Fatalf("pledge hook: %v %v", r, err)
	}
}

// TestAPIVariants: the variants' standing and pins are in the API as on the
// Impact page; a pin names a key and a variant the bandit knows, or is
// refused naming the field; an empty variant unpins.
func TestAPIVariants(t *testing.T) {
	e, f := newImpactEnv(t)
	var list struct {
		Items []variantStats `json:"items"`
	}
	if st, er := e.api("GET", "/api/v1/impact/variants", "", &list); st != 200 || len(list.Items) != 1 {
		t.Fatalf("variants: %d %+v", st, er)
	}
	v := list.Items[0]
	if v.Key != "x/fr/percent" || v.Family != "percent" || len(v.Arms) != 2 || v.Shares["v2"] != 0.9 || v.Pinned != "" {
		t.Errorf("variants = %+v", v)
	}
	var pinned variantStats
	if st, er := e.api("POST", "/api/v1/impact/variants/pin", `{"key":"x/fr/percent","variant":"v1"}`, &pinned); st != 200 || pinned.Pinned != "v1" {
		t.Fatalf("pin: %d %+v %+v", st, er, pinned)
	}
	if f.pins["x/fr/percent"] != "v1" {
		t.Errorf("pins = %v", f.pins)
	}
	for body, field := range map[string]string{
		`{"key":"x/fr","variant":"v1"}`:              "key",
		`{"key":"facebook/en/ended","variant":"v1"}`: "key",
		`{"key":"x/fr/percent","variant":"v9"}`:      "variant",
	} {
		if st, er := e.api("POST", "/api/v1/impact/variants/pin", body, nil); st != 422 || er.Field != field {
			t.Errorf("%s: %d %+v, want 422 on %s", body, st, er, field)
		}
	}
	var unpinned variantStats
	if st, _ := e.api("POST", "/api/v1/impact/variants/pin", `{"key":"x/fr/percent","variant":""}`, &unpinned); st != 200 || unpinned.Pinned != "" || f.pins["x/fr/percent"] != "" {
		t.Errorf("unpin: %d %+v %v", st, unpinned, f.pins)
	}
}

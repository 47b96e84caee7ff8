package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/redis/go-redis/v9"
	"golang.org/x/crypto/bcrypt"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/internal/redistest"
)

func TestMain(m *testing.M) { os.Exit(redistest.Run(m)) }

// testClock is an injectable clock that tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const (
	testPassword = "correct horse battery staple"
	testToken    = "tok-manager-0123456789"
)

// testHash is a cheap bcrypt hash: the tests log in often.
var testHash = func() string {
	h, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	if err != nil {
		panic(err)
	}
	return string(h)
}()

func tokenSum(tok string) string {
	s := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(s[:])
}

// env is a server over fakes, a real Redis and a test clock.
type env struct {
	t        *testing.T
	clock    *testClock
	queue    *fakeQueue
	camps    *fakeCampaigns
	feeds    *fakeFeeds
	eng      *fakeEngagement
	networks *fakeNetworks
	slots    *fakeSlots
	rdb      redis.UniversalClient
	srv      *Server
	ts       *httptest.Server
	fetched  []string
	hooked   int
}

// newEnv builds the server; edit adjusts the options before New.
func newEnv(t *testing.T, edit func(*Options)) *env {
	t.Helper()
	e := &env{t: t, clock: &testClock{t: time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)}}
	e.queue = newFakeQueue(e.clock.Now)
	e.camps = newFakeCampaigns()
	e.feeds = &fakeFeeds{}
	e.eng = &fakeEngagement{series: map[string][]bots.EngagementSample{}}
	e.networks = &fakeNetworks{status: []bots.NetworkStatus{{Network: "x", Enabled: true}, {Network: "facebook", Enabled: true}}}
	e.slots = &fakeSlots{q: e.queue, now: e.clock.Now}
	e.rdb = redistest.Client(t)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatalf("time zone data: %v", err)
	}
	o := Options{
		Queue: e.queue, Campaigns: e.camps, Feeds: e.feeds, Engagement: e.eng, Networks: e.networks, Slots: e.slots,
		FetchFeed: func(_ context.Context, u string) error { e.fetched = append(e.fetched, u); return nil },
		Hooks: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			e.hooked++
			w.WriteHeader(http.StatusAccepted)
		}),
		Metrics: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "# metrics\n") }),
		Users: []User{
			{Name: "alice", Role: RoleManager, PasswordHash: testHash},
			{Name: "victor", Role: RoleViewer, PasswordHash: testHash},
		},
		APITokens: []APIToken{{Name: "ci", SHA256: tokenSum(testToken), Scopes: []string{ScopeAdmin}}},
		PublicURL: "https://fanfare.example.org",
		Location:  paris,
		Redis:     e.rdb,
		Prefix:    "fanfare",
		Now:       e.clock.Now,
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Version:   "test",
	}
	if edit != nil {
		edit(&o)
	}
	e.srv, err = New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.ts = httptest.NewServer(e.srv.Handler())
	t.Cleanup(e.ts.Close)
	return e
}

// browser is a cookie-keeping client that does not follow redirects, so the
// tests see each 303.
type browser struct {
	e    *env
	c    *http.Client
	csrf string
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// login signs in and remembers the session's form token.
func (e *env) login(name string) *browser {
	e.t.Helper()
	b := e.browser()
	resp := b.postForm("/login", url.Values{"name": {name}, "password": {testPassword}, "next": {"/"}})
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login %s: status %d", name, resp.StatusCode)
	}
	doc := b.page("/audit")
	tok, ok := doc.Find(`input[name=csrf]`).Attr("value")
	if !ok || tok == "" {
		e.t.Fatal("no csrf token in the page")
	}
	b.csrf = tok
	return b
}

func (b *browser) do(req *http.Request) *http.Response {
	b.e.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	b.e.t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

func (b *browser) get(path string) *http.Response {
	b.e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.e.ts.URL+path, nil)
	return b.do(req)
}

// postForm posts a form with the session's CSRF token (unless the values
// carry their own).
func (b *browser) postForm(path string, v url.Values) *http.Response {
	b.e.t.Helper()
	if v == nil {
		v = url.Values{}
	}
	if _, ok := v["csrf"]; !ok && b.csrf != "" {
		v.Set("csrf", b.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, b.e.ts.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// page GETs a page, expects 200 and parses it.
func (b *browser) page(path string) *goquery.Document {
	b.e.t.Helper()
	resp := b.get(path)
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		b.e.t.Fatalf("GET %s: status %d: %s", path, resp.StatusCode, body)
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		b.e.t.Fatalf("GET %s: %v", path, err)
	}
	return doc
}

// hx posts a form as htmx does (HX-Request, the page's URL) and returns
// the answer's status and parsed fragments.
func (b *browser) hx(path, current string, v url.Values) (int, *goquery.Document) {
	b.e.t.Helper()
	if v == nil {
		v = url.Values{}
	}
	if _, ok := v["csrf"]; !ok && b.csrf != "" {
		v.Set("csrf", b.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, b.e.ts.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Current-URL", b.e.ts.URL+current)
	resp := b.do(req)
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		b.e.t.Fatalf("POST %s: %v", path, err)
	}
	return resp.StatusCode, doc
}

// flash follows a 303 and returns the flash message shown on the target.
func (b *browser) flash(resp *http.Response) string {
	b.e.t.Helper()
	if resp.StatusCode != http.StatusSeeOther {
		body, _ := io.ReadAll(resp.Body)
		b.e.t.Fatalf("status %d, want 303: %s", resp.StatusCode, body)
	}
	doc := b.page(resp.Header.Get("Location"))
	return strings.TrimSpace(doc.Find(".flash").Text())
}

package web

import (
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/fanfarehq/fanfare/content"
)

// TestPagingValidated: every listing refuses an offset or limit out of
// range with 400 naming the field, instead of overflowing (offset+limit
// once panicked on /api/v1/feeds).
func TestPagingValidated(t *testing.T) {
	e := newEnv(t, nil)
	e.feeds.feeds = []content.FeedStatus{{Feed: content.Feed{URL: "https://a.example/feed"}}}
	for _, path := range []string{"/api/v1/feeds", "/api/v1/posts", "/api/v1/campaigns"} {
		for _, q := range []struct{ query, field string }{
			{"offset=9223372036854775807", "offset"},
			{"offset=1000001", "offset"},
			{"offset=-1", "offset"},
			{"offset=abc", "offset"},
			{"limit=0", "limit"},
			{"limit=9223372036854775807", "limit"},
		} {
			st, er := e.api("GET", path+"?"+q.query, "", nil)
			if st != http.StatusBadRequest || er.Field != q.field {
				t.Errorf("GET %s?%s: %d %+v, want 400 naming %s", path, q.query, st, er, q.field)
			}
		}
		var l List[any]
		if st, _ := e.api("GET", path+"?offset=1000000&limit=500", "", &l); st != http.StatusOK || len(l.Items) != 0 {
			t.Errorf("GET %s at the largest offset: %d %+v", path, st, l)
		}
	}
	if st, er := e.api("GET", "/api/v1/audit?limit=99999999999999999999", "", nil); st != http.StatusBadRequest || er.Field != "limit" {
		t.Errorf("audit limit: %d %+v", st, er)
	}
	b := e.login("alice")
	for _, path := range []string{"/campaigns?offset=9223372036854775807", "/campaigns?offset=x", "/audit?limit=0"} {
		resp := b.get(path)
		body := readAll(t, resp)
		field := strings.SplitN(strings.SplitN(path, "?", 2)[1], "=", 2)[0]
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, field+" must be a whole number") {
			t.Errorf("GET %s: %d, want 400 naming %s", path, resp.StatusCode, field)
		}
	}
}

// TestPostIDsValidatedAtTheEdge: an id that is not a ULID never reaches the
// store, where "<id>:audit" would name the post's audit trail.
func TestPostIDsValidatedAtTheEdge(t *testing.T) {
	e := newEnv(t, nil)
	real := e.queue.add(content.Post{Kind: content.KindManual, Network: "x", State: content.StatePending, Text: "hello"})
	// A store that would answer for such a key, as Redis answered WRONGTYPE.
	e.queue.add(content.Post{ID: real.ID + ":audit", Kind: content.KindManual, Network: "x", State: content.StatePending, Text: "audit"})
	if st, _ := e.api("GET", "/api/v1/posts/"+real.ID, "", nil); st != http.StatusOK {
		t.Fatalf("a real id: %d", st)
	}
	for _, id := range []string{real.ID + ":audit", "nope", strings.ToLower(real.ID), real.ID + "0", "01J000000000000000000000I1"} {
		st, er := e.api("GET", "/api/v1/posts/"+id, "", nil)
		if st != http.StatusNotFound || er.Field != "id" {
			t.Errorf("GET /api/v1/posts/%s: %d %+v, want 404 naming id", id, st, er)
		}
		if st, er := e.api("POST", "/api/v1/posts/"+id+"/approve", "", nil); st != http.StatusNotFound || er.Field != "id" {
			t.Errorf("POST /api/v1/posts/%s/approve: %d %+v", id, st, er)
		}
	}
	b := e.login("alice")
	if resp := b.get("/posts/" + real.ID + ":audit"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("page of a key name: %d, want 404", resp.StatusCode)
	}
	if resp := b.get("/digests/" + real.ID + ":audit"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("digest page of a key name: %d, want 404", resp.StatusCode)
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestArgon2idBounds: a configured hash may not ask for more than the
// bounds (a 4 GiB hash was once accepted), nor for less than a sane floor.
func TestArgon2idBounds(t *testing.T) {
	salt := base64.RawStdEncoding.EncodeToString([]byte("saltsaltsalt"))
	key := base64.RawStdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	hash := func(params string) string { return "$argon2id$v=19$" + params + "$" + salt + "$" + key }
	for _, tt := range []struct {
		params string
		ok     bool
	}{
		{"m=19456,t=2,p=1", true},
		{"m=65536,t=3,p=4", true},
		{"m=262144,t=10,p=16", true},
		{"m=4194304,t=1,p=1", false}, // 4 GiB
		{"m=262145,t=1,p=1", false},
		{"m=1024,t=1,p=1", false},
		{"m=65536,t=11,p=1", false},
		{"m=65536,t=1,p=17", false},
		{"m=65536,t=0,p=1", false},
	} {
		err := CheckPasswordHash(hash(tt.params))
		if (err == nil) != tt.ok {
			t.Errorf("%s: error %v, want ok=%v", tt.params, err, tt.ok)
		}
	}
	if err := CheckPasswordHash("$2a$16$" + strings.Repeat("a", 53)); err == nil {
		t.Error("bcrypt cost 16 accepted")
	}
}

// TestUnknownUserChecksTheDummyHash: an unknown name is checked against the
// fixed dummy hash at the default cost, never against a user's hash.
func TestUnknownUserChecksTheDummyHash(t *testing.T) {
	e := newEnv(t, nil)
	var tried []string
	e.srv.verified = func(h string) { tried = append(tried, h) }
	e.browser().postForm("/login", url.Values{"name": {"mallory"}, "password": {testPassword}})
	if len(tried) != 1 || tried[0] != dummyHash {
		t.Fatalf("an unknown name was checked against %q, want the dummy hash", tried)
	}
	if cost, err := bcrypt.Cost([]byte(dummyHash)); err != nil || cost != 12 {
		t.Errorf("dummy hash cost %d (%v), want HashPassword's 12", cost, err)
	}
	if verifyPassword(dummyHash, "") || verifyPassword(dummyHash, testPassword) {
		t.Error("the dummy hash matches a password")
	}
}

// TestFeedSecretsRedacted: a feed URL's user info and api_key are shown to
// nobody but the managers' forms (and admin tokens, who manage feeds).
func TestFeedSecretsRedacted(t *testing.T) {
	const secretURL = "https://bob:hunter2@feeds.example.org/x.xml?api_key=K3Y&lang=fr"
	var logs syncBuffer
	e := newEnv(t, func(o *Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		o.APITokens = append(o.APITokens, APIToken{Name: "reader", SHA256: tokenSum("tok-reader-0123456789"), Scopes: []string{ScopeRead}})
	})
	e.feeds.feeds = []content.FeedStatus{{Feed: content.Feed{URL: secretURL}, LastError: `Get "` + secretURL + `": no answer`}}
	leaks := func(s string) bool { return strings.Contains(s, "hunter2") || strings.Contains(s, "K3Y") }

	viewer := e.login("victor")
	if body := readAll(t, viewer.get("/feeds")); leaks(body) || !strings.Contains(body, "feeds.example.org/x.xml") {
		t.Errorf("the viewer's feeds page leaks or lacks the feed:\n%s", body)
	}
	manager := e.login("alice")
	doc := manager.page("/feeds")
	if v, _ := doc.Find(`form[action="/feeds/remove"] input[name=url]`).Attr("value"); v != secretURL {
		t.Errorf("the manager's remove form holds %q, want the whole URL", v)
	}
	shown := doc.Find("table.feeds td").First().Text() + doc.Find(".raw").Text()
	if leaks(shown) {
		t.Errorf("the manager's listing shows the secret: %s", shown)
	}
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/api/v1/feeds", nil)
	req.Header.Set("Authorization", "Bearer tok-reader-0123456789")
	if body := readAll(t, e.browser().do(req)); leaks(body) {
		t.Errorf("a read token gets the secret: %s", body)
	}
	var l List[content.FeedStatus]
	if st, _ := e.api("GET", "/api/v1/feeds", "", &l); st != 200 || len(l.Items) != 1 || l.Items[0].URL != secretURL {
		t.Errorf("an admin token gets %+v, want the whole URL", l.Items)
	}
	e.api("POST", "/api/v1/feeds", `{"url":"https://carol:pw2@other.example.org/f?token=T0K"}`, nil)
	if strings.Contains(logs.String(), "pw2") || strings.Contains(logs.String(), "T0K") {
		t.Errorf("a feed's secret was logged:\n%s", logs.String())
	}
}

// syncBuffer is a log sink written by the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

package web

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/fanfarehq/fanfare/content"

	"github.com/fanfarehq/fanfare/internal/redistest"
)

func TestLoginSuccessAndFailureLookAlike(t *testing.T) {
	e := newEnv(t, nil)
	b := e.browser()
	resp := b.postForm("/login", url.Values{"name": {"alice"}, "password": {testPassword}, "next": {"/calendar"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/calendar" {
		t.Fatalf("login: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var sc *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			sc = c
		}
	}
	if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || len(sc.Value) < 43 {
		t.Fatalf("session cookie %+v", sc)
	}
	b.page("/calendar")

	bodies := map[string]string{}
	for name, pw := range map[string]string{"alice": "wrong", "mallory": testPassword} {
		resp := e.browser().postForm("/login", url.Values{"name": {name}, "password": {pw}})
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: status %d", name, resp.StatusCode)
		}
		bodies[name] = strings.ReplaceAll(string(body), name, "NAME")
	}
	if bodies["alice"] != bodies["mallory"] {
		t.Error("a wrong password and an unknown user give different pages: names can be enumerated")
	}
}

func TestLoginOpenRedirectRefused(t *testing.T) {
	e := newEnv(t, nil)
	for _, next := range []string{"https://evil.example/", "//evil.example/", "/\\evil.example"} {
		resp := e.browser().postForm("/login", url.Values{"name": {"alice"}, "password": {testPassword}, "next": {next}})
		if loc := resp.Header.Get("Location"); loc != "/" {
			t.Errorf("next=%q redirected to %q", next, loc)
		}
	}
}

func TestLoginRateLimit(t *testing.T) {
	e := newEnv(t, nil)
	// One name from one address: the pair's limit applies.
	for i := 0; i < loginLimitPerPair; i++ {
		resp := e.browser().postForm("/login", url.Values{"name": {"alice"}, "password": {"guess" + fmt.Sprint(i)}})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: status %d", i+1, resp.StatusCode)
		}
	}
	// Even the right password is refused now, with a clear message.
	resp := e.browser().postForm("/login", url.Values{"name": {"alice"}, "password": {testPassword}})
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(body), "Too many attempts") {
		t.Fatalf("6th attempt: %d %s", resp.StatusCode, body)
	}
	// Another name from the same address is still allowed.
	if resp := e.browser().postForm("/login", url.Values{"name": {"victor"}, "password": {testPassword}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("other user: status %d", resp.StatusCode)
	}
	// The window passes.
	e.clock.Advance(loginWindow)
	if resp := e.browser().postForm("/login", url.Values{"name": {"alice"}, "password": {testPassword}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after the window: status %d", resp.StatusCode)
	}
}

func TestLoginRateLimitPerAddress(t *testing.T) {
	e := newEnv(t, nil)
	for i := 0; i < loginLimitPerAddr; i++ {
		// a new name each time: only the address counter adds up
		e.browser().postForm("/login", url.Values{"name": {fmt.Sprintf("u%d", i)}, "password": {"x"}})
	}
	resp := e.browser().postForm("/login", url.Values{"name": {"alice"}, "password": {testPassword}})
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("status %d, want 429", resp.StatusCode)
	}
}

func TestSessionExpiresAndSlides(t *testing.T) {
	e := newEnv(t, nil)
	b := e.login("alice")
	e.clock.Advance(11 * time.Hour)
	b.page("/") // used: the 12 hours start again
	e.clock.Advance(11 * time.Hour)
	b.page("/")
	e.clock.Advance(DefaultSessionIdle + time.Second)
	resp := b.get("/")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("expired session: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := redistest.Keys(t, e.rdb, "{fanfare}:web:session:*"); len(n) != 0 {
		t.Errorf("expired session still stored: %v", n)
	}
}

func TestLogoutDeletesSession(t *testing.T) {
	e := newEnv(t, nil)
	b := e.login("alice")
	keys := redistest.Keys(t, e.rdb, "{fanfare}:web:session:*")
	if len(keys) != 1 {
		t.Fatalf("sessions stored: %v", keys)
	}
	// A viewer may log out too; alice is a manager, the route allows both.
	resp := b.postForm("/logout", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if keys := redistest.Keys(t, e.rdb, "{fanfare}:web:session:*"); len(keys) != 0 {
		t.Errorf("session survives logout: %v", keys)
	}
	if resp := b.get("/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after logout: %d", resp.StatusCode)
	}
}

func TestViewerCannotChangeAnything(t *testing.T) {
	e := newEnv(t, nil)
	p, _, _ := e.queue.Create(t.Context(), content.Draft{DedupKey: "k", GroupID: "g", Kind: content.KindManual, Network: "x", Text: "hello"})
	b := e.login("victor")
	doc := b.page("/")
	if doc.Find(`form[action="/posts/`+p.ID+`/approve"]`).Length() != 0 {
		t.Error("a viewer is shown the approve form")
	}
	if doc.Find(".post").Length() != 1 {
		t.Error("a viewer does not see the queue")
	}
	for _, path := range []string{"/posts/" + p.ID + "/approve", "/posts/bulk", "/compose", "/feeds"} {
		resp := b.postForm(path, url.Values{"id": {p.ID}, "action": {"approve"}, "url": {"https://example.org/feed"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("viewer POST %s: %d, want 403", path, resp.StatusCode)
		}
	}
	if got := e.queue.post(p.ID).State; got != content.StatePending {
		t.Errorf("post is %s", got)
	}
	// The session works for the API too, read only.
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/api/v1/posts/"+p.ID+"/approve", nil)
	if resp := b.do(req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("viewer API POST: %d", resp.StatusCode)
	}
	if resp := b.get("/api/v1/posts"); resp.StatusCode != http.StatusOK {
		t.Errorf("viewer API GET: %d", resp.StatusCode)
	}
}

func TestOneTimeLogin(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Users = nil })
	link, err := e.srv.OneTimeLoginURL(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(link)
	if err != nil || u.Host != "fanfare.example.org" || u.Path != "/login/once" || len(u.Query().Get("token")) < 43 {
		t.Fatalf("link %q", link)
	}
	b := e.browser()
	resp := b.get(u.RequestURI())
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("first use: %d", resp.StatusCode)
	}
	doc := b.page("/")
	if who := doc.Find(".who").Text(); !strings.Contains(who, "admin") {
		t.Errorf("logged in as %q", who)
	}
	if resp := e.browser().get(u.RequestURI()); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("second use: %d, want 401", resp.StatusCode)
	}
	// Expired links do not work either.
	link, _ = e.srv.OneTimeLoginURL(t.Context())
	e.clock.Advance(onceTTL + time.Second)
	u, _ = url.Parse(link)
	if resp := e.browser().get(u.RequestURI()); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("expired link: %d, want 401", resp.StatusCode)
	}
}

func TestOneTimeLoginRefusedWithUsers(t *testing.T) {
	e := newEnv(t, nil)
	if _, err := e.srv.OneTimeLoginURL(t.Context()); err == nil {
		t.Fatal("one-time login with users configured")
	}
}

func TestAPIToken(t *testing.T) {
	e := newEnv(t, nil)
	p, _, _ := e.queue.Create(t.Context(), content.Draft{DedupKey: "k", GroupID: "g", Kind: content.KindManual, Network: "x", Text: "hello"})
	for _, tc := range []struct {
		header string
		want   int
	}{
		{"bearer " + testToken, 200},
		{"Bearer wrong", 401},
		{"Basic " + testToken, 401},
		{"", 401},
	} {
		req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/api/v1/posts/"+p.ID+"/approve", nil)
		if tc.header != "" {
			req.Header.Set("Authorization", tc.header)
		}
		resp := e.browser().do(req)
		if resp.StatusCode != tc.want {
			t.Errorf("%q: %d, want %d", tc.header, resp.StatusCode, tc.want)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/api/v1/posts/"+p.ID, nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	if resp := e.browser().do(req); resp.StatusCode != 200 {
		t.Errorf("GET with token: %d", resp.StatusCode)
	}
	got := e.queue.post(p.ID)
	if got.State != content.StateApproved || got.Audit[len(got.Audit)-1].Actor != "api:ci" {
		t.Errorf("post %s by %q", got.State, got.Audit[len(got.Audit)-1].Actor)
	}
	// Prometheus scrapes /metrics with a token.
	req, _ = http.NewRequest(http.MethodGet, e.ts.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	if resp := e.browser().do(req); resp.StatusCode != http.StatusOK {
		t.Errorf("metrics with token: %d", resp.StatusCode)
	}
	// A token does not open the HTML pages.
	req, _ = http.NewRequest(http.MethodGet, e.ts.URL+"/", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	if resp := e.browser().do(req); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("token on HTML page: %d", resp.StatusCode)
	}
}

func TestPasswordHashes(t *testing.T) {
	h, err := HashPassword("s3cret pass")
	if err != nil {
		t.Fatal(err)
	}
	if err := checkPasswordHash(h); err != nil {
		t.Fatal(err)
	}
	if !verifyPassword(h, "s3cret pass") || verifyPassword(h, "s3cret pas") {
		t.Error("bcrypt verification is wrong")
	}
	if _, err := HashPassword(""); err == nil {
		t.Error("empty password hashed")
	}
	if _, err := HashPassword(strings.Repeat("a", 73)); err == nil {
		t.Error("password past bcrypt's 72 bytes hashed")
	}

	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("hunter2"), salt, 2, 19456, 1, 32)
	a := fmt.Sprintf("$argon2id$v=19$m=19456,t=2,p=1$%s$%s", base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
	if err := checkPasswordHash(a); err != nil {
		t.Fatal(err)
	}
	if !verifyPassword(a, "hunter2") || verifyPassword(a, "hunter3") {
		t.Error("argon2id verification is wrong")
	}
	for _, bad := range []string{"plain", "$argon2id$v=19$m=1,t=1$x$y", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$a2V5", "$2b$12$short"} {
		if err := checkPasswordHash(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	e := newEnv(t, nil)
	base := e.srv.opt
	cases := map[string]func(o *Options){
		"no queue":       func(o *Options) { o.Queue = nil },
		"no redis":       func(o *Options) { o.Redis = nil },
		"bad role":       func(o *Options) { o.Users = []User{{Name: "a", Role: "admin", PasswordHash: testHash}} },
		"bad hash":       func(o *Options) { o.Users = []User{{Name: "a", Role: RoleViewer, PasswordHash: "secret"}} },
		"duplicate user": func(o *Options) { o.Users = append(o.Users, o.Users[0]) },
		"bad token sum":  func(o *Options) { o.APITokens = []APIToken{{Name: "x", SHA256: "abc"}} },
		"bad scope":      func(o *Options) { o.APITokens = []APIToken{{Name: "x", SHA256: tokenSum("t"), Scopes: []string{"X"}}} },
		"bad public url": func(o *Options) { o.PublicURL = "fanfare.example.org" },
		"brace prefix":   func(o *Options) { o.Prefix = "a}b" },
	}
	for name, edit := range cases {
		o := base
		edit(&o)
		if _, err := New(o); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.HasPrefix(err.Error(), "web: ") {
			t.Errorf("%s: error %q lacks the package prefix", name, err)
		}
	}
}

func TestConfigChangesApplyToOpenSessions(t *testing.T) {
	e := newEnv(t, nil)
	b := e.login("alice")
	p, _, _ := e.queue.Create(t.Context(), content.Draft{DedupKey: "k", GroupID: "g", Kind: content.KindManual, Network: "x", Text: "hello"})
	restart := func(users []User) {
		o := e.srv.opt
		o.Users = users
		s, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		e.ts.Config.Handler = s.Handler() // same address: the browser keeps its cookie
	}
	restart([]User{{Name: "alice", Role: RoleViewer, PasswordHash: testHash}})
	// A changed role ends the session: alice logs in again as a viewer.
	if resp := b.postForm("/posts/"+p.ID+"/approve", nil); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("alice demoted to viewer: %d, want a redirect to /login", resp.StatusCode)
	}
	restart([]User{{Name: "victor", Role: RoleManager, PasswordHash: testHash}})
	if resp := b.get("/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("alice removed: %d, want a redirect to /login", resp.StatusCode)
	}
}

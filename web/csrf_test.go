package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/fanfarehq/fanfare/content"
)

// TestSessionAPIChangesNeedCSRFHeader: an API change made with the session
// cookie alone is refused; with the session's token in X-CSRF-Token it goes
// through; bearer tokens and reads need no header.
func TestSessionAPIChangesNeedCSRFHeader(t *testing.T) {
	e := newEnv(t, nil)
	b := e.login("alice")
	mk := func(key string) content.Post {
		p, _, err := e.queue.Create(t.Context(), content.Draft{DedupKey: key, GroupID: key, Kind: content.KindManual, Network: "x", Text: "hello " + key})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	approve := func(p content.Post, hdr map[string]string) int {
		req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/api/v1/posts/"+p.ID+"/approve", strings.NewReader(""))
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		return b.do(req).StatusCode
	}

	for _, tt := range []struct {
		name string
		hdr  map[string]string
	}{
		{"no header", nil},
		{"empty header", map[string]string{csrfHeader: ""}},
		{"wrong token", map[string]string{csrfHeader: "forged"}},
		{"token in the wrong header", map[string]string{"X-CSRF": b.csrf}},
	} {
		p := mk("refused " + tt.name)
		if st := approve(p, tt.hdr); st != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", tt.name, st)
		}
		if got := e.queue.post(p.ID).State; got != content.StatePending {
			t.Errorf("%s: post is %s after a refused request", tt.name, got)
		}
	}

	p := mk("with token")
	if st := approve(p, map[string]string{csrfHeader: b.csrf}); st != http.StatusOK {
		t.Errorf("with the session's token: status %d, want 200", st)
	}
	if got := e.queue.post(p.ID).State; got != content.StateApproved {
		t.Errorf("post is %s, want approved", got)
	}

	// A bearer token needs no header, even when a session cookie rides along.
	p = mk("bearer")
	if st := approve(p, map[string]string{"Authorization": "Bearer " + testToken}); st != http.StatusOK {
		t.Errorf("bearer: status %d, want 200", st)
	}
	if resp := b.get("/api/v1/posts"); resp.StatusCode != http.StatusOK {
		t.Errorf("session GET: status %d, want 200", resp.StatusCode)
	}
}

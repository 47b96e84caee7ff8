package web

import (
	"net/http"
	"strings"
	"testing"
)

// TestTokenScopes walks every API route with a token of each scope: read
// lists and reads, write also changes posts, admin also changes feeds and
// networks; a token below the route's scope gets 403 naming the scope.
func TestTokenScopes(t *testing.T) {
	tokens := map[string]string{ScopeRead: "tok-read-0123456789", ScopeWrite: "tok-write-0123456789", ScopeAdmin: "tok-admin-0123456789"}
	e := newEnv(t, func(o *Options) {
		o.APITokens = nil
		for scope, tok := range tokens {
			o.APITokens = append(o.APITokens, APIToken{Name: "t-" + scope, SHA256: tokenSum(tok), Scopes: []string{scope}})
		}
		o.APITokens = append(o.APITokens, APIToken{Name: "none", SHA256: tokenSum("tok-none-0123456789")})
	})
	order := []string{ScopeRead, ScopeWrite, ScopeAdmin}
	checked := map[string]bool{}
	for _, rt := range e.srv.routes {
		if rt.access != accessAPI {
			continue
		}
		method, path := concretePath(rt.pattern)
		need := ScopeRead
		switch {
		case rt.pattern == "POST /api/v1/feeds" || rt.pattern == "DELETE /api/v1/feeds" || strings.HasSuffix(rt.pattern, "/resume"):
			need = ScopeAdmin
		case method != http.MethodGet:
			need = ScopeWrite
		}
		checked[need] = true
		for i, scope := range order {
			req, _ := http.NewRequest(method, e.ts.URL+path, strings.NewReader("{}"))
			req.Header.Set("Authorization", "Bearer "+tokens[scope])
			resp := e.browser().do(req)
			body := readAll(t, resp)
			allowed := i >= indexOf(order, need)
			refused := resp.StatusCode == http.StatusForbidden && strings.Contains(body, "lacks the "+need+" scope")
			if allowed == refused {
				t.Errorf("%s with a %s token: %d %s (needs %s)", rt.pattern, scope, resp.StatusCode, strings.TrimSpace(body), need)
			}
		}
	}
	if len(checked) != 3 {
		t.Fatalf("routes of scopes %v only", checked)
	}
	// A token without scopes reads, and changes nothing.
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/api/v1/posts", strings.NewReader(`{"text":"hi","networks":["x"]}`))
	req.Header.Set("Authorization", "Bearer tok-none-0123456789")
	if resp := e.browser().do(req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a token without scopes wrote a post: %d", resp.StatusCode)
	}
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

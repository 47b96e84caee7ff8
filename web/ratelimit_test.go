package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// postLoginFrom posts the login form as if a proxy on loopback forwarded it
// for client addr (the test server listens on 127.0.0.1).
func (e *env) postLoginFrom(addr, name, pw string) *http.Response {
	e.t.Helper()
	b := e.browser()
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/login", strings.NewReader(url.Values{"name": {name}, "password": {pw}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", addr)
	return b.do(req)
}

// TestLoginLockoutNeedsManyAddresses: failing as alice from one address locks
// out only that address for alice; alice elsewhere still gets in until the
// per-name ceiling, which takes many addresses to reach.
func TestLoginLockoutNeedsManyAddresses(t *testing.T) {
	e := newEnv(t, nil)
	for i := 0; i < loginLimitPerPair; i++ {
		if resp := e.postLoginFrom("203.0.113.9", "alice", "guess"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: status %d", i+1, resp.StatusCode)
		}
	}
	if resp := e.postLoginFrom("203.0.113.9", "alice", testPassword); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("attacker's address after %d failures: status %d, want 429", loginLimitPerPair, resp.StatusCode)
	}
	if resp := e.postLoginFrom("198.51.100.7", "alice", testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("alice from her own address: status %d, want 303", resp.StatusCode)
	}

	// Spread over enough addresses, the per-name ceiling stops the guessing.
	// Counted so far against alice: the failures, the refused attempt and
	// her success, which was forgiven.
	n, addrs := loginLimitPerPair+1, 0
	for n < loginLimitPerUser {
		addrs++
		for i := 0; i < loginLimitPerPair && n < loginLimitPerUser; i++ {
			if resp := e.postLoginFrom(fmt.Sprintf("192.0.2.%d", addrs), "alice", "guess"); resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("distributed attempt %d: status %d", n+1, resp.StatusCode)
			}
			n++
		}
	}
	if addrs < 5 {
		t.Fatalf("the per-name ceiling took only %d addresses to reach", addrs)
	}
	if resp := e.postLoginFrom("198.51.100.99", "alice", testPassword); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("after %d failures for alice: status %d, want 429", loginLimitPerUser, resp.StatusCode)
	}
	// Other names are not affected by alice's ceiling.
	if resp := e.postLoginFrom("198.51.100.99", "victor", testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("victor: status %d, want 303", resp.StatusCode)
	}
	e.clock.Advance(loginWindow)
	if resp := e.postLoginFrom("198.51.100.99", "alice", testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after the window: status %d", resp.StatusCode)
	}
}

func TestLimitAddr(t *testing.T) {
	tests := []struct {
		remote string
		xff    []string
		want   string
	}{
		{"203.0.113.5:4000", nil, "203.0.113.5"},
		// A peer that is not loopback cannot name another address.
		{"203.0.113.5:4000", []string{"198.51.100.1"}, "203.0.113.5"},
		{"10.0.0.2:4000", []string{"198.51.100.1"}, "10.0.0.2"},
		// A proxy on loopback: the rightmost entry is the one it appended.
		{"127.0.0.1:4000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"127.0.0.1:4000", []string{"6.6.6.6, 198.51.100.1"}, "198.51.100.1"},
		{"127.0.0.1:4000", []string{"6.6.6.6", "198.51.100.1"}, "198.51.100.1"},
		{"127.0.0.1:4000", []string{"198.51.100.1, 127.0.0.1"}, "198.51.100.1"},
		{"[::1]:4000", []string{"198.51.100.1:5555"}, "198.51.100.1"},
		{"127.0.0.1:4000", []string{"not-an-ip"}, "127.0.0.1"},
		{"127.0.0.1:4000", nil, "127.0.0.1"},
		// IPv6 counts per /64.
		{"[2001:db8:1:2:3:4:5:6]:4000", nil, "2001:db8:1:2::/64"},
		{"[::1]:4000", []string{"2001:db8:1:2::99"}, "2001:db8:1:2::/64"},
		{"[::ffff:203.0.113.5]:4000", nil, "203.0.113.5"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodPost, "/login", nil)
		r.RemoteAddr = tt.remote
		for _, h := range tt.xff {
			r.Header.Add("X-Forwarded-For", h)
		}
		if got := limitAddr(r); got != tt.want {
			t.Errorf("limitAddr(%s, %q) = %q, want %q", tt.remote, tt.xff, got, tt.want)
		}
	}
}

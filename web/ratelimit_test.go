package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// loopbackProxy trusts the test server's own address as a reverse proxy, as
// a same-host nginx or Caddy is listed in http.trusted_proxies.
func loopbackProxy(o *Options) {
	o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
}

// postLoginFrom posts the login form as if a trusted proxy on loopback
// forwarded it for client addr (the test server listens on 127.0.0.1).
func (e *env) postLoginFrom(addr, name, pw string) *http.Response {
	e.t.Helper()
	b := e.browser()
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/login", strings.NewReader(url.Values{"name": {name}, "password": {pw}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", addr)
	return b.do(req)
}

// TestLoginNeverLocksTheAccountOut: failing as alice from one address stops
// that address for alice; many failures spread over many addresses slow
// alice's account down for failing addresses only, and alice's correct
// password from an address with no failure always gets in.
func TestLoginNeverLocksTheAccountOut(t *testing.T) {
	e := newEnv(t, loopbackProxy)
	for i := 0; i < loginLimitPerPair; i++ {
		if resp := e.postLoginFrom("203.0.113.9", "alice", "guess"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: status %d", i+1, resp.StatusCode)
		}
	}
	if resp := e.postLoginFrom("203.0.113.9", "alice", testPassword); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("attacker's address after %d failures: status %d, want 429", loginLimitPerPair, resp.StatusCode)
	}

	// Fifty failures from forged addresses, a few each: each address's
	// first failure is always checked (it has none yet), later ones queue
	// behind the account's slow-down.
	refused := 0
	for a := 1; a <= 25; a++ {
		for i := 0; i < 2; i++ {
			resp := e.postLoginFrom(fmt.Sprintf("192.0.2.%d", a), "alice", "guess")
			switch resp.StatusCode {
			case http.StatusUnauthorized:
			case http.StatusTooManyRequests:
				refused++
				if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || ra < 1 {
					t.Fatalf("slowed attempt: Retry-After %q", resp.Header.Get("Retry-After"))
				}
			default:
				t.Fatalf("distributed attempt: status %d", resp.StatusCode)
			}
		}
	}
	if refused == 0 {
		t.Error("fifty failures on one account slowed nothing down")
	}
	// The manager, from her own address with no failure: in, at once.
	if resp := e.postLoginFrom("198.51.100.7", "alice", testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("alice's correct password from a clean address after 50 failures: status %d, want 303", resp.StatusCode)
	}
	// A failing address waits its turn, then is checked again.
	e.postLoginFrom("192.0.2.200", "alice", "guess")
	e.postLoginFrom("192.0.2.200", "alice", "guess")
	resp := e.postLoginFrom("192.0.2.200", "alice", testPassword)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("failing address within the slow-down: status %d, want 429", resp.StatusCode)
	}
	e.clock.Advance(loginSlowMax)
	if resp := e.postLoginFrom("192.0.2.200", "alice", testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("failing address after the slow-down: status %d, want 303", resp.StatusCode)
	}
	// Other names are not slowed by alice's failures.
	if resp := e.postLoginFrom("192.0.2.1", "victor", testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("victor: status %d, want 303", resp.StatusCode)
	}
	e.clock.Advance(loginWindow)
	if resp := e.postLoginFrom("203.0.113.9", "alice", testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after the window: status %d", resp.StatusCode)
	}
}

// TestUntrustedForwardedForIsIgnored: without trusted proxies, a client on
// loopback cannot pick its address with X-Forwarded-For, so it cannot dodge
// the per-address limit.
func TestUntrustedForwardedForIsIgnored(t *testing.T) {
	e := newEnv(t, nil)
	for i := 0; i < loginLimitPerPair; i++ {
		e.postLoginFrom(fmt.Sprintf("192.0.2.%d", i+1), "alice", "guess")
	}
	if resp := e.postLoginFrom("192.0.2.99", "alice", "guess"); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("forged X-Forwarded-For from an untrusted peer was believed: status %d, want 429", resp.StatusCode)
	}
}

func TestClientIP(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	tests := []struct {
		trusted []netip.Prefix
		remote  string
		xff     []string
		want    string
	}{
		{nil, "203.0.113.5:4000", nil, "203.0.113.5"},
		// Nothing trusted: the header is ignored, even from loopback.
		{nil, "127.0.0.1:4000", []string{"198.51.100.1"}, "127.0.0.1"},
		// A peer that is not a trusted proxy cannot name another address.
		{proxies, "203.0.113.5:4000", []string{"198.51.100.1"}, "203.0.113.5"},
		// A trusted proxy: the rightmost untrusted entry is the client.
		{proxies, "127.0.0.1:4000", []string{"198.51.100.1"}, "198.51.100.1"},
		{proxies, "127.0.0.1:4000", []string{"6.6.6.6, 198.51.100.1"}, "198.51.100.1"},
		{proxies, "127.0.0.1:4000", []string{"6.6.6.6", "198.51.100.1"}, "198.51.100.1"},
		// Two trusted hops (a load balancer, then nginx).
		{proxies, "127.0.0.1:4000", []string{"6.6.6.6, 198.51.100.1, 10.1.2.3"}, "198.51.100.1"},
		// A client cannot hide behind a forged trusted-looking entry.
		{proxies, "127.0.0.1:4000", []string{"198.51.100.1, 10.9.9.9, 203.0.113.7"}, "203.0.113.7"},
		{proxies, "[::1]:4000", []string{"198.51.100.1:5555"}, "198.51.100.1"},
		{proxies, "127.0.0.1:4000", []string{"not-an-ip"}, "127.0.0.1"},
		{proxies, "127.0.0.1:4000", nil, "127.0.0.1"},
		// IPv6 counts per /64.
		{nil, "[2001:db8:1:2:3:4:5:6]:4000", nil, "2001:db8:1:2::/64"},
		{proxies, "[::1]:4000", []string{"2001:db8:1:2::99"}, "2001:db8:1:2::/64"},
		{nil, "[::ffff:203.0.113.5]:4000", nil, "203.0.113.5"},
	}
	for _, tt := range tests {
		s := &Server{opt: Options{TrustedProxies: tt.trusted}}
		r := httptest.NewRequest(http.MethodPost, "/login", nil)
		r.RemoteAddr = tt.remote
		for _, h := range tt.xff {
			r.Header.Add("X-Forwarded-For", h)
		}
		if got := s.limitAddr(r); got != tt.want {
			t.Errorf("limitAddr(%s, %q, trusted %v) = %q, want %q", tt.remote, tt.xff, tt.trusted, got, tt.want)
		}
	}
}

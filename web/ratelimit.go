package web

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Failed login attempts allowed per window, counted three ways:
//
//   - per (user name, client address) pair: the ordinary guesser is stopped
//     after a few tries, and only for that name from that address, so a
//     stranger who knows a manager's name cannot lock the manager out by
//     failing from elsewhere;
//   - per client address: one address trying many names (password spraying);
//     it is generous because an office behind one NAT shares an address;
//   - per user name, from anywhere: a ceiling far above the pair limit, so a
//     distributed guess against one account still stops, while locking that
//     account out takes loginLimitPerUser/loginLimitPerPair addresses at least.
//
// Successful logins are forgiven, so only failures add up.
const (
	loginWindow       = 15 * time.Minute
	loginLimitPerPair = 5
	loginLimitPerAddr = 20
	loginLimitPerUser = 50
)

// countAttempt counts one login attempt against three fixed-window counters
// in one step, so parallel guesses cannot slip between a check and an
// increment.
//
// KEYS[1]: the client address's counter
// KEYS[2]: the (user name, address) pair's counter
// KEYS[3]: the user name's counter
// ARGV[1]: the window's length in milliseconds (counters expire with it)
// Returns {address count, pair count, name count} after the increment.
var countAttempt = redis.NewScript(`
local out = {}
for i = 1, 3 do
  local n = redis.call('INCR', KEYS[i])
  if n == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
  out[i] = n
end
return out
`)

// forgiveAttempt takes one attempt back from the address's and the name's
// counters and clears the pair's, without creating a counter that has expired
// meanwhile (it would have no TTL). The name's counter is only decremented:
// clearing it would let a guesser who also knows a password reset the
// ceiling for everyone.
//
// KEYS[1]: the client address's counter
// KEYS[2]: the (user name, address) pair's counter
// KEYS[3]: the user name's counter
var forgiveAttempt = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('DECR', KEYS[1]) end
redis.call('DEL', KEYS[2])
if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('DECR', KEYS[3]) end
return 0
`)

func (s *Server) attemptKeys(addr, name string) []string {
	start := s.now().Truncate(loginWindow).Unix()
	name = strings.ToLower(name)
	return []string{
		attemptsKey(s.opt.Prefix, "addr", addr, start),
		attemptsKey(s.opt.Prefix, "pair", name+"\x00"+addr, start),
		attemptsKey(s.opt.Prefix, "user", name, start),
	}
}

// allowLogin counts an attempt and reports whether it may go on.
func (s *Server) allowLogin(ctx context.Context, addr, name string) (bool, error) {
	res, err := countAttempt.Run(ctx, s.opt.Redis, s.attemptKeys(addr, name), loginWindow.Milliseconds()).Int64Slice()
	if err != nil {
		return false, fmt.Errorf("web: unable to count login attempt: %w", err)
	}
	if len(res) != 3 {
		return false, fmt.Errorf("web: unable to count login attempt: script returned %d counts", len(res))
	}
	return res[0] <= loginLimitPerAddr && res[1] <= loginLimitPerPair && res[2] <= loginLimitPerUser, nil
}

// forgiveLogin takes back a successful attempt: only failures should add up.
func (s *Server) forgiveLogin(ctx context.Context, addr, name string) {
	if err := forgiveAttempt.Run(ctx, s.opt.Redis, s.attemptKeys(addr, name)).Err(); err != nil {
		s.log.Warn("unable to reset login attempts", "error", err)
	}
}

// limitAddr is the client address the login limits count against.
//
// Behind a reverse proxy on the same host (the usual deployment: nginx or
// Caddy in front of 127.0.0.1) every connection comes from loopback, so the
// address is taken from X-Forwarded-For instead: the rightmost entry that is
// not loopback, which is the one our own proxy appended (entries to its left
// are whatever the client sent). Only a loopback peer is trusted this way:
// from anywhere else the header could be forged to dodge or to aim the
// limits. The per-name ceiling holds whatever the address.
//
// IPv6 clients are counted per /64, the block one subscriber usually gets,
// so rotating through it buys nothing.
func limitAddr(r *http.Request) string {
	peer := clientAddr(r)
	ip, err := netip.ParseAddr(peer)
	if err != nil {
		return peer
	}
	if ip.Unmap().IsLoopback() {
		if fwd := forwardedClient(r.Header.Values("X-Forwarded-For")); fwd.IsValid() {
			ip = fwd
		}
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		if p, err := ip.Prefix(64); err == nil {
			return p.String()
		}
	}
	return ip.String()
}

// forwardedClient is the rightmost non-loopback address in X-Forwarded-For
// (several headers count as one list, in order); invalid when there is none
// or the nearest entry is not an address.
func forwardedClient(headers []string) netip.Addr {
	var hops []string
	for _, h := range headers {
		hops = append(hops, strings.Split(h, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		if host, _, err := net.SplitHostPort(h); err == nil {
			h = host
		}
		ip, err := netip.ParseAddr(strings.Trim(h, "[]"))
		if err != nil {
			return netip.Addr{}
		}
		if !ip.Unmap().IsLoopback() {
			return ip
		}
	}
	return netip.Addr{}
}

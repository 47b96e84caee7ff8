package web

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Failed login attempts are counted per window three ways:
//
//   - per (user name, client address) pair: the ordinary guesser is stopped
//     after a few tries, and only for that name from that address;
//   - per client address: one address trying many names (password spraying);
//     it is generous because an office behind one NAT shares an address;
//   - per user name, from anywhere: past loginSlowAfter failures the account
//     is slowed down, never locked. Attempts from addresses that already
//     failed in the window then go one at a time, spaced by a second per
//     failure beyond the threshold (at most loginSlowMax), and are answered
//     429 with Retry-After in between. An address with no failure is never
//     refused, so a stranger who knows a manager's name, with as many
//     addresses as they like, cannot keep the manager out: the manager's
//     correct password from their own address always gets in.
//
// Successful logins are forgiven, so only failures add up.
const (
	loginWindow       = 15 * time.Minute
	loginLimitPerPair = 5
	loginLimitPerAddr = 20
	loginSlowAfter    = 10
	loginSlowStep     = time.Second
	loginSlowMax      = 30 * time.Second
)

// countAttempt counts one login attempt against three fixed-window counters
// in one step, so parallel guesses cannot slip between a check and an
// increment, and applies the per-account slow-down.
//
// KEYS[1]: the client address's counter
// KEYS[2]: the (user name, address) pair's counter
// KEYS[3]: the user name's counter
// KEYS[4]: the user name's slow-down gate: when (unix ms, injected clock)
// the next attempt from a failing address may be checked
// ARGV[1]: the window's length in milliseconds (counters expire with it)
// ARGV[2]: loginSlowAfter
// ARGV[3]: loginSlowStep in milliseconds
// ARGV[4]: loginSlowMax in milliseconds
// ARGV[5]: now in unix milliseconds
// Returns {address count, pair count, name count, wait in ms} after the
// increment; wait > 0 means the attempt must not be checked.
var countAttempt = redis.NewScript(`
local out = {}
for i = 1, 3 do
  local n = redis.call('INCR', KEYS[i])
  if n == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
  out[i] = n
end
local wait = 0
local after = tonumber(ARGV[2])
if out[1] > 1 and out[3] > after then
  local now = tonumber(ARGV[5])
  local next = tonumber(redis.call('GET', KEYS[4]) or '0')
  if next > now then
    wait = next - now
  else
    local gap = math.min((out[3] - after) * tonumber(ARGV[3]), tonumber(ARGV[4]))
    redis.call('SET', KEYS[4], now + gap, 'PX', ARGV[1])
  end
end
out[4] = wait
return out
`)

// forgiveAttempt takes one attempt back from the address's and the name's
// counters and clears the pair's, without creating a counter that has expired
// meanwhile (it would have no TTL). The name's counter is only decremented:
// clearing it would let a guesser who also knows a password reset the
// slow-down for everyone.
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
		loginSlowKey(s.opt.Prefix, name),
	}
}

// allowLogin counts an attempt and reports whether it may go on; when not,
// wait is how long the client should wait before trying again (0: the
// address's own limits, until the window ends).
func (s *Server) allowLogin(ctx context.Context, addr, name string) (ok bool, wait time.Duration, err error) {
	res, err := countAttempt.Run(ctx, s.opt.Redis, s.attemptKeys(addr, name), loginWindow.Milliseconds(),
		loginSlowAfter, loginSlowStep.Milliseconds(), loginSlowMax.Milliseconds(), s.now().UnixMilli()).Int64Slice()
	if err != nil {
		return false, 0, fmt.Errorf("web: unable to count login attempt: %w", err)
	}
	if len(res) != 4 {
		return false, 0, fmt.Errorf("web: unable to count login attempt: script returned %d counts", len(res))
	}
	if res[0] > loginLimitPerAddr || res[1] > loginLimitPerPair {
		return false, s.now().Truncate(loginWindow).Add(loginWindow).Sub(s.now()), nil
	}
	if res[3] > 0 {
		return false, time.Duration(res[3]) * time.Millisecond, nil
	}
	return true, 0, nil
}

// forgiveLogin takes back a successful attempt: only failures should add up.
func (s *Server) forgiveLogin(ctx context.Context, addr, name string) {
	if err := forgiveAttempt.Run(ctx, s.opt.Redis, s.attemptKeys(addr, name)[:3]).Err(); err != nil {
		s.log.Warn("unable to reset login attempts", "error", err)
	}
}

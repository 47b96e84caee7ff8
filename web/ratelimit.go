package web

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Login attempts allowed per window. A client address gets more than a name
// because an office behind one NAT shares an address.
const (
	loginWindow       = 15 * time.Minute
	loginLimitPerUser = 5
	loginLimitPerAddr = 20
)

// countAttempt counts one login attempt against two fixed-window counters in
// one step, so parallel guesses cannot slip between a check and an increment.
//
// KEYS[1]: the client address's counter
// KEYS[2]: the user name's counter
// ARGV[1]: the window's length in milliseconds (counters expire with it)
// Returns {address count, name count} after the increment.
var countAttempt = redis.NewScript(`
local a = redis.call('INCR', KEYS[1])
if a == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local u = redis.call('INCR', KEYS[2])
if u == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[1]) end
return {a, u}
`)

// forgiveAttempt takes one attempt back from the address's counter and clears
// the name's, without creating a counter that has expired meanwhile (it would
// have no TTL).
//
// KEYS[1]: the client address's counter
// KEYS[2]: the user name's counter
var forgiveAttempt = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('DECR', KEYS[1]) end
redis.call('DEL', KEYS[2])
return 0
`)

func (s *Server) attemptKeys(addr, name string) (string, string) {
	start := s.now().Truncate(loginWindow).Unix()
	return attemptsKey(s.opt.Prefix, "addr", addr, start),
		attemptsKey(s.opt.Prefix, "user", strings.ToLower(name), start)
}

// allowLogin counts an attempt and reports whether it may go on.
func (s *Server) allowLogin(ctx context.Context, addr, name string) (bool, error) {
	ka, ku := s.attemptKeys(addr, name)
	res, err := countAttempt.Run(ctx, s.opt.Redis, []string{ka, ku}, loginWindow.Milliseconds()).Int64Slice()
	if err != nil {
		return false, fmt.Errorf("web: unable to count login attempt: %w", err)
	}
	return res[0] <= loginLimitPerAddr && res[1] <= loginLimitPerUser, nil
}

// forgiveLogin takes back a successful attempt: only failures should add up.
func (s *Server) forgiveLogin(ctx context.Context, addr, name string) {
	ka, ku := s.attemptKeys(addr, name)
	if err := forgiveAttempt.Run(ctx, s.opt.Redis, []string{ka, ku}).Err(); err != nil {
		s.log.Warn("unable to reset login attempts", "err", err)
	}
}

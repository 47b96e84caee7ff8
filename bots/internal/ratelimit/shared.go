package ratelimit

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/internal/keyspace"
)

// Reserver is what a network client needs of a limiter: Limiter keeps the
// windows in the process, Shared in Redis for every replica.
type Reserver interface {
	Reserve(ctx context.Context, endpoint string, now func() time.Time) (release func(), retryAt time.Time, ok bool, err error)
	Update(endpoint string, remaining int64, at time.Time)
	Block(endpoint string, at time.Time)
}

var (
	_ Reserver = (*Limiter)(nil)
	_ Reserver = (*Shared)(nil)
)

// Shared is Limiter's memory kept in Redis, so that replicas posting for one
// account share its windows: a request one replica's numbers say the network
// would refuse is sent by no replica (with one limiter per process, each
// replica used to spend the window on its own and got its 429). The same
// probe rule holds across replicas: while a window is unknown one request
// goes alone and the others wait for its answer.
type Shared struct {
	rdb   redis.UniversalClient
	base  string // "{prefix}:ratelimit:<scope>:"
	token string // this process's probe token
	// ProbeTimeout bounds how long a probe may hold an unknown window (a
	// replica that died mid-request must not stall the others): default 30s.
	ProbeTimeout time.Duration
	// Poll is how often a waiting caller looks whether the probe answered;
	// default 100ms.
	Poll time.Duration
	// OnError hears about a failed Update or Block (Redis away): the next
	// answer's headers put the numbers right. Nil: ignored.
	OnError func(error)
}

// ForAccount is the limiter of one account on a network: Shared under
// prefix (default "fanfare") when rdb is set, so that every replica counts
// the same windows, else a Limiter of this process. The account is named by
// a hash of what identifies it (an app and token, an instance and token), so
// no secret reaches a key; log hears about a failed shared update.
func ForAccount(rdb redis.UniversalClient, prefix, network string, identity []string, log *slog.Logger) (Reserver, error) {
	if rdb == nil {
		return New(), nil
	}
	if prefix == "" {
		prefix = "fanfare"
	}
	sum := sha256.Sum256([]byte(strings.Join(identity, "\x00")))
	shared, err := NewShared(rdb, prefix, network+":"+hex.EncodeToString(sum[:8]))
	if err != nil {
		return nil, err
	}
	shared.OnError = func(err error) {
		log.Warn(network+": unable to share rate-limit state", slog.String("error", err.Error()))
	}
	return shared, nil
}

// NewShared keeps the windows of one account (scope, e.g. "x:<account>")
// under the prefix's keyspace.
func NewShared(rdb redis.UniversalClient, prefix, scope string) (*Shared, error) {
	if err := keyspace.Check(prefix); err != nil {
		return nil, fmt.Errorf("ratelimit: %w", err)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return &Shared{rdb: rdb, base: windowBase(prefix, scope), token: hex.EncodeToString(b),
		ProbeTimeout: 30 * time.Second, Poll: 100 * time.Millisecond}, nil
}

// reserveScript takes one request from a window.
//
// KEYS[1] the endpoint's window, a hash {remaining, reset, blocked (unix ms),
// probe (holder), probe_until (unix ms)}
// ARGV[1] now (unix ms), ARGV[2] the probe's holder, ARGV[3] the probe's
// timeout (ms), ARGV[4] time to keep the hash (ms)
// Returns {1, 0} to send, {1, 1} to send as the window's probe, {0, t} to
// retry at t (the window is spent or blocked), {2, t} to wait for another
// caller's probe (at most until t).
var reserveScript = redis.NewScript(`
local f = redis.call('HMGET', KEYS[1], 'remaining', 'reset', 'blocked', 'probe_until')
local now = tonumber(ARGV[1])
local remaining, reset = tonumber(f[1]), tonumber(f[2])
local blocked, probeUntil = tonumber(f[3] or '0'), tonumber(f[4] or '0')
if now < blocked then return {0, blocked} end
if reset and now >= reset then
  redis.call('HDEL', KEYS[1], 'remaining', 'reset')
  reset = nil
end
if reset then
  if remaining <= 0 then return {0, reset} end
  redis.call('HINCRBY', KEYS[1], 'remaining', -1)
  return {1, 0}
end
if now < probeUntil then return {2, probeUntil} end
redis.call('HSET', KEYS[1], 'probe', ARGV[2], 'probe_until', now + tonumber(ARGV[3]))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {1, 1}
`)

// updateScript records an answer's numbers; within one window the lower
// count wins, and a later window replaces an earlier one.
//
// KEYS[1] the window hash
// ARGV[1] remaining, ARGV[2] reset (unix ms), ARGV[3] time to keep the hash (ms)
var updateScript = redis.NewScript(`
local reset = tonumber(redis.call('HGET', KEYS[1], 'reset') or '0')
local at = tonumber(ARGV[2])
if at > reset then
  redis.call('HSET', KEYS[1], 'remaining', ARGV[1], 'reset', ARGV[2])
elseif at == reset then
  local cur = tonumber(redis.call('HGET', KEYS[1], 'remaining'))
  if tonumber(ARGV[1]) < cur then redis.call('HSET', KEYS[1], 'remaining', ARGV[1]) end
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 0
`)

// blockScript stops a window until a time, a later block winning.
//
// KEYS[1] the window hash
// ARGV[1] until (unix ms), ARGV[2] time to keep the hash (ms)
var blockScript = redis.NewScript(`
local cur = tonumber(redis.call('HGET', KEYS[1], 'blocked') or '0')
if tonumber(ARGV[1]) > cur then redis.call('HSET', KEYS[1], 'blocked', ARGV[1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 0
`)

// releaseScript ends this holder's probe.
//
// KEYS[1] the window hash
// ARGV[1] the probe's holder
var releaseScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'probe') == ARGV[1] then
  redis.call('HDEL', KEYS[1], 'probe', 'probe_until')
end
return 0
`)

// keepFor is how long a window's hash outlives its last change: X's
// windows are 15 minutes or a day.
const keepFor = 25 * time.Hour

// Reserve is Limiter.Reserve, across replicas.
func (s *Shared) Reserve(ctx context.Context, endpoint string, now func() time.Time) (func(), time.Time, bool, error) {
	key := s.base + endpoint
	for {
		t := now()
		res, err := reserveScript.Run(ctx, s.rdb, []string{key}, t.UnixMilli(), s.token, s.ProbeTimeout.Milliseconds(), keepFor.Milliseconds()).Int64Slice()
		if err != nil {
			return nil, time.Time{}, false, fmt.Errorf("ratelimit: unable to reserve a request: %w", err)
		}
		if len(res) != 2 {
			return nil, time.Time{}, false, fmt.Errorf("ratelimit: unable to reserve a request: script answered %v", res)
		}
		switch res[0] {
		case 0:
			return nil, time.UnixMilli(res[1]), false, nil
		case 1:
			if res[1] == 0 {
				return func() {}, time.Time{}, true, nil
			}
			return func() {
				rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
				defer cancel()
				if err := releaseScript.Run(rctx, s.rdb, []string{key}, s.token).Err(); err != nil {
					s.fail(err) // the probe's timeout frees the window anyway
				}
			}, time.Time{}, true, nil
		}
		// Another caller's probe is out: look again shortly.
		timer := time.NewTimer(s.Poll)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return nil, time.Time{}, false, ctx.Err()
		}
	}
}

// Update is Limiter.Update, across replicas.
func (s *Shared) Update(endpoint string, remaining int64, at time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := updateScript.Run(ctx, s.rdb, []string{s.base + endpoint}, remaining, at.UnixMilli(), keepFor.Milliseconds()).Err(); err != nil {
		s.fail(err)
	}
}

// Block is Limiter.Block, across replicas.
func (s *Shared) Block(endpoint string, at time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := blockScript.Run(ctx, s.rdb, []string{s.base + endpoint}, at.UnixMilli(), keepFor.Milliseconds()).Err(); err != nil {
		s.fail(err)
	}
}

func (s *Shared) fail(err error) {
	if s.OnError != nil {
		s.OnError(fmt.Errorf("ratelimit: %w", err))
	}
}

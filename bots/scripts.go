package bots

import "github.com/redis/go-redis/v9"

// pauseScript pauses a network, keeping the time of the first pause when it is
// already paused (the banner says "since" the token broke, not since the last
// failed check).
//
// KEYS[1] paused hash
// ARGV[1] reason, ARGV[2] now (unix ms)
// Returns 1 when the network was not paused before, else 0.
var pauseScript = redis.NewScript(`
local fresh = redis.call('HSETNX', KEYS[1], 'since', ARGV[2])
redis.call('HSET', KEYS[1], 'reason', ARGV[1])
return fresh
`)

// holdScript records that a network must not be sent to before a time; a later
// hold wins over an earlier one, whichever replica writes first.
//
// KEYS[1] held key
// ARGV[1] until (unix ms), ARGV[2] time to keep the key (ms)
var holdScript = redis.NewScript(`
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > cur then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 0
`)

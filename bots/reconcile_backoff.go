package bots

import (
	"time"

	"github.com/redis/go-redis/v9"
)

// A post whose outcome is unknown is looked for on its network again and
// again, each look further from the previous one (reconcileFirstWait, then
// twice as long each time, at most reconcileMaxWait), until GiveUpAfter from
// its attempt (24 h): a network that answered 5xx may list the post only
// later, and a person is asked only when searching longer is pointless. With
// the defaults that is about a dozen looks in the day, not one every run.
const (
	reconcileFirstWait = 5 * time.Minute
	reconcileMaxWait   = 4 * time.Hour
)

// reconcileWait is the pause after the try-th look.
func reconcileWait(try int) time.Duration {
	d := reconcileFirstWait
	for i := 1; i < try && d < reconcileMaxWait; i++ {
		d *= 2
	}
	return min(d, reconcileMaxWait)
}

// lookScript takes the next look at a post if its time has come, so that
// concurrent runs never look more often than the backoff allows.
//
// KEYS[1] the post's reconcile hash {tries, next (unix ms)}
// ARGV[1] now (unix ms), ARGV[2] the first wait (ms), ARGV[3] the longest
// wait (ms), ARGV[4] time to keep the hash (ms), ARGV[5] the most looks (0:
// no limit)
// Returns the look's number, or 0 when its time has not come or the looks
// are used up.
var lookScript = redis.NewScript(`
local f = redis.call('HMGET', KEYS[1], 'tries', 'next')
local tries, next = tonumber(f[1] or '0'), tonumber(f[2] or '0')
local now, limit = tonumber(ARGV[1]), tonumber(ARGV[5])
if now < next or (limit > 0 and tries >= limit) then return 0 end
tries = tries + 1
local wait = tonumber(ARGV[2])
for i = 2, tries do
  wait = wait * 2
  if wait >= tonumber(ARGV[3]) then wait = tonumber(ARGV[3]); break end
end
redis.call('HSET', KEYS[1], 'tries', tries, 'next', now + wait)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return tries
`)

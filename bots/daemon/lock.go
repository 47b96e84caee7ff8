package daemon

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// renewScript extends a lease only if the caller still holds it.
//
// KEYS[1]: the lock key
// ARGV[1]: the holder's token
// ARGV[2]: the new lease in milliseconds
// Returns 1 if extended, 0 if the lock is gone or held by someone else.
var renewScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
return 0`)

// releaseScript deletes a lock only if the caller still holds it, so that a
// holder whose lease ran out never frees someone else's lock.
//
// KEYS[1]: the lock key
// ARGV[1]: the holder's token
// Returns 1 if deleted, 0 otherwise.
var releaseScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0`)

// lease is a held lock that renews itself until released.
type lease struct {
	rdb    redis.UniversalClient
	key    string
	token  string
	ttl    time.Duration
	stop   chan struct{}
	done   chan struct{}
	lostFn func()
}

// acquire takes key for ttl, renewing it every ttl/3 until release. onLost is
// called (once) if a renewal finds the lock held by another: the job's
// context is then canceled, because another replica may start the job.
func acquire(ctx context.Context, rdb redis.UniversalClient, key, token string, ttl time.Duration, onLost func()) (*lease, bool, error) {
	ok, err := rdb.SetNX(ctx, key, token, ttl).Result()
	if err != nil || !ok {
		return nil, false, err
	}
	l := &lease{rdb: rdb, key: key, token: token, ttl: ttl, stop: make(chan struct{}), done: make(chan struct{}), lostFn: onLost}
	go l.renew()
	return l, true, nil
}

func (l *lease) renew() {
	defer close(l.done)
	t := time.NewTicker(l.ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), l.ttl/3)
			n, err := renewScript.Run(ctx, l.rdb, []string{l.key}, l.token, l.ttl.Milliseconds()).Int()
			cancel()
			if err == nil && n == 0 {
				l.lostFn()
				return
			}
			// A failed renewal (Redis briefly away) is retried at the next tick;
			// the lease still has two thirds of its time.
		}
	}
}

// release stops renewing and frees the lock if still held.
func (l *lease) release() {
	close(l.stop)
	<-l.done
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = releaseScript.Run(ctx, l.rdb, []string{l.key}, l.token).Err()
}

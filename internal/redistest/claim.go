package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/internal/redisconn"
)

// Claims of the shared server's databases: go test ./... runs test binaries
// in parallel, and each flushes its database before every test, so each
// binary takes a database of its own. The claims live in the database the
// URL names (never flushed by the tests), one key per database, under a lease
// the binary renews: a binary killed without releasing its claim frees it
// when the lease runs out.
const (
	claimLease = 30 * time.Second
	claimWait  = 10 * time.Minute // how long a binary waits for a free database
)

func claimKey(db int) string { return "fanfare-test:claim:" + strconv.Itoa(db) }

// renewClaimScript extends a claim only if this binary still holds it.
//
// KEYS[1] the claim; ARGV[1] the holder's token, ARGV[2] the lease (ms).
var renewClaimScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`)

// releaseClaimScript deletes a claim only if this binary still holds it.
//
// KEYS[1] the claim; ARGV[1] the holder's token.
var releaseClaimScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)

// claimDatabase takes a free database of the shared server above the one
// raw names, and returns its URL and the function that gives it back. A
// Cluster has one database: its URL is returned as it is (packages must take
// turns, go test -p 1).
func claimDatabase(raw string) (string, func(), error) {
	o, err := redisconn.ParseURL(raw)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", EnvURL, err)
	}
	if o.IsClusterMode || o.MasterName != "" {
		return raw, func() {}, nil
	}
	ctx := context.Background()
	c := redis.NewUniversalClient(o)
	count := 16
	if v, err := c.ConfigGet(ctx, "databases").Result(); err == nil {
		if n, err := strconv.Atoi(v["databases"]); err == nil {
			count = n
		}
	}
	if o.DB+1 >= count {
		c.Close()
		return "", nil, fmt.Errorf("%s names database %d, the server's last: the tests keep their claims in it and use the databases above it (e.g. redis://127.0.0.1:6379/8 uses 9 to %d)", EnvURL, o.DB, count-1)
	}
	token := randomToken()
	deadline := time.Now().Add(claimWait)
	for {
		for db := o.DB + 1; db < count; db++ {
			ok, err := c.SetNX(ctx, claimKey(db), token, claimLease).Result()
			if err != nil {
				c.Close()
				return "", nil, fmt.Errorf("unable to claim a database on %s: %w", EnvURL, err)
			}
			if !ok {
				continue
			}
			u, err := withDB(raw, db)
			if err != nil {
				c.Close()
				return "", nil, err
			}
			stop, done := make(chan struct{}), make(chan struct{})
			go func() {
				defer close(done)
				t := time.NewTicker(claimLease / 3)
				defer t.Stop()
				for {
					select {
					case <-stop:
						return
					case <-t.C:
						_ = renewClaimScript.Run(ctx, c, []string{claimKey(db)}, token, claimLease.Milliseconds()).Err()
					}
				}
			}()
			return u, func() {
				close(stop)
				<-done
				_ = releaseClaimScript.Run(ctx, c, []string{claimKey(db)}, token).Err()
				_ = c.Close()
			}, nil
		}
		if time.Now().After(deadline) {
			c.Close()
			return "", nil, fmt.Errorf("no free database on %s after %s: databases %d to %d are all claimed by other test binaries", EnvURL, claimWait, o.DB+1, count-1)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func randomToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b) + "-" + strconv.Itoa(os.Getpid())
}

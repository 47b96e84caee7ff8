package webhook

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// replayCache remembers the signed deliveries of the last 2×tolerance, so a
// captured delivery replayed within the tolerance changes nothing. The
// tracker alone cannot tell: a campaign object may lack updated_at, and then
// the tracker stamps the receipt time, so an old snapshot replayed after a
// newer one would count as newer and, say, put a successful campaign back to
// live.
//
// A delivery is identified by what its signature covers, "<t>.<raw body>",
// not by one of its v1 values: during a secret rotation a delivery carries a
// valid v1 per secret, and a replayer could otherwise drop one to get a new
// identity.
type replayCache struct {
	rdb    redis.UniversalClient
	prefix string
	ttl    time.Duration
}

func deliveryDigest(ts string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// replayMargin widens the replay window past the acceptance window (±tolerance)
// for clock skew between replicas and Redis.
const replayMargin = time.Minute

// deliveryState is what the cache knows of a delivery.
type deliveryState int

const (
	deliveryNew     deliveryState = iota // recorded now as in progress: ingest it
	deliveryPending                      // another request is ingesting it: ask the sender to retry
	deliveryDone                         // stored before: a replay
)

// pendingTTL bounds an in-progress mark, so a crash mid-ingest does not turn
// the sender's retries into "replays".
const pendingTTL = ingestTimeout + 5*time.Second

// begin marks a delivery in progress unless it is already known.
func (c *replayCache) begin(ctx context.Context, digest string) (deliveryState, error) {
	key := seenKey(c.prefix, digest)
	ok, err := c.rdb.SetNX(ctx, key, "pending", pendingTTL).Result()
	if err != nil {
		return 0, fmt.Errorf("webhook: unable to check for a replayed delivery: %w", err)
	}
	if ok {
		return deliveryNew, nil
	}
	v, err := c.rdb.Get(ctx, key).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return c.begin(ctx, digest) // it just expired or was forgotten
	case err != nil:
		return 0, fmt.Errorf("webhook: unable to check for a replayed delivery: %w", err)
	case v == "done":
		return deliveryDone, nil
	}
	return deliveryPending, nil
}

// done marks a stored delivery for the whole replay window.
func (c *replayCache) done(ctx context.Context, digest string) error {
	return c.rdb.Set(ctx, seenKey(c.prefix, digest), "done", c.ttl).Err()
}

// forget undoes first for a delivery that was not stored, so the sender's
// retry of the very same bytes is processed rather than taken for a replay.
func (c *replayCache) forget(ctx context.Context, digest string) error {
	if err := c.rdb.Del(ctx, seenKey(c.prefix, digest)).Err(); err != nil {
		return fmt.Errorf("webhook: unable to forget a failed delivery: %w", err)
	}
	return nil
}

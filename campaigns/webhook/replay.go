package webhook

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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

// first records a delivery and reports whether it is the first time it is seen.
func (c *replayCache) first(ctx context.Context, digest string) (bool, error) {
	ok, err := c.rdb.SetNX(ctx, seenKey(c.prefix, digest), 1, c.ttl).Result()
	if err != nil {
		return false, fmt.Errorf("webhook: unable to check for a replayed delivery: %w", err)
	}
	return ok, nil
}

// forget undoes first for a delivery that was not stored, so the sender's
// retry of the very same bytes is processed rather than taken for a replay.
func (c *replayCache) forget(ctx context.Context, digest string) error {
	if err := c.rdb.Del(ctx, seenKey(c.prefix, digest)).Err(); err != nil {
		return fmt.Errorf("webhook: unable to forget a failed delivery: %w", err)
	}
	return nil
}

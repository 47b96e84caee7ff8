package bots

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Latest returns the newest reading of each of the posts, in one round trip:
// the dashboard's per-post table and its averages per milestone family read
// it for every post published in their window. Posts never read are absent.
func (j *EngagementJob) Latest(ctx context.Context, postIDs []string) (map[string]EngagementSample, error) {
	out := make(map[string]EngagementSample, len(postIDs))
	if len(postIDs) == 0 {
		return out, nil
	}
	pipe := j.rdb.Pipeline()
	cmds := make([]*redis.StringCmd, len(postIDs))
	for i, id := range postIDs {
		cmds[i] = pipe.LIndex(ctx, j.k.engagement(id), 0)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("bots: unable to read engagement: %w", err)
	}
	for i, c := range cmds {
		raw, err := c.Result()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("bots: unable to read engagement of %s: %w", postIDs[i], err)
		}
		var s EngagementSample
		if err := json.Unmarshal([]byte(raw), &s); err != nil {
			return nil, fmt.Errorf("bots: bad engagement sample of %s: %w", postIDs[i], err)
		}
		out[postIDs[i]] = s
	}
	return out, nil
}

package content

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// routes reads the network and campaign of each post, from which the scripts'
// keys for it are built (keys.postBlock). Both are set once, when the post is
// created, so what is read here still holds when the script runs; a post that
// does not exist gets the empty route, and the script then answers
// FANFARE_NOTFOUND without touching any index.
func (s *Store) routes(ctx context.Context, ids ...string) ([]route, error) {
	out := make([]route, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.SliceCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.HMGet(ctx, s.k.post(id), "network", "campaign_id")
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("content: unable to read posts' networks: %w", err)
	}
	for i, c := range cmds {
		v := c.Val()
		out[i] = route{network: str(v[0]), campaignID: str(v[1])}
	}
	return out, nil
}

// postKeys is what transitionScript and reserveSlotScript take: the shared
// keys, then the post's block.
func (s *Store) postKeys(ctx context.Context, id string) ([]string, error) {
	r, err := s.routes(ctx, id)
	if err != nil {
		return nil, err
	}
	return append(s.k.scriptShared(), s.k.postBlock(id, r[0])...), nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

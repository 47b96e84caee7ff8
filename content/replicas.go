package content

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultReplicaWait is how long a claim waits for its replicas by default.
const DefaultReplicaWait = 500 * time.Millisecond

// ErrNotReplicated is Claim's answer when the claim did not reach
// StoreOptions.ClaimReplicas replicas in time: the post was given back,
// unsent, to be tried again.
var ErrNotReplicated = errors.New("content: the claim did not reach the Redis replicas")

// Why a claim waits: Redis replicates asynchronously. A claim written to a
// primary that dies before its replica has it is lost in the failover; the
// promoted replica still has the post approved and due, and another attempt
// would send it a second time while the first went out. Once the claim is
// on a replica, a failover keeps it, and the post is recorded, or found by
// reconcile, never sent again.

// durableTransition runs the transition script and then WAIT on the same
// connection (WAIT counts the replicas that have the connection's own
// writes), on the primary that holds keys: the cluster's master for their
// slot, or the one primary otherwise. It returns the script's reply, and
// ErrNotReplicated (wrapped, naming how many replicas acknowledged) when
// fewer than the configured number did within the wait.
func (s *Store) durableTransition(ctx context.Context, keys []string, args []any) (any, error) {
	var node *redis.Client
	switch c := s.rdb.(type) {
	case *redis.Client:
		node = c
	case *redis.ClusterClient:
		var err error
		if node, err = c.MasterForKey(ctx, keys[0]); err != nil {
			return nil, fmt.Errorf("content: unable to find the primary of the post's keys: %w", err)
		}
	default:
		return nil, fmt.Errorf("content: cannot wait for replicas through a %T", s.rdb)
	}
	conn := node.Conn()
	defer conn.Close()
	res, err := transitionScript.Run(ctx, conn, keys, args...).Result()
	if err != nil {
		return nil, err
	}
	acked, err := conn.Wait(ctx, s.replicas, s.replicaWait).Result()
	if err != nil {
		return res, fmt.Errorf("%w: WAIT failed: %w", ErrNotReplicated, err)
	}
	if int(acked) < s.replicas {
		return res, fmt.Errorf("%w: %d of %d replicas had it within %v", ErrNotReplicated, acked, s.replicas, s.replicaWait)
	}
	return res, nil
}

package campaigns

import "sync"

// stateCache remembers the last state the tracker wrote or saw of each
// campaign, so a write needs no read first. It is only a guess: the ingest
// script compares it with Redis and answers with the truth when it is wrong
// (another tracker wrote, or keys expired), so a stale entry costs a second
// round trip, never a wrong milestone.
type stateCache struct {
	mu  sync.Mutex
	max int
	m   map[string]stored
}

// newStateCache returns a cache of at most max campaigns; max < 0 disables it.
func newStateCache(max int) *stateCache {
	return &stateCache{max: max, m: make(map[string]stored)}
}

// get returns the remembered state, or the zero state (never seen) on a miss:
// new campaigns, the common case of a first import, then cost one round trip.
func (c *stateCache) get(id string) stored {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[id]
}

func (c *stateCache) put(id string, s stored) {
	if c.max < 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[id]; !ok && len(c.m) >= c.max {
		// Dropping everything is crude but bounded and cheap; the next
		// snapshots refill it at the cost of one conflict each.
		clear(c.m)
	}
	c.m[id] = s
}

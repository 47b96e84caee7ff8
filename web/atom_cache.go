package web

import (
	"context"
	"sync"
	"time"
)

// atomCacheTTL is how long a rendered feed is served before it is built
// again: readers poll the public feed, often and in crowds, and each build
// reads 500 posts. A new announcement shows within this delay.
const atomCacheTTL = time.Minute

// atomCacheMax bounds how many feeds (the whole one and campaigns') are kept.
const atomCacheMax = 512

// atomDoc is one rendered feed.
type atomDoc struct {
	body     []byte
	etag     string    // strong, quoted: the body's digest
	modified time.Time // the newest entry's time
	built    time.Time
}

// atomCache keeps rendered feeds in memory, per process. One build runs at a
// time, so a crowd arriving at once reads the posts once.
type atomCache struct {
	mu    sync.Mutex
	build sync.Mutex
	docs  map[string]atomDoc
}

func (c *atomCache) lookup(key string, now time.Time) (atomDoc, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.docs[key]
	if !ok || now.Sub(d.built) >= atomCacheTTL || now.Before(d.built) {
		return atomDoc{}, false
	}
	return d, true
}

func (c *atomCache) get(ctx context.Context, key string, now time.Time, build func(context.Context) (atomDoc, error)) (atomDoc, error) {
	if d, ok := c.lookup(key, now); ok {
		return d, nil
	}
	c.build.Lock()
	defer c.build.Unlock()
	// Another request may have built it while this one waited.
	if d, ok := c.lookup(key, now); ok {
		return d, nil
	}
	d, err := build(ctx)
	if err != nil {
		return atomDoc{}, err
	}
	d.built = now
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.docs == nil || len(c.docs) >= atomCacheMax {
		c.docs = map[string]atomDoc{}
	}
	c.docs[key] = d
	return d, nil
}

package web

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/content"
)

// countingQueue counts the listings the public feed reads.
type countingQueue struct {
	*fakeQueue
	lists atomic.Int64
}

func (q *countingQueue) List(ctx context.Context, o content.ListOptions) ([]content.Post, int, error) {
	q.lists.Add(1)
	return q.fakeQueue.List(ctx, o)
}

// TestAtomFeedCached: a crowd of readers costs one listing per cache
// period; a reader that has the version gets 304 by ETag or by date; a new
// announcement shows once the period is over, with a new ETag.
func TestAtomFeedCached(t *testing.T) {
	var cq *countingQueue
	e := newEnv(t, func(o *Options) {
		cq = &countingQueue{fakeQueue: o.Queue.(*fakeQueue)}
		o.Queue = cq
	})
	t1 := e.clock.Now().Add(-time.Hour)
	e.queue.add(content.Post{GroupID: "g1", Network: "x", Kind: content.KindManual, State: content.StatePublished, Text: "one", PublishedAt: t1})
	b := e.browser()
	first := b.get("/feed.atom")
	etag, lastMod := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
	if first.StatusCode != http.StatusOK || etag == "" || lastMod != t1.UTC().Format(http.TimeFormat) {
		t.Fatalf("first read: %d ETag %q Last-Modified %q", first.StatusCode, etag, lastMod)
	}
	for range 20 {
		if resp := b.get("/feed.atom"); resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") != etag {
			t.Fatalf("cached read: %d %q", resp.StatusCode, resp.Header.Get("ETag"))
		}
	}
	if n := cq.lists.Load(); n != 1 {
		t.Errorf("21 reads listed the posts %d times, want 1", n)
	}
	conditional := func(h, v string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/feed.atom", nil)
		req.Header.Set(h, v)
		return b.do(req)
	}
	if resp := conditional("If-None-Match", etag); resp.StatusCode != http.StatusNotModified || readAll(t, resp) != "" {
		t.Errorf("If-None-Match with the ETag: %d, want 304 without a body", resp.StatusCode)
	}
	if resp := conditional("If-None-Match", `"other"`); resp.StatusCode != http.StatusOK {
		t.Errorf("If-None-Match with another ETag: %d", resp.StatusCode)
	}
	if resp := conditional("If-Modified-Since", lastMod); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-Modified-Since the last change: %d, want 304", resp.StatusCode)
	}
	if resp := conditional("If-Modified-Since", t1.Add(-time.Second).UTC().Format(http.TimeFormat)); resp.StatusCode != http.StatusOK {
		t.Errorf("If-Modified-Since before the last change: %d", resp.StatusCode)
	}

	e.queue.add(content.Post{GroupID: "g2", Network: "x", Kind: content.KindManual, State: content.StatePublished, Text: "two", PublishedAt: e.clock.Now()})
	e.clock.Advance(atomCacheTTL)
	resp := conditional("If-None-Match", etag)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == etag {
		t.Errorf("after a new announcement and the cache period: %d ETag %q (was %q)", resp.StatusCode, resp.Header.Get("ETag"), etag)
	}
}

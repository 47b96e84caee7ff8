package curator

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/fanfarehq/fanfare/content"
)

// countParses wraps the curator's parser to count documents parsed.
func countParses(c *Curator) *atomic.Int64 {
	var n atomic.Int64
	parse := c.parse
	c.parse = func(b []byte, ct string) (*gofeed.Feed, error) {
		n.Add(1)
		return parse(b, ct)
	}
	return &n
}

func mustAdd(t *testing.T, c *Curator, f content.Feed) {
	t.Helper()
	if err := c.Registry().Add(context.Background(), f); err != nil {
		t.Fatalf("add %s: %v", f.URL, err)
	}
}

func status(t *testing.T, c *Curator, u string) content.FeedStatus {
	t.Helper()
	s, err := c.Registry().Get(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A second fetch sends the validators; the server's 304 costs no parse (its
// body is garbage on purpose: parsing it would fail).
func TestRefresh_ConditionalGET(t *testing.T) {
	fx := newFixture(t, Options{})
	ctx := context.Background()
	const etag = `"v1"`
	const lastMod = "Tue, 10 Mar 2026 11:00:00 GMT"
	var mu sync.Mutex
	var gotINM, gotIMS []string
	doc := rss("News", rssItem("1", "Hello", "https://news.example/1", "", t0))
	u := serve(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		gotINM = append(gotINM, r.Header.Get("If-None-Match"))
		gotIMS = append(gotIMS, r.Header.Get("If-Modified-Since"))
		mu.Unlock()
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			io.WriteString(w, "<<< not a feed at all")
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		io.WriteString(w, doc)
	})
	mustAdd(t, fx.c, content.Feed{URL: u, Keywords: []string{"hello"}})
	parses := countParses(fx.c)

	res, err := fx.c.Refresh(ctx, content.Feed{URL: u, Keywords: []string{"hello"}})
	if err != nil || res.Status != StatusOK || res.Items != 1 {
		t.Fatalf("first refresh = %+v, %v", res, err)
	}
	fx.clock.Add(time.Minute)
	res, err = fx.c.Refresh(ctx, content.Feed{URL: u, Keywords: []string{"hello"}})
	if err != nil || res.Status != StatusNotModified {
		t.Fatalf("second refresh = %+v, %v; want not_modified", res, err)
	}
	if n := parses.Load(); n != 1 {
		t.Errorf("parsed %d documents; want 1 (a 304 must not be parsed)", n)
	}
	if gotINM[0] != "" || gotIMS[0] != "" {
		t.Errorf("first request sent validators %q %q", gotINM[0], gotIMS[0])
	}
	if gotINM[1] != etag || gotIMS[1] != lastMod {
		t.Errorf("second request sent If-None-Match %q, If-Modified-Since %q; want %q, %q", gotINM[1], gotIMS[1], etag, lastMod)
	}
	st := status(t, fx.c, u)
	if st.LastStatus != StatusNotModified || st.Items != 1 || st.ETag != etag || !st.LastFetch.Equal(t0.Add(time.Minute)) {
		t.Errorf("status = %+v", st)
	}
	if len(fx.sink.drafts()) != 2 {
		t.Errorf("%d drafts; want 2 (x, facebook) from the first fetch only", len(fx.sink.drafts()))
	}
}

func TestRefresh_RedirectLimit(t *testing.T) {
	doc := rss("News", rssItem("1", "Hello", "https://news.example/1", "", t0))
	u := serve(t, func(w http.ResponseWriter, r *http.Request) {
		var n int
		if _, err := fmt.Sscanf(r.URL.Path, "/r/%d", &n); err == nil && n > 0 {
			http.Redirect(w, r, fmt.Sprintf("/r/%d", n-1), http.StatusFound)
			return
		}
		io.WriteString(w, doc)
	})
	tests := []struct {
		hops, max int
		wantErr   bool
	}{
		{hops: 5, max: 0, wantErr: false}, // default 5
		{hops: 6, max: 0, wantErr: true},
		{hops: 1, max: -1, wantErr: true}, // follow none
		{hops: 2, max: 2, wantErr: false},
		{hops: 3, max: 2, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d hops max %d", tt.hops, tt.max), func(t *testing.T) {
			c := NewCurator(nil, "", Options{MaxRedirects: tt.max, Logger: testLogger(t)}, nil, nil)
			items, err := c.FetchOnce(context.Background(), fmt.Sprintf("%s/r/%d", u, tt.hops))
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), "redirects") {
					t.Fatalf("err = %v; want a redirect limit error", err)
				}
				return
			}
			if err != nil || len(items) != 1 {
				t.Fatalf("items %v, err %v", items, err)
			}
		})
	}
}

func TestRefresh_SizeLimit(t *testing.T) {
	big := rss("Big", rssItem("1", strings.Repeat("x", 3000), "https://news.example/1", "", t0))
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked=%v", chunked), func(t *testing.T) {
			fx := newFixture(t, Options{MaxBytes: 1024})
			u := serve(t, func(w http.ResponseWriter, _ *http.Request) {
				if chunked {
					// Flushing early drops Content-Length: only reading finds the size.
					io.WriteString(w, big[:100])
					w.(http.Flusher).Flush()
					io.WriteString(w, big[100:])
					return
				}
				w.Header().Set("Content-Length", fmt.Sprint(len(big)))
				io.WriteString(w, big)
			})
			mustAdd(t, fx.c, content.Feed{URL: u})
			res, err := fx.c.Refresh(context.Background(), content.Feed{URL: u})
			if err == nil || !strings.Contains(err.Error(), "feed larger than 1024 bytes") {
				t.Fatalf("err = %v; want feed larger than 1024 bytes", err)
			}
			if res.Status != StatusError {
				t.Errorf("status %q", res.Status)
			}
			st := status(t, fx.c, u)
			if st.LastStatus != StatusError || st.LastError != "feed larger than 1024 bytes" || st.ConsecutiveErrors != 1 {
				t.Errorf("recorded status = %+v", st)
			}
		})
	}
}

// Just under the limit is fine: the limit is not off by one.
func TestRefresh_SizeLimitExact(t *testing.T) {
	doc := rss("Fits", rssItem("1", "Hello", "https://news.example/1", "", t0))
	c := NewCurator(nil, "", Options{MaxBytes: int64(len(doc)), Logger: testLogger(t)}, nil, nil)
	if _, err := c.FetchOnce(context.Background(), serveDoc(t, doc)); err != nil {
		t.Fatalf("a document of exactly MaxBytes was refused: %v", err)
	}
}

func TestRefresh_Timeout(t *testing.T) {
	fx := newFixture(t, Options{Timeout: 100 * time.Millisecond})
	u := serve(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	mustAdd(t, fx.c, content.Feed{URL: u})
	start := time.Now()
	_, err := fx.c.Refresh(context.Background(), content.Feed{URL: u})
	if err == nil || !strings.Contains(err.Error(), "no answer within 100ms") {
		t.Fatalf("err = %v; want a timeout naming 100ms", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s: the timeout did not cut the request", d)
	}
	if st := status(t, fx.c, u); st.LastStatus != StatusError {
		t.Errorf("status = %+v", st)
	}
}

// A body that trickles in past the timeout is cut too.
func TestRefresh_TimeoutWhileReadingBody(t *testing.T) {
	c := NewCurator(nil, "", Options{Timeout: 150 * time.Millisecond, Logger: testLogger(t)}, nil, nil)
	u := serve(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `<?xml version="1.0"?><rss version="2.0"><channel>`)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	_, err := c.FetchOnce(context.Background(), u)
	if err == nil || !strings.Contains(err.Error(), "within 150ms") {
		t.Fatalf("err = %v; want a timeout", err)
	}
}

// One broken feed of each kind is recorded and skipped; the good one is curated.
func TestRefreshAll_BrokenFeedsDoNotHarmOthers(t *testing.T) {
	var logs syncBuffer
	fx := newFixture(t, Options{MaxBytes: 4096, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	ctx := context.Background()
	good := serveDoc(t, rss("Good", rssItem("1", "Crowdfunding news", "https://news.example/1", "", t0)))
	feeds := map[string]string{
		good: "",
		serve(t, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, "<!doctype html><html><body>Our blog moved</body></html>")
		}): "HTML page",
		serve(t, func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "<rss><channel><item><title>x</ti") }): "",
		serve(t, func(w http.ResponseWriter, _ *http.Request) {}):                                                        "empty document",
		serve(t, func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, strings.Repeat("<rss>", 2000)) }):      "feed larger than 4096 bytes",
		serve(t, func(w http.ResponseWriter, _ *http.Request) { http.NotFound(w, nil) }):                                 "404",
	}
	for u := range feeds {
		mustAdd(t, fx.c, content.Feed{URL: u, Keywords: []string{"crowdfunding"}})
	}
	rep, err := fx.c.RefreshAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Feeds != 6 || rep.OK < 1 || rep.Drafts != 2 {
		t.Errorf("report = %+v", rep)
	}
	for _, r := range rep.Results {
		want := feeds[r.URL]
		switch {
		case r.URL == good:
			if r.Status != StatusOK {
				t.Errorf("good feed: %+v", r)
			}
		case want != "" && (r.Status != StatusError || !strings.Contains(r.Error, want)):
			t.Errorf("%s: result %+v; want an error saying %q", r.URL, r, want)
		}
		if r.URL != good && !strings.Contains(logs.String(), "level=WARN msg=\"curator: feed skipped\" feed_url="+r.URL) {
			t.Errorf("%s: no warning naming the feed in the log:\n%s", r.URL, logs.String())
		}
		if st := status(t, fx.c, r.URL); st.LastStatus != r.Status || st.LastError != r.Error {
			t.Errorf("%s: recorded %q %q; result said %q %q", r.URL, st.LastStatus, st.LastError, r.Status, r.Error)
		}
	}
}

// concurrencyServer counts requests in flight, by host and in total.
type concurrencyServer struct {
	mu      sync.Mutex
	cur     int
	max     int
	total   *concurrencyCounter
	delay   time.Duration
	handled atomic.Int64
}

type concurrencyCounter struct {
	mu       sync.Mutex
	cur, max int
}

func (c *concurrencyCounter) enter() {
	c.mu.Lock()
	c.cur++
	c.max = max(c.max, c.cur)
	c.mu.Unlock()
}

func (c *concurrencyCounter) leave() { c.mu.Lock(); c.cur--; c.mu.Unlock() }

func (s *concurrencyServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.cur++
	s.max = max(s.max, s.cur)
	s.mu.Unlock()
	s.total.enter()
	time.Sleep(s.delay)
	s.total.leave()
	s.mu.Lock()
	s.cur--
	s.mu.Unlock()
	s.handled.Add(1)
	io.WriteString(w, rss("Busy", rssItem(r.URL.Path, "Item", "https://news.example"+r.URL.Path, "", t0)))
}

func TestRefreshAll_ConcurrencyBounds(t *testing.T) {
	fx := newFixture(t, Options{PerHostConcurrency: 2, Concurrency: 5})
	total := &concurrencyCounter{}
	var servers []*concurrencyServer
	perHost := []int{12, 4, 4} // once the small hosts are done, every worker wants the big one
	for _, feeds := range perHost {
		s := &concurrencyServer{total: total, delay: 40 * time.Millisecond}
		servers = append(servers, s)
		u := serve(t, s.ServeHTTP)
		for i := range feeds {
			mustAdd(t, fx.c, content.Feed{URL: fmt.Sprintf("%s/feed/%d", u, i)})
		}
	}
	rep, err := fx.c.RefreshAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK != 20 {
		t.Fatalf("report = %+v", rep)
	}
	for i, s := range servers {
		if s.handled.Load() != int64(perHost[i]) {
			t.Errorf("server %d handled %d requests; want %d", i, s.handled.Load(), perHost[i])
		}
		// The bound must hold, and be reached (else the test proves nothing).
		if s.max != 2 {
			t.Errorf("server %d saw %d requests at once; want exactly the per-host bound 2", i, s.max)
		}
	}
	if total.max != 5 {
		t.Errorf("%d requests at once in total; want exactly the bound 5", total.max)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

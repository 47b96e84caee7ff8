package curator

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/internal/redistest"
)

const benchFeeds = 1000

type countingSink struct{ n atomic.Int64 }

func (s *countingSink) Create(_ context.Context, d content.Draft) (content.Post, bool, error) {
	s.n.Add(1)
	return content.Post{ID: d.DedupKey, State: content.StatePending}, true, nil
}

// benchCurator registers 1,000 feeds on 1,000 host names, all served by one
// local server (the client dials it whatever the name), so the per-host bound
// plays as it would against real sites. fresh: every fetch brings 10 new items;
// otherwise the server answers 304 to the stored ETag.
func benchCurator(b *testing.B, fresh bool) (*Curator, *countingSink) {
	b.Helper()
	var round atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !fresh && r.Header.Get("If-None-Match") == `"same"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"same"`)
		if fresh {
			w.Header().Set("ETag", fmt.Sprintf(`"%d"`, round.Add(1)))
		}
		n := round.Load()
		var items strings.Builder
		for i := range 10 {
			fmt.Fprintf(&items, "<item><guid>%s-%d-%d</guid><title>Crowdfunding news %d</title><link>https://news.example.org/%d/%d</link>"+
				"<description><![CDATA[<p>A <b>campaign</b> worth a look, <a href=\"https://crowd.example.org/p/%d\">here</a>.</p>]]></description></item>",
				r.Host, n, i, i, n, i, i)
		}
		io.WriteString(w, rss("Bench "+r.Host, items.String()))
	}))
	b.Cleanup(srv.Close)
	addr := srv.Listener.Addr().String()
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: 2,
	}
	b.Cleanup(tr.CloseIdleConnections)
	sink := &countingSink{}
	c := NewCurator(redistest.Client(b), "fanfare", Options{
		HTTPClient:  &http.Client{Transport: tr},
		Concurrency: 16,
		Logger:      slog.New(slog.DiscardHandler),
		MaxItemAge:  -1,
	}, sink, &fakeMatcher{byURL: map[string]string{}})
	ctx := context.Background()
	for i := range benchFeeds {
		f := content.Feed{URL: fmt.Sprintf("http://feed%04d.bench/rss", i), Keywords: []string{"crowdfunding"}}
		if err := c.Registry().Add(ctx, f); err != nil {
			b.Fatal(err)
		}
	}
	return c, sink
}

func benchRefresh(b *testing.B, fresh bool, want func(RefreshReport) bool) {
	c, _ := benchCurator(b, fresh)
	ctx := context.Background()
	if _, err := c.RefreshAll(ctx); err != nil { // first fetch stores validators
		b.Fatal(err)
	}
	start := time.Now()
	b.ResetTimer()
	for range b.N {
		rep, err := c.RefreshAll(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if !want(rep) {
			b.Fatalf("report %+v", rep)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(benchFeeds*b.N)/time.Since(start).Seconds(), "feeds/s")
}

// BenchmarkRefreshFresh: every feed has 10 new relevant items at every run.
func BenchmarkRefreshFresh(b *testing.B) {
	benchRefresh(b, true, func(r RefreshReport) bool { return r.OK == benchFeeds && r.Drafts == benchFeeds*10*2 })
}

// BenchmarkRefreshNotModified: every feed answers 304.
func BenchmarkRefreshNotModified(b *testing.B) {
	benchRefresh(b, false, func(r RefreshReport) bool { return r.NotModified == benchFeeds })
}

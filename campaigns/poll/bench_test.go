package poll

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/campaigns/mapping"
)

// BenchmarkPoll measures a 500-record Kickstarter-style page from fetch to
// ingest (the recorder keeps nothing between runs).
func BenchmarkPoll(b *testing.B) {
	var page bytes.Buffer
	page.WriteString(`{"projects":[`)
	for i := range 500 {
		if i > 0 {
			page.WriteByte(',')
		}
		fmt.Fprintf(&page, `{"id":%d,"name":"Project %d","goal":5000.0,"pledged":%d.25,"state":"live","currency":"USD",`+
			`"deadline":1777593600,"launched_at":1775001600,"backers_count":%d,"creator":{"name":"C"},`+
			`"urls":{"web":{"project":"https://www.kickstarter.com/projects/c/p%d"}}}`, i+1, i, i*10, i, i)
	}
	page.WriteString(`]}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(page.Bytes())
	}))
	defer srv.Close()
	p, err := NewPoller(Options{URL: srv.URL, ItemsPath: "projects", Mapping: mapping.Kickstarter, Logger: quiet()}, discard{})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		rep, err := p.Poll(b.Context())
		if err != nil || rep.Accepted != 500 {
			b.Fatalf("%+v %v", rep, err)
		}
	}
	b.ReportMetric(float64(b.N*500)/b.Elapsed().Seconds(), "records/s")
}

type discard struct{}

func (discard) Ingest(_ context.Context, s []campaigns.Campaign) (campaigns.IngestResult, error) {
	return campaigns.IngestResult{Accepted: len(s)}, nil
}

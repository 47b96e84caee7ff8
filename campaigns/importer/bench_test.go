package importer

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
)

// rowsReader produces a Kickstarter-style CSV of n rows without holding it.
type rowsReader struct {
	n, i int
	buf  []byte
}

func (r *rowsReader) Read(p []byte) (int, error) {
	for len(r.buf) < len(p) && r.i <= r.n {
		if r.i == 0 {
			r.buf = append(r.buf, "ID,name,category,main_category,currency,deadline,goal,launched,pledged,state,backers,country,usd pledged,usd_pledged_real,usd_goal_real\n"...)
		} else {
			r.buf = fmt.Appendf(r.buf, "%d,Project number %d,Product Design,Design,USD,2017-11-30,%d.00,2017-10-31 14:00:00,%d.50,live,%d,US,0,0,0\n",
				1000000000+r.i, r.i, 1000+r.i%5000, r.i%7000, r.i%300)
		}
		r.i++
	}
	if len(r.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

type discard struct{}

func (discard) Ingest(_ context.Context, s []campaigns.Campaign) (campaigns.IngestResult, error) {
	return campaigns.IngestResult{Accepted: len(s)}, nil
}

func BenchmarkImportCSV(b *testing.B) {
	const rows = 20000
	now := func() time.Time { return time.Date(2017, 11, 1, 0, 0, 0, 0, time.UTC) }
	for b.Loop() {
		sum, err := Import(b.Context(), &rowsReader{n: rows}, Options{Now: now}, discard{})
		if err != nil || sum.Accepted != rows {
			b.Fatalf("%+v %v", sum, err)
		}
	}
	b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "rows/s")
}

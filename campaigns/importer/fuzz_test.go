package importer

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func FuzzImportCSV(f *testing.F) {
	sample, err := os.ReadFile(filepath.Join("testdata", "ks-projects-sample.csv"))
	if err != nil {
		f.Fatal(err)
	}
	header, rows, _ := strings.Cut(string(sample), "\n")
	f.Add([]byte(rows), false)
	f.Add([]byte(header+"\n"+rows), true)
	f.Add([]byte("1,\"unterminated,x\n2,a\"b,c\n"), false)
	f.Add([]byte("\ufeffID,name\n\"\"\"\n"), true)
	f.Add([]byte("1000064368,Mountain Tales,Tabletop Games,Games,EUR,2017-11-30,1e30,2017-10-31 14:00:00,-0.005,LIVE,9999999999,FR,0,0,0\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, raw bool) {
		// Most inputs keep the real header so the fuzzer explores rows;
		// raw ones test the header handling too.
		if !raw {
			data = append([]byte(header+"\n"), data...)
		}
		rec := &recorder{}
		sum, err := Import(t.Context(), bytes.NewReader(data), Options{Format: FormatCSV, BatchSize: 3,
			Now: func() time.Time { return time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC) }}, rec)
		if sum.Accepted+sum.Rejected+sum.Skipped != sum.Rows {
			t.Fatalf("accepted %d + rejected %d + skipped %d != rows %d (err %v)", sum.Accepted, sum.Rejected, sum.Skipped, sum.Rows, err)
		}
		if err == nil && len(rec.all()) != sum.Accepted {
			t.Fatalf("%d ingested, %d accepted", len(rec.all()), sum.Accepted)
		}
		if len(sum.Errors) != min(sum.Rejected, maxKeptErrors) {
			t.Fatalf("%d reasons kept for %d rejected", len(sum.Errors), sum.Rejected)
		}
		for _, c := range rec.all() {
			if err := c.Validate(); err != nil {
				t.Fatalf("invalid campaign ingested: %v", err)
			}
		}
	})
}

package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/campaigns/mapping"
)

var testNow = time.Date(2017, 11, 15, 12, 0, 0, 0, time.UTC)

// recorder is a fake Ingester that keeps every batch.
type recorder struct {
	mu      sync.Mutex
	batches [][]campaigns.Campaign
	failOn  int // fail the nth call (1-based); 0 never
	// reject makes the fake refuse these ids, as the tracker does with an
	// updated_at in the future.
	reject map[string]bool
}

func (r *recorder) Ingest(_ context.Context, s []campaigns.Campaign) (campaigns.IngestResult, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failOn == len(r.batches)+1 {
		return campaigns.IngestResult{}, errors.New("redis: connection refused")
	}
	var res campaigns.IngestResult
	var kept []campaigns.Campaign
	for _, c := range s {
		if r.reject[c.ID] {
			res.Rejected = append(res.Rejected, campaigns.Rejection{ID: c.ID, Err: &campaigns.FieldError{Field: "updated_at", Message: "is in the future"}})
			continue
		}
		kept = append(kept, c)
	}
	r.batches = append(r.batches, kept)
	res.Accepted = len(kept)
	return res, nil
}

func (r *recorder) all() []campaigns.Campaign {
	var out []campaigns.Campaign
	for _, b := range r.batches {
		out = append(out, b...)
	}
	return out
}

func open(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestImportKickstarterCSV(t *testing.T) {
	rec := &recorder{}
	sum, err := Import(t.Context(), open(t, "ks-projects-sample.csv"), Options{Now: func() time.Time { return testNow }, BatchSize: 4}, rec)
	if err != nil {
		t.Fatal(err)
	}
	// Row 18's state is "undefined": skipped, not rejected.
	if sum.Rows != 20 || sum.Accepted != 14 || sum.Rejected != 5 || sum.Skipped != 1 {
		t.Errorf("summary = %d rows, %d accepted, %d rejected, %d skipped; want 20, 14, 5, 1", sum.Rows, sum.Accepted, sum.Rejected, sum.Skipped)
	}
	wantErrs := []RowError{
		{Row: 16, ID: "1000071625", Field: "pledged"},
		{Row: 17, ID: "1000072011", Field: "deadline"},
		{Row: 19, ID: "1000082254", Field: "title"},
		{Row: 20, Field: ""},
		{Row: 21, ID: "1000103948", Field: "currency"},
	}
	if len(sum.Errors) != len(wantErrs) {
		t.Fatalf("errors = %+v", sum.Errors)
	}
	for i, w := range wantErrs {
		g := sum.Errors[i]
		if g.Row != w.Row || g.ID != w.ID || g.Field != w.Field || g.Message == "" {
			t.Errorf("error %d = %+v, want row %d id %q field %q", i, g, w.Row, w.ID, w.Field)
		}
	}
	if !strings.Contains(sum.Errors[3].Message, "has 6 fields, the header has 15") {
		t.Errorf("short row message = %q", sum.Errors[3].Message)
	}
	sizes := []int{}
	for _, b := range rec.batches {
		sizes = append(sizes, len(b))
	}
	if fmt.Sprint(sizes) != "[4 4 4 2]" {
		t.Errorf("batch sizes = %v, want [4 4 4 2]", sizes)
	}
	byID := map[string]campaigns.Campaign{}
	for _, c := range rec.all() {
		if err := c.Validate(); err != nil {
			t.Errorf("%s: %v", c.ID, err)
		}
		byID[c.ID] = c
	}
	first := byID["1000002330"]
	if first.Title != "The Songs of Adelaide & Abullah" || first.URL != "https://www.kickstarter.com/projects/1000002330" ||
		first.Lang != "en" || first.Creator.Name != "" || first.Currency != "GBP" ||
		first.Goal != 100000 || first.Pledged != 0 || first.State != campaigns.StateFailed || first.Category != "Publishing" {
		t.Errorf("first row = %+v", first)
	}
	if want := time.Date(2015, 8, 11, 12, 12, 28, 0, time.UTC); !first.LaunchedAt.Equal(want) {
		t.Errorf("launched = %v, want %v", first.LaunchedAt, want)
	}
	// A date alone is the end of that day (in the file's time zone: UTC here).
	if want := time.Date(2015, 10, 9, 23, 59, 59, 0, time.UTC); !first.Deadline.Equal(want) {
		t.Errorf("deadline = %v, want %v", first.Deadline, want)
	}
	for id, want := range map[string]struct {
		goal, pledged, backers int64
		state                  campaigns.State
	}{
		"100004195":  {6500000, 624057, 43, campaigns.StateCanceled},
		"1000056157": {1000000, 1234567, 311, campaigns.StateSuccessful}, // JPY has no minor unit
		"1000064368": {800000, 905050, 120, campaigns.StateLive},
		"1000070642": {25000, 25000, 7, campaigns.StateCanceled}, // suspended
		"1000023410": {100000, 120500, 16, campaigns.StateSuccessful},
	} {
		c := byID[id]
		if c.Goal != want.goal || c.Pledged != want.pledged || c.Backers != want.backers || c.State != want.state {
			t.Errorf("%s: goal %d pledged %d backers %d state %s; want %+v", id, c.Goal, c.Pledged, c.Backers, c.State, want)
		}
	}
	if got := byID["1000072011"]; got.ID != "" {
		t.Errorf("a rejected row reached the ingester: %+v", got)
	}
}

func TestImportTrackerRejects(t *testing.T) {
	rec := &recorder{reject: map[string]bool{"1000014025": true}}
	sum, err := Import(t.Context(), open(t, "ks-projects-sample.csv"), Options{Now: func() time.Time { return testNow }, BatchSize: 4}, rec)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows != 20 || sum.Accepted != 13 || sum.Rejected != 6 || sum.Skipped != 1 || len(rec.all()) != 13 {
		t.Fatalf("summary = %+v, %d stored", sum, len(rec.all()))
	}
	// The refused campaign is reported with its line in the file.
	found := false
	for _, e := range sum.Errors {
		if e.ID == "1000014025" {
			found = e.Row == 7 && e.Field == "updated_at"
		}
	}
	if !found {
		t.Errorf("tracker's refusal not reported with its row: %+v", sum.Errors)
	}
}

func TestImportOptions(t *testing.T) {
	csv := "ID,name,category,main_category,currency,deadline,goal,launched,pledged,state,backers,creator\n" +
		"7,Carnet de voyage,Art Books,Publishing,EUR,2017-12-01,1500.00,2017-11-01 10:00:00,300.00,live,12,Jeanne Roux\n"
	m := mapping.KickstarterDataset
	m.CreatorName = "creator"
	rec := &recorder{}
	_, err := Import(t.Context(), strings.NewReader(csv), Options{
		Mapping: &m, URLTemplate: "https://crowd.example.org/p/{id}", DefaultLang: "fr", Now: func() time.Time { return testNow },
	}, rec)
	if err != nil {
		t.Fatal(err)
	}
	c := rec.all()[0]
	if c.URL != "https://crowd.example.org/p/7" || c.Lang != "fr" || c.Creator.Name != "Jeanne Roux" {
		t.Errorf("got url %q lang %q creator %q", c.URL, c.Lang, c.Creator.Name)
	}
}

func TestImportJSON(t *testing.T) {
	project := func(id string, goal string) string {
		return `{"id":` + id + `,"name":"Project ` + id + `","blurb":"b","goal":` + goal + `,"pledged":"12.5","state":"live",` +
			`"currency":"USD","deadline":1512086400,"launched_at":1509494400,"backers_count":3,` +
			`"creator":{"name":"Ann"},"urls":{"web":{"project":"https://www.kickstarter.com/projects/ann/p` + id + `"}}}`
	}
	tests := []struct {
		name     string
		body     string
		o        Options
		rows     int
		accepted int
		wantErr  string
	}{
		{name: "array", body: "\ufeff[" + project("1", "100") + "," + project("2", "2.5e3") + "]", rows: 2, accepted: 2},
		{name: "items path", body: `{"meta":{"n":[1,2]},"projects":[` + project("1", "100") + `,` + project("2", `"x"`) + `],"more":null}`,
			o: Options{ItemsPath: "projects"}, rows: 2, accepted: 1},
		{name: "json lines with record path", body: `{"data":` + project("1", "100") + "}\n" + `{"data":` + project("2", "100") + "}\n",
			o: Options{RecordPath: "data"}, rows: 2, accepted: 2},
		{name: "syntax error midway", body: "[" + project("1", "100") + ",{\"id\":2,]", rows: 1, accepted: 1, wantErr: "invalid JSON"},
		{name: "truncated", body: "[" + project("1", "100") + "," + project("2", "100")[:40], rows: 1, accepted: 1, wantErr: "ends early"},
		{name: "trailing data", body: "[" + project("1", "100") + "] []", rows: 1, accepted: 1, wantErr: "data after"},
		{name: "missing items path", body: `{"data":[]}`, o: Options{ItemsPath: "projects"}, wantErr: `no "projects" key`},
		{name: "items path not array", body: `{"projects":{}}`, o: Options{ItemsPath: "projects"}, wantErr: "not an array"},
		{name: "not an object or array", body: `"hello"`, o: Options{Format: FormatJSON}, wantErr: "starts with"},
		{name: "record not an object", body: `[1, ` + project("1", "100") + `]`, rows: 2, accepted: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			o := tt.o
			o.Now = func() time.Time { return testNow }
			sum, err := Import(t.Context(), strings.NewReader(tt.body), o, rec)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if sum.Rows != tt.rows || sum.Accepted != tt.accepted || sum.Accepted+sum.Rejected+sum.Skipped != sum.Rows {
				t.Errorf("summary = %+v, want %d rows %d accepted", sum, tt.rows, tt.accepted)
			}
			if len(rec.all()) != sum.Accepted {
				t.Errorf("%d ingested, summary says %d accepted", len(rec.all()), sum.Accepted)
			}
		})
	}
	rec := &recorder{}
	if _, err := Import(t.Context(), strings.NewReader("["+project("9", "1234.56")+"]"), Options{Now: func() time.Time { return testNow }}, rec); err != nil {
		t.Fatal(err)
	}
	if c := rec.all()[0]; c.Goal != 123456 || c.Pledged != 1250 || c.ID != "9" || c.URL != "https://www.kickstarter.com/projects/ann/p9" ||
		!c.Deadline.Equal(time.Unix(1512086400, 0)) {
		t.Errorf("got %+v", c)
	}
}

func TestImportCSVErrors(t *testing.T) {
	header := "ID,name,category,main_category,currency,deadline,goal,launched,pledged,state,backers\n"
	tests := []struct {
		name    string
		body    string
		o       Options
		wantErr string
	}{
		{name: "empty", body: "", wantErr: "empty"},
		{name: "missing column", body: "ID,name,currency\n1,a,USD\n", o: Options{Format: FormatCSV}, wantErr: `no "goal" column (mapping.goal)`},
		{name: "bad format", body: header, o: Options{Format: "xml"}, wantErr: `"xml" is not csv or json`},
		{name: "bad mapping", body: header, o: Options{Mapping: &mapping.Mapping{ID: "ID"}}, wantErr: "mapping.title"},
		{name: "money unit not said", body: header, o: Options{Mapping: func() *mapping.Mapping { m := mapping.KickstarterDataset; m.Money = ""; return &m }()}, wantErr: "mapping.money"},
		{name: "unknown preset", body: header, o: Options{Preset: "indiegogo"}, wantErr: `preset "indiegogo"`},
		{name: "header only", body: header},
		{name: "semicolons", body: strings.ReplaceAll(header, ",", ";") + "1;a;b;c;USD;2017-12-01;10;2017-11-01 00:00:00;1;live;1\n", o: Options{Comma: ';'}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Import(t.Context(), strings.NewReader(tt.body), tt.o, &recorder{})
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestImportIngesterFails(t *testing.T) {
	rec := &recorder{failOn: 2}
	sum, err := Import(t.Context(), open(t, "ks-projects-sample.csv"), Options{Now: func() time.Time { return testNow }, BatchSize: 4}, rec)
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("err = %v", err)
	}
	if len(rec.batches) != 1 || sum.Rows == 20 {
		t.Errorf("import went on after the tracker failed: %d batches, %d rows", len(rec.batches), sum.Rows)
	}
}

func TestImportCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	sum, err := Import(ctx, open(t, "ks-projects-sample.csv"), Options{}, &recorder{})
	if !errors.Is(err, context.Canceled) || sum.Rows != 0 {
		t.Errorf("err = %v, rows %d", err, sum.Rows)
	}
}

func TestProgressLines(t *testing.T) {
	var out bytes.Buffer
	_, err := Import(t.Context(), open(t, "ks-projects-sample.csv"), Options{Progress: &out, ProgressEvery: 8, Now: func() time.Time { return testNow }}, &recorder{})
	if err != nil {
		t.Fatal(err)
	}
	// A file gives its size, so lines carry a percentage; a buffer is no terminal.
	want := "importer: 100% 20 rows, 14 accepted, 5 rejected, 1 skipped\n"
	lines := strings.SplitAfter(out.String(), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "importer: ") || !strings.Contains(lines[0], "8 rows") ||
		strings.ReplaceAll(lines[2], "  ", " ") != want || strings.Contains(out.String(), "\r") {
		t.Errorf("progress output:\n%q", out.String())
	}
	if got := bar(40, 10); got != "[####......]" {
		t.Errorf("bar(40, 10) = %q", got)
	}
}

func TestSummaryPrint(t *testing.T) {
	s := Summary{Rows: 30, Accepted: 18, Rejected: 12, Stale: 2, Fired: 3}
	for i := range 12 {
		s.Errors = append(s.Errors, RowError{Row: i + 2, ID: fmt.Sprint(100 + i), Field: "goal", Message: "must be positive"})
	}
	var out bytes.Buffer
	if err := s.Print(&out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"30 rows: 18 accepted, 12 rejected (2 stale, 3 milestones fired)\n",
		"  row 2 (id 100): goal: must be positive\n", "  row 11 (id 109)", "  … and 2 more rejected\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("Print output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "row 12 ") {
		t.Errorf("Print listed more than %d reasons:\n%s", PrintedReasons, got)
	}
}

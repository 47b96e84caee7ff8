package poll

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/campaigns/mapping"
)

// healthLog is a fake HealthRecorder.
type healthLog struct {
	mu   sync.Mutex
	runs []campaigns.SourceRun
}

func (h *healthLog) RecordRun(_ context.Context, source string, run campaigns.SourceRun) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if source != campaigns.SourcePoll {
		panic("source " + source)
	}
	h.runs = append(h.runs, run)
	return nil
}

func (h *healthLog) last() campaigns.SourceRun {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.runs[len(h.runs)-1]
}

// ululeListing serves one Ulule search page, the body edited by edit.
func ululeListing(t *testing.T, edit func(string) string) *httptest.Server {
	body := edit(string(fixture(t, "ulule-page1.json")))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		serveJSON(w, r, []byte(body), "")
	}))
	t.Cleanup(srv.Close)
	return srv
}

// The listing renamed amount_raised: the poll is an error naming the path,
// recorded as a failing source, and nothing of the page is stored (where
// before every campaign was stored with pledged 0).
func TestPollMappingThatMatchesNothing(t *testing.T) {
	srv := ululeListing(t, func(s string) string { return strings.ReplaceAll(s, `"amount_raised"`, `"amount"`) })
	rec, health := &recorder{}, &healthLog{}
	p, err := NewPoller(Options{URL: srv.URL + "/v1/search/projects", ItemsPath: "projects", Mapping: mapping.Ulule,
		Now: func() time.Time { return testNow }, Logger: quiet(), Health: health}, rec)
	if err != nil {
		t.Fatal(err)
	}
	err = p.Job()(t.Context())
	if err == nil || !strings.Contains(err.Error(), `mapping.pledged "amount_raised" matched none of the 2 records`) {
		t.Fatalf("poll error = %v", err)
	}
	if len(rec.snaps) != 0 || rec.calls != 0 {
		t.Errorf("stored %d snapshots from a page the mapping does not fit", len(rec.snaps))
	}
	run := health.last()
	if !run.Failed() || !strings.Contains(run.Error, "amount_raised") || run.Rejected != 2 || run.Rejections[0].Field != "pledged" {
		t.Errorf("health run = %+v", run)
	}
}

// Two records of one page with one id: neither is stored, both are reported.
func TestPollDuplicateIDs(t *testing.T) {
	srv := ululeListing(t, func(s string) string { return strings.Replace(s, `"id": 97110`, `"id": 98231`, 1) })
	rec := &recorder{}
	p, err := NewPoller(Options{URL: srv.URL + "/p", ItemsPath: "projects", Mapping: mapping.Ulule,
		Now: func() time.Time { return testNow }, Logger: quiet()}, rec)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Poll(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Accepted != 0 || len(rec.snaps) != 0 || len(rep.Rejected) != 2 {
		t.Fatalf("report = %+v, stored %d", rep, len(rec.snaps))
	}
	for i, re := range rep.Rejected {
		if re.Index != i || re.ID != "98231" || re.Field != "id" || !strings.Contains(re.Message, "neither is stored") {
			t.Errorf("rejected[%d] = %+v", i, re)
		}
	}
}

// Every record rejected is a failing poll too, though the listing answered.
func TestPollJobRecordsHealth(t *testing.T) {
	srv := ululeListing(t, func(s string) string { return strings.ReplaceAll(s, `"currency": "EUR"`, `"currency": "EURO"`) })
	health := &healthLog{}
	p, err := NewPoller(Options{URL: srv.URL + "/p", ItemsPath: "projects", Mapping: mapping.Ulule,
		Now: func() time.Time { return testNow }, Logger: quiet(), Health: health}, &recorder{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Job()(t.Context()); err != nil {
		t.Fatal(err)
	}
	run := health.last()
	if !run.Failed() || run.Records != 2 || run.Rejected != 2 || !run.At.Equal(testNow) ||
		!strings.HasPrefix(run.Problem(), "every record was rejected (2); first: page 1 record 0: currency:") {
		t.Errorf("run = %+v, problem %q", run, run.Problem())
	}
}

// Dates without a time are the end of that day in the listing's time zone.
func TestPollSourceTimezone(t *testing.T) {
	srv := ululeListing(t, func(s string) string {
		return strings.Replace(s, `"date_end": "2026-03-20T23:59:00+01:00"`, `"date_end": "2026-03-20"`, 1)
	})
	rec := &recorder{}
	paris, _ := time.LoadLocation("Europe/Paris")
	p, err := NewPoller(Options{URL: srv.URL + "/p", ItemsPath: "projects", Mapping: mapping.Ulule, Location: paris,
		Now: func() time.Time { return testNow }, Logger: quiet()}, rec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Poll(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got, want := rec.byID()["98231"].Deadline, time.Date(2026, 3, 20, 23, 59, 59, 0, paris); !got.Equal(want) {
		t.Errorf("deadline = %v, want %v", got, want)
	}
}

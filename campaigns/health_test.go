package campaigns

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/fanfarehq/fanfare/internal/redistest"
)

func TestHealthStore(t *testing.T) {
	hs, err := NewHealthStore(redistest.Client(t), "test")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	ok := SourceRun{At: t0, Records: 16, Accepted: 15}
	ok.Reject(SourceRejection{Where: "page 1 record 3", ID: "97110", Field: "currency", Message: `"EURO" is not an ISO 4217 currency code`})
	// The listing renamed amount_raised: every record rejected.
	bad := SourceRun{At: t0.Add(time.Minute), Records: 16}
	for i := range 16 {
		bad.Reject(SourceRejection{Where: "page 1 record " + string(rune('0'+i%10)), Field: "pledged", Message: `"amount_raised" matches nothing in this record (mapping.pledged)`})
	}
	down := SourceRun{At: t0.Add(2 * time.Minute), Error: "poll: https://api.example/v1/projects answered 503 Service Unavailable"}
	for _, r := range []SourceRun{ok, bad, down} {
		if err := hs.RecordRun(ctx, SourcePoll, r); err != nil {
			t.Fatal(err)
		}
	}
	// A webhook delivery recorded late (another replica) does not move the
	// last run back in time.
	if err := hs.RecordRun(ctx, SourceWebhook, SourceRun{At: t0.Add(time.Hour), Records: 1, Accepted: 1}); err != nil {
		t.Fatal(err)
	}
	if err := hs.RecordRun(ctx, SourceWebhook, SourceRun{At: t0, Records: 6, Accepted: 5, Rejected: 1}); err != nil {
		t.Fatal(err)
	}
	all, err := hs.SourceHealth(ctx)
	if err != nil || len(all) != 2 || all[0].Source != "poll" || all[1].Source != "webhook" {
		t.Fatalf("SourceHealth = %+v, %v", all, err)
	}
	p := all[0]
	if !p.Failing || !p.FailingSince.Equal(bad.At) || !p.LastSuccessAt.Equal(t0) || !p.LastErrorAt.Equal(down.At) ||
		!strings.Contains(p.LastError, "503") || p.Runs != 3 || p.FailedRuns != 2 || p.TotalAccepted != 15 || p.TotalRejected != 17 {
		t.Errorf("poll health = %+v", p)
	}
	if p.LastRun.Error == "" || !p.LastRun.At.Equal(down.At) {
		t.Errorf("poll last run = %+v", p.LastRun)
	}
	if len(bad.Rejections) != maxRunRejections || !strings.HasPrefix(bad.Problem(), "every record was rejected (16); first: page 1 record 0: pledged:") {
		t.Errorf("bad run keeps %d reasons, problem %q", len(bad.Rejections), bad.Problem())
	}
	w := all[1]
	if w.Failing || !w.LastRun.At.Equal(t0.Add(time.Hour)) || w.Runs != 2 || w.TotalRejected != 1 {
		t.Errorf("webhook health = %+v", w)
	}
	// Back to good: the failing streak ends.
	if err := hs.RecordRun(ctx, SourcePoll, SourceRun{At: t0.Add(3 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	all, _ = hs.SourceHealth(ctx)
	if all[0].Failing || !all[0].FailingSince.IsZero() || !all[0].LastSuccessAt.Equal(t0.Add(3*time.Minute)) {
		t.Errorf("after an empty good poll: %+v", all[0])
	}

	// /metrics reads the same store.
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewHealthCollector(hs, nil))
	if err := hs.RecordRun(ctx, SourcePoll, down); err != nil { // failing again (an older run: counts, not last)
		t.Fatal(err)
	}
	expected := `
# HELP fanfare_source_failing 1 while the last run of the campaign source failed.
# TYPE fanfare_source_failing gauge
fanfare_source_failing{source="poll"} 0
fanfare_source_failing{source="webhook"} 0
# HELP fanfare_source_records_total Records of the campaign source by outcome.
# TYPE fanfare_source_records_total counter
fanfare_source_records_total{outcome="accepted",source="poll"} 15
fanfare_source_records_total{outcome="accepted",source="webhook"} 6
fanfare_source_records_total{outcome="rejected",source="poll"} 17
fanfare_source_records_total{outcome="rejected",source="webhook"} 1
fanfare_source_records_total{outcome="skipped",source="poll"} 0
fanfare_source_records_total{outcome="skipped",source="webhook"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(expected), "fanfare_source_failing", "fanfare_source_records_total"); err != nil {
		t.Error(err)
	}
	if n, err := testutil.GatherAndCount(reg, "fanfare_source_last_success_timestamp_seconds", "fanfare_source_last_error_timestamp_seconds"); err != nil || n != 4 {
		t.Errorf("timestamps: %d series, %v", n, err)
	}
}

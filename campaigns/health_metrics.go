package campaigns

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// healthCollector exposes source health on /metrics, read from the store at
// each scrape so that every replica reports the same figures, whichever ran
// the poll or took the delivery.
type healthCollector struct {
	r   HealthReader
	log *slog.Logger

	lastRun, lastSuccess, lastError, failing *prometheus.Desc
	runs, failedRuns, records, lastRecords   *prometheus.Desc
}

// NewHealthCollector returns the Prometheus collector of source health:
//
//	fanfare_source_last_run_timestamp_seconds{source}
//	fanfare_source_last_success_timestamp_seconds{source}
//	fanfare_source_last_error_timestamp_seconds{source}
//	fanfare_source_failing{source}                      1 while the last run failed
//	fanfare_source_runs_total{source}
//	fanfare_source_failed_runs_total{source}
//	fanfare_source_records_total{source,outcome}        outcome: accepted, rejected, skipped
//	fanfare_source_last_run_records{source,outcome}
//
// An alert on fanfare_source_failing == 1, or on time() minus the last
// success, tells an operator the platform's data stopped coming in.
func NewHealthCollector(r HealthReader, log *slog.Logger) prometheus.Collector {
	if log == nil {
		log = slog.Default()
	}
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("fanfare_source_"+name, help, append([]string{"source"}, labels...), nil)
	}
	return &healthCollector{
		r: r, log: log,
		lastRun:     d("last_run_timestamp_seconds", "When the campaign source last ran (poll, webhook delivery, import)."),
		lastSuccess: d("last_success_timestamp_seconds", "When a run of the campaign source last succeeded."),
		lastError:   d("last_error_timestamp_seconds", "When a run of the campaign source last failed (an error, or every record rejected)."),
		failing:     d("failing", "1 while the last run of the campaign source failed."),
		runs:        d("runs_total", "Runs of the campaign source."),
		failedRuns:  d("failed_runs_total", "Runs of the campaign source that failed."),
		records:     d("records_total", "Records of the campaign source by outcome.", "outcome"),
		lastRecords: d("last_run_records", "Records of the campaign source's last run by outcome.", "outcome"),
	}
}

func (c *healthCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.lastRun, c.lastSuccess, c.lastError, c.failing, c.runs, c.failedRuns, c.records, c.lastRecords} {
		ch <- d
	}
}

func (c *healthCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	hs, err := c.r.SourceHealth(ctx)
	if err != nil {
		// The rest of /metrics still matters (Redis errors are counted there).
		c.log.Warn("campaigns: source health left out of /metrics", "error", err)
		return
	}
	ts := func(t time.Time) float64 {
		if t.IsZero() {
			return 0
		}
		return float64(t.UnixMilli()) / 1000
	}
	for _, h := range hs {
		s := h.Source
		failing := 0.0
		if h.Failing {
			failing = 1
		}
		ch <- prometheus.MustNewConstMetric(c.lastRun, prometheus.GaugeValue, ts(h.LastRun.At), s)
		ch <- prometheus.MustNewConstMetric(c.lastSuccess, prometheus.GaugeValue, ts(h.LastSuccessAt), s)
		ch <- prometheus.MustNewConstMetric(c.lastError, prometheus.GaugeValue, ts(h.LastErrorAt), s)
		ch <- prometheus.MustNewConstMetric(c.failing, prometheus.GaugeValue, failing, s)
		ch <- prometheus.MustNewConstMetric(c.runs, prometheus.CounterValue, float64(h.Runs), s)
		ch <- prometheus.MustNewConstMetric(c.failedRuns, prometheus.CounterValue, float64(h.FailedRuns), s)
		for _, o := range []struct {
			name        string
			total, last int64
		}{
			{"accepted", h.TotalAccepted, int64(h.LastRun.Accepted)},
			{"rejected", h.TotalRejected, int64(h.LastRun.Rejected)},
			{"skipped", h.TotalSkipped, int64(h.LastRun.Skipped)},
		} {
			ch <- prometheus.MustNewConstMetric(c.records, prometheus.CounterValue, float64(o.total), s, o.name)
			ch <- prometheus.MustNewConstMetric(c.lastRecords, prometheus.GaugeValue, float64(o.last), s, o.name)
		}
	}
}

package bots

import (
	"testing"
	"time"
)

// BenchmarkNextSlot measures slot searches per second on a busy day: 40 slots
// taken, spacing, cap and quiet hours all in play.
func BenchmarkNextSlot(b *testing.B) {
	start := time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
	var taken []time.Time
	for i := range 40 {
		taken = append(taken, start.Add(time.Duration(i)*20*time.Minute))
	}
	q, err := parseQuiet(&QuietHours{Start: "22:00", End: "08:00"})
	if err != nil {
		b.Fatal(err)
	}
	limits := NetworkLimits{DailyCap: 48, MinSpacing: 20 * time.Minute, CampaignSpacing: time.Hour}
	for b.Loop() {
		if _, _, ok := nextSlot(taken, taken[:3], start, limits, q, time.UTC); !ok {
			b.Fatal("no slot")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "slots/s")
}

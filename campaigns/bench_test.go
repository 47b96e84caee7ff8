package campaigns

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/internal/redistest"
	"github.com/redis/go-redis/v9"
)

const (
	benchCampaigns = 100_000
	benchBatch     = 1_000
)

// benchSnapshots makes n plausible campaigns (fr and en, stretch goals, a
// description), each moved by the given pledge and backers.
func benchSnapshots(n int, pledge, backers int64, ts time.Time) []Campaign {
	cs := make([]Campaign, n)
	for i := range cs {
		lang := "en"
		if i%3 == 0 {
			lang = "fr"
		}
		id := "bench-" + strconv.Itoa(i)
		cs[i] = Campaign{
			ID: id, Title: "Campaign " + id, URL: "https://crowd.example/projects/" + id, Lang: lang, Currency: "EUR",
			Goal: 500000, Pledged: int64(i%7)*60000 + int64(i%13)*1000 + pledge, Backers: int64(i%50) + backers,
			LaunchedAt: ruleNow.Add(-time.Duration(1+i%40) * 24 * time.Hour), Deadline: ruleNow.Add(time.Duration(1+i%50) * 24 * time.Hour),
			State: StateLive, Creator: Creator{Name: "Creator " + id, XHandle: "maker" + strconv.Itoa(i%1000)},
			ImageURL:     "https://crowd.example/img/" + id + ".jpg",
			Description:  strings.Repeat("A good project. ", 8),
			StretchGoals: []StretchGoal{{Amount: 750000, Title: "Color edition"}, {Amount: 1000000, Title: "Second book"}},
			Tags:         []string{"design", "books"},
			UpdatedAt:    ts,
		}
	}
	return cs
}

// benchFeeders is how many sources feed the tracker at once (a poller and
// webhook requests, say): with two, Go's work on one batch overlaps Redis's
// work on another.
const benchFeeders = 2

func benchIngest(b *testing.B, tr *Tracker, cs []Campaign) (posted int) {
	b.Helper()
	var (
		wg sync.WaitGroup
		mu sync.Mutex
	)
	for f := range benchFeeders {
		wg.Go(func() {
			for start := f * benchBatch; start < len(cs); start += benchFeeders * benchBatch {
				res, err := tr.Ingest(context.Background(), cs[start:min(start+benchBatch, len(cs))])
				if err != nil {
					b.Error(err)
					return
				}
				if res.Accepted != min(benchBatch, len(cs)-start) {
					b.Errorf("accepted %d of %d: %+v", res.Accepted, benchBatch, res.Rejected)
					return
				}
				mu.Lock()
				posted += len(res.Fired)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	return posted
}

// redisCPU is the CPU time the server has used.
func redisCPU(b *testing.B, rdb redis.UniversalClient) time.Duration {
	b.Helper()
	info, err := rdb.Info(context.Background(), "cpu").Result()
	if err != nil {
		b.Fatal(err)
	}
	var total float64
	for _, line := range strings.Split(info, "\r\n") {
		for _, f := range []string{"used_cpu_user:", "used_cpu_sys:"} {
			if v, ok := strings.CutPrefix(line, f); ok {
				x, _ := strconv.ParseFloat(v, 64)
				total += x
			}
		}
	}
	return time.Duration(total * float64(time.Second))
}

// processCPU is the CPU time this process (the tracker) has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func usedMemory(b *testing.B, rdb redis.UniversalClient) int64 {
	b.Helper()
	info, err := rdb.Info(context.Background(), "memory").Result()
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	b.Fatal("no used_memory in INFO memory")
	return 0
}

// BenchmarkTrackerIngest feeds 100,000 campaign updates per op in batches of
// 1,000 to the real test Redis. first_sight: a new install importing 100,000
// campaigns; update: each of them moves a little (a few cross a threshold),
// the everyday case; jump: each moves a lot, most crossing thresholds (a
// worst case: about 1.1 posted events per update, each carrying the snapshot).
// The target is update >= 100,000 updates/s on the 2-core test box, that is
// go_cpu + redis_cpu under about 18 µs per update (both share the cores):
// the CPU figures, unlike the rate, do not depend on what else runs.
// Run: go test -run '^$' -bench TrackerIngest -benchtime 1x ./campaigns
func BenchmarkTrackerIngest(b *testing.B) {
	for _, mode := range []string{"first_sight", "update", "jump"} {
		b.Run(mode, func(b *testing.B) {
			rdb := redistest.Client(b)
			clk := &clock{t: ruleNow}
			tr, err := NewTracker(rdb, "bench", Rules{}, TrackerOptions{Now: clk.Now, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				b.Fatal(err)
			}
			var elapsed, rcpu, gcpu time.Duration
			posted := 0
			for i := range b.N {
				if err := rdb.FlushDB(context.Background()).Err(); err != nil {
					b.Fatal(err)
				}
				base := ruleNow.Add(time.Duration(i) * time.Hour)
				clk.Set(base)
				cs := benchSnapshots(benchCampaigns, 0, 0, base)
				switch mode {
				case "update":
					benchIngest(b, tr, cs)
					cs = benchSnapshots(benchCampaigns, 2500, 2, base.Add(time.Minute))
				case "jump":
					benchIngest(b, tr, cs)
					cs = benchSnapshots(benchCampaigns, 40000, 30, base.Add(time.Minute))
				}
				start, r0, g0 := time.Now(), redisCPU(b, rdb), processCPU()
				posted += benchIngest(b, tr, cs)
				elapsed += time.Since(start)
				rcpu += redisCPU(b, rdb) - r0
				gcpu += processCPU() - g0
			}
			b.ReportMetric(float64(benchCampaigns*b.N)/elapsed.Seconds(), "updates/s")
			b.ReportMetric(float64(posted)/float64(b.N), "posted/op")
			// CPU per update, to project the rate on an idle machine: the
			// shared test box is often busy with other builds.
			b.ReportMetric(float64(rcpu.Microseconds())/float64(benchCampaigns*b.N), "redis_cpu_µs/update")
			b.ReportMetric(float64(gcpu.Microseconds())/float64(benchCampaigns*b.N), "go_cpu_µs/update")
			b.ReportMetric(float64(usedMemory(b, rdb))/(1<<20), "redis_MiB")
			if n := rdb.DBSize(context.Background()).Val(); n < benchCampaigns {
				b.Fatalf("only %d keys after the benchmark", n)
			}
			fmt.Fprintf(b.Output(), "tracked %d campaigns\n", benchCampaigns)
		})
	}
}

package daemon

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/fanfarehq/fanfare/internal/redistest"
)

func TestMain(m *testing.M) { os.Exit(redistest.Run(m)) }

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// Two daemons (two replicas, two Redis connections) with a job every second:
// every tick runs exactly once in total.
func TestTwoReplicasRunEachTickOnce(t *testing.T) {
	redistest.Client(t) // flush
	var mu sync.Mutex
	perTick := map[int64]int{}
	var daemons []*Daemon
	for i := 0; i < 2; i++ {
		d := New(redistest.NewClient(t), Options{Prefix: "t", Logger: quiet()})
		err := d.Add(Job{Name: "every_second", Spec: "@every 1s", Run: func(ctx context.Context) error {
			mu.Lock()
			perTick[time.Now().Unix()]++
			mu.Unlock()
			return nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		daemons = append(daemons, d)
	}
	for _, d := range daemons {
		d.Start()
	}
	time.Sleep(3500 * time.Millisecond)
	for _, d := range daemons {
		if err := d.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(perTick) < 2 {
		t.Fatalf("only %d ticks ran in 3.5s", len(perTick))
	}
	for sec, n := range perTick {
		if n != 1 {
			t.Errorf("tick at %d ran %d times", sec, n)
		}
	}
}

// A run longer than the interval holds the lease: no two runs overlap anywhere.
func TestSlowRunDoesNotOverlap(t *testing.T) {
	redistest.Client(t)
	var running, maxRunning, runs atomic.Int32
	var daemons []*Daemon
	for i := 0; i < 2; i++ {
		d := New(redistest.NewClient(t), Options{Prefix: "t", Logger: quiet(), Lease: 600 * time.Millisecond})
		_ = d.Add(Job{Name: "slow", Spec: "@every 1s", Run: func(ctx context.Context) error {
			n := running.Add(1)
			for {
				m := maxRunning.Load()
				if n <= m || maxRunning.CompareAndSwap(m, n) {
					break
				}
			}
			runs.Add(1)
			time.Sleep(1500 * time.Millisecond) // longer than the interval and the lease
			running.Add(-1)
			return nil
		}})
		daemons = append(daemons, d)
		d.Start()
	}
	time.Sleep(4 * time.Second)
	for _, d := range daemons {
		_ = d.Shutdown(context.Background())
	}
	if maxRunning.Load() != 1 {
		t.Fatalf("%d runs overlapped", maxRunning.Load())
	}
	if runs.Load() < 2 {
		t.Fatalf("only %d runs", runs.Load())
	}
}

func TestPanicIsRecoveredAndCounted(t *testing.T) {
	reg := prometheus.NewRegistry()
	d := New(redistest.Client(t), Options{Prefix: "t", Logger: quiet(), Registerer: reg})
	if err := d.Add(Job{Name: "boom", Spec: "@every 1h", Run: func(context.Context) error { panic("kaboom") }}); err != nil {
		t.Fatal(err)
	}
	if err := d.Add(Job{Name: "fails", Spec: "@every 1h", Run: func(context.Context) error { return errors.New("nope") }}); err != nil {
		t.Fatal(err)
	}
	d.Start()
	defer d.Shutdown(context.Background())
	if err := d.RunNow("boom"); err != nil {
		t.Fatal(err)
	}
	if err := d.RunNow("fails"); err != nil {
		t.Fatal(err)
	}
	if got := testutil.ToFloat64(d.runs.WithLabelValues("boom", resultPanic)); got != 1 {
		t.Fatalf("panic runs = %v", got)
	}
	if got := testutil.ToFloat64(d.runs.WithLabelValues("fails", resultError)); got != 1 {
		t.Fatalf("error runs = %v", got)
	}
	// The same tick is not run again.
	_ = d.RunNow("fails")
	if got := testutil.ToFloat64(d.runs.WithLabelValues("fails", resultTaken)); got != 1 {
		t.Fatalf("second run of one tick: taken = %v", got)
	}
	if err := d.Healthy(); err != nil {
		t.Fatalf("Healthy after a panic: %v", err)
	}
}

func TestShutdownWaitsThenCancels(t *testing.T) {
	d := New(redistest.Client(t), Options{Prefix: "t", Logger: quiet()})
	started := make(chan struct{})
	var sawCancel atomic.Bool
	_ = d.Add(Job{Name: "long", Spec: "@every 1h", Run: func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		sawCancel.Store(true)
		return ctx.Err()
	}})
	d.Start()
	go d.RunNow("long")
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	// RunNow is outside cron's own tracking; Shutdown must still cancel it via
	// the base context.
	_ = d.Shutdown(ctx)
	deadline := time.Now().Add(2 * time.Second)
	for !sawCancel.Load() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !sawCancel.Load() {
		t.Fatal("running job was not canceled at shutdown")
	}
	if err := d.Healthy(); err == nil {
		t.Fatal("Healthy after Shutdown")
	}
}

func TestAddRejectsBadSpecNamingJob(t *testing.T) {
	d := New(redistest.Client(t), Options{Prefix: "t", Logger: quiet()})
	err := d.Add(Job{Name: "publish", Spec: "every minute", Run: func(context.Context) error { return nil }})
	if err == nil || !strings.Contains(err.Error(), "publish") || !strings.Contains(err.Error(), "every minute") {
		t.Fatalf("Add error = %v", err)
	}
}

func TestLoopRestartsAfterPanicAndStopsAtShutdown(t *testing.T) {
	d := New(redistest.Client(t), Options{Prefix: "t", Logger: quiet()})
	var starts atomic.Int32
	stopped := make(chan struct{})
	d.Go("consumer", func(ctx context.Context) error {
		if starts.Add(1) == 1 {
			panic("first start panics")
		}
		<-ctx.Done()
		close(stopped)
		return nil
	})
	d.Start()
	deadline := time.Now().Add(3 * time.Second)
	for starts.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if starts.Load() < 2 {
		t.Fatal("loop was not restarted after a panic")
	}
	if err := d.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-stopped:
	default:
		t.Fatal("Shutdown returned before the loop stopped")
	}
}

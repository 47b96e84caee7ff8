package bots

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/internal/redisconn"
	"github.com/fanfarehq/fanfare/internal/redistest"
)

// killingNet is a network that, once it has created its nth post, kills the
// Redis primary before answering: the publisher learns that the post is out
// while its store is failing over.
type killingNet struct {
	*fakeNet
	nth  int
	kill func()
	n    atomic.Int32
	once sync.Once
}

func (k *killingNet) Publish(ctx context.Context, m Message) (Receipt, error) {
	r, err := k.fakeNet.Publish(ctx, m)
	if err == nil && int(k.n.Add(1)) == k.nth {
		k.once.Do(k.kill)
	}
	return r, err
}

// lockedLog is a log destination the jobs' goroutines may share.
type lockedLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestSentinelFailoverMidPublish publishes through a Sentinel-watched primary
// with one replica, and kills the primary (SIGKILL) right after the network
// created a post and before the publisher could record it. Sentinel promotes
// the replica; the publish and reconcile jobs, ticking as the daemon runs
// them, carry on through the same client: every post ends published, none is
// sent twice, none is lost.
func TestSentinelFailoverMidPublish(t *testing.T) {
	ctx := context.Background()
	g := redistest.StartFailoverGroup(t, 500*time.Millisecond)
	o, err := redisconn.ParseURL(g.URL())
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewUniversalClient(o)
	t.Cleanup(func() { _ = rdb.Close() })

	clk := newClock(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
	e := newEnv(t, rdb, clk)
	const n = 60
	var ids []string
	for i := range n {
		ids = append(ids, e.approved(t, "x", fmt.Sprint("post-", i)).ID)
	}
	before := g.Primary.Addr()
	var killedAt time.Time
	net := &killingNet{fakeNet: newFakeNet("x", clk.Now), nth: n / 3, kill: func() {
		killedAt = time.Now()
		if err := g.Primary.Kill(); err != nil {
			t.Error(err)
		}
	}}
	pubs := map[string]Publisher{"x": net}
	const lease = 20 * time.Second
	logs := &lockedLog{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	j, err := NewPublishJob(e.store, e.nets, nil, pubs, PublishOptions{Lease: lease, MaxPerRun: 5, Now: clk.Now, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	rec := NewReconcileJob(rdb, testPrefix, e.store, e.nets, pubs, ReconcileOptions{Now: clk.Now, Logger: logger})

	// The daemon's ticks: a failed run is logged and the next tick tries
	// again. Each tick moves the clock a second, so a lease held by a
	// publisher that could not record its answer ends within the test.
	var failedRuns int
	var lastErr error
	var recovered time.Duration
	published := 0
	deadline := time.Now().Add(90 * time.Second)
	for published < n {
		if time.Now().After(deadline) {
			counts, err := e.store.Counts(ctx)
			t.Fatalf("after 90s, %d of %d posts published (%d failed runs, the last: %v); posts by state %v (%v); the jobs' warnings:\n%s",
				published, n, failedRuns, lastErr, counts, err, logs.String())
		}
		clk.Add(time.Second)
		if err := j.Run(ctx); err != nil {
			failedRuns, lastErr = failedRuns+1, err
		}
		if err := rec.Run(ctx); err != nil {
			failedRuns, lastErr = failedRuns+1, err
		}
		counts, err := e.store.Counts(ctx)
		if err != nil {
			failedRuns, lastErr = failedRuns+1, err
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if !killedAt.IsZero() && recovered == 0 {
			recovered = time.Since(killedAt)
		}
		published = counts[content.StatePublished]
	}
	if killedAt.IsZero() {
		t.Fatal("the primary was never killed")
	}
	// Sentinels learn a failover from each other within seconds.
	var now string
	for wait := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if now, err = g.PrimaryAddr(ctx); err == nil && now != before {
			break
		}
		if time.Now().After(wait) {
			t.Fatalf("10s after the kill, Sentinel names %s the primary (%v), the killed one was %s", now, err, before)
		}
	}
	duplicates, lost, reconciled := 0, 0, 0
	for _, id := range ids {
		switch c := net.createdCount(id); {
		case c > 1:
			duplicates++
			t.Errorf("post %s created %d times", id, c)
		case c == 0:
			lost++
			t.Errorf("post %s never published", id)
		}
		p := e.get(t, id)
		if p.State != content.StatePublished {
			t.Errorf("post %s is %s, want published (audit %+v)", id, p.State, p.Audit)
		}
		if p.Audit[len(p.Audit)-1].Actor == "system:reconcile" {
			reconciled++
		}
	}
	t.Logf("primary %s killed after the network created post %d of %d; Sentinel promoted %s; Redis answered again %s later; %d failed job runs meanwhile; published %d (%d found on the network by reconcile), duplicates %d, lost %d",
		before, n/3, n, now, recovered.Round(time.Millisecond), failedRuns, len(net.posts), reconciled, duplicates, lost)
}

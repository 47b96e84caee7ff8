package content

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/internal/redistest"
)

// approvedDue is an approved post whose slot is now.
func approvedDue(t *testing.T, s *Store, c *clock, key string) Post {
	t.Helper()
	ctx := context.Background()
	p := mustCreate(t, s, draft(key))
	if _, err := s.Approve(ctx, p.ID, "ann"); err != nil {
		t.Fatal(err)
	}
	if err := s.ReserveSlot(ctx, p.ID, c.Now(), "now", SlotGuard{}); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestClaimNotReplicatedIsNotSent: with no replica to take the claim (this
// test's Redis has none, on a single server and on the Cluster pass alike),
// Claim refuses within the wait, and the post is back to approved with a
// retry time and the reason, never left claimed on the primary alone.
func TestClaimNotReplicatedIsNotSent(t *testing.T) {
	ctx := context.Background()
	s, c := newTestStore(t, StoreOptions{ClaimReplicas: 1, ClaimReplicaWait: 50 * time.Millisecond})
	p := approvedDue(t, s, c, "lonely")
	_, err := s.Claim(ctx, p.ID, "a1", time.Minute)
	if !errors.Is(err, ErrNotReplicated) || !strings.Contains(err.Error(), "0 of 1 replicas") {
		t.Fatalf("claim without replicas: %v, want ErrNotReplicated naming 0 of 1", err)
	}
	got, err := s.Get(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != StateApproved || !got.ScheduledAt.IsZero() || !strings.Contains(got.LastError, "not sent") {
		t.Errorf("after a claim that did not replicate: %s, slot %v, %q", got.State, got.ScheduledAt, got.LastError)
	}
	nb, err := s.NotBefore(ctx, []string{p.ID})
	if err != nil || !nb[p.ID].Equal(c.Now().Add(notReplicatedRetry)) {
		t.Errorf("retry time %v (%v), want %v", nb[p.ID], err, c.Now().Add(notReplicatedRetry))
	}
	// Without the option, the same Redis claims at once.
	plain, _ := newTestStore(t, StoreOptions{Now: c.Now})
	q := approvedDue(t, plain, c, "plain")
	if _, err := plain.Claim(ctx, q.ID, "a2", time.Minute); err != nil {
		t.Errorf("claim without a replica wait: %v", err)
	}
	if _, err := NewStore(redistest.Client(t), "test", StoreOptions{ClaimReplicas: -1}); err == nil {
		t.Error("a negative replica count was accepted")
	}
}

// TestClaimReachesTheReplicaBeforeItReturns: with a replica, a claim that
// returns is already on the replica, so a failover that promotes it keeps
// the claim (the post is publishing there, not due again).
func TestClaimReachesTheReplicaBeforeItReturns(t *testing.T) {
	ctx := context.Background()
	primary, err := redistest.StartServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(primary.Stop)
	replica, err := redistest.StartServer("replicaof 127.0.0.1 " + strconv.Itoa(primary.Port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(replica.Stop)
	rp := redis.NewClient(&redis.Options{Addr: primary.Addr(), DisableIdentity: true})
	rr := redis.NewClient(&redis.Options{Addr: replica.Addr(), DisableIdentity: true})
	t.Cleanup(func() { _ = rp.Close(); _ = rr.Close() })
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		info, _ := rr.Info(ctx, "replication").Result()
		if strings.Contains(info, "master_link_status:up") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the replica is not in sync after 10s")
		}
	}
	c := newClock()
	s, err := NewStore(rp, "test", StoreOptions{Now: c.Now, ClaimReplicas: 1, ClaimReplicaWait: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	onReplica, err := NewStore(rr, "test", StoreOptions{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		p := approvedDue(t, s, c, "r"+strconv.Itoa(i))
		if _, err := s.Claim(ctx, p.ID, "a"+strconv.Itoa(i), time.Minute); err != nil {
			t.Fatalf("claim with a replica: %v", err)
		}
		// Read at once from the replica: no sleep, no retry.
		got, err := onReplica.Get(ctx, p.ID)
		if err != nil || got.State != StatePublishing {
			t.Fatalf("post %d on the replica right after its claim: %s (%v), want publishing", i, got.State, err)
		}
	}

	// A replica that stalls (frozen, its link up) holds the claim back: the
	// claim returns only once the replica has it.
	p := approvedDue(t, s, c, "stalled")
	if err := replica.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	const stall = 400 * time.Millisecond
	thawed := time.AfterFunc(stall, func() { _ = replica.Signal(syscall.SIGCONT) })
	t.Cleanup(func() { thawed.Stop(); _ = replica.Signal(syscall.SIGCONT) })
	start := time.Now()
	if _, err := s.Claim(ctx, p.ID, "stalled", time.Minute); err != nil {
		t.Fatalf("claim while the replica stalls, within the wait: %v", err)
	}
	if waited := time.Since(start); waited < stall*3/4 {
		t.Errorf("the claim returned after %v while the replica was frozen for %v: it did not wait for it", waited, stall)
	}
	if got, err := onReplica.Get(ctx, p.ID); err != nil || got.State != StatePublishing {
		t.Errorf("the stalled replica after the claim: %s (%v), want publishing", got.State, err)
	}
	// Frozen past the wait: not sent, given back.
	short, err := NewStore(rp, "test", StoreOptions{Now: c.Now, ClaimReplicas: 1, ClaimReplicaWait: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	q := approvedDue(t, short, c, "frozen")
	if err := replica.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	_, err = short.Claim(ctx, q.ID, "frozen", time.Minute)
	_ = replica.Signal(syscall.SIGCONT)
	if !errors.Is(err, ErrNotReplicated) {
		t.Errorf("claim while the replica is frozen past the wait: %v, want ErrNotReplicated", err)
	}
	if got, _ := short.Get(ctx, q.ID); got.State != StateApproved {
		t.Errorf("the post after a claim that did not replicate: %s, want approved", got.State)
	}
}

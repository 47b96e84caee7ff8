package ratelimit

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/internal/redistest"
)

func TestMain(m *testing.M) { os.Exit(redistest.Run(m)) }

// TestSharedAcrossReplicas: two replicas of one account share its window:
// together they send what the window allows and no more (each used to
// spend it on its own, and got a 429), and a 429 seen by one blocks both.
func TestSharedAcrossReplicas(t *testing.T) {
	rdb := redistest.Client(t)
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	ctx := context.Background()
	a, err := NewShared(rdb, "fanfare", "x:acct")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewShared(rdb, "fanfare", "x:acct")
	other, _ := NewShared(rdb, "fanfare", "x:other")

	release, _, ok, err := a.Reserve(ctx, "POST /2/tweets", clock)
	if !ok || err != nil {
		t.Fatalf("probe: %v %v", ok, err)
	}
	reset := now.Add(15 * time.Minute)
	a.Update("POST /2/tweets", 3, reset)
	release()
	sent := 0
	for i := range 10 {
		r := a
		if i%2 == 1 {
			r = b
		}
		_, at, ok, err := r.Reserve(ctx, "POST /2/tweets", clock)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			sent++
		} else if !at.Equal(reset) {
			t.Fatalf("refused until %v, want the reset %v", at, reset)
		}
	}
	if sent != 3 {
		t.Errorf("two replicas sent %d requests in a window of 3", sent)
	}
	// Another account is not affected.
	if _, _, ok, _ := other.Reserve(ctx, "POST /2/tweets", clock); !ok {
		t.Error("another account was limited")
	}
	// The window rolls over: a probe goes again.
	now = reset.Add(time.Second)
	rel, _, ok, _ := b.Reserve(ctx, "POST /2/tweets", clock)
	if !ok {
		t.Fatal("no probe after the reset")
	}
	rel()
	// A 429 seen by one replica blocks the other.
	a.Block("POST /2/tweets", now.Add(time.Hour))
	if _, at, ok, _ := b.Reserve(ctx, "POST /2/tweets", clock); ok || !at.Equal(now.Add(time.Hour)) {
		t.Errorf("the other replica after a 429: ok %v until %v", ok, at)
	}
}

// TestSharedProbeHoldsOtherReplicas: while one replica's probe is out, the
// other waits for its answer instead of probing too.
func TestSharedProbeHoldsOtherReplicas(t *testing.T) {
	rdb := redistest.Client(t)
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	a, _ := NewShared(rdb, "fanfare", "x:acct")
	b, _ := NewShared(rdb, "fanfare", "x:acct")
	b.Poll = 5 * time.Millisecond
	release, _, ok, _ := a.Reserve(context.Background(), "e", clock)
	if !ok {
		t.Fatal("probe refused")
	}
	waited, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, _, ok, err := b.Reserve(waited, "e", clock); ok || err == nil {
		t.Fatalf("a second probe went out: ok %v err %v", ok, err)
	}
	a.Update("e", 0, now.Add(time.Minute))
	release()
	if _, at, ok, err := b.Reserve(context.Background(), "e", clock); ok || err != nil || !at.Equal(now.Add(time.Minute)) {
		t.Errorf("after the probe said 0 left: ok %v until %v err %v", ok, at, err)
	}
}

// TestForAccount: the limiters of one account (the same identity) share
// their windows through Redis, another account's do not, and without Redis
// each process keeps its own; no part of the identity reaches a key.
func TestForAccount(t *testing.T) {
	rdb := redistest.Client(t)
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	a, err := ForAccount(rdb, "fanfare", "mastodon", []string{"https://m.example", "secret-token-1"}, log)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := ForAccount(rdb, "fanfare", "mastodon", []string{"https://m.example", "secret-token-1"}, log)
	other, _ := ForAccount(rdb, "fanfare", "mastodon", []string{"https://m.example", "secret-token-2"}, log)
	a.Block("POST /api/v1/statuses", now.Add(time.Hour))
	if _, _, ok, _ := b.Reserve(ctx, "POST /api/v1/statuses", clock); ok {
		t.Error("the same account on another replica sent through a 429")
	}
	if rel, _, ok, _ := other.Reserve(ctx, "POST /api/v1/statuses", clock); !ok {
		t.Error("another account was limited")
	} else {
		rel()
	}
	for _, k := range redistest.Keys(t, rdb, "*") {
		if strings.Contains(k, "secret") || strings.Contains(k, "m.example") {
			t.Errorf("key %s holds part of the account's identity", k)
		}
	}
	local, err := ForAccount(nil, "", "mastodon", []string{"https://m.example", "secret-token-1"}, log)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := local.(*Limiter); !ok {
		t.Errorf("without Redis: %T, want this process's Limiter", local)
	}
	if _, err := ForAccount(rdb, "bad prefix{}", "mastodon", nil, log); err == nil {
		t.Error("a prefix keys cannot carry was accepted")
	}
}

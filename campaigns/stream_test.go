package campaigns

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/internal/redistest"
	"github.com/redis/go-redis/v9"
)

func newTestStream(t *testing.T, rdb redis.UniversalClient) *EventStream {
	t.Helper()
	s, err := NewEventStream(rdb, "test")
	if err != nil {
		t.Fatal(err)
	}
	s.Logger = slog.New(slog.DiscardHandler)
	return s
}

func eventIDs(evs []StreamEvent) (out []string) {
	for _, e := range evs {
		out = append(out, e.Event.ID)
	}
	return out
}

func TestEventStreamSurvivesDeadConsumer(t *testing.T) {
	rdb := redistest.Client(t)
	ctx := context.Background()
	clk := &clock{t: ruleNow}
	tr := newTestTracker(t, rdb, clk)
	es := newTestStream(t, rdb)
	ingest(t, tr, snap(launched(time.Hour))) // launch is posted
	// Created after the first event: the group still sees it.
	if err := es.EnsureGroup(ctx, "composer"); err != nil {
		t.Fatal(err)
	}
	if err := es.EnsureGroup(ctx, "composer"); err != nil {
		t.Fatalf("EnsureGroup twice: %v", err)
	}
	clk.Set(ruleNow.Add(time.Minute))
	ingest(t, tr, snap(launched(time.Hour), pledged(50000)))

	got, err := es.Read(ctx, "composer", "a", 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"c1/launch", "c1/percent:50"}; !slices.Equal(eventIDs(got), want) {
		t.Fatalf("Read = %v, want %v", eventIDs(got), want)
	}
	ev := got[1].Event
	if ev.Campaign.Pledged != 50000 || ev.Milestone != "percent:50" || !ev.FiredAt.Equal(ruleNow.Add(time.Minute)) {
		t.Errorf("event %+v", ev)
	}
	// Consumer a dies without acking. b sees no new events...
	if more, err := es.Read(ctx, "composer", "b", 10, 10*time.Millisecond); err != nil || len(more) != 0 {
		t.Errorf("Read by b = %v, %v; want nothing new", eventIDs(more), err)
	}
	// ...and events a read just now are not stale yet.
	if claimed, err := es.ClaimStale(ctx, "composer", "b", time.Hour, 10); err != nil || len(claimed) != 0 {
		t.Errorf("ClaimStale(1h) = %v, %v; want nothing", eventIDs(claimed), err)
	}
	claimed, err := es.ClaimStale(ctx, "composer", "b", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(eventIDs(claimed), []string{"c1/launch", "c1/percent:50"}) {
		t.Fatalf("ClaimStale = %v", eventIDs(claimed))
	}
	if err := es.Ack(ctx, "composer", claimed[0].MsgID, claimed[1].MsgID); err != nil {
		t.Fatal(err)
	}
	if p := rdb.XPending(ctx, "{test}:events", "composer").Val(); p.Count != 0 {
		t.Errorf("%d events still pending after ack", p.Count)
	}
}

func TestEventStreamDeadLettersMalformed(t *testing.T) {
	rdb := redistest.Client(t)
	ctx := context.Background()
	tr := newTestTracker(t, rdb, &clock{t: ruleNow})
	es := newTestStream(t, rdb)
	if err := es.EnsureGroup(ctx, "g"); err != nil {
		t.Fatal(err)
	}
	for _, vals := range []map[string]any{
		{"id": "x/launch", "event": "{not json"},
		{"id": "x/launch"},
		{"id": "x/launch", "event": `{"id":"y/launch","milestone":"launch","campaign":{"id":"x"}}`},
	} {
		rdb.XAdd(ctx, &redis.XAddArgs{Stream: "{test}:events", Values: vals})
	}
	ingest(t, tr, snap(launched(time.Hour)))
	got, err := es.Read(ctx, "g", "a", 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(eventIDs(got), []string{"c1/launch"}) {
		t.Errorf("Read = %v, want only the good event", eventIDs(got))
	}
	if n := rdb.XLen(ctx, "{test}:events:dead").Val(); n != 3 {
		t.Errorf("dead letters: %d, want 3", n)
	}
	if p := rdb.XPending(ctx, "{test}:events", "g").Val(); p.Count != 1 {
		t.Errorf("pending %d, want 1 (the good event)", p.Count)
	}
}

func TestEventStreamReadEmpty(t *testing.T) {
	rdb := redistest.Client(t)
	es := newTestStream(t, rdb)
	ctx := context.Background()
	if err := es.EnsureGroup(ctx, "g"); err != nil {
		t.Fatal(err)
	}
	got, err := es.Read(ctx, "g", "a", 10, 5*time.Millisecond)
	if err != nil || len(got) != 0 {
		t.Errorf("Read on an empty stream = %v, %v", got, err)
	}
	if _, err := es.Read(ctx, "missing", "a", 10, 0); err == nil {
		t.Error("Read from a group that does not exist: no error")
	}
}

package campaigns

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/internal/redistest"
)

// Malformed entries are listed newest first with why they were set aside;
// a replay puts the entry back as it was written, a drop forgets it, and
// an id that is not there says so.
func TestEventStreamDeadLetterListReplayDrop(t *testing.T) {
	rdb := redistest.Client(t)
	ctx := context.Background()
	es := newTestStream(t, rdb)
	if err := es.EnsureGroup(ctx, "g"); err != nil {
		t.Fatal(err)
	}
	for _, vals := range []map[string]any{
		{"id": "x/launch", "event": "{not json"},
		{"id": "y/launch"},
	} {
		rdb.XAdd(ctx, &redis.XAddArgs{Stream: "{test}:events", Values: vals})
	}
	if _, err := es.Read(ctx, "g", "a", 10, 0); err != nil {
		t.Fatal(err)
	}
	dead, err := es.DeadLetters(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(dead) != 2 || dead[0].EventID != "y/launch" || dead[1].EventID != "x/launch" {
		t.Fatalf("dead letters %+v, want y/launch then x/launch", dead)
	}
	if d := dead[0]; d.Source != DeadStream || !strings.HasPrefix(d.ID, "stream:") || d.Error != "no event field" ||
		time.Since(d.At) > time.Minute {
		t.Errorf("dead letter %+v", d)
	}
	if one, _ := es.DeadLetters(ctx, 1); len(one) != 1 || one[0].ID != dead[0].ID {
		t.Errorf("limit 1: %+v", one)
	}

	_, local, err := DeadLetterID(dead[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := es.ReplayDeadLetter(ctx, local); err != nil {
		t.Fatal(err)
	}
	msgs := rdb.XRevRangeN(ctx, "{test}:events", "+", "-", 1).Val()
	if len(msgs) != 1 || msgs[0].Values["event"] != "{not json" || msgs[0].Values["id"] != "x/launch" || msgs[0].Values["dead_error"] != nil {
		t.Errorf("replayed entry %+v, want the original fields", msgs)
	}
	if err := es.ReplayDeadLetter(ctx, local); !errors.Is(err, ErrDeadLetterNotFound) {
		t.Errorf("second replay: %v, want ErrDeadLetterNotFound", err)
	}

	_, local, _ = DeadLetterID(dead[0].ID)
	if err := es.DropDeadLetter(ctx, local); err != nil {
		t.Fatal(err)
	}
	if err := es.DropDeadLetter(ctx, local); !errors.Is(err, ErrDeadLetterNotFound) {
		t.Errorf("second drop: %v, want ErrDeadLetterNotFound", err)
	}
	if left, _ := es.DeadLetters(ctx, 0); len(left) != 0 {
		t.Errorf("left %+v, want none", left)
	}
}

// A requeued event is read again like one the tracker wrote.
func TestEventStreamRequeue(t *testing.T) {
	rdb := redistest.Client(t)
	ctx := context.Background()
	es := newTestStream(t, rdb)
	if err := es.EnsureGroup(ctx, "g"); err != nil {
		t.Fatal(err)
	}
	c := snap()
	ev := Event{ID: EventID(c.ID, "percent:50"), Campaign: c, Milestone: "percent:50", FiredAt: ruleNow}
	if err := es.Requeue(ctx, ev); err != nil {
		t.Fatal(err)
	}
	got, err := es.Read(ctx, "g", "a", 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(eventIDs(got), []string{ev.ID}) || got[0].Event.Campaign.Title != c.Title {
		t.Errorf("Read = %+v", got)
	}
}

func TestDeadLetterID(t *testing.T) {
	for _, bad := range []string{"", "stream", "stream:", "other:1-0", "1-0"} {
		if _, _, err := DeadLetterID(bad); err == nil {
			t.Errorf("DeadLetterID(%q) accepted", bad)
		}
	}
	if s, l, err := DeadLetterID("composer:1700000000000-0"); err != nil || s != DeadComposer || l != "1700000000000-0" {
		t.Errorf("composer id: %q %q %v", s, l, err)
	}
}

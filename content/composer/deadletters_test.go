package composer

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/internal/redistest"
)

// The box lists both stores' dead letters newest first; replaying a
// composer dead letter puts its event back on the stream for the composer
// and forgets it; dropping forgets it; a gone id says so.
func TestDeadLetterBox(t *testing.T) {
	rdb := redistest.Client(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	stream, err := campaigns.NewEventStream(rdb, "fanfare")
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.EnsureGroup(ctx, "composer"); err != nil {
		t.Fatal(err)
	}
	box := DeadLetterBox{Stream: stream, Composer: NewRedisDeadLetters(rdb, "fanfare", func() time.Time { return now })}
	camp := testCampaign("fr")
	for i, m := range []campaigns.Milestone{"percent:50", "launch"} {
		ev := campaigns.Event{ID: campaigns.EventID(camp.ID, m), Campaign: camp, Milestone: m, FiredAt: now}
		now = now.Add(time.Minute)
		if err := box.Composer.DeadLetter(ctx, campaigns.StreamEvent{MsgID: string(rune('1' + i)), Event: ev}, 3, errors.New("text too long")); err != nil {
			t.Fatal(err)
		}
	}
	list, err := box.List(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range list {
		ids = append(ids, d.ID)
	}
	if want := []string{"composer:2", "composer:1"}; !slices.Equal(ids, want) {
		t.Fatalf("ids %v, want %v", ids, want)
	}
	if d := list[1]; d.EventID != campaigns.EventID(camp.ID, "percent:50") || d.Attempts != 3 || d.Error != "text too long" || d.Source != campaigns.DeadComposer {
		t.Errorf("dead letter %+v", d)
	}

	if err := box.Replay(ctx, "composer:1"); err != nil {
		t.Fatal(err)
	}
	got, err := stream.Read(ctx, "composer", "a", 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Event.ID != campaigns.EventID(camp.ID, "percent:50") || got[0].Event.Campaign.Title != camp.Title {
		t.Errorf("replayed %+v, want the percent:50 event", got)
	}
	if err := box.Replay(ctx, "composer:1"); !errors.Is(err, campaigns.ErrDeadLetterNotFound) {
		t.Errorf("second replay: %v, want ErrDeadLetterNotFound", err)
	}
	if err := box.Drop(ctx, "composer:2"); err != nil {
		t.Fatal(err)
	}
	if err := box.Drop(ctx, "composer:2"); !errors.Is(err, campaigns.ErrDeadLetterNotFound) {
		t.Errorf("second drop: %v, want ErrDeadLetterNotFound", err)
	}
	if err := box.Drop(ctx, "nonsense"); err == nil {
		t.Error("a malformed id was accepted")
	}
	if left, _ := box.List(ctx, 0); len(left) != 0 {
		t.Errorf("left %+v", left)
	}
}

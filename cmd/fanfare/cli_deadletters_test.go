package main

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content/composer"
	"github.com/fanfarehq/fanfare/web"
)

// A person lists the set-aside events, replays one onto the event stream and
// drops another; ids that are not there fail with a message naming them.
func TestDeadLettersListReplayDrop(t *testing.T) {
	d := newDataEnv(t)
	ctx := context.Background()
	// One entry the stream cannot read, one event the composer gave up on.
	stream, err := campaigns.NewEventStream(d.rdb, dataPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.EnsureGroup(ctx, "composer"); err != nil {
		t.Fatal(err)
	}
	d.rdb.XAdd(ctx, &redis.XAddArgs{Stream: "{" + dataPrefix + "}:events", Values: map[string]any{"id": "x/launch", "event": "{not json"}})
	if _, err := stream.Read(ctx, "composer", "t", 10, 0); err != nil {
		t.Fatal(err)
	}
	camp := campaigns.Campaign{ID: "c1", Title: "Compost", URL: "https://example.com/p/1", Lang: "fr", Currency: "EUR", Goal: 100,
		LaunchedAt: time.Now().Add(-time.Hour), Deadline: time.Now().Add(time.Hour), State: campaigns.StateLive}
	ev := campaigns.Event{ID: campaigns.EventID("c1", "launch"), Campaign: camp, Milestone: "launch", FiredAt: time.Now()}
	if err := composer.NewRedisDeadLetters(d.rdb, dataPrefix, nil).DeadLetter(ctx, campaigns.StreamEvent{MsgID: "9-0", Event: ev}, 10, errors.New("no template")); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := d.run("", "deadletters", "list")
	if code != 0 || !strings.Contains(out, "composer:9-0") || !strings.Contains(out, "no template") ||
		!strings.Contains(out, "x/launch") || !strings.Contains(out, "2 dead letter(s)") {
		t.Fatalf("list: code %d\n%s%s", code, out, errOut)
	}
	code, out, _ = d.run("", "deadletters", "list", "--json")
	var list web.List[campaigns.DeadLetter]
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || list.Total != 2 {
		t.Fatalf("list --json: code %d\n%s", code, out)
	}
	var streamID string
	for _, dl := range list.Items {
		if dl.Source == campaigns.DeadStream {
			streamID = dl.ID
		}
	}

	if code, out, errOut := d.run("", "deadletters", "replay", "composer:9-0"); code != 0 || !strings.Contains(out, "replayed composer:9-0") {
		t.Fatalf("replay: code %d\n%s%s", code, out, errOut)
	}
	got, err := stream.Read(ctx, "composer", "t", 10, 0)
	if err != nil || len(got) != 1 || got[0].Event.ID != ev.ID {
		t.Fatalf("after replay the stream holds %+v, %v; want the launch event", got, err)
	}
	if code, out, errOut := d.run("", "deadletters", "drop", streamID, "composer:9-0"); code != 1 ||
		!strings.Contains(out, "dropped "+streamID) || !strings.Contains(errOut, "composer:9-0: no such dead letter") {
		t.Fatalf("drop: code %d\n%s%s", code, out, errOut)
	}
	if code, out, _ := d.run("", "deadletters", "list"); code != 0 || !strings.Contains(out, "0 dead letter(s)") {
		t.Errorf("list after: code %d\n%s", code, out)
	}
	if code, _, errOut := d.run("", "deadletters", "drop", "bogus"); code != 1 || !strings.Contains(errOut, "bogus: not an id") {
		t.Errorf("bogus id: code %d, %s", code, errOut)
	}
	if code, _, _ := d.run("", "deadletters", "replay"); code != 2 {
		t.Errorf("replay without id: code %d, want 2", code)
	}
}

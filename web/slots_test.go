package web

import (
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/content"
)

// TestAPISlotsHeldToLimits: a time given through the API (an edit's
// scheduled_at, a manual post's) is held to the network's limits as a move
// in the calendar is: refused with 422 slot_refused naming the rule and the
// nearest time that fits, and nothing changes; allowed, an approved post
// moves through the scheduler's Move, with the edit's other fields.
func TestAPISlotsHeldToLimits(t *testing.T) {
	e := newEnv(t, nil)
	p, _, err := e.queue.Create(t.Context(), content.Draft{DedupKey: "k", GroupID: "g", Kind: content.KindManual, Network: "x", Text: "Avant"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.queue.Approve(t.Context(), p.ID, "ann"); err != nil {
		t.Fatal(err)
	}
	next := time.Date(2026, 3, 11, 8, 0, 0, 0, time.UTC)
	e.slots.verdict = bots.SlotVerdict{Rule: bots.SlotDailyCap, Cap: 24, Day: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), Next: next}
	st, er := e.api("PATCH", "/api/v1/posts/"+p.ID, `{"text":"Après","scheduled_at":"2026-03-10T18:00:00Z"}`, nil)
	if st != 422 || er.Code != "slot_refused" || er.Field != "scheduled_at" || !strings.Contains(er.Message, "daily cap") || !strings.Contains(er.Message, "Nearest time that fits") {
		t.Fatalf("edit to a capped day: %d %+v", st, er)
	}
	if got, _ := e.queue.Get(t.Context(), p.ID); got.Text != "Avant" || !got.ScheduledAt.IsZero() {
		t.Errorf("a refused edit changed the post: %q at %v", got.Text, got.ScheduledAt)
	}

	e.slots.verdict = bots.SlotVerdict{}
	var moved content.Post
	if st, er := e.api("PATCH", "/api/v1/posts/"+p.ID, `{"text":"Après","scheduled_at":"2026-03-10T18:00:00Z"}`, &moved); st != 200 {
		t.Fatalf("allowed edit: %d %+v", st, er)
	}
	if !moved.ScheduledAt.Equal(time.Date(2026, 3, 10, 18, 0, 0, 0, time.UTC)) || moved.Text != "Après" {
		t.Errorf("allowed edit: %q at %v", moved.Text, moved.ScheduledAt)
	}
	if n := len(e.slots.checked); n < 2 {
		t.Errorf("the slot was checked %d times, want once per request at least", n)
	}

	e.slots.verdict = bots.SlotVerdict{Rule: bots.SlotQuietHours, Until: time.Date(2026, 3, 11, 7, 0, 0, 0, time.UTC)}
	before := len(e.queue.posts)
	st, er = e.api("POST", "/api/v1/posts", `{"networks":["x","facebook"],"text":"Live cette nuit","approve":true,"scheduled_at":"2026-03-10T23:30:00Z"}`, nil)
	if st != 422 || er.Code != "slot_refused" || !strings.Contains(er.Message, "quiet hours") {
		t.Errorf("manual post in quiet hours: %d %+v", st, er)
	}
	if len(e.queue.posts) != before {
		t.Errorf("a refused manual post queued %d posts", len(e.queue.posts)-before)
	}
}

// TestComposeSlotRefusedInFrench: the dashboard's compose form says why a
// time is refused, in the reader's language, and queues nothing.
func TestComposeSlotRefusedInFrench(t *testing.T) {
	e := newEnv(t, nil)
	e.slots.verdict = bots.SlotVerdict{Rule: bots.SlotQuietHours, Until: time.Date(2026, 3, 11, 7, 0, 0, 0, time.UTC)}
	b := e.login("alice")
	b.page("/?lang=fr")
	before := len(e.queue.posts)
	resp := b.postForm("/compose", url.Values{"network": {"x"}, "text": {"Live cette nuit"}, "lang": {"fr"},
		"scheduled_at": {"2026-03-10T23:30"}, "action": {"create"}})
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 422 || !strings.Contains(string(body), "heures calmes jusqu") {
		t.Errorf("compose at night: %d, no French refusal in the page:\n%s", resp.StatusCode, body)
	}
	if len(e.queue.posts) != before {
		t.Errorf("a refused manual post queued %d posts", len(e.queue.posts)-before)
	}
}

package composer

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/internal/redistest"
)

func TestMain(m *testing.M) { os.Exit(redistest.Run(m)) }

// memStream behaves like one consumer group: read hands out new events once,
// unacknowledged ones are claimable after minIdle.
type memStream struct {
	mu      sync.Mutex
	queue   []campaigns.StreamEvent
	pending map[string]pendingEntry
	acked   []string
}

type pendingEntry struct {
	ev    campaigns.StreamEvent
	since time.Time
}

func (s *memStream) EnsureGroup(context.Context, string) error { return nil }

func (s *memStream) Read(ctx context.Context, _, _ string, count int, block time.Duration) ([]campaigns.StreamEvent, error) {
	s.mu.Lock()
	n := min(count, len(s.queue))
	out := append([]campaigns.StreamEvent(nil), s.queue[:n]...)
	s.queue = s.queue[n:]
	for _, e := range out {
		s.pending[e.MsgID] = pendingEntry{e, time.Now()}
	}
	s.mu.Unlock()
	if len(out) == 0 {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(block):
		}
	}
	return out, nil
}

func (s *memStream) Ack(_ context.Context, _ string, ids ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		delete(s.pending, id)
		s.acked = append(s.acked, id)
	}
	return nil
}

func (s *memStream) ClaimStale(_ context.Context, _, _ string, minIdle time.Duration, count int) ([]campaigns.StreamEvent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []campaigns.StreamEvent
	for id, p := range s.pending {
		if time.Since(p.since) >= minIdle && len(out) < count {
			out = append(out, p.ev)
			s.pending[id] = pendingEntry{p.ev, time.Now()}
		}
	}
	return out, nil
}

func (s *memStream) state() (pending, acked int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending), len(s.acked)
}

// flakySink fails its first call, then stores drafts idempotently by key.
type flakySink struct {
	mu     sync.Mutex
	calls  int
	drafts map[string]content.Draft
}

func (f *flakySink) Create(_ context.Context, d content.Draft) (content.Post, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.calls == 1 {
		return content.Post{}, false, errors.New("redis went away")
	}
	k := d.DedupKey + "|" + d.Network
	_, seen := f.drafts[k]
	f.drafts[k] = d
	return content.Post{ID: k}, !seen, nil
}

func TestConsumeRetriesUnackedEventsAndAcksDrafted(t *testing.T) {
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	camp := testCampaign("fr")
	src := &memStream{pending: map[string]pendingEntry{}}
	for i, m := range []campaigns.Milestone{"percent:50", "launch"} {
		src.queue = append(src.queue, campaigns.StreamEvent{
			MsgID: string(rune('1' + i)),
			Event: campaigns.Event{ID: campaigns.EventID(camp.ID, m), Campaign: camp, Milestone: m, FiredAt: time.Now()},
		})
	}
	sink := &flakySink{drafts: map[string]content.Draft{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- c.Consume(ctx, src, sink, ConsumeOptions{Consumer: "t", Block: 20 * time.Millisecond, MinIdle: 100 * time.Millisecond})
	}()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if p, a := src.state(); p == 0 && a == 2 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	p, a := src.state()
	if p != 0 || a != 2 {
		t.Fatalf("pending %d, acked %d: the failed event was not retried and acknowledged", p, a)
	}
	// Two events × two networks, each stored once despite the retry.
	if len(sink.drafts) != 4 {
		t.Fatalf("%d drafts stored, want 4", len(sink.drafts))
	}
}

// poisonSink refuses every draft of one event, as a queue refuses a draft it
// finds invalid, and stores the others.
type poisonSink struct {
	mu     sync.Mutex
	poison string // DedupKey refused
	tries  int    // Create calls for the poisoned event
	stored map[string]bool
}

func (p *poisonSink) Create(_ context.Context, d content.Draft) (content.Post, bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if d.DedupKey == p.poison {
		p.tries++
		return content.Post{}, false, errors.New("draft refused: text too long")
	}
	p.stored[d.DedupKey+"|"+d.Network] = true
	return content.Post{ID: d.DedupKey}, true, nil
}

func (p *poisonSink) poisonTries() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tries
}

// TestConsumeGivesUpOnPoisonEvent: an event that can never be drafted is
// tried MaxAttempts times, then dead-lettered (in Redis) and acknowledged;
// the other events are unaffected.
func TestConsumeGivesUpOnPoisonEvent(t *testing.T) {
	rdb := redistest.Client(t)
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	camp := testCampaign("fr")
	src := &memStream{pending: map[string]pendingEntry{}}
	for i, m := range []campaigns.Milestone{"percent:50", "launch"} {
		src.queue = append(src.queue, campaigns.StreamEvent{
			MsgID: string(rune('1' + i)),
			Event: campaigns.Event{ID: campaigns.EventID(camp.ID, m), Campaign: camp, Milestone: m, FiredAt: time.Now()},
		})
	}
	poison := campaigns.EventID(camp.ID, "percent:50")
	sink := &poisonSink{poison: poison, stored: map[string]bool{}}
	const maxAttempts = 3
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- c.Consume(ctx, src, sink, ConsumeOptions{Consumer: "t", Block: 10 * time.Millisecond, MinIdle: 40 * time.Millisecond,
			MaxAttempts: maxAttempts, DeadLetters: NewRedisDeadLetters(rdb, "fanfare", nil)})
	}()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if p, a := src.state(); p == 0 && a == 2 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	// A few more claim rounds: a given-up event must not come back.
	time.Sleep(150 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if p, a := src.state(); p != 0 || a != 2 {
		t.Fatalf("pending %d, acked %d: the poison event was not given up on", p, a)
	}
	// Handle tries every network's draft, so one attempt is one Create per network.
	if got, want := sink.poisonTries(), maxAttempts*len(c.networks); got != want {
		t.Errorf("poison event tried %d times (Create calls), want %d", got, want)
	}
	if len(sink.stored) != len(c.networks) {
		t.Errorf("%d drafts of the good event stored, want %d", len(sink.stored), len(c.networks))
	}

	raw, err := rdb.LRange(t.Context(), "{fanfare}:composer:dead", 0, -1).Result()
	if err != nil || len(raw) != 1 {
		t.Fatalf("dead letters = %q, %v; want one", raw, err)
	}
	var dl struct {
		MsgID    string          `json:"msg_id"`
		EventID  string          `json:"event_id"`
		Attempts int             `json:"attempts"`
		Error    string          `json:"error"`
		Event    campaigns.Event `json:"event"`
	}
	if err := json.Unmarshal([]byte(raw[0]), &dl); err != nil {
		t.Fatal(err)
	}
	if dl.MsgID != "1" || dl.EventID != poison || dl.Attempts != maxAttempts || !strings.Contains(dl.Error, "text too long") || dl.Event.Campaign.ID != camp.ID {
		t.Errorf("dead letter %+v", dl)
	}
}

// failingDeadLetters cannot store anything.
type failingDeadLetters struct{}

func (failingDeadLetters) DeadLetter(context.Context, campaigns.StreamEvent, int, error) error {
	return errors.New("redis went away")
}

// TestConsumeKeepsEventWhenDeadLetterFails: giving up must not lose the
// event: if the dead letter cannot be stored, it stays pending.
func TestConsumeKeepsEventWhenDeadLetterFails(t *testing.T) {
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	camp := testCampaign("fr")
	ev := campaigns.Event{ID: campaigns.EventID(camp.ID, "launch"), Campaign: camp, Milestone: "launch", FiredAt: time.Now()}
	src := &memStream{pending: map[string]pendingEntry{}, queue: []campaigns.StreamEvent{{MsgID: "1", Event: ev}}}
	sink := &poisonSink{poison: ev.ID, stored: map[string]bool{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- c.Consume(ctx, src, sink, ConsumeOptions{Consumer: "t", Block: 10 * time.Millisecond, MinIdle: 20 * time.Millisecond,
			MaxAttempts: 2, DeadLetters: failingDeadLetters{}})
	}()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && sink.poisonTries() < 4*len(c.networks) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if sink.poisonTries() < 4*len(c.networks) {
		t.Fatalf("event tried %d times, want it retried past MaxAttempts while the dead letter fails", sink.poisonTries())
	}
	if p, a := src.state(); p != 1 || a != 0 {
		t.Errorf("pending %d, acked %d: want the event kept pending", p, a)
	}
}

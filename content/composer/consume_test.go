package composer

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
)

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

package campaigns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

// deadMaxLen caps the dead-letter stream: it is for a person to look at, not
// an archive.
const deadMaxLen = 10_000

// StreamEvent is a milestone event read from the stream; MsgID is what Ack takes.
type StreamEvent struct {
	MsgID string
	Event Event
}

// EventStream reads the milestone events the tracker queues, as a Redis
// consumer group: each event goes to one consumer of a group and stays
// pending until acknowledged, so a consumer that dies loses nothing.
type EventStream struct {
	rdb  redis.UniversalClient
	keys keys
	// Logger receives the malformed entries; nil means slog.Default().
	Logger *slog.Logger
}

// NewEventStream returns the stream of the tracker with the same prefix.
func NewEventStream(rdb redis.UniversalClient, prefix string) (*EventStream, error) {
	k, err := newKeys(prefix)
	if err != nil {
		return nil, err
	}
	return &EventStream{rdb: rdb, keys: k}, nil
}

func (s *EventStream) log() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// EnsureGroup creates the consumer group (and the stream) if missing. A new
// group starts at the beginning of the stream, so events queued before the
// first consumer started are not skipped.
func (s *EventStream) EnsureGroup(ctx context.Context, group string) error {
	err := s.rdb.XGroupCreateMkStream(ctx, s.keys.events(), group, "0").Err()
	if err != nil && !redis.HasErrorPrefix(err, "BUSYGROUP") {
		return fmt.Errorf("campaigns: unable to create consumer group %q: %w", group, err)
	}
	return nil
}

// Read returns up to count new events for the consumer, waiting up to block
// for some (block <= 0: do not wait). No events is not an error.
func (s *EventStream) Read(ctx context.Context, group, consumer string, count int, block time.Duration) ([]StreamEvent, error) {
	if block <= 0 {
		block = -1 // go-redis: no BLOCK argument
	}
	if count <= 0 {
		count = 10
	}
	res, err := s.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group: group, Consumer: consumer, Streams: []string{s.keys.events(), ">"},
		Count: int64(count), Block: block,
	}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("campaigns: unable to read events: %w", err)
	}
	var msgs []redis.XMessage
	for _, st := range res {
		msgs = append(msgs, st.Messages...)
	}
	return s.decode(ctx, group, msgs)
}

// Ack marks events as handled.
func (s *EventStream) Ack(ctx context.Context, group string, msgIDs ...string) error {
	if len(msgIDs) == 0 {
		return nil
	}
	if err := s.rdb.XAck(ctx, s.keys.events(), group, msgIDs...).Err(); err != nil {
		return fmt.Errorf("campaigns: unable to ack events: %w", err)
	}
	return nil
}

// ClaimStale takes over up to count events that another consumer of the group
// read but did not acknowledge within minIdle (it crashed or hung).
func (s *EventStream) ClaimStale(ctx context.Context, group, consumer string, minIdle time.Duration, count int) ([]StreamEvent, error) {
	if count <= 0 {
		count = 10
	}
	var msgs []redis.XMessage
	start := "0-0"
	// XAUTOCLAIM scans the pending list a page at a time; keep going until
	// enough are claimed or the whole list was seen.
	for {
		got, next, err := s.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{
			Stream: s.keys.events(), Group: group, Consumer: consumer,
			MinIdle: minIdle, Start: start, Count: int64(count - len(msgs)),
		}).Result()
		if err != nil {
			return nil, fmt.Errorf("campaigns: unable to claim stale events: %w", err)
		}
		msgs = append(msgs, got...)
		if next == "0-0" || len(msgs) >= count {
			break
		}
		start = next
	}
	return s.decode(ctx, group, msgs)
}

// decode turns messages into events; a malformed one is moved to the
// dead-letter stream and acknowledged, so it never blocks the group.
func (s *EventStream) decode(ctx context.Context, group string, msgs []redis.XMessage) ([]StreamEvent, error) {
	out := make([]StreamEvent, 0, len(msgs))
	for _, m := range msgs {
		ev, err := decodeEvent(m)
		if err == nil {
			out = append(out, StreamEvent{MsgID: m.ID, Event: ev})
			continue
		}
		s.log().Error("campaigns: malformed event moved to dead letters", "msg_id", m.ID, "error", err)
		pipe := s.rdb.TxPipeline()
		fields := make(map[string]any, len(m.Values)+2)
		for k, v := range m.Values {
			fields[k] = v
		}
		fields["dead_msg_id"] = m.ID
		fields["dead_error"] = err.Error()
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: s.keys.dead(), MaxLen: deadMaxLen, Approx: true, Values: fields})
		pipe.XAck(ctx, s.keys.events(), group, m.ID)
		if _, err := pipe.Exec(ctx); err != nil {
			return nil, fmt.Errorf("campaigns: unable to dead-letter event %s: %w", m.ID, err)
		}
	}
	return out, nil
}

func decodeEvent(m redis.XMessage) (Event, error) {
	raw, ok := m.Values["event"].(string)
	if !ok {
		return Event{}, errors.New("no event field")
	}
	var ev Event
	if err := json.Unmarshal([]byte(raw), &ev); err != nil {
		return Event{}, fmt.Errorf("bad event JSON: %w", err)
	}
	if ev.ID == "" || ev.Milestone == "" || ev.Campaign.ID == "" || ev.ID != EventID(ev.Campaign.ID, ev.Milestone) {
		return Event{}, fmt.Errorf("event %q is incomplete or inconsistent", ev.ID)
	}
	return ev, nil
}

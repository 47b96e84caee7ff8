package campaigns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Dead letters are milestone events set aside for a person: entries of the
// event stream that could not be read (moved to {p}:events:dead by
// EventStream) and events the composer gave up on (content/composer). Both
// are listed, replayed or dropped through the same shape, from the
// dashboard's Problems page and `fanfare deadletters`.

// Where a dead letter was set aside.
const (
	DeadStream   = "stream"   // an entry of the event stream that could not be read
	DeadComposer = "composer" // an event the composer gave up on
)

// ErrDeadLetterNotFound: no dead letter has that id (replayed or dropped
// meanwhile, or trimmed away).
var ErrDeadLetterNotFound = errors.New("dead letter not found")

// DeadLetter is a milestone event set aside.
type DeadLetter struct {
	// ID names it for Replay and Drop: "<source>:<id within the source>".
	ID       string    `json:"id"`
	Source   string    `json:"source"`             // DeadStream or DeadComposer
	EventID  string    `json:"event_id,omitempty"` // "<campaign id>/<milestone>", when readable
	Error    string    `json:"error"`
	Attempts int       `json:"attempts,omitempty"` // the composer's tries
	At       time.Time `json:"at"`
}

// DeadLetterID splits a dead letter's id into its source and the id within
// the source.
func DeadLetterID(id string) (source, local string, err error) {
	source, local, ok := strings.Cut(id, ":")
	if !ok || local == "" || (source != DeadStream && source != DeadComposer) {
		return "", "", fmt.Errorf("campaigns: %q is not a dead letter id (%s:<id> or %s:<id>)", id, DeadStream, DeadComposer)
	}
	return source, local, nil
}

// DeadLetters lists the stream's dead letters, newest first, at most limit
// (0: all kept).
func (s *EventStream) DeadLetters(ctx context.Context, limit int) ([]DeadLetter, error) {
	var msgs []redis.XMessage
	var err error
	if limit > 0 {
		msgs, err = s.rdb.XRevRangeN(ctx, s.keys.dead(), "+", "-", int64(limit)).Result()
	} else {
		msgs, err = s.rdb.XRevRange(ctx, s.keys.dead(), "+", "-").Result()
	}
	if err != nil {
		return nil, fmt.Errorf("campaigns: unable to read dead letters: %w", err)
	}
	out := make([]DeadLetter, 0, len(msgs))
	for _, m := range msgs {
		d := DeadLetter{ID: DeadStream + ":" + m.ID, Source: DeadStream, At: streamIDTime(m.ID)}
		d.Error, _ = m.Values["dead_error"].(string)
		d.EventID, _ = m.Values["id"].(string)
		out = append(out, d)
	}
	return out, nil
}

// streamIDTime is when a stream entry was added (its id's milliseconds).
func streamIDTime(id string) time.Time {
	ms, _, _ := strings.Cut(id, "-")
	n, err := strconv.ParseInt(ms, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(n).UTC()
}

// ReplayDeadLetter puts a dead entry of the stream back on the event stream
// as it was first written, and removes it from the dead letters, in one
// step. An entry that still cannot be read comes back as a new dead letter:
// replay once the cause is fixed (a newer Fanfare that reads it).
func (s *EventStream) ReplayDeadLetter(ctx context.Context, local string) error {
	msgs, err := s.rdb.XRangeN(ctx, s.keys.dead(), local, local, 1).Result()
	if err != nil {
		return fmt.Errorf("campaigns: unable to read dead letter %s: %w", local, err)
	}
	if len(msgs) == 0 {
		return fmt.Errorf("campaigns: %s:%s: %w", DeadStream, local, ErrDeadLetterNotFound)
	}
	values := map[string]any{}
	for k, v := range msgs[0].Values {
		if k != "dead_msg_id" && k != "dead_error" {
			values[k] = v
		}
	}
	pipe := s.rdb.TxPipeline()
	pipe.XAdd(ctx, &redis.XAddArgs{Stream: s.keys.events(), Values: values})
	pipe.XDel(ctx, s.keys.dead(), local)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("campaigns: unable to replay dead letter %s: %w", local, err)
	}
	return nil
}

// DropDeadLetter forgets a dead entry of the stream.
func (s *EventStream) DropDeadLetter(ctx context.Context, local string) error {
	n, err := s.rdb.XDel(ctx, s.keys.dead(), local).Result()
	if err != nil {
		return fmt.Errorf("campaigns: unable to drop dead letter %s: %w", local, err)
	}
	if n == 0 {
		return fmt.Errorf("campaigns: %s:%s: %w", DeadStream, local, ErrDeadLetterNotFound)
	}
	return nil
}

// Requeue puts an event back on the stream, as the tracker writes it (fields
// id and event), for consumers to handle again: the composer's replay of an
// event it gave up on. Consumers are idempotent by event id, so an event
// handled twice does not post twice.
func (s *EventStream) Requeue(ctx context.Context, ev Event) error {
	b, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("campaigns: unable to encode event %s: %w", ev.ID, err)
	}
	if err := s.rdb.XAdd(ctx, &redis.XAddArgs{Stream: s.keys.events(), Values: []any{"id", ev.ID, "event", string(b)}}).Err(); err != nil {
		return fmt.Errorf("campaigns: unable to requeue event %s: %w", ev.ID, err)
	}
	return nil
}

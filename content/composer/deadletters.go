package composer

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/fanfarehq/fanfare/campaigns"
)

// list reads the composer's dead letters, newest first, with each entry's
// stored form (what LREM takes).
func (d *RedisDeadLetters) list(ctx context.Context) ([]deadLetter, []string, error) {
	raw, err := d.rdb.LRange(ctx, deadLettersKey(d.prefix), 0, -1).Result()
	if err != nil {
		return nil, nil, fmt.Errorf("composer: unable to read dead letters: %w", err)
	}
	out := make([]deadLetter, len(raw))
	for i, r := range raw {
		// An entry that does not decode is still listed (by its position's
		// zero values) so that it can be dropped.
		_ = json.Unmarshal([]byte(r), &out[i])
	}
	return out, raw, nil
}

// DeadLetters lists the events the composer gave up on, newest first, at
// most limit (0: all kept). Their id is "composer:<stream message id>".
func (d *RedisDeadLetters) DeadLetters(ctx context.Context, limit int) ([]campaigns.DeadLetter, error) {
	entries, _, err := d.list(ctx)
	if err != nil {
		return nil, err
	}
	if limit > 0 && len(entries) > limit {
		entries = entries[:limit]
	}
	out := make([]campaigns.DeadLetter, len(entries))
	for i, e := range entries {
		out[i] = campaigns.DeadLetter{ID: campaigns.DeadComposer + ":" + e.MsgID, Source: campaigns.DeadComposer,
			EventID: e.EventID, Error: e.Error, Attempts: e.Attempts, At: e.At}
	}
	return out, nil
}

// find returns the entry whose stream message id is msgID.
func (d *RedisDeadLetters) find(ctx context.Context, msgID string) (deadLetter, string, error) {
	entries, raw, err := d.list(ctx)
	if err != nil {
		return deadLetter{}, "", err
	}
	i := slices.IndexFunc(entries, func(e deadLetter) bool { return e.MsgID == msgID })
	if i < 0 {
		return deadLetter{}, "", fmt.Errorf("composer: %s:%s: %w", campaigns.DeadComposer, msgID, campaigns.ErrDeadLetterNotFound)
	}
	return entries[i], raw[i], nil
}

// ReplayDeadLetter puts the event back on the event stream for the composer
// to draft again, then forgets the dead letter. Drafts are keyed by the
// event, so a replay of an event already drafted (in part) creates nothing
// twice.
func (d *RedisDeadLetters) ReplayDeadLetter(ctx context.Context, stream *campaigns.EventStream, msgID string) error {
	e, raw, err := d.find(ctx, msgID)
	if err != nil {
		return err
	}
	if e.Event.ID == "" {
		return fmt.Errorf("composer: dead letter %s holds no readable event: drop it", msgID)
	}
	if err := stream.Requeue(ctx, e.Event); err != nil {
		return err
	}
	return d.remove(ctx, msgID, raw)
}

// DropDeadLetter forgets a dead letter.
func (d *RedisDeadLetters) DropDeadLetter(ctx context.Context, msgID string) error {
	_, raw, err := d.find(ctx, msgID)
	if err != nil {
		return err
	}
	return d.remove(ctx, msgID, raw)
}

func (d *RedisDeadLetters) remove(ctx context.Context, msgID, raw string) error {
	n, err := d.rdb.LRem(ctx, deadLettersKey(d.prefix), 1, raw).Result()
	if err != nil {
		return fmt.Errorf("composer: unable to remove dead letter %s: %w", msgID, err)
	}
	if n == 0 {
		return fmt.Errorf("composer: %s:%s: %w", campaigns.DeadComposer, msgID, campaigns.ErrDeadLetterNotFound)
	}
	return nil
}

// DeadLetterBox is both dead-letter stores behind one set of calls, for the
// dashboard and the CLI: the stream's unreadable entries and the composer's
// given-up events.
type DeadLetterBox struct {
	Stream   *campaigns.EventStream
	Composer *RedisDeadLetters
}

// List returns the dead letters of both, newest first, at most limit of each
// (0: all kept).
func (b DeadLetterBox) List(ctx context.Context, limit int) ([]campaigns.DeadLetter, error) {
	s, err := b.Stream.DeadLetters(ctx, limit)
	if err != nil {
		return nil, err
	}
	c, err := b.Composer.DeadLetters(ctx, limit)
	if err != nil {
		return nil, err
	}
	out := append(s, c...)
	slices.SortStableFunc(out, func(a, b campaigns.DeadLetter) int { return b.At.Compare(a.At) })
	return out, nil
}

// Replay puts a dead letter's event back on the event stream.
func (b DeadLetterBox) Replay(ctx context.Context, id string) error {
	source, local, err := campaigns.DeadLetterID(id)
	if err != nil {
		return err
	}
	if source == campaigns.DeadStream {
		return b.Stream.ReplayDeadLetter(ctx, local)
	}
	return b.Composer.ReplayDeadLetter(ctx, b.Stream, local)
}

// Drop forgets a dead letter.
func (b DeadLetterBox) Drop(ctx context.Context, id string) error {
	source, local, err := campaigns.DeadLetterID(id)
	if err != nil {
		return err
	}
	if source == campaigns.DeadStream {
		return b.Stream.DropDeadLetter(ctx, local)
	}
	return b.Composer.DropDeadLetter(ctx, local)
}

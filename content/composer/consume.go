package composer

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
)

// EventSource is the milestone stream as a consumer group sees it
// (*campaigns.EventStream).
type EventSource interface {
	EnsureGroup(ctx context.Context, group string) error
	Read(ctx context.Context, group, consumer string, count int, block time.Duration) ([]campaigns.StreamEvent, error)
	Ack(ctx context.Context, group string, msgIDs ...string) error
	ClaimStale(ctx context.Context, group, consumer string, minIdle time.Duration, count int) ([]campaigns.StreamEvent, error)
}

// ConsumeOptions tune Consume.
type ConsumeOptions struct {
	Group    string        // default "composer"
	Consumer string        // this replica's name in the group
	Batch    int           // default 50
	Block    time.Duration // how long a read waits for new events; default 2s
	// MinIdle is how long an event may stay unacknowledged (its consumer died,
	// or drafting it failed) before this consumer takes it over. Default 1m.
	MinIdle time.Duration
	Logger  *slog.Logger
}

// Consume drafts every milestone event of the stream until ctx ends. An event
// is acknowledged only once its drafts are stored, so a crash in between
// leaves it pending, and a consumer (this one or another replica's) claims it
// again after MinIdle; drafting is idempotent per event, so a second try
// makes no second post.
func (c *Composer) Consume(ctx context.Context, src EventSource, sink DraftSink, o ConsumeOptions) error {
	if o.Group == "" {
		o.Group = "composer"
	}
	if o.Consumer == "" {
		return fmt.Errorf("composer: Consume needs a consumer name")
	}
	if o.Batch <= 0 {
		o.Batch = 50
	}
	if o.Block <= 0 {
		o.Block = 2 * time.Second
	}
	if o.MinIdle <= 0 {
		o.MinIdle = time.Minute
	}
	log := o.Logger
	if log == nil {
		log = c.log
	}
	if err := src.EnsureGroup(ctx, o.Group); err != nil {
		return fmt.Errorf("composer: unable to join the milestone stream: %w", err)
	}
	lastClaim := time.Time{}
	for ctx.Err() == nil {
		var batch []campaigns.StreamEvent
		if time.Since(lastClaim) >= o.MinIdle/2 {
			stale, err := src.ClaimStale(ctx, o.Group, o.Consumer, o.MinIdle, o.Batch)
			if err != nil && ctx.Err() == nil {
				return fmt.Errorf("composer: unable to claim stale events: %w", err)
			}
			lastClaim = time.Now()
			batch = append(batch, stale...)
		}
		fresh, err := src.Read(ctx, o.Group, o.Consumer, o.Batch, o.Block)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("composer: unable to read the milestone stream: %w", err)
		}
		batch = append(batch, fresh...)
		for _, se := range batch {
			if err := c.Handle(ctx, se.Event, sink); err != nil {
				// Left unacknowledged: claimed again after MinIdle.
				log.Error("composer: unable to draft milestone; will retry", "event_id", se.Event.ID, "msg_id", se.MsgID, "error", err)
				continue
			}
			if err := src.Ack(ctx, o.Group, se.MsgID); err != nil && ctx.Err() == nil {
				log.Warn("composer: unable to acknowledge event; it will be drafted again (idempotently)", "event_id", se.Event.ID, "error", err)
			}
		}
	}
	return nil
}

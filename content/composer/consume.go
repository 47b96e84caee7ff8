package composer

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/internal/keyspace"
)

// EventSource is the milestone stream as a consumer group sees it
// (*campaigns.EventStream).
type EventSource interface {
	EnsureGroup(ctx context.Context, group string) error
	Read(ctx context.Context, group, consumer string, count int, block time.Duration) ([]campaigns.StreamEvent, error)
	Ack(ctx context.Context, group string, msgIDs ...string) error
	ClaimStale(ctx context.Context, group, consumer string, minIdle time.Duration, count int) ([]campaigns.StreamEvent, error)
}

// DeadLetters keeps the events Consume gives up on, for a person to look at
// (and, once the cause is fixed, to fire again by hand).
type DeadLetters interface {
	DeadLetter(ctx context.Context, se campaigns.StreamEvent, attempts int, cause error) error
}

// DefaultMaxAttempts is how many times Consume tries to draft one event.
const DefaultMaxAttempts = 10

// ConsumeOptions tune Consume.
type ConsumeOptions struct {
	Group    string        // default "composer"
	Consumer string        // this replica's name in the group
	Batch    int           // default 50
	Block    time.Duration // how long a read waits for new events; default 2s
	// MinIdle is how long an event may stay unacknowledged (its consumer died,
	// or drafting it failed) before this consumer takes it over. Default 1m.
	MinIdle time.Duration
	// MaxAttempts failed drafts of one event make Consume give up on it: it
	// goes to DeadLetters and is acknowledged. Default DefaultMaxAttempts.
	MaxAttempts int
	// DeadLetters receives the events given up on; nil logs them (at error
	// level, with the event id and the last error) and nothing more.
	DeadLetters DeadLetters
	Logger      *slog.Logger
}

// Consume drafts every milestone event of the stream until ctx ends. An event
// is acknowledged only once its drafts are stored, so a crash in between
// leaves it pending, and a consumer (this one or another replica's) claims it
// again after MinIdle; drafting is idempotent per event, so a second try
// makes no second post.
//
// An event whose drafting keeps failing (a template that cannot render it, a
// draft the queue refuses) would otherwise be claimed again every MinIdle
// forever. Consume counts each event's failed attempts and after MaxAttempts
// moves it to DeadLetters and acknowledges it. The count is kept in memory,
// per consumer: campaigns.EventStream does not expose the stream's delivery
// counter, and a failure in this consumer is what the count is about. So a
// restart, or another replica claiming the event, starts a new count: an
// event gets at most MaxAttempts tries per consumer that holds it, which
// bounds the retries without losing an event to a short outage. A failure
// caused by ctx ending is not counted.
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
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	log := o.Logger
	if log == nil {
		log = c.log
	}
	if err := src.EnsureGroup(ctx, o.Group); err != nil {
		return fmt.Errorf("composer: unable to join the milestone stream: %w", err)
	}
	failures := newAttempts(2 * time.Duration(o.MaxAttempts) * o.MinIdle)
	lastClaim := time.Time{}
	for ctx.Err() == nil {
		var batch []campaigns.StreamEvent
		if time.Since(lastClaim) >= o.MinIdle/2 {
			stale, err := src.ClaimStale(ctx, o.Group, o.Consumer, o.MinIdle, o.Batch)
			if err != nil && ctx.Err() == nil {
				return fmt.Errorf("composer: unable to claim stale events: %w", err)
			}
			lastClaim = time.Now()
			failures.prune(lastClaim)
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
				if ctx.Err() != nil {
					return nil // not the event's fault; it stays pending
				}
				n := failures.add(se.MsgID, time.Now())
				if n < o.MaxAttempts {
					// Left unacknowledged: claimed again after MinIdle.
					log.Error("composer: unable to draft milestone; will retry", "event_id", se.Event.ID, "msg_id", se.MsgID,
						"attempt", n, "max_attempts", o.MaxAttempts, "error", err)
					continue
				}
				if !c.giveUp(ctx, log, o, se, n, err) {
					continue
				}
			}
			failures.forget(se.MsgID)
			if err := src.Ack(ctx, o.Group, se.MsgID); err != nil && ctx.Err() == nil {
				log.Warn("composer: unable to acknowledge event; it will be drafted again (idempotently)", "event_id", se.Event.ID, "error", err)
			}
		}
	}
	return nil
}

// giveUp dead-letters an event that failed too often and says whether it may
// be acknowledged: not if the dead letter could not be stored, which would
// lose it.
func (c *Composer) giveUp(ctx context.Context, log *slog.Logger, o ConsumeOptions, se campaigns.StreamEvent, attempts int, cause error) bool {
	log.Error("composer: giving up on milestone after repeated failures; moved to dead letters",
		"event_id", se.Event.ID, "msg_id", se.MsgID, "campaign_id", se.Event.Campaign.ID,
		"milestone", string(se.Event.Milestone), "attempts", attempts, "error", cause)
	if o.DeadLetters == nil {
		return true
	}
	if err := o.DeadLetters.DeadLetter(ctx, se, attempts, cause); err != nil {
		log.Error("composer: unable to store dead letter; the event stays pending", "event_id", se.Event.ID, "error", err)
		return false
	}
	return true
}

// attempts counts failed drafts per stream message. Entries leave on success
// or give-up; one not failed again for ttl (another replica took the event
// over and finished it) is pruned.
type attempts struct {
	ttl time.Duration
	m   map[string]attemptCount
}

type attemptCount struct {
	n    int
	last time.Time
}

func newAttempts(ttl time.Duration) *attempts {
	return &attempts{ttl: ttl, m: make(map[string]attemptCount)}
}

func (a *attempts) add(msgID string, now time.Time) int {
	e := a.m[msgID]
	e.n++
	e.last = now
	a.m[msgID] = e
	return e.n
}

func (a *attempts) forget(msgID string) { delete(a.m, msgID) }

func (a *attempts) prune(now time.Time) {
	for id, e := range a.m {
		if now.Sub(e.last) > a.ttl {
			delete(a.m, id)
		}
	}
}

// deadLettersMaxLen caps the dead-letter list: it is for a person to read.
const deadLettersMaxLen = 10_000

// deadLettersKey is the composer's dead-letter list, under the project's
// hash tag. (The composer has no keys.go of its own yet; move it there when
// it gets one.)
func deadLettersKey(prefix string) string { return keyspace.Base(prefix) + "composer:dead" }

// RedisDeadLetters keeps given-up events in a Redis list, newest first, as
// JSON {"msg_id","event_id","attempts","error","at","event"}; the newest
// deadLettersMaxLen are kept.
type RedisDeadLetters struct {
	rdb    redis.UniversalClient
	prefix string
	now    func() time.Time
}

// NewRedisDeadLetters returns the dead-letter list under prefix (redis.prefix).
// now stamps the entries; nil means time.Now.
func NewRedisDeadLetters(rdb redis.UniversalClient, prefix string, now func() time.Time) *RedisDeadLetters {
	if now == nil {
		now = time.Now
	}
	return &RedisDeadLetters{rdb: rdb, prefix: prefix, now: now}
}

type deadLetter struct {
	MsgID    string          `json:"msg_id"`
	EventID  string          `json:"event_id"`
	Attempts int             `json:"attempts"`
	Error    string          `json:"error"`
	At       time.Time       `json:"at"`
	Event    campaigns.Event `json:"event"`
}

// DeadLetter stores one entry.
func (d *RedisDeadLetters) DeadLetter(ctx context.Context, se campaigns.StreamEvent, attempts int, cause error) error {
	b, err := json.Marshal(deadLetter{MsgID: se.MsgID, EventID: se.Event.ID, Attempts: attempts,
		Error: fmt.Sprint(cause), At: d.now().UTC(), Event: se.Event})
	if err != nil {
		return fmt.Errorf("composer: unable to encode dead letter: %w", err)
	}
	key := deadLettersKey(d.prefix)
	pipe := d.rdb.TxPipeline()
	pipe.LPush(ctx, key, b)
	pipe.LTrim(ctx, key, 0, deadLettersMaxLen-1)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("composer: unable to store dead letter: %w", err)
	}
	return nil
}

package campaigns

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Tracker defaults.
const (
	DefaultEndedTTL         = 30 * 24 * time.Hour
	DefaultHistoryRetention = 90 * 24 * time.Hour
	DefaultStreamMaxLen     = 100_000
	DefaultBatchSize        = 250
	DefaultCacheSize        = 100_000
)

// maxAttempts bounds the re-evaluations of a snapshot whose campaign other
// trackers keep changing under it; each refusal means someone else made
// progress, so running out means something is badly wrong.
const maxAttempts = 16

// maxSkew is how far in the future an updated_at may be. A snapshot stamped
// further ahead would make every later, correct snapshot look stale.
const maxSkew = 5 * time.Minute

// TrackerOptions tune a Tracker; zero values take the defaults.
type TrackerOptions struct {
	Now    func() time.Time
	Logger *slog.Logger
	// EndedTTL is how long an ended campaign's keys are kept.
	EndedTTL time.Duration
	// HistoryRetention is how far back pledge samples are kept.
	HistoryRetention time.Duration
	// StreamMaxLen caps the event stream (approximately).
	StreamMaxLen int64
	// BatchSize is how many campaigns one script call handles: bigger is
	// faster, smaller keeps Redis responsive to other clients.
	BatchSize int
	// CacheSize bounds how many campaigns' last known state the tracker
	// remembers (about 0.5 KiB each) to skip reading them before a write; 0
	// means DefaultCacheSize, negative turns the cache off.
	CacheSize int
}

// Tracker stores campaign snapshots in Redis and fires each milestone once,
// even with several trackers fed the same updates. It implements Ingester
// and Reader and is safe for concurrent use.
type Tracker struct {
	rdb    redis.UniversalClient
	keys   keys
	rules  Rules
	now    func() time.Time
	log    *slog.Logger
	ttl    time.Duration
	keep   time.Duration
	maxLen int64
	batch  int
	cache  *stateCache
	// conflicts counts snapshots written against an outdated state (another
	// tracker moved first, or a cold cache): they are re-evaluated.
	conflicts atomic.Int64
}

var (
	_ Ingester = (*Tracker)(nil)
	_ Reader   = (*Tracker)(nil)
)

// NewTracker returns a tracker over rdb whose keys start with "{prefix}:".
func NewTracker(rdb redis.UniversalClient, prefix string, rules Rules, opts TrackerOptions) (*Tracker, error) {
	k, err := newKeys(prefix)
	if err != nil {
		return nil, err
	}
	t := &Tracker{
		rdb: rdb, keys: k, rules: rules.withDefaults(),
		now: opts.Now, log: opts.Logger,
		ttl: opts.EndedTTL, keep: opts.HistoryRetention, maxLen: opts.StreamMaxLen, batch: opts.BatchSize,
	}
	if t.now == nil {
		t.now = time.Now
	}
	if t.log == nil {
		t.log = slog.Default()
	}
	if t.ttl <= 0 {
		t.ttl = DefaultEndedTTL
	}
	if t.keep <= 0 {
		t.keep = DefaultHistoryRetention
	}
	if t.maxLen <= 0 {
		t.maxLen = DefaultStreamMaxLen
	}
	if t.batch <= 0 {
		t.batch = DefaultBatchSize
	}
	size := opts.CacheSize
	if size == 0 {
		size = DefaultCacheSize
	}
	t.cache = newStateCache(size)
	return t, nil
}

// item is one valid snapshot on its way in.
type item struct {
	c    Campaign
	json []byte
	url  string // normalized
	meta meta
}

// stored is what the rules need of a campaign as Redis has it (or as the
// tracker believes it is: the write checks).
type stored struct {
	raw   string // meta as stored, "" when never seen: the compare-and-set token
	meta  meta
	fired map[Milestone]bool
}

// Ingest validates, stores and evaluates snapshots. A bad snapshot is listed in
// Rejected and does not stop the others; one older than (or as old as) the
// stored one is counted Stale and changes nothing. The error is only for Redis
// failing, in which case the result says what was done before it failed.
func (t *Tracker) Ingest(ctx context.Context, snapshots []Campaign) (IngestResult, error) {
	now := t.now()
	var res IngestResult
	items := make([]*item, 0, len(snapshots))
	for _, c := range snapshots {
		if c.UpdatedAt.IsZero() {
			c.UpdatedAt = now
		}
		err := c.Validate()
		if err == nil && c.UpdatedAt.After(now.Add(maxSkew)) {
			err = &FieldError{Field: "updated_at", Message: fmt.Sprintf("%s is more than %v in the future", c.UpdatedAt.Format(time.RFC3339), maxSkew)}
		}
		if err != nil {
			t.log.Warn("campaigns: snapshot rejected", "campaign_id", c.ID, "error", err)
			res.Rejected = append(res.Rejected, Rejection{ID: c.ID, Err: err})
			continue
		}
		b, err := json.Marshal(c)
		if err != nil {
			return res, fmt.Errorf("campaigns: unable to encode campaign %q: %w", c.ID, err)
		}
		url := normalizeURL(c.URL)
		items = append(items, &item{c: c, json: b, url: url, meta: newMeta(c, url)})
	}
	for _, wave := range waves(items) {
		if err := t.ingestWave(ctx, wave, now, &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// waves splits a batch so that no campaign appears twice in one wave: the
// second snapshot of a campaign must be judged against the first.
func waves(items []*item) [][]*item {
	seen := make(map[string]int, len(items))
	var out [][]*item
	for _, it := range items {
		w := seen[it.c.ID]
		seen[it.c.ID] = w + 1
		if w == len(out) {
			out = append(out, make([]*item, 0, len(items)))
		}
		out[w] = append(out[w], it)
	}
	return out
}

// ingestWave writes snapshots of distinct campaigns optimistically: each is
// evaluated against the campaign's state as the tracker last saw it (or as
// never seen), and the script refuses the write when Redis holds another
// state, answering with that state, against which the snapshot is evaluated
// again. One round trip when the guess is right, two after a restart or when
// another tracker moved first.
func (t *Tracker) ingestWave(ctx context.Context, pending []*item, now time.Time, res *IngestResult) error {
	states := make([]stored, len(pending))
	for i, it := range pending {
		states[i] = t.cache.get(it.c.ID)
	}
	for attempt := 1; len(pending) > 0; attempt++ {
		if attempt > maxAttempts {
			return fmt.Errorf("campaigns: %d snapshots still conflict after %d attempts (first %q)", len(pending), maxAttempts, pending[0].c.ID)
		}
		evals := make([]Evaluation, len(pending))
		for i, it := range pending {
			var prev *Campaign
			if m := states[i].meta; states[i].raw != "" {
				prev = &Campaign{
					ID: it.c.ID, State: m.state, Pledged: m.pledged, Backers: m.backers,
					Deadline: time.UnixMilli(m.deadline).UTC(), UpdatedAt: time.UnixMicro(m.version).UTC(),
				}
			}
			evals[i] = t.rules.Evaluate(prev, it.c, states[i].fired, now)
		}
		replies, err := t.write(ctx, pending, states, evals, now)
		if err != nil {
			return err
		}
		var retry []*item
		var retryStates []stored
		for i, r := range replies {
			it, ev := pending[i], evals[i]
			switch r.status {
			case 's':
				res.Stale++
				t.cache.put(it.c.ID, r.current)
			case 'c':
				t.conflicts.Add(1)
				retry = append(retry, it)
				retryStates = append(retryStates, r.current)
			case 'o':
				if len(r.flags) != len(ev.Post) {
					return fmt.Errorf("campaigns: ingest script answered %d flags for %d milestones of %q", len(r.flags), len(ev.Post), it.c.ID)
				}
				res.Accepted++
				fired := maps.Clone(states[i].fired)
				if fired == nil {
					fired = make(map[Milestone]bool, len(ev.Post)+len(ev.Record))
				}
				for j, m := range ev.Post {
					fired[m] = true
					if r.flags[j] == '1' {
						res.Fired = append(res.Fired, Event{ID: EventID(it.c.ID, m), Campaign: it.c, Milestone: m, FiredAt: firedAt(now)})
						t.log.Info("campaigns: milestone fired", "campaign_id", it.c.ID, "milestone", m)
					}
				}
				for _, m := range ev.Record {
					fired[m] = true
				}
				res.Recorded += len(ev.Record)
				t.cache.put(it.c.ID, stored{raw: it.meta.String(), meta: it.meta, fired: fired})
			}
		}
		pending, states = retry, retryStates
	}
	return nil
}

// firedAt is the time as the script stores it (unix ms).
func firedAt(now time.Time) time.Time { return time.UnixMilli(now.UnixMilli()).UTC() }

// reply is the script's answer for one snapshot; current is Redis's state of
// the campaign when the write was refused.
type reply struct {
	status  byte // 'o' written, 's' stale, 'c' conflict
	flags   string
	current stored
}

func (t *Tracker) write(ctx context.Context, items []*item, states []stored, evals []Evaluation, now time.Time) ([]reply, error) {
	nowMS := strconv.FormatInt(now.UnixMilli(), 10)
	head := []any{
		nowMS,
		strconv.FormatInt(int64(t.ttl/time.Second), 10),
		strconv.FormatInt(t.maxLen, 10),
		strconv.FormatInt(now.Add(-t.keep).UnixMilli(), 10),
		strconv.FormatInt(now.Add(t.ttl).UnixMilli(), 10),
	}
	fired := firedAt(now)
	var calls []scriptCall
	for start := 0; start < len(items); start += t.batch {
		end := min(start+t.batch, len(items))
		ks := make([]string, 0, 7+3*(end-start))
		ks = append(ks, t.keys.live(), t.keys.ended(), t.keys.events(), t.keys.urls(),
			t.keys.state(StateSuccessful), t.keys.state(StateFailed), t.keys.state(StateCanceled))
		args := make([]any, 0, len(head)+1+13*(end-start))
		args = append(args, head...)
		args = append(args, strconv.Itoa(end-start))
		for i := start; i < end; i++ {
			it, ev := items[i], evals[i]
			c := it.c
			ks = append(ks, t.keys.campaign(c.ID), t.keys.fired(c.ID), t.keys.history(c.ID))
			prev, seen := states[i].meta, states[i].raw != ""
			// The history keeps the last snapshot of each hour: written when
			// the next hour's first snapshot replaces it.
			hscore, hmember := "", ""
			if seen && prev.hour != it.meta.hour {
				hscore, hmember = strconv.FormatInt(prev.at, 10), prev.sample()
			}
			url := ""
			if !seen || prev.urlHash != it.meta.urlHash {
				url = it.url
			}
			live, life := "", ""
			if c.State == StateLive {
				if !seen || prev.state != StateLive || prev.deadline != it.meta.deadline {
					live = strconv.FormatInt(it.meta.deadline, 10)
				}
				if seen && prev.state != StateLive {
					life = "revive"
				}
			} else {
				// Every update of an ended campaign renews the TTL, so keys it
				// creates (a late milestone) expire with the rest.
				life = string(c.State)
			}
			args = append(args,
				states[i].raw,
				strconv.FormatInt(it.meta.version, 10),
				it.meta.String(),
				it.json,
				c.ID,
				hscore, hmember,
				url,
				live,
				life,
				string(prev.state),
				strconv.Itoa(len(ev.Post)),
				strconv.Itoa(len(ev.Record)),
			)
			for _, m := range ev.Post {
				b, err := eventJSON(c.ID, m, it.json, fired)
				if err != nil {
					return nil, err
				}
				args = append(args, string(m), b)
			}
			for _, m := range ev.Record {
				args = append(args, string(m))
			}
		}
		calls = append(calls, scriptCall{keys: ks, args: args})
	}
	cmds, err := runScripts(ctx, t.rdb, ingestScript, calls)
	if err != nil {
		return nil, fmt.Errorf("campaigns: unable to store campaigns: %w", err)
	}
	out := make([]reply, 0, len(items))
	for _, cmd := range cmds {
		rows, err := cmd.Slice()
		if err != nil {
			return nil, fmt.Errorf("campaigns: unable to store campaigns: %w", err)
		}
		for _, row := range rows {
			r, err := parseReply(row)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	if len(out) != len(items) {
		return nil, fmt.Errorf("campaigns: ingest script returned %d answers for %d campaigns", len(out), len(items))
	}
	return out, nil
}

// parseReply reads "o<flags>" or {"s"|"c", meta or nil, {milestone, ...}}.
func parseReply(row any) (reply, error) {
	if s, ok := row.(string); ok && strings.HasPrefix(s, "o") {
		return reply{status: 'o', flags: s[1:]}, nil
	}
	r, ok := row.([]any)
	if !ok || len(r) != 3 {
		return reply{}, fmt.Errorf("campaigns: unexpected ingest script answer %v", row)
	}
	status, _ := r[0].(string)
	if status != "s" && status != "c" {
		return reply{}, fmt.Errorf("campaigns: unexpected ingest script answer %v", row)
	}
	var cur stored
	if raw, ok := r[1].(string); ok {
		m, err := parseMeta(raw)
		if err != nil {
			return reply{}, err
		}
		cur.raw, cur.meta = raw, m
	}
	names, _ := r[2].([]any)
	cur.fired = make(map[Milestone]bool, len(names))
	for _, n := range names {
		if name, ok := n.(string); ok {
			cur.fired[Milestone(name)] = true
		}
	}
	return reply{status: status[0], current: cur}, nil
}

// eventJSON encodes an Event around the already encoded snapshot.
func eventJSON(id string, m Milestone, campaign []byte, at time.Time) ([]byte, error) {
	b, err := json.Marshal(struct {
		ID        string          `json:"id"`
		Campaign  json.RawMessage `json:"campaign"`
		Milestone Milestone       `json:"milestone"`
		FiredAt   time.Time       `json:"fired_at"`
	}{EventID(id, m), campaign, m, at})
	if err != nil {
		return nil, fmt.Errorf("campaigns: unable to encode event %s: %w", EventID(id, m), err)
	}
	return b, nil
}

// scriptCall is one invocation of a script in a pipeline.
type scriptCall struct {
	keys []string
	args []any
}

// runScripts sends the calls in one pipeline of EVALSHA. Calls refused with
// NOSCRIPT (a restarted or flushed server) did not run: they are sent again
// with EVAL, so a write script never runs twice.
func runScripts(ctx context.Context, rdb redis.UniversalClient, s *redis.Script, calls []scriptCall) ([]*redis.Cmd, error) {
	pipe := rdb.Pipeline()
	cmds := make([]*redis.Cmd, len(calls))
	for i, c := range calls {
		cmds[i] = s.EvalSha(ctx, pipe, c.keys, c.args...)
	}
	if _, err := pipe.Exec(ctx); err != nil && !redis.HasErrorPrefix(err, "NOSCRIPT") {
		return nil, err
	}
	for i, cmd := range cmds {
		if err := cmd.Err(); err != nil {
			if !redis.HasErrorPrefix(err, "NOSCRIPT") {
				return nil, err
			}
			cmds[i] = s.Eval(ctx, rdb, calls[i].keys, calls[i].args...)
			if err := cmds[i].Err(); err != nil {
				return nil, err
			}
		}
	}
	return cmds, nil
}

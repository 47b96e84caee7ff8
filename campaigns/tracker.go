package campaigns

import (
	"context"
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
	// DefaultStreamMaxLen keeps about 10 MiB of events (each carries its
	// snapshot: about 1 KiB) where 100,000 took 100 MiB of Redis memory for
	// little use: the composer reads events as they come and acknowledged
	// ones are only history. The cap is what bounds unread events too, so it
	// must exceed the backlog of a composer down for as long as anyone may
	// take to notice: at the hundreds of milestones a day of a platform with
	// thousands of live campaigns, 10,000 is weeks. Raise it for bigger ones.
	DefaultStreamMaxLen = 10_000
	DefaultBatchSize    = 250
	DefaultCacheSize    = 100_000
	// DefaultCloseAfter is how long past its deadline a campaign may stay
	// live without a final state from its platform. Platforms settle within
	// hours; three days leave room for a weekend's outage of the feed.
	DefaultCloseAfter = 72 * time.Hour
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
	// CloseAfter closes a campaign still live this long after its deadline
	// (StateEnded, no post, a ClosedNote): when a snapshot says so, and by
	// CloseOverdue for campaigns no source mentions any more. 0 means
	// DefaultCloseAfter.
	CloseAfter time.Duration
	// MaxPosts caps the milestones one Ingest call (or one poll, see
	// ShareCap) turns into posts; the rest are recorded without a post and
	// listed in IngestResult.Unposted. 0 means DefaultMaxPosts; negative, no
	// cap. A source gone wrong (money sent in the wrong unit, a whole
	// listing at once) then makes a report, not thousands of posts.
	MaxPosts int
	// URLHosts, when set, are the only hosts a campaign URL may have
	// (campaigns.url_hosts): "example.com" is that host, "*.example.com" any
	// host below it. Other snapshots are rejected, naming the url field.
	URLHosts []string
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
	// closeAfter, hosts and maxPosts: see TrackerOptions.
	closeAfter time.Duration
	hosts      hostList
	maxPosts   int
	// sharedKeys are the KEYS of every ingest script call.
	sharedKeys []string
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
		closeAfter: opts.CloseAfter, maxPosts: opts.MaxPosts,
	}
	if t.maxPosts == 0 {
		t.maxPosts = DefaultMaxPosts
	}
	if t.hosts, err = newHostList(opts.URLHosts); err != nil {
		return nil, fmt.Errorf("campaigns: %w", err)
	}
	if t.closeAfter <= 0 {
		t.closeAfter = DefaultCloseAfter
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
	t.sharedKeys = []string{k.live(), k.ended(), k.events(), k.urls(),
		k.state(StateSuccessful), k.state(StateFailed), k.state(StateCanceled), k.state(StateEnded)}
	return t, nil
}

// item is one valid snapshot on its way in.
type item struct {
	c       Campaign
	json    []byte
	url     string // normalized, computed when needed (see prepare)
	meta    meta
	metaStr string // meta.String(), computed once
}

// prepare computes the item's meta. Normalizing the URL means parsing it,
// and most updates carry the link the tracker saw last time: then the
// cached hash is the same.
func (it *item) prepare(known stored) {
	var hash string
	if known.raw != "" && known.url != "" && known.url == it.c.URL {
		hash = known.meta.urlHash
	} else {
		it.url = normalizeURL(it.c.URL)
		hash = urlHash(it.url)
	}
	it.meta = newMetaHashed(it.c, hash)
	it.metaStr = it.meta.String()
}

// normalizedURL is the item's normalized URL, for the index.
func (it *item) normalizedURL() string {
	if it.url == "" {
		it.url = normalizeURL(it.c.URL)
	}
	return it.url
}

// stored is what the rules need of a campaign as Redis has it (or as the
// tracker believes it is: the write checks).
type stored struct {
	raw   string // meta as stored, "" when never seen: the compare-and-set token
	meta  meta
	fired map[Milestone]bool // shared between cache entries: never modified
	url   string             // the raw URL meta's hash was made from, "" unknown
}

// Ingest cleans (Normalize), validates, stores and evaluates snapshots. A bad
// snapshot is listed in Rejected and does not stop the others; one older than
// (or as old as) the stored one is counted Stale and changes nothing; one
// still live CloseAfter past its deadline is stored closed (StateEnded). The
// error is only for Redis failing, in which case the result says what was
// done before it failed.
func (t *Tracker) Ingest(ctx context.Context, snapshots []Campaign) (IngestResult, error) {
	now := t.now()
	var res IngestResult
	budget := t.budget(ctx)
	sc := getScratch()
	defer sc.release()
	sc.items = grow(sc.items[:0], len(snapshots))
	// One buffer holds every snapshot's JSON. When it grows, the JSON already
	// written stays where it is, referenced by its item.
	sc.json = grow(sc.json[:0], min(1200*len(snapshots), 4<<20))
	for i := range snapshots {
		c := snapshots[i]
		if c.UpdatedAt.IsZero() {
			// Stamped with the time of receipt, a microsecond apart in the
			// sender's order, so that a later snapshot of the same campaign in
			// this batch is newer, not stale.
			c.UpdatedAt = now.Add(time.Duration(i) * time.Microsecond)
		}
		c.Normalize()
		err := c.Validate()
		switch {
		case err != nil:
		case c.UpdatedAt.After(now.Add(maxSkew)):
			err = &FieldError{Field: "updated_at", Message: fmt.Sprintf("%s is more than %v in the future", c.UpdatedAt.Format(time.RFC3339), maxSkew)}
		case !t.hosts.allows(c.URL):
			err = &FieldError{Field: "url", Message: fmt.Sprintf("%q is not on the platform's hosts (campaigns.url_hosts: %s)", c.URL, t.hosts)}
		}
		if err == nil {
			t.closeIfOverdue(&c, now)
		}
		if err != nil {
			t.log.Warn("campaigns: snapshot rejected", "campaign_id", c.ID, "error", err)
			res.Rejected = append(res.Rejected, Rejection{ID: c.ID, Err: err})
			continue
		}
		n := len(sc.json)
		sc.json, err = appendCampaignJSON(sc.json, &c)
		if err != nil {
			return res, fmt.Errorf("campaigns: unable to encode campaign %q: %w", c.ID, err)
		}
		sc.items = append(sc.items, item{c: c, json: sc.json[n:len(sc.json):len(sc.json)]})
	}
	for _, wave := range waves(sc.items, sc.seen) {
		if err := t.ingestWave(ctx, sc, wave, now, budget, &res); err != nil {
			return res, err
		}
	}
	if len(res.Unposted) > 0 {
		t.log.Warn("campaigns: milestones over the cap of posts per delivery recorded without a post",
			"unposted", len(res.Unposted), "posted", len(res.Fired), "max_posts", t.maxPosts)
	}
	return res, nil
}

// waves splits a batch so that no campaign appears twice in one wave: the
// second snapshot of a campaign must be judged against the first. seen is an
// empty map to work with.
func waves(items []item, seen map[string]int) [][]*item {
	var out [][]*item
	for i := range items {
		it := &items[i]
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
func (t *Tracker) ingestWave(ctx context.Context, sc *scratch, pending []*item, now time.Time, budget *postBudget, res *IngestResult) error {
	states := grow(sc.states[:0], len(pending))[:len(pending)]
	for i, it := range pending {
		states[i] = t.cache.get(it.c.ID)
		it.prepare(states[i])
	}
	sc.states = states
	evals := grow(sc.evals[:0], len(pending))[:len(pending)]
	sc.evals = evals
	for attempt := 1; len(pending) > 0; attempt++ {
		if attempt > maxAttempts {
			return fmt.Errorf("campaigns: %d snapshots still conflict after %d attempts (first %q)", len(pending), maxAttempts, pending[0].c.ID)
		}
		evals = evals[:len(pending)]
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
		capped := budget.apply(evals)
		replies, err := t.write(ctx, sc, pending, states, evals, now)
		if err != nil {
			return err
		}
		var retry []*item
		var retryStates []stored
		for i, r := range replies {
			it, ev := pending[i], evals[i]
			switch {
			case r.written:
				if len(r.flags) != len(ev.Post) {
					return fmt.Errorf("campaigns: ingest script answered %d flags for %d milestones of %q", len(r.flags), len(ev.Post), it.c.ID)
				}
				res.Accepted++
				// Most updates reach no milestone: they share the fired set
				// they were judged against instead of copying it.
				fired := states[i].fired
				if !ev.Empty() {
					fired = make(map[Milestone]bool, len(fired)+len(ev.Post)+len(ev.Record))
					maps.Copy(fired, states[i].fired)
				}
				for j, m := range ev.Post {
					fired[m] = true
					if r.flags[j] == '1' {
						budget.spend()
						res.Fired = append(res.Fired, Event{ID: EventID(it.c.ID, m), Campaign: it.c, Milestone: m, FiredAt: firedAt(now)})
						t.log.Info("campaigns: milestone fired", "campaign_id", it.c.ID, "milestone", m)
					}
				}
				for _, m := range capAt(capped, i) {
					res.Unposted = append(res.Unposted, Event{ID: EventID(it.c.ID, m), Campaign: it.c, Milestone: m, FiredAt: firedAt(now)})
				}
				for _, m := range ev.Record {
					fired[m] = true
				}
				res.Recorded += len(ev.Record)
				t.cache.put(it.c.ID, stored{raw: it.metaStr, meta: it.meta, fired: fired, url: it.c.URL})
			case r.current.raw != "" && r.current.meta.version >= it.meta.version:
				res.Stale++
				t.cache.put(it.c.ID, r.current)
			default:
				t.conflicts.Add(1)
				retry = append(retry, it)
				retryStates = append(retryStates, r.current)
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
	written bool
	flags   string
	current stored
}

// notStored is an expected meta no stored one equals: sent when the snapshot
// is not newer than the state the tracker knows, so that the script answers
// with the stored state instead of writing.
const notStored = "?"

func (t *Tracker) write(ctx context.Context, sc *scratch, items []*item, states []stored, evals []Evaluation, now time.Time) ([]reply, error) {
	head := [...]any{
		strconv.FormatInt(now.UnixMilli(), 10),
		strconv.FormatInt(int64(t.ttl/time.Second), 10),
		strconv.FormatInt(t.maxLen, 10),
		strconv.FormatInt(now.Add(-t.keep).UnixMilli(), 10),
		strconv.FormatInt(now.Add(t.ttl).UnixMilli(), 10),
	}
	fired := firedAt(now)
	// The JSON around the snapshot of every posted milestone's event goes in
	// one buffer, the arguments of every call in one slice.
	events, ops, vals := sc.events[:0], sc.ops[:0], sc.vals[:0]
	size := (len(head) + 1) * (len(items)/t.batch + 1)
	for _, ev := range evals {
		size += maxArgs(ev)
	}
	clear(sc.args)
	all := grow(sc.args[:0], size)
	var calls []scriptCall
	for start := 0; start < len(items); start += t.batch {
		end := min(start+t.batch, len(items))
		args := all[len(all):]
		keys := make([]string, 0, len(t.sharedKeys)+3*(end-start))
		keys = append(keys, t.sharedKeys...)
		args = append(args, head[:]...)
		args = append(args, strconv.Itoa(end-start))
		for i := start; i < end; i++ {
			it, ev, st := items[i], evals[i], states[i]
			c := &it.c
			prev, seen := st.meta, st.raw != ""
			expected := st.raw
			if seen && it.meta.version <= prev.version {
				expected = notStored
			}
			ops, vals = ops[:0], vals[:0]
			// The script puts each event's JSON together around the
			// snapshot's, rather than receive the snapshot again.
			for _, m := range ev.Post {
				n := len(events)
				events = appendEventHead(events, c.ID, m)
				evHead := events[n:len(events):len(events)]
				n = len(events)
				var err error
				if events, err = appendEventTail(events, m, fired); err != nil {
					return nil, fmt.Errorf("campaigns: unable to encode event %s: %w", EventID(c.ID, m), err)
				}
				ops = append(ops, 'p')
				vals = append(vals, string(m), evHead, events[n:len(events):len(events)])
			}
			if len(ev.Record) > 0 {
				ops = append(ops, 's')
				vals = append(vals, len(ev.Record))
				for _, m := range ev.Record {
					vals = append(vals, string(m))
				}
			}
			// The history keeps the last snapshot of each hour: written when
			// the next hour's first snapshot replaces it.
			if seen && prev.hour != it.meta.hour {
				ops = append(ops, 'h')
				vals = append(vals, prev.at, prev.sample())
			}
			if !seen || prev.urlHash != it.meta.urlHash {
				ops = append(ops, 'u')
				vals = append(vals, it.normalizedURL())
			}
			if c.State == StateLive {
				if !seen || prev.state != StateLive || prev.deadline != it.meta.deadline {
					ops = append(ops, 'l')
					vals = append(vals, it.meta.deadline)
				}
				if seen && prev.state != StateLive {
					ops = append(ops, 'r')
					vals = append(vals, string(prev.state))
				}
			} else {
				// Every update of an ended campaign renews the TTL, so keys it
				// creates (a late milestone) expire with the rest.
				ops = append(ops, 'e')
				vals = append(vals, string(c.State), string(prev.state))
			}
			keys = append(keys, t.keys.campaign(c.ID), t.keys.fired(c.ID), t.keys.history(c.ID))
			args = append(args, c.ID, expected, it.metaStr, it.json, string(ops))
			args = append(args, vals...)
		}
		calls = append(calls, scriptCall{keys: keys, args: args})
		if len(all)+len(args) <= cap(all) {
			all = all[:len(all)+len(args)] // args were appended in place
		} else {
			all = args // maxArgs fell short: args moved to a new array, go on there
		}
	}
	sc.events, sc.ops, sc.vals, sc.args = events, ops, vals, all
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

// maxArgs bounds the script arguments of one snapshot: 5 values, then
// those of the ops (p: 3 per posted milestone, s: 1 + 1 per silent one,
// h: 2, u: 1, l: 1, r: 1, e: 2).
func maxArgs(ev Evaluation) int { return 5 + 3*len(ev.Post) + 1 + len(ev.Record) + 7 }

// parseReply reads "o<flags>" or {meta or nil, {milestone, ...}}.
func parseReply(row any) (reply, error) {
	if s, ok := row.(string); ok && strings.HasPrefix(s, "o") {
		return reply{written: true, flags: s[1:]}, nil
	}
	r, ok := row.([]any)
	if !ok || len(r) != 2 {
		return reply{}, fmt.Errorf("campaigns: unexpected ingest script answer %v", row)
	}
	var cur stored
	switch raw := r[0].(type) {
	case nil: // nothing stored
	case string:
		m, err := parseMeta(raw)
		if err != nil {
			return reply{}, err
		}
		cur.raw, cur.meta = raw, m
	default:
		return reply{}, fmt.Errorf("campaigns: unexpected ingest script answer %v", row)
	}
	names, _ := r[1].([]any)
	cur.fired = make(map[Milestone]bool, len(names))
	for _, n := range names {
		if name, ok := n.(string); ok {
			cur.fired[Milestone(name)] = true
		}
	}
	return reply{current: cur}, nil
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

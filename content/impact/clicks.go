package impact

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// visitorDays is how long a day's unique visitors are kept per link.
const visitorDays = 90

// ErrNoLink is Follow's answer for a code that leads nowhere.
var ErrNoLink = errors.New("impact: no such short link")

// Visit is one request for a short link, as the web handler saw it.
type Visit struct {
	// Count is false for a request that must not count (a HEAD).
	Count bool
	// Addr and UserAgent identify the visitor, only ever hashed with the
	// day's salt; the User-Agent also tells robots (link previews) from
	// people.
	Addr, UserAgent string
}

// Follow returns where a short link's code leads ({public_url}/r/{code}),
// or ErrNoLink. A person's visit is counted: one click for the post that
// day, and one visitor hash (SHA-256 of the day's random salt, the address
// and the User-Agent) added to a HyperLogLog, so unique visitors are
// estimated while no address is stored, and the same visitor on two days
// cannot be told apart (the salt is forgotten). Robots (link previews
// included) and visits that must not count are answered and not counted.
//
// Where a link leads never changes, so it is read from Redis once and then
// kept in memory; clicks are written by Run in batches every few
// milliseconds (see Run), or at once when Run is not running. A click that
// cannot be counted is logged: the visitor still gets where they were going.
func (l *Links) Follow(ctx context.Context, code string, v Visit) (string, error) {
	if !validCode(code) {
		return "", ErrNoLink
	}
	to, found, err := l.target(ctx, code)
	switch {
	case err != nil:
		return "", err
	case !found:
		return "", ErrNoLink
	}
	if v.Count && !l.crawlers.IsBot(v.UserAgent) {
		day := l.now().In(l.loc).Format(time.DateOnly)
		if salt, err := l.salt(ctx, day); err != nil {
			l.log.Error("unable to count a click: no salt", "error", err)
		} else {
			l.count(ctx, click{code: code, day: day, visitor: visitorHash(salt, v.Addr, v.UserAgent)})
		}
	}
	return to, nil
}

// target is where a code leads, from memory or else from Redis.
func (l *Links) target(ctx context.Context, code string) (string, bool, error) {
	if to, ok := l.targets.Load(code); ok {
		return to.(string), true, nil
	}
	to, err := l.rdb.HGet(ctx, l.k.link(code), "to").Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("impact: unable to read short link %s: %w", code, err)
	}
	if l.cached.Add(1) > maxCachedTargets {
		l.targets.Clear()
		l.cached.Store(1)
	}
	l.targets.Store(code, to)
	return to, true, nil
}

// maxCachedTargets bounds the links kept in memory; the memory is emptied
// when full.
const maxCachedTargets = 100_000

// click is one counted visit.
type click struct {
	code, day, visitor string
}

// count hands a click to Run, or writes it at once when Run is not
// running or is behind.
func (l *Links) count(ctx context.Context, c click) {
	if l.running.Load() {
		select {
		case l.clicks <- c:
			return
		default:
		}
	}
	if err := l.write(ctx, []click{c}); err != nil {
		l.log.Error("unable to count a click", "code", c.code, "error", err)
	}
}

// batchEvery is how long Run gathers clicks before writing them.
const batchEvery = 5 * time.Millisecond

// Run writes the clicks ServeHTTP counts, in one pipeline per few
// milliseconds, until ctx ends; then it writes what is left. The daemon
// runs it beside the HTTP server.
func (l *Links) Run(ctx context.Context) error {
	l.running.Store(true)
	defer l.running.Store(false)
	tick := time.NewTicker(batchEvery)
	defer tick.Stop()
	batch := make([]click, 0, 512)
	// A batch handed over is written even when shutdown begins meanwhile:
	// the clicks happened. Each write gets its own few seconds.
	flush := func() {
		if len(batch) == 0 {
			return
		}
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := l.write(wctx, batch); err != nil {
			l.log.Error("unable to count clicks", "clicks", len(batch), "error", err)
		}
		batch = batch[:0]
	}
	for {
		select {
		case c := <-l.clicks:
			batch = append(batch, c)
			if len(batch) == cap(batch) {
				flush()
			}
		case <-tick.C:
			flush()
		case <-ctx.Done():
			// From now on clicks are written as they come; those handed
			// over before are still written.
			l.running.Store(false)
			for {
				select {
				case c := <-l.clicks:
					batch = append(batch, c)
					continue
				default:
				}
				break
			}
			flush()
			return nil
		}
	}
}

// write counts clicks: per code and day, and each visitor hash in the
// code's HyperLogLogs (every day, and the day's).
func (l *Links) write(ctx context.Context, cs []click) error {
	type cd struct{ code, day string }
	n := map[cd]int64{}
	visitors := map[cd][]any{}
	for _, c := range cs {
		k := cd{c.code, c.day}
		n[k]++
		visitors[k] = append(visitors[k], c.visitor)
	}
	pipe := l.rdb.Pipeline()
	for k, v := range n {
		pipe.HIncrBy(ctx, l.k.clicks(k.code), k.day, v)
		pipe.PFAdd(ctx, l.k.visitors(k.code), visitors[k]...)
		pipe.PFAdd(ctx, l.k.visitorsDay(k.code, k.day), visitors[k]...)
		pipe.Expire(ctx, l.k.visitorsDay(k.code, k.day), visitorDays*24*time.Hour)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("impact: unable to count clicks: %w", err)
	}
	return nil
}

// visitorHash is what stands for a visitor in a day's count.
func visitorHash(salt []byte, addr, ua string) string {
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte(addr))
	h.Write([]byte{0})
	h.Write([]byte(ua))
	return string(h.Sum(nil)[:16])
}

// salt returns the day's salt: random, shared by every replica through
// Redis, and gone two days later, so that no one (us included) can link a
// visitor's hashes across days.
func (l *Links) salt(ctx context.Context, day string) ([]byte, error) {
	l.saltMu.Lock()
	s, ok := l.salts[day]
	l.saltMu.Unlock()
	if ok {
		return s, nil
	}
	fresh := make([]byte, 32)
	_, _ = rand.Read(fresh)
	got, err := l.rdb.SetArgs(ctx, l.k.salt(day), fresh, redis.SetArgs{Mode: "NX", Get: true, TTL: 48 * time.Hour}).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		got = fresh // ours was set
	case err != nil:
		return nil, fmt.Errorf("impact: unable to read the salt of %s: %w", day, err)
	}
	l.saltMu.Lock()
	defer l.saltMu.Unlock()
	for d := range l.salts {
		if d != day {
			delete(l.salts, d)
		}
	}
	l.salts[day] = got
	return got, nil
}

// Clicks is what a post's short link counted.
type Clicks struct {
	Clicks int64 `json:"clicks"`
	// UniqueVisitors is estimated (HyperLogLog, about 1 % off); a visitor
	// who comes back another day counts again.
	UniqueVisitors int64            `json:"unique_visitors"`
	ByDay          map[string]int64 `json:"by_day,omitempty"`
}

// Clicks reads the counts of posts' short links; posts without one are
// absent.
func (l *Links) Clicks(ctx context.Context, postIDs []string) (map[string]Clicks, error) {
	out := make(map[string]Clicks, len(postIDs))
	if len(postIDs) == 0 {
		return out, nil
	}
	ks := make([]string, len(postIDs))
	for i, id := range postIDs {
		ks[i] = l.k.code(id)
	}
	// One MGET per key: a Cluster client splits nothing, the keys share a slot.
	codes, err := l.rdb.MGet(ctx, ks...).Result()
	if err != nil {
		return nil, fmt.Errorf("impact: unable to read short link codes: %w", err)
	}
	pipe := l.rdb.Pipeline()
	type pending struct {
		id     string
		byDay  *redis.MapStringStringCmd
		unique *redis.IntCmd
	}
	var ps []pending
	for i, c := range codes {
		code, ok := c.(string)
		if !ok {
			continue
		}
		ps = append(ps, pending{id: postIDs[i], byDay: pipe.HGetAll(ctx, l.k.clicks(code)), unique: pipe.PFCount(ctx, l.k.visitors(code))})
	}
	if len(ps) == 0 {
		return out, nil
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("impact: unable to read clicks: %w", err)
	}
	for _, p := range ps {
		c := Clicks{UniqueVisitors: p.unique.Val(), ByDay: map[string]int64{}}
		for day, n := range p.byDay.Val() {
			var v int64
			if _, err := fmt.Sscan(n, &v); err != nil {
				return nil, fmt.Errorf("impact: corrupt click count %q of post %s", n, p.id)
			}
			c.ByDay[day] = v
			c.Clicks += v
		}
		out[p.id] = c
	}
	return out, nil
}

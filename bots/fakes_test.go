package bots

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/internal/redistest"
)

// clock is a settable test clock shared by the store and the jobs.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// fakePost is a post the fake network holds.
type fakePost struct {
	ID     string
	PostID string
	Text   string
	At     time.Time
}

// failure scripts the fake's next Publish: it answers err, after creating the
// post when created is true (a 5xx or a timeout after the network wrote it).
type failure struct {
	err     *Error
	created bool
	hang    bool // block until the caller gives up
}

// fakeNet is an in-memory network with the behaviours that matter to the
// publish job: duplicate text, a rate-limit window that counts requests sent
// while the window is known to be exhausted, a revocable token and scripted
// failures. It counts how many times each of our posts was created.
type fakeNet struct {
	mu         sync.Mutex
	name       string
	now        func() time.Time
	posts      []fakePost
	created    map[string]int // our post id -> times created
	failures   []failure
	revoked    bool
	limit      int
	window     time.Duration
	winStart   time.Time
	used       int
	told       bool // a 429 was answered in this window
	violations int
	requests   int
	engCalls   [][]string
}

func newFakeNet(name string, now func() time.Time) *fakeNet {
	return &fakeNet{name: name, now: now, created: map[string]int{}}
}

func (f *fakeNet) Network() string { return f.name }

func (f *fakeNet) Publish(ctx context.Context, m Message) (Receipt, error) {
	f.mu.Lock()
	f.requests++
	now := f.now()
	if f.revoked {
		f.mu.Unlock()
		return Receipt{}, &Error{Network: f.name, Kind: KindAuth, Status: 401, Message: "Unauthorized"}
	}
	if f.limit > 0 {
		if !now.Before(f.winStart.Add(f.window)) {
			f.winStart, f.used, f.told = now, 0, false
		}
		if f.used >= f.limit {
			if f.told {
				f.violations++
			}
			f.told = true
			reset := f.winStart.Add(f.window)
			f.mu.Unlock()
			return Receipt{}, &Error{Network: f.name, Kind: KindRateLimited, Status: 429, Message: "Too Many Requests", RetryAt: reset}
		}
		f.used++
	}
	var fail *failure
	if len(f.failures) > 0 {
		fail = &f.failures[0]
		f.failures = f.failures[1:]
	}
	for _, p := range f.posts {
		if p.Text == m.Text {
			f.mu.Unlock()
			return Receipt{}, &Error{Network: f.name, Kind: KindDuplicate, Status: 403, Message: "You are not allowed to create a Tweet with duplicate content."}
		}
	}
	var r Receipt
	if fail == nil || fail.created {
		id := fmt.Sprint(1000 + len(f.posts))
		f.posts = append(f.posts, fakePost{ID: id, PostID: m.PostID, Text: m.Text, At: now})
		f.created[m.PostID]++
		r = Receipt{ID: id, URL: "https://" + f.name + ".example/p/" + id, PublishedAt: now}
	}
	f.mu.Unlock()
	if fail == nil {
		return r, nil
	}
	if fail.hang {
		<-ctx.Done()
		return Receipt{}, ctx.Err() // unclassified: the job must treat it as ambiguous
	}
	return Receipt{}, fail.err
}

func (f *fakeNet) FindRecent(_ context.Context, text string, since time.Time) (Receipt, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.revoked {
		return Receipt{}, false, &Error{Network: f.name, Kind: KindAuth, Status: 401, Message: "Unauthorized"}
	}
	for i := len(f.posts) - 1; i >= 0; i-- {
		p := f.posts[i]
		if p.Text == text && !p.At.Before(since) {
			return Receipt{ID: p.ID, URL: "https://" + f.name + ".example/p/" + p.ID, PublishedAt: p.At}, true, nil
		}
	}
	return Receipt{}, false, nil
}

func (f *fakeNet) Engagement(_ context.Context, ids []string) (map[string]Engagement, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.engCalls = append(f.engCalls, ids)
	out := map[string]Engagement{}
	for _, id := range ids {
		for _, p := range f.posts {
			if p.ID == id {
				out[id] = Engagement{Likes: int64(len(f.engCalls)), Shares: 1, Replies: 2, Impressions: 100}
			}
		}
	}
	return out, nil
}

func (f *fakeNet) fail(fs ...failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures = append(f.failures, fs...)
}

func (f *fakeNet) setRevoked(v bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.revoked = v
}

func (f *fakeNet) createdCount(postID string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.created[postID]
}

// env is one simulated replica: its own Redis connection, store and jobs.
type env struct {
	rdb   redis.UniversalClient
	store *content.Store
	nets  *Networks
	clock *clock
}

const testPrefix = "test"

func newEnv(t *testing.T, rdb redis.UniversalClient, c *clock) *env {
	t.Helper()
	st, err := content.NewStore(rdb, testPrefix, content.StoreOptions{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	nets := NewNetworks(rdb, testPrefix, []NetworkConfig{{Name: "x", Enabled: true}, {Name: "facebook", Enabled: true, Preview: true}}, c.Now)
	return &env{rdb: rdb, store: st, nets: nets, clock: c}
}

func newTestEnv(t *testing.T) *env {
	return newEnv(t, redistest.Client(t), newClock(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)))
}

// approved creates an approved post due now.
func (e *env) approved(t *testing.T, network, key string) content.Post {
	t.Helper()
	ctx := context.Background()
	p, _, err := e.store.Create(ctx, content.Draft{DedupKey: key, Kind: content.KindMilestone, Network: network,
		CampaignID: "c-" + key, Milestone: "percent:50", Text: "Campaign " + key + " is half funded!", Lang: "en", Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if p, err = e.store.Approve(ctx, p.ID, "ann"); err != nil {
		t.Fatal(err)
	}
	if err := e.store.ReserveSlot(ctx, p.ID, e.clock.Now(), "now", content.SlotGuard{}); err != nil {
		t.Fatal(err)
	}
	// Posts made one after the other go out in that order.
	e.clock.Add(time.Millisecond)
	return p
}

func (e *env) publishJob(t *testing.T, pubs map[string]Publisher, opts PublishOptions) *PublishJob {
	t.Helper()
	if opts.Now == nil {
		opts.Now = e.clock.Now
	}
	if opts.Logger == nil {
		opts.Logger = quietLog()
	}
	j, err := NewPublishJob(e.store, e.nets, nil, pubs, opts)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func (e *env) get(t *testing.T, id string) content.Post {
	t.Helper()
	p, err := e.store.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func redistestNewClient(t *testing.T) redis.UniversalClient { return redistest.NewClient(t) }

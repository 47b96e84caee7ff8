package curator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/internal/redistest"
	"github.com/fanfarehq/fanfare/internal/sharedtestdata"
)

// recordingSink is an in-memory queue that keeps every draft it is given and,
// like the real one, creates one post per (DedupKey, Network).
type recordingSink struct {
	mu       sync.Mutex
	calls    []content.Draft
	posts    map[string]content.Post // by DedupKey|Network
	approved []string
	failNext int // the next n Create calls fail
}

func newSink() *recordingSink { return &recordingSink{posts: map[string]content.Post{}} }

func (s *recordingSink) Create(_ context.Context, d content.Draft) (content.Post, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, d)
	if s.failNext > 0 {
		s.failNext--
		return content.Post{}, false, errors.New("queue unavailable")
	}
	k := d.DedupKey + "|" + d.Network
	if p, ok := s.posts[k]; ok {
		return p, false, nil
	}
	p := content.Post{
		ID: fmt.Sprintf("p%d", len(s.posts)+1), GroupID: d.GroupID, Kind: d.Kind, Network: d.Network,
		CampaignID: d.CampaignID, Text: d.Text, Link: d.Link, Lang: d.Lang, Source: d.Source,
		Priority: d.Priority, State: content.StatePending, NotAfter: d.NotAfter,
	}
	s.posts[k] = p
	return p, true, nil
}

func (s *recordingSink) Approve(_ context.Context, id, actor string) (content.Post, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, p := range s.posts {
		if p.ID == id {
			p.State = content.StateApproved
			s.posts[k] = p
			s.approved = append(s.approved, id)
			return p, nil
		}
	}
	return content.Post{}, content.ErrNotFound
}

func (s *recordingSink) drafts() []content.Draft {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]content.Draft(nil), s.calls...)
}

// createOnlySink has no Approve: auto-approval is then the queue's business.
type createOnlySink struct{ *recordingSink }

func (s createOnlySink) Create(ctx context.Context, d content.Draft) (content.Post, bool, error) {
	return s.recordingSink.Create(ctx, d)
}

// fakeMatcher knows campaigns by exact URL.
type fakeMatcher struct {
	mu    sync.Mutex
	byURL map[string]string
	asked []string
	err   error
}

func (m *fakeMatcher) MatchURL(_ context.Context, u string) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.asked = append(m.asked, u)
	if m.err != nil {
		return "", false, m.err
	}
	id, ok := m.byURL[u]
	return id, ok, nil
}

// clock is a settable Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

var t0 = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

type fixture struct {
	c     *Curator
	sink  *recordingSink
	match *fakeMatcher
	clock *clock
}

func newFixture(t *testing.T, opts Options) fixture {
	t.Helper()
	rdb := redistest.Client(t)
	f := fixture{sink: newSink(), match: &fakeMatcher{byURL: map[string]string{}}, clock: &clock{t: t0}}
	if opts.Now == nil {
		opts.Now = f.clock.Now
	}
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	f.c = NewCurator(rdb, "fanfare", opts, f.sink, f.match)
	return f
}

// rss builds an RSS 2.0 document.
func rss(title string, items ...string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>` + title +
		`</title><link>https://news.example/</link>` + strings.Join(items, "") + `</channel></rss>`
}

func rssItem(guid, title, link, desc string, pub time.Time) string {
	s := "<item>"
	if guid != "" {
		s += "<guid>" + guid + "</guid>"
	}
	s += "<title>" + title + "</title><link>" + link + "</link><description><![CDATA[" + desc + "]]></description>"
	if !pub.IsZero() {
		s += "<pubDate>" + pub.Format(time.RFC1123Z) + "</pubDate>"
	}
	return s + "</item>"
}

// serve answers every request with fn's document; it returns the server URL.
func serve(t testing.TB, fn func(w http.ResponseWriter, r *http.Request)) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(fn))
	t.Cleanup(srv.Close)
	return srv.URL
}

func serveDoc(t testing.TB, doc string) string {
	return serve(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, doc)
	})
}

// sharedFeeds is ../shared/testdata/feeds from the repository root.
func sharedFeeds(t testing.TB) string {
	t.Helper()
	return sharedtestdata.Dir(t, "feeds")
}

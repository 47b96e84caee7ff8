package curator

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/text"
)

// The same item fetched three times makes its drafts once.
func TestRefresh_DedupeAcrossRuns(t *testing.T) {
	tests := []struct {
		name   string
		item   string
		drafts int
	}{
		{"by guid", rssItem("tag:news.example,2026:1", "Crowdfunding week", "https://news.example/a?utm=1", "", t0), 2},
		{"by link", rssItem("", "Crowdfunding week", "https://news.example/a", "", t0), 2},
		// Without a link there is nothing to share: remembered, never drafted.
		{"by content", rssItem("", "Crowdfunding week", "", "no link, no guid", t0), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t, Options{})
			var n atomic.Int64
			u := serve(t, func(w http.ResponseWriter, _ *http.Request) {
				// A fresh document each time (no validators, new build date):
				// only item identity can dedupe.
				n.Add(1)
				io.WriteString(w, strings.Replace(rss("News", tt.item), "<channel>",
					"<channel><lastBuildDate>"+time.Now().Format(time.RFC1123Z)+"</lastBuildDate>", 1))
			})
			feed := content.Feed{URL: u, Keywords: []string{"crowdfunding"}}
			mustAdd(t, fx.c, feed)
			for i := range 3 {
				res, err := fx.c.Refresh(context.Background(), feed)
				if err != nil {
					t.Fatal(err)
				}
				wantNew := 0
				if i == 0 {
					wantNew = 1
				}
				if res.New != wantNew {
					t.Errorf("fetch %d: %d new items; want %d", i+1, res.New, wantNew)
				}
				fx.clock.Add(10 * time.Minute)
			}
			if n.Load() != 3 {
				t.Fatalf("server saw %d fetches", n.Load())
			}
			d := fx.sink.drafts()
			if len(d) != tt.drafts {
				t.Fatalf("%d Create calls; want %d (one item × x, facebook)", len(d), tt.drafts)
			}
			if st := status(t, fx.c, u); st.Curated != tt.drafts {
				t.Errorf("status curated = %d; want %d", st.Curated, tt.drafts)
			}
		})
	}
}

// An item linking to a tracked campaign becomes a curated draft, once, with the
// campaign's id, even without a keyword.
func TestRefresh_CampaignLink(t *testing.T) {
	fx := newFixture(t, Options{})
	fx.match.byURL["https://crowd.example/projects/solar-lamp"] = "c42"
	doc := rss("Le Blog Déco",
		rssItem("1", "Une lampe &amp; du soleil", "https://blog.example/lampe",
			`<p>Découvrez <a href="https://crowd.example/projects/solar-lamp">le projet</a> et <a href="/autre">ceci</a>.</p>`, t0.Add(-time.Hour)),
		rssItem("2", "Rien à voir", "https://blog.example/rien", "<p>Pas de lien</p>", t0.Add(-time.Hour)),
	)
	u := serveDoc(t, doc)
	feed := content.Feed{URL: u, Lang: "fr"}
	mustAdd(t, fx.c, feed)
	for range 2 {
		if _, err := fx.c.Refresh(context.Background(), feed); err != nil {
			t.Fatal(err)
		}
	}
	d := fx.sink.drafts()
	if len(d) != 2 {
		t.Fatalf("%d drafts; want 2: %+v", len(d), d)
	}
	byNet := map[string]content.Draft{}
	for _, x := range d {
		byNet[x.Network] = x
	}
	for _, n := range []string{content.NetworkX, content.NetworkFacebook} {
		x, ok := byNet[n]
		if !ok {
			t.Fatalf("no %s draft", n)
		}
		if x.CampaignID != "c42" || x.Kind != content.KindCurated || x.Lang != "fr" ||
			x.Source != u || x.Link != "https://blog.example/lampe" || x.Priority != 50 ||
			!strings.HasPrefix(x.DedupKey, "curated:") || x.GroupID != x.DedupKey ||
			!x.NotAfter.Equal(t0.Add(7*24*time.Hour)) || x.Actor != "system:curator" {
			t.Errorf("%s draft = %+v", n, x)
		}
		if !strings.HasPrefix(x.Text, "À lire sur Le Blog Déco\u00a0: Une lampe & du soleil") {
			t.Errorf("%s text = %q", n, x.Text)
		}
	}
	if !strings.Contains(byNet["x"].Text, "https://blog.example/lampe") {
		t.Errorf("x text lacks the link: %q", byNet["x"].Text)
	}
	if strings.Contains(byNet["facebook"].Text, "https://") {
		t.Errorf("facebook text carries the link (it belongs in Link): %q", byNet["facebook"].Text)
	}
	if byNet["x"].DedupKey != byNet["facebook"].DedupKey {
		t.Error("the item's posts do not share one dedup key")
	}
	// Item link first, then the content's links until one matches; the second
	// fetch has no new item, so it asks nothing.
	want := "https://blog.example/lampe https://crowd.example/projects/solar-lamp https://blog.example/rien"
	if asked := strings.Join(fx.match.asked, " "); asked != want {
		t.Errorf("matcher asked %s; want %s", asked, want)
	}
}

func TestRefresh_Relevance(t *testing.T) {
	old := t0.Add(-30 * 24 * time.Hour)
	doc := rss("Press",
		rssItem("1", "L'Éco-Conception s'invite", "https://p.example/1", "", t0),     // accents, case, hyphen
		rssItem("2", "Party time", "https://p.example/2", "", t0),                    // "art" inside a word
		rssItem("3", "Weekly", "https://p.example/3", "<p>About <b>ART</b></p>", t0), // in the description
		rssItem("4", "Eco conception, encore", "https://p.example/4", "", old),       // too old
		rssItem("5", "Nothing here", "https://p.example/5", "", time.Time{}),
	)
	fx := newFixture(t, Options{})
	u := serveDoc(t, doc)
	feed := content.Feed{URL: u, Keywords: []string{"éco conception", "art"}, Networks: []string{"x"}}
	mustAdd(t, fx.c, feed)
	res, err := fx.c.Refresh(context.Background(), feed)
	if err != nil {
		t.Fatal(err)
	}
	if res.Items != 5 || res.New != 5 || res.Relevant != 2 || res.Drafts != 2 {
		t.Errorf("result = %+v; want 5 items, 5 new, 2 relevant, 2 drafts", res)
	}
	var links []string
	for _, d := range fx.sink.drafts() {
		links = append(links, d.Link)
		if d.Lang != "en" || !strings.HasPrefix(d.Text, "Worth a read on Press: ") {
			t.Errorf("draft = %+v", d)
		}
	}
	if strings.Join(links, " ") != "https://p.example/1 https://p.example/3" {
		t.Errorf("drafted %v; want items 1 and 3", links)
	}
}

func TestRefresh_AutoApprove(t *testing.T) {
	doc := rss("News", rssItem("1", "Crowdfunding", "https://n.example/1", "", t0))
	for _, auto := range []bool{false, true} {
		fx := newFixture(t, Options{})
		u := serveDoc(t, doc)
		feed := content.Feed{URL: u, Keywords: []string{"*"}, AutoApprove: auto}
		mustAdd(t, fx.c, feed)
		if _, err := fx.c.Refresh(context.Background(), feed); err != nil {
			t.Fatal(err)
		}
		want := 0
		if auto {
			want = 2
		}
		if len(fx.sink.approved) != want {
			t.Errorf("auto_approve=%v: %d approvals; want %d", auto, len(fx.sink.approved), want)
		}
	}
}

// A queue failure loses nothing: the item is drafted at the next fetch, and the
// validators are not stored, so that fetch is not a 304.
func TestRefresh_DraftFailureRetried(t *testing.T) {
	fx := newFixture(t, Options{})
	doc := rss("News", rssItem("1", "Crowdfunding", "https://n.example/1", "", t0))
	u := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"e"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"e"`)
		io.WriteString(w, doc)
	})
	feed := content.Feed{URL: u, Keywords: []string{"crowdfunding"}}
	mustAdd(t, fx.c, feed)
	fx.sink.failNext = 1
	res, err := fx.c.Refresh(context.Background(), feed)
	if err == nil || res.Status != StatusError || !strings.Contains(err.Error(), "queue unavailable") {
		t.Fatalf("first refresh = %+v, %v; want the queue error", res, err)
	}
	if st := status(t, fx.c, u); st.LastStatus != StatusError || st.ETag != "" {
		t.Errorf("status after failure = %+v", st)
	}
	res, err = fx.c.Refresh(context.Background(), feed)
	if err != nil || res.Status != StatusOK || res.Drafts != 2 {
		t.Fatalf("second refresh = %+v, %v; want the item drafted", res, err)
	}
	if st := status(t, fx.c, u); st.LastStatus != StatusOK || st.ETag != `"e"` || st.ConsecutiveErrors != 0 {
		t.Errorf("status after success = %+v", st)
	}
	res, _ = fx.c.Refresh(context.Background(), feed)
	if res.Status != StatusNotModified {
		t.Errorf("third refresh %q; want not_modified", res.Status)
	}
}

func TestRefresh_MatcherFailureRetried(t *testing.T) {
	fx := newFixture(t, Options{})
	u := serveDoc(t, rss("News", rssItem("1", "Hello", "https://n.example/1", "", t0)))
	feed := content.Feed{URL: u}
	fx.match.err = errors.New("redis down")
	if _, err := fx.c.Refresh(context.Background(), feed); err == nil || !strings.Contains(err.Error(), "redis down") {
		t.Fatalf("err = %v", err)
	}
	fx.match.err = nil
	fx.match.byURL["https://n.example/1"] = "c1"
	res, err := fx.c.Refresh(context.Background(), feed)
	if err != nil || res.New != 1 || res.Drafts != 2 {
		t.Fatalf("retry = %+v, %v", res, err)
	}
}

// A feed with its own schedule is fetched when due, and skipped otherwise.
func TestRefreshAll_Schedule(t *testing.T) {
	fx := newFixture(t, Options{})
	var n atomic.Int64
	u := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
		io.WriteString(w, rss("News"))
	})
	mustAdd(t, fx.c, content.Feed{URL: u, Schedule: "@every 1h"})
	steps := []struct {
		advance time.Duration
		fetches int64
	}{{0, 1}, {30 * time.Minute, 1}, {30 * time.Minute, 2}, {time.Minute, 2}}
	for i, s := range steps {
		fx.clock.Add(s.advance)
		rep, err := fx.c.RefreshAll(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n.Load() != s.fetches {
			t.Errorf("step %d: %d fetches; want %d (report %+v)", i, n.Load(), s.fetches, rep)
		}
	}
}

// A fetch that ends after its feed was removed leaves no status behind.
func TestRefresh_RemovedFeedLeavesNothing(t *testing.T) {
	fx := newFixture(t, Options{})
	ctx := context.Background()
	var fc *Curator
	var removed atomic.Bool
	u := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if removed.CompareAndSwap(false, true) {
			if err := fc.Registry().Remove(ctx, "http://"+r.Host); err != nil {
				t.Error(err)
			}
		}
		io.WriteString(w, rss("News"))
	})
	fc = fx.c
	mustAdd(t, fx.c, content.Feed{URL: u})
	if _, err := fx.c.Refresh(ctx, content.Feed{URL: u}); err != nil {
		t.Fatal(err)
	}
	rdb := fx.c.rdb
	if n, err := rdb.Exists(ctx, feedStatusKey("fanfare", u)).Result(); err != nil || n != 0 {
		t.Errorf("status key exists after removal: %d %v", n, err)
	}
}

// Whatever a feed's titles hold, the drafts pass the networks' length rules.
func TestRefresh_DraftsFitNetworks(t *testing.T) {
	long := strings.Repeat("Financement participatif éco-conçu 👩‍👩‍👧 ", 20)
	doc := rss("Source\uFEFF with a very long name "+strings.Repeat("ça ", 30),
		rssItem("1", "\uFFFE"+long, "https://news.example.org/"+strings.Repeat("segment/", 40), "", t0),
		rssItem("2", "Short\x01 one", "https://n.example/2", "", t0))
	fx := newFixture(t, Options{})
	u := serveDoc(t, doc)
	feed := content.Feed{URL: u, Keywords: []string{"*"}, Lang: "fr"}
	res, err := fx.c.Refresh(context.Background(), feed)
	if err != nil || res.Drafts != 4 {
		t.Fatalf("result %+v, %v; want 4 drafts", res, err)
	}
	for _, d := range fx.sink.drafts() {
		r, err := text.Check(d.Network, d.Text)
		if err != nil || !r.Valid {
			t.Errorf("%s draft %q: %+v %v", d.Network, d.Text, r, err)
		}
		if strings.ContainsAny(d.Text, "\uFEFF\uFFFE\x01") {
			t.Errorf("forbidden character kept: %q", d.Text)
		}
		if d.Network == content.NetworkX && !strings.HasSuffix(d.Text, " "+d.Link) {
			t.Errorf("x text does not end with the link: %q", d.Text)
		}
	}
}

func TestRefreshAll_Interrupted(t *testing.T) {
	fx := newFixture(t, Options{Concurrency: 1})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	u := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		cancel() // the daemon shuts down during the first fetch
		io.WriteString(w, rss("News"))
	})
	for i := range 3 {
		mustAdd(t, fx.c, content.Feed{URL: u + "/" + string(rune('a'+i))})
	}
	rep, err := fx.c.RefreshAll(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want context.Canceled", err)
	}
	if rep.Feeds != 3 || rep.Failed < 2 {
		t.Errorf("report = %+v; want the feeds after the first failed", rep)
	}
	for _, r := range rep.Results {
		if r.URL == "" || r.Status == "" {
			t.Errorf("result without URL or status: %+v", r)
		}
	}
}

func TestRefresh_NeedsStore(t *testing.T) {
	c := NewCurator(nil, "", Options{Logger: testLogger(t)}, nil, nil)
	if _, err := c.Refresh(context.Background(), content.Feed{URL: "https://a.example/"}); err == nil {
		t.Error("Refresh without Redis or sink did not fail")
	}
	if _, err := c.RefreshAll(context.Background()); err == nil {
		t.Error("RefreshAll without Redis or sink did not fail")
	}
}

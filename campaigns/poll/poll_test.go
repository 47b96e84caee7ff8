package poll

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/campaigns/mapping"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type recorder struct {
	mu    sync.Mutex
	snaps []campaigns.Campaign
	calls int
	err   error
	// reject makes the fake refuse these ids, as the tracker does with an
	// updated_at in the future.
	reject map[string]bool
}

func (r *recorder) Ingest(_ context.Context, s []campaigns.Campaign) (campaigns.IngestResult, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.err != nil {
		return campaigns.IngestResult{}, r.err
	}
	var res campaigns.IngestResult
	for _, c := range s {
		if r.reject[c.ID] {
			res.Rejected = append(res.Rejected, campaigns.Rejection{ID: c.ID, Err: &campaigns.FieldError{Field: "updated_at", Message: "is in the future"}})
			continue
		}
		r.snaps = append(r.snaps, c)
		res.Accepted++
	}
	return res, nil
}

func (r *recorder) byID() map[string]campaigns.Campaign {
	m := map[string]campaigns.Campaign{}
	for _, c := range r.snaps {
		m[c.ID] = c
	}
	return m
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// serveJSON answers with body as JSON, honouring If-None-Match for etag.
func serveJSON(w http.ResponseWriter, r *http.Request, body []byte, etag string) {
	if etag != "" {
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(body)
}

func TestPollKickstarter(t *testing.T) {
	page1, page2 := fixture(t, "kickstarter-page1.json"), fixture(t, "kickstarter-page2.json")
	var auth atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth.Store(r.Header.Get("Authorization"))
		switch r.URL.Query().Get("page") {
		case "1":
			serveJSON(w, r, page1, `"p1-v1"`)
		case "2":
			serveJSON(w, r, page2, `"p2-v1"`)
		default:
			serveJSON(w, r, []byte(`{"projects":[],"has_more":false}`), "")
		}
	}))
	defer srv.Close()
	rec := &recorder{reject: map[string]bool{"2087245599": true}}
	p, err := NewPoller(Options{
		URL: srv.URL + "/discover/advanced?format=json&sort=newest", ItemsPath: "projects", PageParam: "page",
		Headers: map[string]string{"Authorization": "Bearer k"}, Mapping: mapping.Kickstarter,
		Now: func() time.Time { return testNow }, Logger: quiet(),
	}, rec)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Poll(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// The submitted (not launched) project is skipped, not rejected.
	if rep.Pages != 3 || rep.Records != 4 || rep.Accepted != 2 || rep.Skipped != 1 || len(rep.Rejected) != 1 || rep.NotModified {
		t.Fatalf("report = %+v", rep)
	}
	if re := rep.Rejected[0]; re.Page != 2 || re.Index != 0 || re.ID != "2087245599" || re.Field != "updated_at" {
		t.Errorf("rejected by the tracker = %+v", re)
	}
	if auth.Load() != "Bearer k" {
		t.Errorf("Authorization = %v", auth.Load())
	}
	got := rec.byID()
	atlas := got["1296487520"]
	if atlas.Title != "The Lighthouse Keeper's Atlas" || atlas.Goal != 1500000 || atlas.Pledged != 1823450 ||
		atlas.Backers != 412 || atlas.Currency != "GBP" || atlas.Lang != "en" || atlas.State != campaigns.StateLive ||
		atlas.URL != "https://www.kickstarter.com/projects/harbourquill/the-lighthouse-keepers-atlas" ||
		atlas.Creator.Name != "Harbour & Quill" || atlas.Category != "Illustration" ||
		!atlas.Deadline.Equal(time.Unix(1777593600, 0)) || !atlas.LaunchedAt.Equal(time.Unix(1775001600, 0)) ||
		!strings.HasPrefix(atlas.ImageURL, "https://ksr-ugc.imgix.net/") {
		t.Errorf("atlas = %+v", atlas)
	}
	if tb := got["517040953"]; tb.Goal != 4000000 || tb.Pledged != 5123456 || tb.State != campaigns.StateSuccessful {
		t.Errorf("JPY campaign = goal %d pledged %d state %s", tb.Goal, tb.Pledged, tb.State)
	}

	// Nothing changed: pages 1 and 2 answer 304, the empty page 3 comes
	// back in full (no validators) and holds nothing.
	calls := rec.calls
	rep, err = p.Poll(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Pages != 3 || rep.Records != 0 || rec.calls != calls || rep.NotModified {
		t.Errorf("second poll = %+v, %d ingests", rep, rec.calls-calls)
	}
}

func TestPollUlule(t *testing.T) {
	page1, page2 := fixture(t, "ulule-page1.json"), fixture(t, "ulule-page2.json")
	var lastMod atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		const stamp = "Sun, 01 Mar 2026 11:00:00 GMT"
		if r.Header.Get("If-Modified-Since") == stamp {
			lastMod.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Last-Modified", stamp)
		switch r.URL.Query().Get("offset") {
		case "0":
			serveJSON(w, r, page1, "")
		case "2":
			serveJSON(w, r, page2, "")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	rec := &recorder{}
	p, err := NewPoller(Options{
		URL: srv.URL + "/v1/search/projects?limit=2&offset=0", ItemsPath: "projects", NextPath: "meta.next",
		Mapping: mapping.Ulule, Now: func() time.Time { return testNow }, Logger: quiet(),
	}, rec)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Poll(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Pages != 2 || rep.Records != 3 || rep.Accepted != 3 || len(rep.Rejected) != 0 {
		t.Fatalf("report = %+v", rep)
	}
	got := rec.byID()
	for id, want := range map[string]struct {
		title   string
		goal    int64
		pledged int64
		state   campaigns.State
	}{
		"98231": {"Les Ombres du Marais", 1500000, 1248000, campaigns.StateLive},
		"97110": {"Le Dernier Phare, tome 1", 800000, 2481250, campaigns.StateSuccessful},
		"96002": {"Northbound Tapes", 500000, 221000, campaigns.StateFailed},
	} {
		c := got[id]
		if c.Title != want.title || c.Goal != want.goal || c.Pledged != want.pledged || c.State != want.state {
			t.Errorf("%s = %q goal %d pledged %d %s; want %+v", id, c.Title, c.Goal, c.Pledged, c.State, want)
		}
	}
	if c := got["98231"]; c.Creator.Name != "Studio Héron" || c.Lang != "fr" || c.URL != "https://fr.ulule.com/les-ombres-du-marais/" ||
		!c.Deadline.Equal(time.Date(2026, 3, 20, 22, 59, 0, 0, time.UTC)) {
		t.Errorf("98231 = %+v", c)
	}
	rep, err = p.Poll(t.Context())
	if err != nil || !rep.NotModified || rep.Pages != 2 || lastMod.Load() != 2 {
		t.Errorf("second poll = %+v, %v; %d conditional hits", rep, err, lastMod.Load())
	}
}

func TestPollErrors(t *testing.T) {
	good := `[{"id":"1","title":"A","url":"https://x.example.org/1","lang":"en","currency":"EUR","goal":100,"pledged":5,` +
		`"launched_at":"2026-02-01T00:00:00Z","deadline":"2026-04-01T00:00:00Z","state":"live","creator":"Ann"}]`
	minor := mapping.Mapping{ID: "id", Title: "title", URL: "url", Lang: "lang", Currency: "currency", Goal: "goal", Pledged: "pledged",
		LaunchedAt: "launched_at", Deadline: "deadline", State: "state", CreatorName: "creator", Money: mapping.MoneyMinor}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		o       func(*Options)
		ingErr  error
		wantErr []string
		wantRep Report
	}{
		{
			name: "html answer",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.Write([]byte("<!doctype html><title>Sign in</title>"))
			},
			wantErr: []string{"/list", `"text/html; charset=utf-8"`, "not JSON"},
			wantRep: Report{Pages: 1},
		},
		{
			name: "html served as json",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte("<html>oops</html>"))
			},
			wantErr: []string{"/list", "not valid JSON"},
			wantRep: Report{Pages: 1},
		},
		{
			name: "server error",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "database is down", http.StatusInternalServerError)
			},
			wantErr: []string{"/list", "500 Internal Server Error", "database is down"},
			wantRep: Report{Pages: 1},
		},
		{
			name: "timeout",
			handler: func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
			},
			o:       func(o *Options) { o.Timeout = 50 * time.Millisecond },
			wantErr: []string{"/list", "deadline exceeded"},
			wantRep: Report{Pages: 1},
		},
		{
			name: "no items array",
			handler: func(w http.ResponseWriter, r *http.Request) {
				serveJSON(w, r, []byte(`{"data":[]}`), "")
			},
			o:       func(o *Options) { o.ItemsPath = "projects" },
			wantErr: []string{"no projects array"},
			wantRep: Report{Pages: 1},
		},
		{
			name: "trailing garbage",
			handler: func(w http.ResponseWriter, r *http.Request) {
				serveJSON(w, r, []byte(good+" ]"), "")
			},
			wantErr: []string{"data after the JSON value"},
			wantRep: Report{Pages: 1},
		},
		{
			name: "bad record among good",
			handler: func(w http.ResponseWriter, r *http.Request) {
				bad := strings.Replace(good, `"pledged":5`, `"pledged":5.5`, 1)
				serveJSON(w, r, []byte(good[:len(good)-1]+","+strings.Replace(bad[1:], `"id":"1"`, `"id":"2"`, 1)), "")
			},
			wantRep: Report{Pages: 1, Records: 2, Accepted: 1, Rejected: []RecordError{{Page: 1, Index: 1, ID: "2", Field: "pledged"}}},
		},
		{
			name: "ingester down",
			handler: func(w http.ResponseWriter, r *http.Request) {
				serveJSON(w, r, []byte(good), "")
			},
			ingErr:  errors.New("redis: i/o timeout"),
			wantErr: []string{"unable to ingest", "i/o timeout"},
			wantRep: Report{Pages: 1, Records: 1},
		},
		{
			name: "next page loops",
			handler: func(w http.ResponseWriter, r *http.Request) {
				serveJSON(w, r, []byte(`{"items":`+good+`,"next":"/list"}`), "")
			},
			o:       func(o *Options) { o.ItemsPath, o.NextPath = "items", "next" },
			wantRep: Report{Pages: 1, Records: 1, Accepted: 1},
		},
		{
			name: "max pages",
			handler: func(w http.ResponseWriter, r *http.Request) {
				serveJSON(w, r, []byte(`{"items":`+strings.ReplaceAll(good, `"1"`, `"`+r.URL.Query().Get("p")+`"`)+`}`), "")
			},
			o:       func(o *Options) { o.ItemsPath, o.PageParam, o.MaxPages = "items", "p", 3 },
			wantRep: Report{Pages: 3, Records: 3, Accepted: 3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			o := Options{URL: srv.URL + "/list", Mapping: minor, Now: func() time.Time { return testNow }, Logger: quiet()}
			if tt.o != nil {
				tt.o(&o)
			}
			rec := &recorder{err: tt.ingErr}
			p, err := NewPoller(o, rec)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := p.Poll(t.Context())
			if len(tt.wantErr) == 0 && err != nil {
				t.Fatalf("Poll: %v", err)
			}
			for _, want := range tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("err = %v, want it to mention %q", err, want)
				}
			}
			if rep.Pages != tt.wantRep.Pages || rep.Records != tt.wantRep.Records || rep.Accepted != tt.wantRep.Accepted ||
				len(rep.Rejected) != len(tt.wantRep.Rejected) {
				t.Fatalf("report = %+v, want %+v", rep, tt.wantRep)
			}
			for i, w := range tt.wantRep.Rejected {
				g := rep.Rejected[i]
				if g.Page != w.Page || g.Index != w.Index || g.ID != w.ID || g.Field != w.Field {
					t.Errorf("rejected[%d] = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

func TestPollRefetchesAfterFailedIngest(t *testing.T) {
	var conditional atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") != "" {
			conditional.Add(1)
		}
		serveJSON(w, r, fixture(t, "kickstarter-page1.json"), `"v1"`)
	}))
	defer srv.Close()
	rec := &recorder{err: errors.New("redis down")}
	p, err := NewPoller(Options{URL: srv.URL, ItemsPath: "projects", Mapping: mapping.Kickstarter, Logger: quiet()}, rec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Poll(t.Context()); err == nil {
		t.Fatal("want the ingest error")
	}
	rec.err = nil
	rep, err := p.Poll(t.Context())
	if err != nil || rep.Accepted != 2 || conditional.Load() != 0 {
		t.Errorf("after a failed ingest: %+v, %v, %d conditional requests", rep, err, conditional.Load())
	}
	rep, err = p.Poll(t.Context())
	if err != nil || !rep.NotModified || conditional.Load() != 1 {
		t.Errorf("third poll: %+v, %v, %d conditional requests", rep, err, conditional.Load())
	}
}

func TestNewPollerValidates(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		ing  campaigns.Ingester
		want string
	}{
		{"no ingester", Options{URL: "https://x.example.org", Mapping: mapping.Ulule}, nil, "no ingester"},
		{"relative url", Options{URL: "/projects", Mapping: mapping.Ulule}, &recorder{}, "not an absolute"},
		{"ftp url", Options{URL: "ftp://x.example.org/p", Mapping: mapping.Ulule}, &recorder{}, "not an absolute"},
		{"both paginations", Options{URL: "https://x.example.org", NextPath: "next", PageParam: "page", Mapping: mapping.Ulule}, &recorder{}, "not both"},
		{"negative timeout", Options{URL: "https://x.example.org", Timeout: -1, Mapping: mapping.Ulule}, &recorder{}, "negative"},
		{"empty mapping", Options{URL: "https://x.example.org"}, &recorder{}, "mapping.id"},
		{"bad money", Options{URL: "https://x.example.org", Mapping: func() mapping.Mapping { m := mapping.Ulule; m.Money = "cents"; return m }()}, &recorder{}, "mapping.money"},
		{"bad state", Options{URL: "https://x.example.org", Mapping: func() mapping.Mapping {
			m := mapping.Kickstarter
			m.States = map[string]campaigns.State{"started": "running"}
			return m
		}()}, &recorder{}, "mapping.states.started"},
		{"template without id", Options{URL: "https://x.example.org", Mapping: func() mapping.Mapping { m := mapping.Kickstarter; m.URLTemplate = "https://k/"; return m }()}, &recorder{}, "{id}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewPoller(tt.o, tt.ing)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := NewPoller(Options{URL: "https://x.example.org/p", Mapping: mapping.Kickstarter}, &recorder{}); err != nil {
		t.Errorf("valid options: %v", err)
	}
}

func TestPollerJobAndCursorCache(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A cursor listing: the second page's URL changes on every poll.
		if r.URL.Query().Get("cursor") == "" {
			i := n.Add(1)
			serveJSON(w, r, []byte(fmt.Sprintf(`{"projects":[],"next":"?cursor=c%d"}`, i)), fmt.Sprintf(`"first-%d"`, i))
			return
		}
		serveJSON(w, r, []byte(`{"projects":[]}`), `"`+r.URL.Query().Get("cursor")+`"`)
	}))
	defer srv.Close()
	p, err := NewPoller(Options{URL: srv.URL + "/list", ItemsPath: "projects", NextPath: "next", Mapping: mapping.Kickstarter, Logger: quiet()}, &recorder{})
	if err != nil {
		t.Fatal(err)
	}
	job := p.Job()
	for range 5 {
		if err := job(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if len(p.cache) > 2 {
		t.Errorf("cache holds %d pages after 5 polls of a 2-page listing", len(p.cache))
	}
}

func TestErrorsAndLogsMaskTheQuery(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "nope", http.StatusInternalServerError)
	}))
	defer srv.Close()
	var logs strings.Builder
	p, err := NewPoller(Options{
		URL: srv.URL + "/campaigns?api_key=s3cr3t-k3y&page=1", Mapping: mapping.Kickstarter,
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	}, &recorder{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Poll(context.Background())
	if err == nil {
		t.Fatal("Poll of a failing listing succeeded")
	}
	if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(logs.String(), "s3cr3t") {
		t.Fatalf("the API key leaks:\nerror: %v\nlogs: %s", err, logs.String())
	}
	if !strings.Contains(err.Error(), "api_key=xxxxx") {
		t.Fatalf("error does not name the page: %v", err)
	}
	if got := safeURL("https://u:pw@h.example.org/p?a=1&b=2"); got != "https://u:xxxxx@h.example.org/p?a=xxxxx&b=xxxxx" {
		t.Fatalf("safeURL = %q", got)
	}
}

package bots

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/internal/redisconn"
	"github.com/fanfarehq/fanfare/internal/redistest"
)

// TestThreeReplicasPublishEachPostOnce runs three publish jobs, each with its
// own Redis connection, store and scheduler, over one network: every post is
// created exactly once and all end published.
func TestThreeReplicasPublishEachPostOnce(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	net := newFakeNet("x", e.clock.Now)
	const n = 200
	var ids []string
	for i := range n {
		p, _, err := e.store.Create(ctx, content.Draft{DedupKey: fmt.Sprint(i), Kind: content.KindCurated, Network: "x",
			Text: fmt.Sprintf("news %d", i), Actor: "t"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Approve(ctx, p.ID, "ann"); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for range 3 {
		r := newEnv(t, redistest.NewClient(t), e.clock)
		sched, err := NewScheduler(r.store, SchedulerOptions{Networks: map[string]NetworkLimits{"x": {}}, Now: e.clock.Now, Logger: quietLog()})
		if err != nil {
			t.Fatal(err)
		}
		j, err := NewPublishJob(r.store, r.nets, sched, map[string]Publisher{"x": net}, PublishOptions{MaxPerRun: 15, Now: e.clock.Now, Logger: quietLog()})
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			for range 100 {
				if err := j.Run(ctx); err != nil {
					errs <- err
					return
				}
				counts, err := r.store.Counts(ctx)
				if err != nil {
					errs <- err
					return
				}
				if counts[content.StatePublished] == n {
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, id := range ids {
		if c := net.createdCount(id); c != 1 {
			t.Errorf("post %s created %d times", id, c)
		}
		if p := e.get(t, id); p.State != content.StatePublished || p.Attempts != 1 {
			t.Errorf("post %s: %s after %d attempts", id, p.State, p.Attempts)
		}
	}
	if len(net.posts) != n {
		t.Errorf("network holds %d posts, want %d", len(net.posts), n)
	}
}

// httpNet is a fake network over HTTP for the crash test: POST /posts records
// the post (when record is set) and then hangs until the client goes away;
// GET /posts lists what was recorded.
type httpNet struct {
	mu       sync.Mutex
	record   bool
	posts    []fakePost
	requests int
	received chan struct{}
}

func (h *httpNet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost:
		var m Message
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		h.requests++
		if h.record {
			h.posts = append(h.posts, fakePost{ID: fmt.Sprint(500 + len(h.posts)), PostID: m.PostID, Text: m.Text, At: time.Now()})
		}
		h.mu.Unlock()
		select {
		case h.received <- struct{}{}:
		default:
		}
		<-r.Context().Done() // the network never answers
	case http.MethodGet:
		h.mu.Lock()
		defer h.mu.Unlock()
		_ = json.NewEncoder(w).Encode(h.posts)
	}
}

// httpPublisher talks to httpNet.
type httpPublisher struct{ base string }

func (p httpPublisher) Network() string { return "x" }

func (p httpPublisher) Publish(ctx context.Context, m Message) (Receipt, error) {
	b, _ := json.Marshal(m)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.base+"/posts", bytes.NewReader(b))
	if err != nil {
		return Receipt{}, &Error{Network: "x", Kind: KindNotSent, Err: err}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Receipt{}, &Error{Network: "x", Kind: KindAmbiguous, Err: err}
	}
	defer resp.Body.Close()
	var fp fakePost
	if err := json.NewDecoder(resp.Body).Decode(&fp); err != nil {
		return Receipt{}, &Error{Network: "x", Kind: KindAmbiguous, Err: err}
	}
	return Receipt{ID: fp.ID, URL: p.base + "/p/" + fp.ID, PublishedAt: fp.At}, nil
}

func (p httpPublisher) FindRecent(ctx context.Context, text string, since time.Time) (Receipt, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+"/posts", nil)
	if err != nil {
		return Receipt{}, false, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Receipt{}, false, err
	}
	defer resp.Body.Close()
	var posts []fakePost
	if err := json.NewDecoder(resp.Body).Decode(&posts); err != nil {
		return Receipt{}, false, err
	}
	for _, fp := range posts {
		if fp.Text == text && !fp.At.Before(since) {
			return Receipt{ID: fp.ID, URL: p.base + "/p/" + fp.ID, PublishedAt: fp.At}, true, nil
		}
	}
	return Receipt{}, false, nil
}

func (p httpPublisher) Engagement(context.Context, []string) (map[string]Engagement, error) {
	return nil, errors.New("not supported")
}

const helperEnv = "FANFARE_BOTS_HELPER_NETWORK"

// TestHelperProcess is the child of TestSIGKILLMidRequest: a publish job
// against the URL in FANFARE_BOTS_HELPER_NETWORK, killed while it waits for
// the network's answer.
func TestHelperProcess(t *testing.T) {
	base := os.Getenv(helperEnv)
	if base == "" {
		t.Skip("runs only as the child process of TestSIGKILLMidRequest")
	}
	opts, err := redisconn.ParseURL(os.Getenv(redistest.EnvURL))
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewUniversalClient(opts)
	defer rdb.Close()
	store, err := content.NewStore(rdb, testPrefix, content.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	j, err := NewPublishJob(store, NewNetworks(rdb, testPrefix, nil, nil), nil,
		map[string]Publisher{"x": httpPublisher{base: base}}, PublishOptions{Lease: 2 * time.Minute, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	_ = j.Run(context.Background())
	t.Fatal("the publish job returned: it should have been killed mid-request")
}

// TestSIGKILLMidRequest kills a publishing process while the network holds its
// request, then runs a new publish job and reconcile: the post ends published
// exactly once when the network had created it, unknown when it had not; it
// is never sent twice and never lost.
func TestSIGKILLMidRequest(t *testing.T) {
	for _, record := range []bool{true, false} {
		t.Run(fmt.Sprintf("network_created=%v", record), func(t *testing.T) {
			ctx := context.Background()
			rdb := redistest.Client(t)
			realNow := newClock(time.Now())
			e := newEnv(t, rdb, realNow)
			p := e.approved(t, "x", "crash")

			h := &httpNet{record: record, received: make(chan struct{}, 1)}
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)

			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.v")
			cmd.Env = append(os.Environ(), helperEnv+"="+srv.URL, redistest.EnvURL+"="+redistest.URL(t))
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			select {
			case <-h.received:
			case <-time.After(20 * time.Second):
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
				t.Fatalf("the child never sent its request:\n%s", out.String())
			}
			if err := cmd.Process.Kill(); err != nil { // SIGKILL
				t.Fatal(err)
			}
			_ = cmd.Wait()
			if got := e.get(t, p.ID); got.State != content.StatePublishing {
				t.Fatalf("after the kill: %s, want publishing (claimed by the dead process)", got.State)
			}

			// A replica comes later, once the dead process's lease has ended.
			later := newClock(time.Now().Add(2*time.Minute + time.Second))
			r := newEnv(t, redistest.NewClient(t), later)
			pubs := map[string]Publisher{"x": httpPublisher{base: srv.URL}}
			j, err := NewPublishJob(r.store, r.nets, nil, pubs, PublishOptions{Timeout: time.Second, Now: later.Now, Logger: quietLog()})
			if err != nil {
				t.Fatal(err)
			}
			rec := NewReconcileJob(r.rdb, testPrefix, r.store, r.nets, pubs, ReconcileOptions{Now: later.Now, Logger: quietLog()})
			for range 3 {
				if err := j.Run(ctx); err != nil {
					t.Fatal(err)
				}
				if err := rec.Run(ctx); err != nil {
					t.Fatal(err)
				}
			}
			got := e.get(t, p.ID)
			want := content.StateUnknown
			if record {
				want = content.StatePublished
			}
			if got.State != want {
				t.Fatalf("state %s, want %s (audit %+v)", got.State, want, got.Audit)
			}
			if record {
				last := got.Audit[len(got.Audit)-1]
				if last.Actor != "system:reconcile" || got.ExternalID != "500" {
					t.Errorf("published by %s with id %q, want system:reconcile and 500", last.Actor, got.ExternalID)
				}
			}
			h.mu.Lock()
			defer h.mu.Unlock()
			if h.requests != 1 {
				t.Errorf("the network got %d publish requests, want 1", h.requests)
			}
		})
	}
}

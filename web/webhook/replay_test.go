package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/internal/redistest"
)

// deliver posts body with a signature header and decodes the answer.
func deliver(t *testing.T, h http.Handler, body []byte, sig string) (int, Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/hooks/campaigns", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(SignatureHeader, sig)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var r Response
	if rec.Code == http.StatusAccepted {
		if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
			t.Fatalf("202 body %q: %v", rec.Body, err)
		}
	}
	return rec.Code, r, rec.Body.String()
}

// TestReplayChangesNothing is the reviewer's probe: a live snapshot, then a
// successful one, then the live delivery replayed within the tolerance. The
// snapshots have no updated_at, so only the replay cache can tell.
func TestReplayChangesNothing(t *testing.T) {
	rdb := redistest.Client(t)
	ing := &fakeIngester{}
	now := testNow
	h := newTestHandler(t, Options{Secrets: []string{"old", "new"}, Ingester: ing, Now: func() time.Time { return now },
		Logger: discardLogger(), Redis: rdb, Prefix: "fanfare"})

	live := mustJSON(t, campaignMap("7"))
	liveSig := Sign("old", now, live) + "," + strings.TrimPrefix(Sign("new", now, live), "t="+itoa(now.Unix())+",")
	if st, r, body := deliver(t, h, live, liveSig); st != http.StatusAccepted || r.Accepted != 1 || r.Replayed {
		t.Fatalf("first delivery: %d %+v %s", st, r, body)
	}
	now = now.Add(time.Minute)
	won := mustJSON(t, with(with(campaignMap("7"), "state", "successful"), "pledged", 1600000))
	if st, r, body := deliver(t, h, won, Sign("new", now, won)); st != http.StatusAccepted || r.Accepted != 1 {
		t.Fatalf("newer delivery: %d %+v %s", st, r, body)
	}

	now = now.Add(3 * time.Minute) // still within the 300 s tolerance of the first
	calls := len(ing.calls)
	for _, sig := range []string{
		liveSig,
		Sign("old", testNow, live), // one v1 of a rotation pair dropped
		Sign("new", testNow, live), // the other one
	} {
		st, r, body := deliver(t, h, live, sig)
		if st != http.StatusAccepted {
			t.Fatalf("replay %q: status %d %s", sig, st, body)
		}
		if want := (Response{Replayed: true}); !reflect.DeepEqual(r, want) {
			t.Errorf("replay %q: %+v, want %+v", sig, r, want)
		}
		if !strings.Contains(body, `"replayed":true`) || !strings.Contains(body, `"accepted":0`) {
			t.Errorf("replay body %s", body)
		}
	}
	if len(ing.calls) != calls {
		t.Errorf("a replay reached the ingester (%d calls, want %d)", len(ing.calls), calls)
	}
	if got := ing.stored["7"].State; got != "successful" {
		t.Errorf("campaign state %q after the replay, want successful", got)
	}

	// The same snapshot signed anew is a new delivery (the tracker judges it).
	if st, r, _ := deliver(t, h, live, Sign("new", now, live)); st != http.StatusAccepted || r.Replayed {
		t.Errorf("re-signed delivery: %d %+v", st, r)
	}

	// The mark lives twice the tolerance plus the skew margin, under the
	// package's key.
	key := seenKey("fanfare", deliveryDigest(itoa(testNow.Unix()), live))
	if !strings.HasPrefix(key, "{fanfare}:webhook:seen:") {
		t.Errorf("key %q", key)
	}
	ttl, err := rdb.TTL(t.Context(), key).Result()
	want := 2*DefaultTolerance + replayMargin
	if err != nil || ttl <= want-10*time.Second || ttl > want {
		t.Errorf("TTL of %s = %v (%v), want about %v", key, ttl, err, want)
	}
}

// TestReplayCacheForgetsFailedDeliveries: when nothing was stored, the
// sender's retry of the same bytes is processed, not taken for a replay.
func TestReplayCacheForgetsFailedDeliveries(t *testing.T) {
	rdb := redistest.Client(t)
	ing := &fakeIngester{err: errors.New("redis down")}
	h := newTestHandler(t, Options{Secrets: []string{"s"}, Ingester: ing, Now: func() time.Time { return testNow },
		Logger: discardLogger(), Redis: rdb, Prefix: "p"})
	body := mustJSON(t, campaignMap("9"))
	sig := Sign("s", testNow, body)
	if st, _, resp := deliver(t, h, body, sig); st != http.StatusServiceUnavailable || !strings.Contains(resp, "ingest_failed") {
		t.Fatalf("failing ingest: %d %s", st, resp)
	}
	ing.mu.Lock()
	ing.err = nil
	ing.mu.Unlock()
	if st, r, resp := deliver(t, h, body, sig); st != http.StatusAccepted || r.Accepted != 1 || r.Replayed {
		t.Fatalf("retry after a failed ingest: %d %+v %s", st, r, resp)
	}

	// Every snapshot refused by the tracker: nothing stored, so forgotten too.
	ing.reject = map[string]bool{"10": true}
	body = mustJSON(t, campaignMap("10"))
	sig = Sign("s", testNow, body)
	for i := range 2 {
		if st, _, resp := deliver(t, h, body, sig); st != http.StatusBadRequest || !strings.Contains(resp, "updated_at") {
			t.Fatalf("refused delivery, try %d: %d %s", i+1, st, resp)
		}
	}
	if n := len(ing.calls); n != 4 {
		t.Errorf("ingester called %d times, want 4 (no retry taken for a replay)", n)
	}
}

// TestReplayCacheUnavailable: when Redis cannot answer, the delivery is
// refused with a 503 and Retry-After (the sender retries) rather than ingested unchecked.
func TestReplayCacheUnavailable(t *testing.T) {
	rdb := redistest.NewClient(t)
	_ = rdb.Close()
	ing := &fakeIngester{}
	h := newTestHandler(t, Options{Secrets: []string{"s"}, Ingester: ing, Now: func() time.Time { return testNow },
		Logger: discardLogger(), Redis: rdb})
	body := mustJSON(t, campaignMap("11"))
	if st, _, resp := deliver(t, h, body, Sign("s", testNow, body)); st != http.StatusServiceUnavailable || !strings.Contains(resp, "replay_check_failed") {
		t.Fatalf("status %d %s", st, resp)
	}
	if len(ing.calls) != 0 {
		t.Error("ingested without the replay check")
	}
}

func TestNewHandlerRefusesBadOptions(t *testing.T) {
	_, err := NewHandler(Options{Secrets: []string{"s"}, Ingester: &fakeIngester{}, Redis: redistest.NewClient(t), Prefix: "{x}"})
	if err == nil || !strings.Contains(err.Error(), "braces") {
		t.Errorf("braced prefix: err = %v, want an error naming the braces", err)
	}
	if _, err := NewHandler(Options{Secrets: []string{"s"}}); err == nil || !strings.Contains(err.Error(), "Ingester") {
		t.Errorf("no ingester: err = %v, want an error naming the Ingester", err)
	}
}

// newTestHandler is NewHandler for options that must work.
func newTestHandler(t testing.TB, o Options) http.Handler {
	t.Helper()
	h, err := NewHandler(o)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

var _ campaigns.Ingester = (*fakeIngester)(nil)

// slowFailingIngester blocks its first call until released, then fails it.
type slowFailingIngester struct {
	entered chan struct{}
	release chan struct{}
	calls   int
}

func (s *slowFailingIngester) Ingest(ctx context.Context, snaps []campaigns.Campaign) (campaigns.IngestResult, error) {
	s.calls++
	if s.calls == 1 {
		close(s.entered)
		<-s.release
		return campaigns.IngestResult{}, errors.New("redis: connection reset")
	}
	return campaigns.IngestResult{Accepted: len(snaps)}, nil
}

// The sender times out on a slow delivery and retries the very same bytes
// while the first is still being ingested. The retry must not be answered
// 202 "replayed" (the first ingest may still fail): it gets 409 with
// Retry-After, and once the first failed, the next retry is stored.
func TestRetryDuringIngestIsNotLost(t *testing.T) {
	rdb := redistest.Client(t)
	ing := &slowFailingIngester{entered: make(chan struct{}), release: make(chan struct{})}
	h := newTestHandler(t, Options{Secrets: []string{"s"}, Ingester: ing, Now: func() time.Time { return testNow },
		Logger: discardLogger(), Redis: rdb, Prefix: "fanfare"})
	body := mustJSON(t, campaignMap("7"))
	sig := Sign("s", testNow, body)

	first := make(chan int)
	go func() { st, _, _ := deliver(t, h, body, sig); first <- st }()
	<-ing.entered
	st, r, _ := deliver(t, h, body, sig) // the sender's retry
	close(ing.release)
	st1 := <-first
	if st1 != http.StatusServiceUnavailable {
		t.Fatalf("first delivery = %d, want 503 (its ingest failed)", st1)
	}
	if st != http.StatusConflict || r.Replayed {
		t.Fatalf("retry during the ingest = %d replayed=%v, want 409 in progress", st, r.Replayed)
	}
	st, r, _ = deliver(t, h, body, sig)
	if st != http.StatusAccepted || r.Replayed || r.Accepted != 1 {
		t.Fatalf("retry after the failure = %d %+v, want it stored", st, r)
	}
	st, r, _ = deliver(t, h, body, sig)
	if st != http.StatusAccepted || !r.Replayed {
		t.Fatalf("replay after it was stored = %d %+v, want 202 replayed", st, r)
	}
}

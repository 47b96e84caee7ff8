package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/internal/clientip"
	"github.com/fanfarehq/fanfare/internal/redistest"
)

// countingBody counts the bytes a handler reads of a body.
type countingBody struct {
	r    io.Reader
	read int
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.read += n
	return n, err
}
func (b *countingBody) Close() error { return nil }

// lockedBuffer is a log sink the test can count lines of.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) lines() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Count(b.buf.String(), "\n")
}

func postFrom(h http.Handler, remote string, sig string, body io.ReadCloser, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/hooks/campaigns", body)
	req.RemoteAddr = remote
	req.Header.Set("Content-Type", "application/json")
	if sig != "" {
		req.Header.Set(SignatureHeader, sig)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestStaleTimestampRefusedBeforeTheBody: a header whose timestamp is out
// of range is refused without reading the body (a 1 MiB post used to be
// read whole first).
func TestStaleTimestampRefusedBeforeTheBody(t *testing.T) {
	h := newTestHandler(t, Options{Secrets: []string{"s"}, Ingester: &fakeIngester{}, Now: func() time.Time { return testNow }, Logger: discardLogger()})
	big := bytes.Repeat([]byte("x"), 1<<20)
	for _, sig := range []string{
		Sign("s", testNow.Add(-time.Hour), big),
		Sign("s", testNow.Add(time.Hour), big),
		"t=" + strconv.FormatInt(testNow.Unix()-3600, 10) + ",v1=" + strings.Repeat("ab", 32),
	} {
		body := &countingBody{r: bytes.NewReader(big)}
		rec := postFrom(h, "203.0.113.1:5000", sig, body)
		if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "timestamp_out_of_range") {
			t.Errorf("%s: %d %s", sig, rec.Code, rec.Body)
		}
		if body.read != 0 {
			t.Errorf("%s: read %d bytes of the body before refusing", sig, body.read)
		}
	}
}

// TestRefusalsLimitedPerAddress: past the limit, an address's deliveries
// get 429 with Retry-After, unread and unlogged; other addresses and the
// next window are not affected; behind a trusted proxy, the forwarded
// address counts.
func TestRefusalsLimitedPerAddress(t *testing.T) {
	var logs lockedBuffer
	now := testNow
	ing := &fakeIngester{}
	h := newTestHandler(t, Options{Secrets: []string{"s"}, Ingester: ing, Now: func() time.Time { return now },
		Logger:   slog.New(slog.NewTextHandler(&logs, nil)),
		ClientIP: clientip.Resolver{Trusted: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}})
	junk := func() io.ReadCloser { return io.NopCloser(strings.NewReader(`{"id":"x"}`)) }
	for i := 0; i < 100; i++ {
		rec := postFrom(h, "198.51.100.7:4000", "t=1,v1=00", junk())
		want := http.StatusUnauthorized
		if i >= refusalLimit {
			want = http.StatusTooManyRequests
		}
		if rec.Code != want {
			t.Fatalf("refusal %d: status %d, want %d", i+1, rec.Code, want)
		}
		if want == http.StatusTooManyRequests {
			if ra, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || ra < 1 || ra > int(refusalWindow/time.Second) {
				t.Fatalf("Retry-After %q", rec.Header().Get("Retry-After"))
			}
		}
	}
	if n := logs.lines(); n != refusalLimit {
		t.Errorf("100 refusals logged %d lines, want %d", n, refusalLimit)
	}
	// The limited address's correct delivery waits too; another address,
	// and a client behind the trusted proxy, are not limited.
	body := mustJSON(t, campaignMap("1"))
	if rec := postFrom(h, "198.51.100.7:4000", Sign("s", now, body), io.NopCloser(bytes.NewReader(body))); rec.Code != http.StatusTooManyRequests {
		t.Errorf("limited address: %d", rec.Code)
	}
	if rec := postFrom(h, "198.51.100.8:4000", Sign("s", now, body), io.NopCloser(bytes.NewReader(body))); rec.Code != http.StatusAccepted {
		t.Errorf("another address: %d %s", rec.Code, rec.Body)
	}
	if rec := postFrom(h, "127.0.0.1:4000", Sign("s", now, body), io.NopCloser(bytes.NewReader(body)), "X-Forwarded-For", "192.0.2.1"); rec.Code != http.StatusAccepted {
		t.Errorf("behind the trusted proxy: %d %s", rec.Code, rec.Body)
	}
	now = now.Add(refusalWindow)
	body = mustJSON(t, campaignMap("2"))
	if rec := postFrom(h, "198.51.100.7:4000", Sign("s", now, body), io.NopCloser(bytes.NewReader(body))); rec.Code != http.StatusAccepted {
		t.Errorf("next window: %d %s", rec.Code, rec.Body)
	}
}

// TestStorageDownAnswers503: an ingest that fails answers 503 with
// Retry-After, so the sender retries rather than giving up on a 500.
func TestStorageDownAnswers503(t *testing.T) {
	ing := &fakeIngester{err: errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")}
	h := newTestHandler(t, Options{Secrets: []string{"s"}, Ingester: ing, Now: func() time.Time { return testNow }, Logger: discardLogger()})
	body := mustJSON(t, campaignMap("1"))
	rec := postFrom(h, "198.51.100.7:4000", Sign("s", testNow, body), io.NopCloser(bytes.NewReader(body)))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("storage down: %d Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
}

// TestDeliveryReportsUnposted: past the tracker's cap of posts per delivery,
// the answer lists the milestones recorded without a post, and the source
// health shows the problem.
func TestDeliveryReportsUnposted(t *testing.T) {
	rdb := redistest.Client(t)
	tr, err := campaigns.NewTracker(rdb, "hook", campaigns.Rules{}, campaigns.TrackerOptions{
		Now: func() time.Time { return testNow }, Logger: discardLogger(), MaxPosts: 1})
	if err != nil {
		t.Fatal(err)
	}
	health := &healthLog{}
	h := newTestHandler(t, Options{Secrets: []string{"whsec_current"}, Ingester: tr, Now: func() time.Time { return testNow },
		Logger: discardLogger(), Health: health})
	var seen, moved []any
	for _, id := range []string{"1", "2", "3"} {
		c := campaignMap(id)
		c["updated_at"] = testNow.Add(-time.Hour).Format(time.RFC3339)
		seen = append(seen, c)
		c = campaignMap(id)
		c["pledged"], c["updated_at"] = 1600000, testNow.Format(time.RFC3339)
		moved = append(moved, c)
	}
	if code, raw := post(t, h, mustJSON(t, map[string]any{"campaigns": seen})); code != http.StatusAccepted {
		t.Fatalf("first delivery: %d %s", code, raw)
	}
	code, raw := post(t, h, mustJSON(t, map[string]any{"campaigns": moved}))
	var resp Response
	if err := json.Unmarshal(raw, &resp); err != nil || code != http.StatusAccepted {
		t.Fatalf("second delivery: %d %s", code, raw)
	}
	if resp.Fired != 1 || len(resp.Unposted) == 0 || resp.Unposted[0].CampaignID == "" || resp.Unposted[0].Milestone == "" {
		t.Fatalf("fired %d, unposted %+v; want 1 and the rest listed", resp.Fired, resp.Unposted)
	}
	last := health.runs[len(health.runs)-1]
	if !strings.Contains(last.Error, "recorded without a post") {
		t.Errorf("source health: %+v", last)
	}
}

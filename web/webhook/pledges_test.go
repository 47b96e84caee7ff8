package webhook

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/impact"
	"github.com/fanfarehq/fanfare/internal/redistest"
)

type fakePosts map[string]content.Post

func (f fakePosts) Get(_ context.Context, id string) (content.Post, error) {
	if p, ok := f[id]; ok {
		return p, nil
	}
	return content.Post{}, content.ErrNotFound
}

func TestPledgeHookCountsSignedPledgesOnce(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	l, err := impact.NewLinks(redistest.Client(t), "test", impact.LinkOptions{PublicURL: "https://fan.example/", Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	const secret = "a-long-enough-secret"
	h, err := NewPledgeHandler(PledgeOptions{Secrets: []string{secret}, Posts: fakePosts{"P1": {ID: "P1"}}, Pledges: l, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	send := func(body, sig string) (int, map[string]any) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/hooks/pledges", strings.NewReader(body))
		if sig == "" {
			sig = Sign(secret, now, []byte(body))
		}
		if sig != "-" {
			req.Header.Set(SignatureHeader, sig)
		}
		h.ServeHTTP(rec, req)
		var out map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &out)
		return rec.Code, out
	}
	batch := `{"pledges":[{"id":"pl-1","utm_content":"P1","amount":2500,"currency":"EUR"},` +
		`{"id":"pl-2","utm_content":"P1","amount":1000,"currency":"EUR","at":"2026-05-04T09:00:00Z"},` +
		`{"id":"pl-3","utm_content":"NOT-OURS","amount":500,"currency":"EUR"}]}`
	code, out := send(batch, "")
	if code != http.StatusAccepted || out["counted"] != 2.0 || out["unmatched"] != 1.0 {
		t.Fatalf("first delivery: %d %v", code, out)
	}
	code, out = send(batch, "") // a retry
	if code != http.StatusAccepted || out["counted"] != 0.0 || out["duplicate"] != 2.0 {
		t.Fatalf("retry: %d %v", code, out)
	}
	code, _ = send(`{"id":"pl-4","utm_content":"P1","amount":0}`, "")
	if code != http.StatusAccepted {
		t.Fatalf("single pledge: %d", code)
	}
	got, err := l.Attributed(ctx, []string{"P1", "P2"})
	if err != nil {
		t.Fatal(err)
	}
	if got["P1"].Pledges != 3 || got["P1"].Amounts["EUR"] != 3500 || got["P2"].Pledges != 0 {
		t.Fatalf("attributed %+v", got)
	}

	for _, tc := range []struct {
		name, body, sig string
		status          int
		code, field     string
	}{
		{"unsigned", batch, "-", 401, "missing_signature", ""},
		{"wrong secret", batch, Sign("another-secret-entirely", now, []byte(batch)), 401, "bad_signature", ""},
		{"old", batch, Sign(secret, now.Add(-time.Hour), []byte(batch)), 401, "timestamp_out_of_range", ""},
		{"float amount", `{"pledges":[{"id":"x","utm_content":"P1","amount":2.5,"currency":"EUR"}]}`, "", 400, "invalid_field", ""},
		{"bad currency", `{"pledges":[{"id":"x","utm_content":"P1","amount":25,"currency":"euro"}]}`, "", 400, "invalid_field", "pledges[0].currency"},
		{"no utm_content", `{"id":"x","amount":25,"currency":"EUR"}`, "", 400, "invalid_field", "utm_content"},
		{"unknown field", `{"id":"x","utm_content":"P1","ip":"1.2.3.4"}`, "", 400, "invalid_field", ""},
	} {
		code, out := send(tc.body, tc.sig)
		e, _ := out["error"].(map[string]any)
		if code != tc.status || e["code"] != tc.code || (tc.field != "" && e["field"] != tc.field) {
			t.Errorf("%s: %d %v, want %d %s %s", tc.name, code, out, tc.status, tc.code, tc.field)
		}
	}
	noSecret, err := NewPledgeHandler(PledgeOptions{Posts: fakePosts{}, Pledges: l, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	noSecret.ServeHTTP(rec, httptest.NewRequest("POST", "/hooks/pledges", strings.NewReader(batch)))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("without secrets: %d", rec.Code)
	}
	if _, err := NewPledgeHandler(PledgeOptions{Secrets: []string{secret}, Posts: fakePosts{}}); err == nil {
		t.Error("a pledge hook with nothing to count pledges was built")
	}
}

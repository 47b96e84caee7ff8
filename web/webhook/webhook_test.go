package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fakeIngester records what it is given and, like the tracker, treats a
// snapshot identical to the stored one as stale.
type fakeIngester struct {
	mu     sync.Mutex
	calls  [][]campaigns.Campaign
	stored map[string]campaigns.Campaign
	err    error
	// reject makes the fake refuse these ids, as the tracker refuses an
	// updated_at too far in the future.
	reject map[string]bool
}

func (f *fakeIngester) Ingest(_ context.Context, snaps []campaigns.Campaign) (campaigns.IngestResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, snaps)
	if f.err != nil {
		return campaigns.IngestResult{}, f.err
	}
	if f.stored == nil {
		f.stored = map[string]campaigns.Campaign{}
	}
	var res campaigns.IngestResult
	for _, c := range snaps {
		if f.reject[c.ID] {
			res.Rejected = append(res.Rejected, campaigns.Rejection{ID: c.ID,
				Err: &campaigns.FieldError{Field: "updated_at", Message: "is more than 5m0s in the future"}})
			continue
		}
		if old, ok := f.stored[c.ID]; ok && reflect.DeepEqual(old, c) {
			res.Stale++
			continue
		}
		if _, ok := f.stored[c.ID]; !ok {
			res.Fired = append(res.Fired, campaigns.Event{ID: campaigns.EventID(c.ID, "launch")})
		}
		f.stored[c.ID] = c
		res.Accepted++
	}
	return res, nil
}

func campaignMap(id string) map[string]any {
	return map[string]any{
		"id":          id,
		"title":       "Les Ombres du Marais",
		"url":         "https://crowd.example.org/projects/" + id,
		"lang":        "fr",
		"currency":    "EUR",
		"goal":        1500000,
		"pledged":     800000,
		"backers":     212,
		"launched_at": "2026-02-10T09:00:00+01:00",
		"deadline":    "2026-03-12T21:00:00Z",
		"state":       "live",
		"creator":     map[string]any{"name": "Studio Héron", "x_handle": "@studioheron", "facebook_page": "studioheron"},
		"image_url":   "https://crowd.example.org/img/" + id + ".jpg",
		"stretch_goals": []any{
			map[string]any{"amount": 2000000, "title": "Bande originale"},
		},
		"tags": []any{"film", "documentaire"},
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func with(m map[string]any, key string, v any) map[string]any {
	m[key] = v
	return m
}

func TestHandler(t *testing.T) {
	const secret = "whsec_current"
	single := mustJSON(t, campaignMap("42"))
	batch := mustJSON(t, map[string]any{"campaigns": []any{campaignMap("1"), campaignMap("2")}})
	sign := func(body []byte) string { return Sign(secret, testNow, body) }

	tests := []struct {
		name        string
		method      string
		contentType string
		body        []byte
		sendBody    []byte // what goes on the wire when it differs from the signed body
		header      string // Fanfare-Signature; "-" for none
		secrets     []string
		ingErr      error
		reject      []string
		wantStatus  int
		wantCode    string
		wantField   string
		wantMsg     string
		wantRes     *Response
	}{
		{name: "single campaign", body: single, wantStatus: 202, wantRes: &Response{Accepted: 1, Fired: 1}},
		{name: "batch", body: batch, wantStatus: 202, wantRes: &Response{Accepted: 2, Fired: 2}},
		{name: "json with charset", contentType: "application/json; charset=utf-8", body: single, wantStatus: 202},
		{name: "wrong method", method: http.MethodGet, body: single, wantStatus: 405, wantCode: "method_not_allowed"},
		{name: "text/plain", contentType: "text/plain", body: single, wantStatus: 415, wantCode: "unsupported_media_type"},
		{name: "form content type", contentType: "application/x-www-form-urlencoded", body: single, wantStatus: 415, wantCode: "unsupported_media_type"},
		{name: "huge body", body: append(append([]byte(nil), single...), bytes.Repeat([]byte(" "), DefaultMaxBody)...), wantStatus: 413, wantCode: "body_too_large"},
		{name: "missing header", body: single, header: "-", wantStatus: 401, wantCode: "missing_signature", wantMsg: "missing Fanfare-Signature"},
		{name: "garbage header", body: single, header: "sha256=abc", wantStatus: 401, wantCode: "bad_signature", wantMsg: "no t="},
		{name: "no v1", body: single, header: fmt.Sprintf("t=%d", testNow.Unix()), wantStatus: 401, wantCode: "bad_signature", wantMsg: "no v1"},
		{name: "non numeric t", body: single, header: "t=yesterday,v1=00", wantStatus: 401, wantCode: "bad_signature", wantMsg: "not a unix timestamp"},
		{name: "wrong secret", body: single, header: Sign("whsec_other", testNow, single), wantStatus: 401, wantCode: "bad_signature", wantMsg: "no v1 signature matches"},
		{name: "tampered body", body: single, sendBody: bytes.Replace(single, []byte("800000"), []byte("900000"), 1), wantStatus: 401, wantCode: "bad_signature"},
		{name: "truncated on the wire", body: single, sendBody: single[:len(single)/2], wantStatus: 401, wantCode: "bad_signature"},
		{name: "signed with other t", body: single, header: strings.Replace(sign(single), fmt.Sprint(testNow.Unix()), fmt.Sprint(testNow.Unix()-1), 1), wantStatus: 401, wantCode: "bad_signature"},
		{name: "stale timestamp", body: single, header: Sign(secret, testNow.Add(-301*time.Second), single), wantStatus: 401, wantCode: "timestamp_out_of_range", wantMsg: "301s old"},
		{name: "future timestamp", body: single, header: Sign(secret, testNow.Add(301*time.Second), single), wantStatus: 401, wantCode: "timestamp_out_of_range", wantMsg: "in the future"},
		{name: "absurd timestamp", body: single, header: Sign(secret, time.Unix(1<<62, 0), single), wantStatus: 401, wantCode: "timestamp_out_of_range"},
		{name: "edge of tolerance", body: single, header: Sign(secret, testNow.Add(-300*time.Second), single), wantStatus: 202},
		{name: "rotation: old secret still listed", body: single, header: Sign("whsec_old", testNow, single), secrets: []string{secret, "whsec_old"}, wantStatus: 202},
		{name: "several v1, second good", body: single, header: Sign("whsec_other", testNow, single) + ",v1=" + strings.Split(sign(single), "v1=")[1], wantStatus: 202},
		{name: "v0 ignored beside v1", body: single, header: "v0=deadbeef," + sign(single), wantStatus: 202},
		{name: "no secret configured", body: single, secrets: []string{""}, wantStatus: 503, wantCode: "not_configured"},
		{name: "truncated json", body: single[:len(single)-7], wantStatus: 400, wantCode: "invalid_json"},
		{name: "trailing data", body: append(append([]byte(nil), single...), []byte(` {}`)...), wantStatus: 400, wantCode: "invalid_json"},
		{name: "empty body", body: []byte{}, wantStatus: 400, wantCode: "invalid_json"},
		{name: "unknown currency", body: mustJSON(t, with(campaignMap("1"), "currency", "XYZ")), wantStatus: 400, wantCode: "invalid_field", wantField: "currency"},
		{name: "negative goal", body: mustJSON(t, with(campaignMap("1"), "goal", -5)), wantStatus: 400, wantCode: "invalid_field", wantField: "goal"},
		{name: "absurd pledged", body: mustJSON(t, with(campaignMap("1"), "pledged", int64(1e15))), wantStatus: 400, wantCode: "invalid_field", wantField: "pledged"},
		{name: "pledged overflows int64", body: mustJSON(t, with(campaignMap("1"), "pledged", json.Number("99999999999999999999"))), wantStatus: 400, wantCode: "invalid_field", wantField: "pledged"},
		{name: "deadline before launch", body: mustJSON(t, with(campaignMap("1"), "deadline", "2026-01-01T00:00:00Z")), wantStatus: 400, wantCode: "invalid_field", wantField: "deadline"},
		{name: "float goal", body: mustJSON(t, with(campaignMap("1"), "goal", json.Number("12.5"))), wantStatus: 400, wantCode: "invalid_field", wantField: "goal", wantMsg: "12.5"},
		{name: "goal as string", body: mustJSON(t, with(campaignMap("1"), "goal", "1500000")), wantStatus: 400, wantCode: "invalid_field", wantField: "goal"},
		{name: "unknown field", body: mustJSON(t, with(campaignMap("1"), "colour", "red")), wantStatus: 400, wantCode: "invalid_field", wantField: "colour"},
		{name: "not RFC 3339", body: mustJSON(t, with(campaignMap("1"), "launched_at", "10/02/2026")), wantStatus: 400, wantCode: "invalid_field", wantField: "launched_at"},
		{name: "field in batch: the others are stored", body: mustJSON(t, map[string]any{"campaigns": []any{campaignMap("1"), with(campaignMap("2"), "deadline", "soon")}}), wantStatus: 202,
			wantRes: &Response{Accepted: 1, Fired: 1, Rejected: []Rejected{{ID: "2", Field: "campaigns[1].deadline", Message: `"soon" is not an RFC 3339 time such as 2026-03-01T18:00:00Z`}}}},
		{name: "every campaign of a batch bad", body: mustJSON(t, map[string]any{"campaigns": []any{with(campaignMap("1"), "goal", -1), with(campaignMap("2"), "deadline", "soon")}}),
			wantStatus: 400, wantCode: "invalid_field", wantField: "campaigns[0].goal"},
		{name: "same id twice in a batch", body: mustJSON(t, map[string]any{"campaigns": []any{campaignMap("1"), campaignMap("2"), with(campaignMap("1"), "pledged", 900000)}}), wantStatus: 202,
			wantRes: &Response{Accepted: 1, Fired: 1, Rejected: []Rejected{
				{ID: "1", Field: "campaigns[0].id", Message: `"1" also appears in campaigns[2]: a delivery holds one snapshot per campaign, neither is stored`},
				{ID: "1", Field: "campaigns[2].id", Message: `"1" also appears in campaigns[0]: a delivery holds one snapshot per campaign, neither is stored`}}}},
		{name: "tracker refuses one of a batch", body: batch, reject: []string{"2"}, wantStatus: 202,
			wantRes: &Response{Accepted: 1, Fired: 1, Rejected: []Rejected{{ID: "2", Field: "campaigns[1].updated_at", Message: "is more than 5m0s in the future"}}}},
		{name: "tracker refuses the only one", body: single, reject: []string{"42"}, wantStatus: 400, wantCode: "invalid_field", wantField: "updated_at", wantMsg: "future"},
		{name: "ingester down", body: single, ingErr: errors.New("redis: connection refused"), wantStatus: 503, wantCode: "ingest_failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ing := &fakeIngester{err: tt.ingErr, reject: map[string]bool{}}
			for _, id := range tt.reject {
				ing.reject[id] = true
			}
			secrets := tt.secrets
			if secrets == nil {
				secrets = []string{secret}
			}
			srv := httptest.NewServer(newTestHandler(t, Options{
				Secrets: secrets, Ingester: ing, Now: func() time.Time { return testNow },
				Logger: discardLogger(),
			}))
			defer srv.Close()

			method, ct, header, send := tt.method, tt.contentType, tt.header, tt.sendBody
			if method == "" {
				method = http.MethodPost
			}
			if ct == "" {
				ct = "application/json"
			}
			if header == "" {
				header = sign(tt.body)
			}
			if send == nil {
				send = tt.body
			}
			req, err := http.NewRequest(method, srv.URL+"/hooks/campaigns", bytes.NewReader(send))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", ct)
			if header != "-" {
				req.Header.Set(SignatureHeader, header)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, tt.wantStatus, raw)
			}
			if got := resp.Header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q", got)
			}
			if tt.wantStatus == 202 {
				var res Response
				if err := json.Unmarshal(raw, &res); err != nil {
					t.Fatalf("202 body %s: %v", raw, err)
				}
				if tt.wantRes != nil && !reflect.DeepEqual(res, *tt.wantRes) {
					t.Errorf("response = %+v, want %+v", res, *tt.wantRes)
				}
				if len(ing.calls) != 1 {
					t.Errorf("ingester called %d times, want 1", len(ing.calls))
				}
				return
			}
			var eb ErrorBody
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&eb); err != nil {
				t.Fatalf("error body %s: %v", raw, err)
			}
			if eb.Error.Code != tt.wantCode || eb.Error.Field != tt.wantField {
				t.Errorf("error = %+v, want code %q field %q", eb.Error, tt.wantCode, tt.wantField)
			}
			if !strings.Contains(eb.Error.Message, tt.wantMsg) {
				t.Errorf("message %q does not mention %q", eb.Error.Message, tt.wantMsg)
			}
			if tt.ingErr == nil && tt.reject == nil && len(ing.calls) != 0 && eb.Rejected == nil {
				t.Errorf("a refused delivery reached the ingester: %v", ing.calls)
			}
			if tt.wantStatus == 405 && resp.Header.Get("Allow") != http.MethodPost {
				t.Errorf("Allow = %q", resp.Header.Get("Allow"))
			}
		})
	}
}

func TestHandlerDuplicateDelivery(t *testing.T) {
	ing := &fakeIngester{}
	h := newTestHandler(t, Options{Secrets: []string{"s"}, Ingester: ing, Now: func() time.Time { return testNow }, Logger: discardLogger()})
	body := mustJSON(t, campaignMap("7"))
	header := Sign("s", testNow, body)
	var got []Response
	for range 2 {
		req := httptest.NewRequest(http.MethodPost, "/hooks/campaigns", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(SignatureHeader, header)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 202 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		var r Response
		if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	want := []Response{{Accepted: 1, Fired: 1}, {Stale: 1}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("responses = %+v, want %+v", got, want)
	}
	// The same bytes must give the same snapshot, or the tracker could not
	// recognise the replay.
	if !reflect.DeepEqual(ing.calls[0], ing.calls[1]) {
		t.Errorf("replay parsed differently:\n%+v\n%+v", ing.calls[0], ing.calls[1])
	}
	if !ing.calls[0][0].UpdatedAt.IsZero() {
		t.Errorf("UpdatedAt = %v, want zero for the tracker to stamp", ing.calls[0][0].UpdatedAt)
	}
}

func TestSign(t *testing.T) {
	// Expected value computed independently with Python's hmac module.
	got := Sign("whsec_test", time.Unix(1767225600, 0), []byte(`{"id":"1"}`))
	want := "t=1767225600,v1=c9c43053c587d9a132baf3e87a7f5cd6b5e5e5acf4ecb038f8c897644f666304"
	if got != want {
		t.Errorf("Sign = %q, want %q", got, want)
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

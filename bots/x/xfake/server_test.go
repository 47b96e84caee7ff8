package xfake

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dghubble/oauth1"
)

var creds = Credentials{ConsumerKey: "ck", ConsumerSecret: "cs", AccessToken: "at", AccessTokenSecret: "ats"}

// signedClient signs with dghubble/oauth1; tamper, when set, edits each
// request after it was signed.
func signedClient(c Credentials, tamper func(*http.Request)) *http.Client {
	var base http.RoundTripper = http.DefaultTransport
	if tamper != nil {
		base = roundTripFunc(func(r *http.Request) (*http.Response, error) {
			tamper(r)
			return http.DefaultTransport.RoundTrip(r)
		})
	}
	ctx := context.WithValue(context.Background(), oauth1.HTTPClient, &http.Client{Transport: base})
	return oauth1.NewConfig(c.ConsumerKey, c.ConsumerSecret).Client(ctx, oauth1.NewToken(c.AccessToken, c.AccessTokenSecret))
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func do(t *testing.T, c *http.Client, method, url, body string) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestAuthentication(t *testing.T) {
	s := NewServer(t, creds)
	tests := []struct {
		name   string
		client *http.Client
		status int
		reason string
	}{
		{"valid", signedClient(creds, nil), 200, ""},
		{"wrong token secret", signedClient(Credentials{"ck", "cs", "at", "nope"}, nil), 401, "signature mismatch"},
		{"unknown consumer", signedClient(Credentials{"other", "cs", "at", "ats"}, nil), 401, "unknown consumer key"},
		{"query changed after signing", signedClient(creds, func(r *http.Request) { r.URL.RawQuery = "max_results=6" }), 401, "signature mismatch"},
		{"unsigned", http.DefaultClient, 401, "not OAuth"},
	}
	for _, tt := range tests {
		resp, body := do(t, tt.client, "GET", s.URL+"/2/users/"+UserID+"/tweets?max_results=5", "")
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d (%s)", tt.name, resp.StatusCode, tt.status, body)
		}
		if tt.reason != "" && !strings.Contains(s.LastAuthFailure(), tt.reason) {
			t.Errorf("%s: failure %q, want %q", tt.name, s.LastAuthFailure(), tt.reason)
		}
		if tt.status == 401 && !strings.Contains(body, `"title":"Unauthorized"`) {
			t.Errorf("%s: body %s", tt.name, body)
		}
	}

	// The same signed request sent twice is a replayed nonce.
	var replay *http.Request
	c := signedClient(creds, func(r *http.Request) { replay = r.Clone(r.Context()) })
	if resp, _ := do(t, c, "GET", s.URL+"/2/users/me", ""); resp.StatusCode != 200 {
		t.Fatalf("first: %d", resp.StatusCode)
	}
	resp, err := http.DefaultTransport.RoundTrip(replay)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || s.LastAuthFailure() != "nonce replayed" {
		t.Errorf("replay: %d %q", resp.StatusCode, s.LastAuthFailure())
	}

	s.RevokeToken(true)
	if resp, _ := do(t, signedClient(creds, nil), "GET", s.URL+"/2/users/me", ""); resp.StatusCode != 401 {
		t.Errorf("revoked: %d", resp.StatusCode)
	}
}

func TestCreateChecksBody(t *testing.T) {
	s := NewServer(t, creds)
	c := signedClient(creds, nil)
	tests := []struct {
		body   string
		status int
	}{
		{`{"text":"ok"}`, 201},
		{`{"text":"ok"}`, 403}, // duplicate
		{`{"text":""}`, 400},
		{`{"text":"   "}`, 400},
		{`{}`, 400},
		{`{"text":"x","unknown":1}`, 400},
		{`not json`, 400},
		{`{"text":"` + strings.Repeat("é", 280) + `"}`, 201},
		{`{"text":"` + strings.Repeat("日", 141) + `"}`, 400},
		{`{"text":"` + strings.Repeat("a", 250) + ` https://example.com/` + strings.Repeat("p", 100) + `"}`, 201},
	}
	for _, tt := range tests {
		resp, body := do(t, c, "POST", s.URL+"/2/tweets", tt.body)
		if resp.StatusCode != tt.status {
			t.Errorf("%.60s: status %d, want %d (%s)", tt.body, resp.StatusCode, tt.status, body)
		}
	}
	resp, body := do(t, c, "POST", s.URL+"/2/tweets", `{"text":"dup"}`)
	if resp.StatusCode != 201 {
		t.Fatal(body)
	}
	_, body = do(t, c, "POST", s.URL+"/2/tweets", `{"text":"dup"}`)
	var problem struct {
		Detail string `json:"detail"`
		Status int    `json:"status"`
	}
	if err := json.Unmarshal([]byte(body), &problem); err != nil || problem.Detail != DuplicateDetail || problem.Status != 403 {
		t.Errorf("duplicate answer %s", body)
	}
}

func TestResponsesEscapeAndShorten(t *testing.T) {
	s := NewServer(t, creds)
	c := signedClient(creds, nil)
	resp, body := do(t, c, "POST", s.URL+"/2/tweets", `{"text":"A & B <3 https://fanfare.example/c/1?a=1&b=2"}`)
	if resp.StatusCode != 201 {
		t.Fatal(body)
	}
	var created struct {
		Data struct{ ID, Text string } `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &created); err != nil || created.Data.ID == "" {
		t.Fatalf("201 body %s", body)
	}
	_, body = do(t, c, "GET", s.URL+"/2/users/"+UserID+"/tweets?max_results=5&tweet.fields=created_at", "")
	var list struct {
		Data []struct {
			ID, Text  string
			CreatedAt time.Time `json:"created_at"`
		} `json:"data"`
		Meta struct {
			ResultCount int `json:"result_count"`
		} `json:"meta"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil || len(list.Data) != 1 {
		t.Fatalf("list %s", body)
	}
	got := list.Data[0].Text
	if !strings.HasPrefix(got, "A &amp; B &lt;3 https://t.co/") || strings.Contains(got, "fanfare.example") {
		t.Errorf("listed text %q", got)
	}
	if list.Data[0].CreatedAt.IsZero() || list.Meta.ResultCount != 1 {
		t.Errorf("list %s", body)
	}
	for _, q := range []string{"max_results=4", "max_results=101", "max_results=x"} {
		if resp, _ := do(t, c, "GET", s.URL+"/2/users/"+UserID+"/tweets?"+q, ""); resp.StatusCode != 400 {
			t.Errorf("%s: status %d", q, resp.StatusCode)
		}
	}
	_, body = do(t, c, "GET", s.URL+"/2/tweets?ids="+created.Data.ID+",42&tweet.fields=public_metrics", "")
	if !strings.Contains(body, `"public_metrics":{`) || !strings.Contains(body, `"resource_id":"42"`) {
		t.Errorf("lookup %s", body)
	}
}

func TestRateLimitViolations(t *testing.T) {
	s := NewServer(t, creds)
	s.SetRateLimit(2, time.Hour)
	c := signedClient(creds, nil)
	var last *http.Response
	for range 3 {
		last, _ = do(t, c, "GET", s.URL+"/2/users/me", "")
		for _, h := range []string{"x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"} {
			if last.Header.Get(h) == "" {
				t.Errorf("missing header %s", h)
			}
		}
	}
	if last.StatusCode != 429 || last.Header.Get("x-rate-limit-remaining") != "0" {
		t.Errorf("third request: %d remaining %s", last.StatusCode, last.Header.Get("x-rate-limit-remaining"))
	}
	if s.Violations() != 1 {
		t.Errorf("violations = %d, want 1", s.Violations())
	}
	// Another endpoint has its own window.
	if resp, _ := do(t, c, "GET", s.URL+"/2/users/"+UserID+"/tweets", ""); resp.StatusCode != 200 {
		t.Errorf("other endpoint: %d", resp.StatusCode)
	}
}

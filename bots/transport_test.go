package bots

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestTransportErrorKind(t *testing.T) {
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	read := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	tests := []struct {
		name string
		err  error
		sent bool
		want ErrorKind
	}{
		{"dial refused", dial, false, KindNotSent},
		{"dial error after a connection", dial, true, KindNotSent},
		{"DNS", &net.DNSError{Err: "no such host", Name: "api.example"}, false, KindNotSent},
		{"no connection obtained", context.DeadlineExceeded, false, KindNotSent},
		{"timeout after sending", context.DeadlineExceeded, true, KindAmbiguous},
		{"dropped after sending", read, true, KindAmbiguous},
	}
	for _, tt := range tests {
		if got := TransportErrorKind(tt.err, tt.sent); got != tt.want {
			t.Errorf("%s: TransportErrorKind(%v, %v) = %s, want %s", tt.name, tt.err, tt.sent, got, tt.want)
		}
	}
}

func TestWithSentTrace(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	var sent atomic.Bool
	req, err := http.NewRequestWithContext(WithSentTrace(context.Background(), &sent), http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sent.Load() {
		t.Fatal("sent before the request was made")
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !sent.Load() {
		t.Error("sent is false after a response")
	}
}

func TestValidBaseURL(t *testing.T) {
	for s, want := range map[string]bool{
		"https://api.x.com":        true,
		"http://127.0.0.1:8080/v2": true,
		"ftp://api.x.com":          false,
		"api.x.com":                false,
		"https://":                 false,
		"://bad":                   false,
	} {
		if got := ValidBaseURL(s); got != want {
			t.Errorf("ValidBaseURL(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestSnippet(t *testing.T) {
	long := "a" + strings.Repeat("é", 150) // byte 200 falls inside an é
	tests := []struct {
		name, in, want string
	}{
		{"one line", "<html>\n  <body>Bad   Gateway</body>\n</html>", "<html> <body>Bad Gateway</body> </html>"},
		{"invalid UTF-8", "a\xffb", "a?b"},
		{"cut on a rune boundary", long, "a" + strings.Repeat("é", 99) + "…"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		if got := Snippet([]byte(tt.in)); got != tt.want {
			t.Errorf("%s: Snippet(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

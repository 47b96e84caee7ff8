package redisconn

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		url        string
		addrs      int
		master     string
		cluster    bool
		tls        bool
		wantErrSub string
	}{
		{url: "redis://127.0.0.1:6379/2", addrs: 1},
		{url: "rediss://user:s3cret@redis.example.org:6380/0", addrs: 1, tls: true},
		{url: "redis://s1:26379?master_name=mymaster&addr=s2:26379", addrs: 2, master: "mymaster"},
		{url: "redis://n1:6379?addr=n2:6379&addr=n3:6379", addrs: 3, cluster: true},
		{url: "http://127.0.0.1:6379", wantErrSub: "scheme"},
		{url: "redis://:hunter2@127.0.0.1:6379/notadb", wantErrSub: "redis.url"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			o, err := ParseURL(tt.url)
			if tt.wantErrSub != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErrSub) {
					t.Fatalf("ParseURL error = %v, want one containing %q", err, tt.wantErrSub)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Fatalf("error leaks the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(o.Addrs) != tt.addrs || o.MasterName != tt.master || o.IsClusterMode != tt.cluster || (o.TLSConfig != nil) != tt.tls {
				t.Fatalf("ParseURL(%q) = addrs %v master %q cluster %v tls %v", tt.url, o.Addrs, o.MasterName, o.IsClusterMode, o.TLSConfig != nil)
			}
		})
	}
}

func TestOpenEmbedded(t *testing.T) {
	var logs strings.Builder
	c, err := Open("", slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !c.Embedded {
		t.Fatal("empty URL did not open the embedded store")
	}
	if !strings.Contains(logs.String(), "embedded in-memory store") {
		t.Fatalf("no loud warning about in-memory state; logs: %s", logs.String())
	}
	ctx := context.Background()
	if err := c.Client.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if v := c.Client.Get(ctx, "k").Val(); v != "v" {
		t.Fatalf("embedded store GET = %q", v)
	}
}

func TestWaitGivesUpWithContext(t *testing.T) {
	c, err := Open("redis://127.0.0.1:1/0", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
	defer cancel()
	err = Wait(ctx, c.Client, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("Wait on a closed port = %v, want unreachable error", err)
	}
}

// TestWaitBackoffStaysShort: once Redis answers, the daemon is ready within
// a second (the pause between pings once grew to 15 s, and the webhook
// answered 503 "starting" that long after Redis was back).
func TestWaitBackoffStaysShort(t *testing.T) {
	prev := time.Duration(0)
	for attempt := 1; attempt <= 100; attempt++ {
		d := waitBackoff(attempt)
		if d <= 0 || d > time.Second || d < prev {
			t.Fatalf("attempt %d: pause %v (previous %v), want growing and at most 1s", attempt, d, prev)
		}
		prev = d
	}
}

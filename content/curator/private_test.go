package curator

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// TestDenyPrivateRefusesLoopback: with DenyPrivate (the daemon's default,
// feeds.allow_private: false), a feed on loopback is refused.
func TestDenyPrivateRefusesLoopback(t *testing.T) {
	c := NewCurator(nil, "", Options{Logger: testLogger(t), DenyPrivate: true}, nil, nil)
	ok := serveDoc(t, rss("News", rssItem("1", "Hello", "https://news.example/1", "", t0)))
	for _, u := range []string{ok, "http://10.1.2.3:9/feed.xml", "http://[fc00::1]:9/feed.xml", "http://100.64.0.1:9/feed.xml"} {
		if _, err := c.FetchOnce(context.Background(), u); !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("%s: err = %v, want ErrForbiddenAddress", u, err)
		}
	}
}

// TestFetchErrorsAreUniform: a closed port, a port that never answers and
// an address the guard refuses all read the same, so that feed URLs cannot
// map a network.
func TestFetchErrorsAreUniform(t *testing.T) {
	timeout := 300 * time.Millisecond
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + closed.Addr().String() + "/feed.xml"
	closed.Close()
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { silent.Close() })
	go func() {
		for {
			conn, err := silent.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { conn.Close() })
		}
	}()
	open := NewCurator(nil, "", Options{Logger: testLogger(t), Timeout: timeout}, nil, nil)
	strict := NewCurator(nil, "", Options{Logger: testLogger(t), Timeout: timeout, DenyPrivate: true}, nil, nil)
	var msgs []string
	for _, f := range []struct {
		c *Curator
		u string
	}{{open, closedURL}, {open, "http://" + silent.Addr().String() + "/feed.xml"}, {strict, closedURL}, {open, "http://169.254.169.254/"}} {
		_, err := f.c.FetchOnce(context.Background(), f.u)
		if err == nil {
			t.Fatalf("%s: fetched", f.u)
		}
		msg := strings.ReplaceAll(err.Error(), f.u, "URL")
		msgs = append(msgs, msg)
	}
	for _, m := range msgs[1:] {
		if m != msgs[0] {
			t.Errorf("fetch errors differ:\n%q\n%q", msgs[0], m)
		}
	}
	if strings.Contains(msgs[0], "refused") || strings.Contains(msgs[0], "forbidden") || strings.Contains(msgs[0], "refusing") {
		t.Errorf("the error says why: %q", msgs[0])
	}
}

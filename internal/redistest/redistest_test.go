package redistest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestMain(m *testing.M) { os.Exit(Run(m)) }

func TestClientFlushesBetweenTests(t *testing.T) {
	ctx := context.Background()
	c := Client(t)
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	c2 := Client(t)
	n, err := c2.Exists(ctx, "k").Result()
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("Client did not flush: key k still exists")
	}
}

// recorder is a testing.TB that keeps what the watch reports.
type recorder struct {
	testing.TB
	cleanups []func()
	errors   []string
}

func (r *recorder) Helper()                   {}
func (r *recorder) Cleanup(f func())          { r.cleanups = append(r.cleanups, f) }
func (r *recorder) Error(args ...any)         { r.errors = append(r.errors, fmt.Sprint(args...)) }
func (r *recorder) Errorf(f string, a ...any) { r.errors = append(r.errors, fmt.Sprintf(f, a...)) }
func (r *recorder) Fatalf(f string, a ...any) { panic(fmt.Sprintf(f, a...)) }
func (r *recorder) end() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

// The watch fails a test whose script touches a key it did not declare, and
// only then.
func TestWatchScriptsFindsUndeclaredKeys(t *testing.T) {
	ctx := context.Background()
	c := NewClient(t) // the recorder watches, not the test itself
	tests := []struct {
		name   string
		script string
		keys   []string
		want   []string // undeclared keys reported
	}{
		{"declared", `redis.call('SET', KEYS[1], 'v'); return redis.call('HSET', KEYS[2], 'f', 'v')`, []string{"{p}:a", "{p}:b"}, nil},
		{"built from a key", `return redis.call('ZADD', KEYS[1] .. ':index', 1, 'x')`, []string{"{p}:a"}, []string{"{p}:a:index"}},
		{"several keys, one undeclared", `return redis.call('DEL', KEYS[1], 'other')`, []string{"{p}:a"}, []string{"other"}},
		{"no key at all", `return redis.call('INCR', '{p}:counter')`, nil, []string{"{p}:counter"}},
		{"quotes in a name", `return redis.call('SET', 'a "b"\n', 1)`, nil, []string{"a \"b\"\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			watchScripts(r)
			if err := redis.NewScript(tt.script).Run(ctx, c, tt.keys).Err(); err != nil && err != redis.Nil {
				t.Fatal(err)
			}
			r.end()
			var got []string
			for _, e := range r.errors {
				_, after, ok := strings.Cut(e, " on key ")
				if !ok {
					t.Fatalf("unexpected report: %s", e)
				}
				k, err := strconv.QuotedPrefix(after)
				if err != nil {
					t.Fatal(err)
				}
				k, _ = strconv.Unquote(k)
				got = append(got, k)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("undeclared keys reported %q, want %q (reports %q)", got, tt.want, r.errors)
			}
		})
	}
}

func TestParseMonitorLine(t *testing.T) {
	tests := []struct {
		line   string
		db     string
		client string
		args   []string
	}{
		{`1796514391.191379 [0 127.0.0.1:38316] "evalsha" "abc" "1" "k1"`, "0", "127.0.0.1:38316", []string{"evalsha", "abc", "1", "k1"}},
		{`1796514391.191553 [3 lua] "SET" "k\"1" "\xc3\xa9\n"`, "3", "lua", []string{"SET", `k"1`, "é\n"}},
		{`1796514391.191553 [12 unix:/tmp/r.sock] "PING"`, "12", "unix:/tmp/r.sock", []string{"PING"}},
	}
	for _, tt := range tests {
		db, client, args, ok := parseMonitorLine(tt.line)
		if !ok || db != tt.db || client != tt.client || !slices.Equal(args, tt.args) {
			t.Errorf("parseMonitorLine(%q) = %q %q %q %v", tt.line, db, client, args, ok)
		}
	}
	for _, bad := range []string{"OK", `123 [0 lua] "unterminated`, `123 [0 lua] bare`} {
		if _, _, _, ok := parseMonitorLine(bad); ok {
			t.Errorf("parseMonitorLine(%q) accepted a malformed line", bad)
		}
	}
}

// Test binaries running at once on one shared server each get a database of
// their own; a released database can be taken again.
func TestClaimDatabase(t *testing.T) {
	srv, err := StartServer("databases 4")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	base := "redis://" + srv.Addr() + "/1"
	var urls []string
	var releases []func()
	for range 2 {
		u, release, err := claimDatabase(base)
		if err != nil {
			t.Fatal(err)
		}
		urls, releases = append(urls, u), append(releases, release)
	}
	want := []string{"redis://" + srv.Addr() + "/2", "redis://" + srv.Addr() + "/3"}
	if !slices.Equal(urls, want) {
		t.Fatalf("claimed %q, want %q", urls, want)
	}
	releases[0]()
	u, release, err := claimDatabase(base)
	if err != nil {
		t.Fatal(err)
	}
	if u != want[0] {
		t.Errorf("after a release, claimed %q, want %q again", u, want[0])
	}
	release()
	releases[1]()
	if _, _, err := claimDatabase("redis://" + srv.Addr() + "/3"); err == nil || !strings.Contains(err.Error(), "the server's last") {
		t.Errorf("claim above the last database: %v, want an error naming it", err)
	}
}

const envHelperServer = "FANFARE_REDISTEST_HELPER_SERVER"

// TestHelperStartsServerThenPanics is the child of
// TestServerStopsWhenTestProcessDies.
func TestHelperStartsServerThenPanics(t *testing.T) {
	if os.Getenv(envHelperServer) == "" {
		t.Skip("runs only as the child process of TestServerStopsWhenTestProcessDies")
	}
	srv, err := StartServer()
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("server %d %s\n", srv.Port, srv.Dir)
	panic("a test panics with its redis-server running")
}

// A test binary that panics (or is killed) leaves no redis-server behind.
func TestServerStopsWhenTestProcessDies(t *testing.T) {
	for _, how := range []string{"panic", "sigkill"} {
		t.Run(how, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperStartsServerThenPanics$")
			cmd.Env = append(os.Environ(), envHelperServer+"=1")
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var port int
			var dir string
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if _, err := fmt.Sscanf(sc.Text(), "server %d %s", &port, &dir); err == nil {
					break
				}
			}
			if port == 0 {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
				t.Fatal("the child never started its server")
			}
			if how == "sigkill" {
				_ = cmd.Process.Kill()
			}
			go func() { _, _ = bufio.NewReader(out).WriteTo(discard{}) }()
			_ = cmd.Wait()
			deadline := time.Now().Add(10 * time.Second)
			for {
				c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 200*time.Millisecond)
				if err != nil {
					break
				}
				c.Close()
				if time.Now().After(deadline) {
					t.Fatalf("redis-server on port %d still answers 10s after its test process died", port)
				}
				time.Sleep(50 * time.Millisecond)
			}
			for {
				if _, err := os.Stat(dir); os.IsNotExist(err) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the server's directory %s is still there", dir)
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

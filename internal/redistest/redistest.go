// Package redistest gives tests a real Redis: a private redis-server started once
// per test package on a free port, or a database of the server named by
// FANFARE_TEST_REDIS_URL.
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(redistest.Run(m)) }
//
// and call Client(t) in each test: it flushes the database first, so tests do not
// see each other's keys. Tests of one package share the database and must not
// run in parallel; packages do not share one (see Run).
//
// On a single server, Client(t) also watches every Lua script the test runs
// (MONITOR) and fails the test when a script touches a key it was not given
// in KEYS (see scriptkeys.go).
package redistest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/internal/redisconn"
)

// EnvURL names the variable that points tests at an existing Redis instead:
// a single server (redis://host:6379/N: the tests keep their claims in
// database N and each test package takes one of the databases above it), or a
// Cluster (redis://host:7000?addr=host:7001&addr=host:7002: one database, so
// run the packages one at a time, go test -p 1).
const EnvURL = "FANFARE_TEST_REDIS_URL"

// envPackageURL carries the database this test binary uses to the processes it
// starts (a helper child, the daemon under test), which use it as it is.
const envPackageURL = "FANFARE_TEST_REDIS_PACKAGE_URL"

var (
	serverURL string
	opts      *redis.UniversalOptions
)

// Run starts redis-server (unless EnvURL is set), runs the package's tests and
// stops the server. It exits the process with a clear message when no server
// can be had: tests that need Redis must not silently pass without one.
//
// With EnvCluster=1, the private server is a Cluster of three masters.
//
// A private server is watched by a small supervisor process (this test binary
// run again, see supervise) that stops it when this process ends, however it
// ends: a panic, a timeout, a SIGKILL.
func Run(m *testing.M) int {
	if os.Getenv(envSupervise) != "" {
		return supervise()
	}
	var stop func()
	url := os.Getenv(envPackageURL)
	switch {
	case url != "":
	case os.Getenv(EnvURL) != "":
		u, release, err := claimDatabase(os.Getenv(EnvURL))
		if err != nil {
			fmt.Fprintf(os.Stderr, "redistest: %v\n", err)
			return 2
		}
		url, stop = u, release
	case os.Getenv(EnvCluster) == "1":
		c, err := StartCluster(3)
		if err != nil {
			fmt.Fprintf(os.Stderr, "redistest: %v\n", err)
			return 2
		}
		url, stop = c.URL(), c.Stop
	default:
		srv, err := StartServer()
		if err != nil {
			fmt.Fprintf(os.Stderr, "redistest: %v\n", err)
			return 2
		}
		url, stop = srv.URL(), srv.Stop
	}
	o, err := redisconn.ParseURL(url)
	if err != nil {
		fmt.Fprintf(os.Stderr, "redistest: %s: %v\n", EnvURL, err)
		return 2
	}
	serverURL, opts = url, o
	os.Setenv(envPackageURL, url)
	code := m.Run()
	if stop != nil {
		stop()
	}
	return code
}

// URL is the address of the test database, for tests that start a whole
// daemon (it is a redis.url). It fails the test when Run was not called from
// TestMain.
func URL(t testing.TB) string {
	t.Helper()
	if serverURL == "" {
		t.Fatal("redistest: no server: call redistest.Run from TestMain")
	}
	return serverURL
}

// IsCluster reports whether the tests run on a Redis Cluster.
func IsCluster() bool { return opts != nil && opts.IsClusterMode }

// Client returns a client to a freshly flushed database, closed when the test
// ends. On a single server, the test then fails if a script it runs touches a
// key not in its KEYS.
func Client(t testing.TB) redis.UniversalClient {
	t.Helper()
	c := NewClient(t)
	if err := flush(context.Background(), c); err != nil {
		t.Fatalf("redistest: flush: %v", err)
	}
	if _, bench := t.(*testing.B); !bench && !IsCluster() {
		watchScripts(t)
	}
	return c
}

// NewClient returns another client to the same database without flushing it, for
// tests that need several independent connections (one per simulated replica).
func NewClient(t testing.TB) redis.UniversalClient {
	t.Helper()
	URL(t)
	o := *opts
	c := redis.NewUniversalClient(&o)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func flush(ctx context.Context, c redis.UniversalClient) error {
	if cc, ok := c.(*redis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
			return m.FlushDB(ctx).Err()
		})
	}
	return c.FlushDB(ctx).Err()
}

// withDB returns a single-server URL with its database replaced.
func withDB(raw string, db int) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("%s is not a URL", EnvURL)
	}
	u.Path = fmt.Sprintf("/%d", db)
	return u.String(), nil
}

var watched sync.Map // testing.TB -> struct{}: tests whose scripts are watched

// Keys lists the keys matching pattern, on every master of a Cluster (a
// plain KEYS there asks one node only).
func Keys(t testing.TB, c redis.UniversalClient, pattern string) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	var mu sync.Mutex
	each := func(ctx context.Context, n *redis.Client) error {
		keys, err := n.Keys(ctx, pattern).Result()
		mu.Lock()
		out = append(out, keys...)
		mu.Unlock()
		return err
	}
	var err error
	if cc, ok := c.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, each)
	} else {
		out, err = c.Keys(ctx, pattern).Result()
	}
	if err != nil {
		t.Fatalf("redistest: KEYS %s: %v", pattern, err)
	}
	return out
}

// Package redistest gives tests a real Redis: a private redis-server started once
// per test package on a free port, or the server named by FANFARE_TEST_REDIS_URL.
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(redistest.Run(m)) }
//
// and call Client(t) in each test: it flushes the database first, so tests do not
// see each other's keys. Tests that share the server must not run in parallel.
package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// EnvURL names the variable that points tests at an existing Redis instead.
const EnvURL = "FANFARE_TEST_REDIS_URL"

var serverURL string

// Run starts redis-server (unless EnvURL is set), runs the package's tests and
// stops the server. It exits the process with a clear message when no server
// can be had: tests that need Redis must not silently pass without one.
func Run(m *testing.M) int {
	if url := os.Getenv(EnvURL); url != "" {
		serverURL = url
		return m.Run()
	}
	stop, url, err := startServer()
	if err != nil {
		fmt.Fprintf(os.Stderr, "redistest: %v\n", err)
		return 2
	}
	serverURL = url
	code := m.Run()
	stop()
	return code
}

// URL is the address of the test server, for tests that start a whole daemon.
// It fails the test when Run was not called from TestMain.
func URL(t testing.TB) string {
	t.Helper()
	if serverURL == "" {
		t.Fatal("redistest: no server: call redistest.Run from TestMain")
	}
	return serverURL
}

// Client returns a client to a freshly flushed database, closed when the test ends.
func Client(t testing.TB) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(URL(t))
	if err != nil {
		t.Fatalf("redistest: bad %s: %v", EnvURL, err)
	}
	c := redis.NewClient(opts)
	if err := c.FlushDB(context.Background()).Err(); err != nil {
		t.Fatalf("redistest: flush: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// NewClient returns another client to the same database without flushing it, for
// tests that need several independent connections (one per simulated replica).
func NewClient(t testing.TB) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(URL(t))
	if err != nil {
		t.Fatalf("redistest: bad %s: %v", EnvURL, err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func startServer() (stop func(), url string, err error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, "", fmt.Errorf("redis-server not found on PATH: install it (apt-get install -y redis-server) or set %s", EnvURL)
	}
	port, err := freePort()
	if err != nil {
		return nil, "", fmt.Errorf("no free port: %w", err)
	}
	dir, err := os.MkdirTemp("", "redistest-*")
	if err != nil {
		return nil, "", err
	}
	cmd := exec.Command(bin,
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir,
		"--logfile", filepath.Join(dir, "redis.log"))
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, "", fmt.Errorf("start redis-server: %w", err)
	}
	url = fmt.Sprintf("redis://127.0.0.1:%d/0", port)
	stop = func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		os.RemoveAll(dir)
	}
	c := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", port)})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err = c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return stop, url, nil
		}
		if time.Now().After(deadline) {
			stop()
			log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
			return nil, "", fmt.Errorf("redis-server on port %d did not answer within 10s: %v\n%s", port, err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/internal/config"
	"github.com/fanfarehq/fanfare/internal/redistest"
)

func TestMain(m *testing.M) {
	if path := os.Getenv(childConfigEnv); path != "" {
		// A daemon for a test to kill (see TestRoutedAccountsOnePostEach).
		os.Exit(runCLI(context.Background(), []string{"run", "-config", path}, os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(redistest.Run(m))
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// testConfig is the defaults on the test Redis with fast schedules.
func testConfig(t *testing.T, yaml string) *config.Loaded {
	t.Helper()
	redistest.Client(t) // flush
	base := "redis:\n  url: " + redistest.URL(t) + "\n  prefix: e2e\n" + yaml
	l, err := config.Load(strings.NewReader(base), "test.yaml", func(string) (string, bool) { return "", false }, configRules)
	if err != nil {
		t.Fatal(err)
	}
	// The tests run at any hour of the day: no quiet hours and no good
	// hours unless a test asks for them.
	if !strings.Contains(yaml, "quiet_hours") {
		l.Schedule.QuietHours = nil
	}
	if !strings.Contains(yaml, "good_hours") {
		n := &l.Networks
		n.X.GoodHours, n.Facebook.GoodHours = []string{}, []string{}
		n.Instagram.GoodHours, n.Mastodon.GoodHours, n.Bluesky.GoodHours = []string{}, []string{}, []string{}
	}
	return l
}

// startMain runs a whole daemon on 127.0.0.1:0; setup functions adjust the
// Main (clock, console, demo) before it starts.
func startMain(t *testing.T, cfg *config.Loaded, setup ...func(*Main)) *Main {
	t.Helper()
	m := NewMain(cfg)
	m.Listen = "127.0.0.1:0"
	m.Logger = quietLogger()
	for _, f := range setup {
		f(m)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := m.Run(ctx); err != nil {
		t.Fatalf("Main.Run: %v", err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("Main.Close: %v", err)
		}
	})
	return m
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestMainServesProbes(t *testing.T) {
	m := startMain(t, testConfig(t, ""))
	if code, body := get(t, m.URL()+"/healthz"); code != 200 {
		t.Fatalf("/healthz = %d %s", code, body)
	}
	if code, body := get(t, m.URL()+"/readyz"); code != 200 {
		t.Fatalf("/readyz = %d %s", code, body)
	}
	if code, body := get(t, m.URL()+"/metrics"); code != 200 && code != 401 && code != 303 {
		t.Fatalf("/metrics = %d %s", code, body)
	}
}

// With Redis unreachable, Run keeps retrying: /healthz answers, /readyz says why not.
func TestMainWaitsForRedis(t *testing.T) {
	cfg := testConfig(t, "")
	cfg.Redis.URL = "redis://127.0.0.1:1/0"
	m := NewMain(cfg)
	m.Listen = "127.0.0.1:0"
	m.Logger = quietLogger()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for m.Addr() == "" && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if code, _ := get(t, m.URL()+"/healthz"); code != 200 {
		t.Fatalf("/healthz while waiting for Redis = %d", code)
	}
	code, body := get(t, m.URL()+"/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "redis") {
		t.Fatalf("/readyz while waiting for Redis = %d %q", code, body)
	}
	// The webhook's sender is told to retry, in the webhook's error shape.
	resp, err := http.Post(m.URL()+"/hooks/campaigns", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	hook, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(hook), `"code":"unavailable"`) {
		t.Fatalf("webhook while waiting for Redis = %d Retry-After %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), hook)
	}
	cancel()
	if err := <-done; err == nil || !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("Run after cancel = %v", err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
}

func exampleConfigPath() string {
	_, self, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(self), "..", "..", "config.example.yaml")
}

func runCmd(t *testing.T, env map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	c := &cli{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, lookupEnv: func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}}
	code := c.dispatch(context.Background(), args)
	return code, out.String(), errb.String()
}

func TestConfigCheck(t *testing.T) {
	example := exampleConfigPath()
	code, out, errOut := runCmd(t, nil, "", "config", "check", "-config", example)
	if code != 0 {
		t.Fatalf("config check of the example with no env = %d\n%s", code, errOut)
	}
	if !strings.Contains(out, "OK") {
		t.Fatalf("config check output: %s", out)
	}
	env := map[string]string{"X_CONSUMER_SECRET": "very-secret-value", "FANFARE_WEBHOOK_SECRET": "another-very-secret-value"}
	code, out, errOut = runCmd(t, env, "", "config", "check", "-config", example)
	if code != 0 || strings.Contains(out, "very-secret-value") || strings.Contains(errOut, "very-secret-value") {
		t.Fatalf("config check with secrets = %d, leaked or failed:\n%s\n%s", code, out, errOut)
	}

	data, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(data), "daily_cap: 24", "daily_cap: -3", 1)
	path := filepath.Join(t.TempDir(), "broken.yaml")
	if err := os.WriteFile(path, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCmd(t, nil, "", "config", "check", "-config", path)
	if code != 1 || !strings.Contains(errOut, "networks.x.daily_cap") || !strings.Contains(errOut, "broken.yaml:") {
		t.Fatalf("config check of a broken copy = %d\n%s", code, errOut)
	}
	// FANFARE_CONFIG is the default -config.
	code, _, errOut = runCmd(t, map[string]string{"FANFARE_CONFIG": path}, "", "config", "check")
	if code != 1 || !strings.Contains(errOut, "daily_cap") {
		t.Fatalf("FANFARE_CONFIG not used: %d %s", code, errOut)
	}
}

func TestCLIUsage(t *testing.T) {
	if code, _, errOut := runCmd(t, nil, "", "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Fatalf("unknown command = %d %s", code, errOut)
	}
	if code, _, errOut := runCmd(t, nil, "", "config"); code != 2 || !strings.Contains(errOut, "config check") {
		t.Fatalf("bare group = %d %s", code, errOut)
	}
	if code, out, _ := runCmd(t, nil, "", "help"); code != 0 || !strings.Contains(out, "fanfare posts approve") {
		t.Fatalf("help = %d, want the command list on stdout; got %q", code, out)
	}
	if code, out, errOut := runCmd(t, nil, ""); code != 2 || out != "" || !strings.Contains(errOut, "Usage:") {
		t.Fatalf("no command = %d, want 2 and the usage on stderr", code)
	}
	if code, _, _ := runCmd(t, nil, "", "run", "--help"); code != 0 {
		t.Fatalf("run --help = %d", code)
	}
	if code, _, errOut := runCmd(t, nil, "", "run", "--frobnicate"); code != 2 || strings.Count(errOut, "frobnicate") != 1 {
		t.Fatalf("run --frobnicate = %d, want 2 and the problem said once:\n%s", code, errOut)
	}
	if code, out, _ := runCmd(t, nil, "", "version"); code != 0 || !strings.HasPrefix(out, "fanfare ") {
		t.Fatalf("version = %d %q", code, out)
	}
}

func TestTextCheck(t *testing.T) {
	tests := []struct {
		network, in string
		code        int
		want        string
	}{
		{"x", "Bravo à toute l'équipe ! https://example.com/p/1\n", 0, `{"weighted_length":48,"max":280,"valid":true}`},
		{"x", strings.Repeat("é", 281), 0, `{"weighted_length":281,"max":280,"valid":false}`},
		{"x", "   \n", 0, `"valid":false`},
		{"facebook", "Salut", 0, `{"weighted_length":5,"max":63206,"valid":true}`},
		{"mastodon", "Voir https://example.com/" + strings.Repeat("a", 600), 0, `{"weighted_length":28,"max":500,"valid":true}`},
		{"bluesky", strings.Repeat("é", 301), 0, `{"weighted_length":301,"max":300,"valid":false}`},
		{"x@platform_fr", "Salut", 0, `"max":280`},
		{"myspace", "Salut", 1, ""},
	}
	for _, tt := range tests {
		code, out, errOut := runCmd(t, nil, tt.in, "text", "check", "--network", tt.network)
		if code != tt.code || !strings.Contains(out, tt.want) {
			t.Errorf("text check --network %s %q = %d %q %q, want %d %q", tt.network, tt.in, code, out, errOut, tt.code, tt.want)
		}
	}
	if code, _, _ := runCmd(t, nil, "x", "text", "check"); code != 2 {
		t.Errorf("text check without --network = %d, want 2", code)
	}
}

func TestDefaultPublicURL(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080",
		"[::]:8080":      "http://127.0.0.1:8080",
		"0.0.0.0:9000":   "http://127.0.0.1:9000",
		"10.1.2.3:80":    "http://10.1.2.3:80",
		"[::1]:8080":     "http://[::1]:8080",
	} {
		if got := defaultPublicURL(addr); got != want {
			t.Errorf("defaultPublicURL(%q) = %q, want %q", addr, got, want)
		}
	}
}

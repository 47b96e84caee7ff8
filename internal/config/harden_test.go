package config

import (
	"net/netip"
	"strings"
	"testing"
)

// TestHardeningKeysNamed: each hardening key's bad values are refused,
// naming the key and its line.
func TestHardeningKeysNamed(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"trusted proxy", "http:\n  trusted_proxies: [127.0.0.1, nowhere]\n", "cfg.yaml:2: http.trusted_proxies[1]:"},
		{"session lifetime", "dashboard:\n  session_lifetime: 1s\n", "cfg.yaml:2: dashboard.session_lifetime:"},
		{"session lifetime long", "dashboard:\n  session_lifetime: 9000h\n", "dashboard.session_lifetime:"},
		{"idle past lifetime", "dashboard:\n  session_lifetime: 24h\n  session_idle_timeout: 48h\n", "cfg.yaml:3: dashboard.session_idle_timeout:"},
		{"token without scopes", "http:\n  api_tokens:\n    - name: bot\n      sha256: " + strings.Repeat("a", 64) + "\n", "cfg.yaml:3: http.api_tokens[0].scopes: is required"},
		{"token bad scope", "http:\n  api_tokens:\n    - name: bot\n      sha256: " + strings.Repeat("a", 64) + "\n      scopes: [read, root]\n", "http.api_tokens[0].scopes[1]:"},
		{"feed url, short form", "feeds:\n  - url: nope\n", "cfg.yaml:2: feeds[0].url:"},
		{"feed url, long form", "feeds:\n  allow_private: true\n  list:\n    - url: nope\n", "cfg.yaml:4: feeds.list[0].url:"},
		{"feeds unknown key", "feeds:\n  allow_privat: true\n", "cfg.yaml:2: feeds.allow_privat: unknown key"},
		{"publish lease short", "schedule:\n  publish_lease: 5s\n", "cfg.yaml:2: schedule.publish_lease:"},
		{"publish lease long", "schedule:\n  publish_lease: 2h\n", "schedule.publish_lease:"},
		{"lock lease", "schedule:\n  lock_lease: 1s\n", "cfg.yaml:2: schedule.lock_lease:"},
		{"trusted cidr", "http:\n  trusted_proxies: [10.0.0.0/33]\n", "http.trusted_proxies[0]:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(tt.yaml), "cfg.yaml", noEnv, Rules{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestTrustedPrefixes(t *testing.T) {
	l, err := Load(strings.NewReader("http:\n  trusted_proxies: [127.0.0.1, \"::1\", 10.1.2.3/8]\n"), "cfg.yaml", noEnv, Rules{})
	if err != nil {
		t.Fatal(err)
	}
	got := l.HTTP.TrustedPrefixes()
	want := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("10.0.0.0/8")}
	if len(got) != len(want) {
		t.Fatalf("TrustedPrefixes = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("TrustedPrefixes[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	if d := Default(); len(d.HTTP.TrustedPrefixes()) != 0 {
		t.Error("a proxy is trusted by default")
	}
}

// TestFeedsBothForms: the list alone, or a mapping with allow_private
// (default false).
func TestFeedsBothForms(t *testing.T) {
	short, err := Load(strings.NewReader("feeds:\n  - url: https://a.example/feed\n"), "cfg.yaml", noEnv, Rules{})
	if err != nil {
		t.Fatal(err)
	}
	if len(short.Feeds.List) != 1 || short.Feeds.AllowPrivate {
		t.Errorf("short form: %+v", short.Feeds)
	}
	long, err := Load(strings.NewReader("feeds:\n  allow_private: true\n  list:\n    - url: https://a.example/feed\n"), "cfg.yaml", noEnv, Rules{})
	if err != nil {
		t.Fatal(err)
	}
	if len(long.Feeds.List) != 1 || !long.Feeds.AllowPrivate {
		t.Errorf("long form: %+v", long.Feeds)
	}
	if Default().Feeds.AllowPrivate {
		t.Error("private addresses allowed by default")
	}
}

// TestConfigCheckRedactsFeedSecrets: config check prints feed URLs without
// their user info or api_key, and source: rules alike.
func TestConfigCheckRedactsFeedSecrets(t *testing.T) {
	l, err := Load(strings.NewReader(`
feeds:
  - url: "https://bob:hunter2@feeds.example.org/x.xml?api_key=K3Y&lang=fr"
approval:
  auto_approve: ["source:https://feeds.example.org/y.xml?token=T0K"]
`), "cfg.yaml", noEnv, Rules{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := l.RedactedYAML()
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"hunter2", "K3Y", "T0K", "bob"} {
		if strings.Contains(string(out), secret) {
			t.Errorf("config check prints %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(string(out), "feeds.example.org/x.xml") || l.Feeds.List[0].URL != "https://bob:hunter2@feeds.example.org/x.xml?api_key=K3Y&lang=fr" {
		t.Errorf("redaction lost the feed or changed the live config:\n%s", out)
	}
}

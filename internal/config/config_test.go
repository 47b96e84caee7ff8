package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func noEnv(string) (string, bool) { return "", false }

func TestErrorsNameKeyAndLine(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"unknown key", "redis:\n  urll: x\n", []string{"cfg.yaml:2: redis.urll: unknown key", `did you mean "url"`}},
		{"unknown top-level", "timezone: UTC\nnetwork: {}\n", []string{"cfg.yaml:2: network: unknown key"}},
		{"bad duration", "networks:\n  x:\n    min_spacing: soon\n", []string{"cfg.yaml:3:", "soon"}},
		{"negative cap", "networks:\n  facebook:\n    daily_cap: -1\n", []string{"cfg.yaml:3: networks.facebook.daily_cap: must be 0"}},
		{"bad cron", "schedule:\n  publish: every minute\n", []string{"cfg.yaml:2: schedule.publish:", "every minute"}},
		{"empty platform name", "platform:\n  name: \"  \"\n", []string{"cfg.yaml:2: platform.name:"}},
		{"bad timezone", "timezone: Mars/Olympus\n", []string{"cfg.yaml:1: timezone:", "Mars/Olympus"}},
		{"bad feed url", "feeds:\n  - url: not a url\n", []string{"cfg.yaml:2: feeds[0].url:"}},
		{"bad role", "dashboard:\n  users:\n    - name: a\n      role: admin\n      password_hash: $2b$10$abc\n", []string{"cfg.yaml:4: dashboard.users[0].role:"}},
		{"bad token hash", "http:\n  api_tokens:\n    - name: bot\n      sha256: nothex\n      scopes: [read]\n", []string{"cfg.yaml:4: http.api_tokens[0].sha256"}},
		{"bad quiet hours", "schedule:\n  quiet_hours:\n    start: 25:00\n    end: \"08:00\"\n", []string{"cfg.yaml:3: schedule.quiet_hours.start"}},
		{"bad redis url", "redis:\n  url: http://localhost\n", []string{"cfg.yaml:2: redis.url"}},
		{"claim replicas without redis", "redis:\n  claim_replicas: 1\n", []string{"cfg.yaml:2: redis.claim_replicas: needs redis.url"}},
		{"claim replicas", "redis:\n  url: redis://r:6379/0\n  claim_replicas: -1\n  claim_replica_wait: 1h\n",
			[]string{"cfg.yaml:3: redis.claim_replicas: must be from 0", "cfg.yaml:4: redis.claim_replica_wait: 1h0m0s is not between 10ms and 10s"}},
		{"not yaml", "redis: [\n", []string{"not valid YAML"}},
		{"several at once", "timezone: Nowhere\nlog:\n  level: loud\n", []string{"timezone", "log.level"}},
		{"type error names its key", "networks:\n  x:\n    min_spacing: soon\n    daily_cap: many\n", []string{"cfg.yaml:3: networks.x.min_spacing:", "cfg.yaml:4: networks.x.daily_cap:"}},
		{"every stage at once, in file order", "schedule:\n  publish: every minute\nredis:\n  urll: x\nnetworks:\n  x:\n    daily_cap: -3\n",
			[]string{"cfg.yaml:2: schedule.publish:", "cfg.yaml:4: redis.urll: unknown key", "cfg.yaml:7: networks.x.daily_cap"}},
		{"bad shortener", "links:\n  shortener: bitly\n", []string{"cfg.yaml:2: links.shortener:", "first_party or off"}},
		{"account names", "networks:\n  x:\n    accounts:\n      - name: fr\n      - name: fr\n      - {}\n      - {}\n      - name: Bad Name\n",
			[]string{"cfg.yaml:5: networks.x.accounts[1].name: \"fr\" names two accounts", "cfg.yaml:7: networks.x.accounts[3]: has no name", "accounts[4].name: \"Bad Name\""}},
		{"account route and caps", "networks:\n  facebook:\n    pages:\n      - name: jeux\n        route: {langs: [FR]}\n        daily_cap: -2\n",
			[]string{"networks.facebook.pages[0].route.langs[0]", "networks.facebook.pages[0].daily_cap: must be 0"}},
		{"account quiet hours", "networks:\n  x:\n    accounts:\n      - name: en\n        quiet_hours: {start: \"5h\", end: \"13:00\"}\n",
			[]string{"networks.x.accounts[0].quiet_hours.start"}},
		{"bluesky password", "networks:\n  bluesky:\n    app_password: hunter2\n", []string{"cfg.yaml:3: networks.bluesky.app_password: is not an app password"}},
		{"mastodon without instance", "networks:\n  mastodon:\n    enabled: true\n    access_token: t\n", []string{"cfg.yaml:2: networks.mastodon.base_url: is required"}},
		{"instagram id", "networks:\n  instagram:\n    ig_user_id: me\n", []string{"cfg.yaml:3: networks.instagram.ig_user_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(tt.yaml), "cfg.yaml", noEnv, Rules{})
			if err == nil {
				t.Fatal("Load accepted a broken config")
			}
			last := -1
			for _, w := range tt.want {
				i := strings.Index(err.Error(), w)
				if i < 0 {
					t.Errorf("error %q does not contain %q", err, w)
				} else if i < last {
					t.Errorf("error %q: %q is not in file order", err, w)
				}
				last = i
			}
		})
	}
}

func TestEnvExpansionIsTypedAndStructureSafe(t *testing.T) {
	env := func(k string) (string, bool) {
		return map[string]string{"ON": "false", "SECRET": "a\"b: c\n- d"}[k], true
	}
	l, err := Load(strings.NewReader("networks:\n  x:\n    enabled: ${ON}\n    consumer_key: ${SECRET}\n"), "c.yaml", env, Rules{})
	if err != nil {
		t.Fatal(err)
	}
	if l.Networks.X.Enabled {
		t.Fatal("${ON}=false did not become a bool")
	}
	if l.Networks.X.ConsumerKey != "a\"b: c\n- d" {
		t.Fatalf("secret changed: %q", l.Networks.X.ConsumerKey)
	}
}

func TestRedactedYAMLHidesSecrets(t *testing.T) {
	env := func(k string) (string, bool) { return "TOPSECRET-" + k + "-0123456789", true }
	l, err := Load(strings.NewReader(`
redis: {url: "redis://:${PW}@127.0.0.1:6379/0"}
campaigns: {webhook: {secrets: ["${HOOK}"]}, poll: {url: "https://api.example.org/c?api_key=${KEY}", preset: ulule}}
networks: {x: {consumer_key: "${CK}"}, facebook: {page_access_token: "${FB}"}}
dashboard: {users: [{name: a, role: viewer, password_hash: "$2b$10$${H}abcdefghijklmnopqrstuvwxyz01234"}]}
`), "c.yaml", env, Rules{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := l.RedactedYAML()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "TOPSECRET") {
		t.Fatalf("secret printed:\n%s", out)
	}
	if !strings.Contains(string(out), Redacted) || !strings.Contains(string(out), "min_spacing: 20m0s") {
		t.Fatalf("effective config not printed as expected:\n%s", out)
	}
	if !strings.Contains(string(out), "https://api.example.org/c?api_key=") {
		t.Fatalf("poll url not printed with its query masked:\n%s", out)
	}
	if l.Networks.X.ConsumerKey != "TOPSECRET-CK-0123456789" {
		t.Fatal("redaction changed the live config")
	}
}

func TestDefaultsAreValid(t *testing.T) {
	l, err := LoadFile("", Rules{})
	if err != nil {
		t.Fatal(err)
	}
	if l.Redis.Prefix != "fanfare" || l.HTTP.Listen != "127.0.0.1:8080" {
		t.Fatalf("defaults: %+v", l.Config)
	}
	var ce Errors
	_, err = LoadFile(filepath.Join(t.TempDir(), "missing.yaml"), Rules{})
	if err == nil || errors.As(err, &ce) || !strings.Contains(err.Error(), "missing.yaml") {
		t.Fatalf("missing file error = %v", err)
	}
}

func TestShortLinksDefaultFollowsThePublicURL(t *testing.T) {
	for _, tc := range []struct {
		yaml string
		want bool
	}{
		{"timezone: UTC\n", false},
		{"http:\n  public_url: https://fan.example\n", true},
		{"http:\n  public_url: https://fan.example\nlinks:\n  shortener: \"off\"\n", false},
		{"links:\n  shortener: first_party\n", true},
	} {
		l, err := Load(strings.NewReader(tc.yaml), "cfg.yaml", noEnv, Rules{})
		if err != nil {
			t.Fatalf("%q: %v", tc.yaml, err)
		}
		if got := l.ShortLinks(); got != tc.want {
			t.Errorf("%q: short links %v, want %v", tc.yaml, got, tc.want)
		}
	}
}

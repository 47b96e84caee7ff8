package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/campaigns/mapping"
	"github.com/fanfarehq/fanfare/content/composer"
	"github.com/fanfarehq/fanfare/internal/config"
)

func noEnv(string) (string, bool) { return "", false }

// loadYAML loads a configuration as the daemon does, with every part's rules.
func loadYAML(yaml string) (*config.Loaded, error) {
	return config.Load(strings.NewReader(yaml), "cfg.yaml", noEnv, configRules)
}

func TestExamplePasses(t *testing.T) {
	data, err := os.ReadFile(exampleConfigPath())
	if err != nil {
		t.Fatal(err)
	}
	envs := map[string]func(string) (string, bool){
		"unset": noEnv,
		"set": func(k string) (string, bool) {
			return map[string]string{
				"FANFARE_REDIS_URL":      "redis://:p4ss@127.0.0.1:6379/0",
				"FANFARE_PUBLIC_URL":     "https://fanfare.example.org",
				"FANFARE_WEBHOOK_SECRET": "0123456789abcdef0123",
				"X_CONSUMER_KEY":         "ck", "X_CONSUMER_SECRET": "cs",
				"X_ACCESS_TOKEN": "at", "X_ACCESS_TOKEN_SECRET": "ats",
				"FB_PAGE_ID": "123", "FB_PAGE_ACCESS_TOKEN": "tok", "FB_APP_SECRET": "sec",
			}[k], true
		},
	}
	for name, env := range envs {
		t.Run(name, func(t *testing.T) {
			l, err := config.Load(strings.NewReader(string(data)), "config.example.yaml", env, configRules)
			if err != nil {
				t.Fatalf("example config fails:\n%v", err)
			}
			if l.Schedule.QuietHours == nil || l.Schedule.QuietHours.Start != "22:00" {
				t.Fatalf("quiet hours not read: %+v", l.Schedule.QuietHours)
			}
			if l.Approval.Priority["percent"] != 6 || len(l.Approval.Priority) < 10 {
				t.Fatalf("approval.priority = %v, want the defaults with the file's keys", l.Approval.Priority)
			}
			if l.Networks.X.MinSpacing != 20*time.Minute {
				t.Fatalf("networks.x.min_spacing = %v", l.Networks.X.MinSpacing)
			}
			if name == "set" && !l.Networks.X.HasCredentials() {
				t.Fatal("env expansion did not fill X credentials")
			}
		})
	}
}

// TestPartDefaultsAreTheirOwn: with no file, the configuration holds each
// part's own defaults (one list each, so that `config check` prints what
// the parts do with no file), as copies a loaded configuration may edit.
func TestPartDefaultsAreTheirOwn(t *testing.T) {
	l, err := config.LoadFile("", configRules)
	if err != nil {
		t.Fatal(err)
	}
	m, r := l.Campaigns.Milestones, campaigns.DefaultRules()
	if !slices.Equal(m.Percent, r.Percent) || !slices.Equal(m.Backers, r.Backers) || !slices.Equal(m.Ending, r.Ending) {
		t.Errorf("milestone defaults %+v differ from campaigns.DefaultRules %+v", m, r)
	}
	if c := l.Campaigns; c.CloseAfter != campaigns.DefaultCloseAfter || c.EndedTTL != campaigns.DefaultEndedTTL || c.MaxPostsPerDelivery != campaigns.DefaultMaxPosts {
		t.Errorf("campaign defaults: close_after %v, ended_ttl %v, max_posts_per_delivery %d", c.CloseAfter, c.EndedTTL, c.MaxPostsPerDelivery)
	}
	if !slices.Equal(l.Networks.Facebook.GoodHours, bots.DefaultGoodHours["facebook"]) || !slices.Equal(l.Networks.Bluesky.GoodHours, bots.DefaultGoodHours["bluesky"]) {
		t.Errorf("good hours: facebook %v, bluesky %v", l.Networks.Facebook.GoodHours, l.Networks.Bluesky.GoodHours)
	}
	if l.Approval.Priority["ended:successful"] != 0 || l.Approval.Priority["default"] != 10 || l.Approval.MergeWindow != composer.DefaultMergeWindow {
		t.Errorf("approval defaults: priority %v, merge window %v", l.Approval.Priority, l.Approval.MergeWindow)
	}
	m.Backers[0] = -1
	l.Approval.Priority["default"] = 99
	if campaigns.DefaultBackers[0] == -1 || composer.DefaultPriority["default"] == 99 {
		t.Error("a loaded configuration shares its defaults' backing storage with the parts")
	}
}

// TestPartChecksNameKeyAndLine: the values only a part can judge are
// refused like the rest, with their key and line, in file order with
// config's own problems.
func TestPartChecksNameKeyAndLine(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"bad auto approve", "approval:\n  auto_approve: [everything]\n", []string{"approval.auto_approve[0]"}},
		{"auto approve index", "approval:\n  auto_approve: [milestone, bogus]\n", []string{"approval.auto_approve[1]: \"bogus\": unknown kind"}},
		{"priority key", "approval:\n  priority:\n    percent: 3\n    funded: 2\n", []string{"cfg.yaml:4: approval.priority.funded: is not a milestone"}},
		{"freshness key", "approval:\n  freshness:\n    ending: -1h\n", []string{"cfg.yaml:3: approval.freshness.ending: must not be negative"}},
		{"ending not in hours", "campaigns:\n  milestones:\n    ending: [72h, 90m]\n", []string{"cfg.yaml:3: campaigns.milestones.ending: 1h30m0s is not a whole number of hours"}},
		{"percent order", "campaigns:\n  milestones:\n    percent: [50, 25]\n", []string{"cfg.yaml:3: campaigns.milestones.percent: must be positive and strictly increasing"}},
		{"feed to a disabled network", "feeds:\n  - url: https://a.example/feed\n    networks: [mastodon]\n", []string{"feeds[0].networks: \"mastodon\" is not an enabled network"}},
		{"good hours", "networks:\n  x:\n    good_hours: [\"9-5\"]\n", []string{"cfg.yaml:3: networks.x.good_hours:"}},
		{"account good hours", "networks:\n  facebook:\n    pages:\n      - name: jeux\n        good_hours: [\"25:00-26:00\"]\n", []string{"cfg.yaml:5: networks.facebook.pages[0].good_hours:"}},
		{"password hash", "dashboard:\n  users:\n    - name: a\n      role: viewer\n      password_hash: hunter2\n", []string{"cfg.yaml:5: dashboard.users[0].password_hash: must be a bcrypt"}},
		{"argon2id of 4 GiB", "dashboard:\n  users:\n    - name: a\n      role: viewer\n      password_hash: $argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHRzYWx0$MDEyMzQ1Njc4OWFiY2RlZg\n", []string{"cfg.yaml:5: dashboard.users[0].password_hash: argon2id parameters"}},
		{"posts per delivery", "campaigns:\n  max_posts_per_delivery: 0\n", []string{"cfg.yaml:2: campaigns.max_posts_per_delivery:"}},
		{"close after", "campaigns:\n  close_after: 0s\n", []string{"cfg.yaml:2: campaigns.close_after: must be a positive duration"}},
		{"ended ttl", "campaigns:\n  ended_ttl: -1h\n", []string{"cfg.yaml:2: campaigns.ended_ttl: must be a positive duration"}},
		{"url hosts", "campaigns:\n  url_hosts: [www.ulule.com, \"https://kickstarter.com\"]\n",
			[]string{`campaigns.url_hosts[1]: "https://kickstarter.com" is not a host name`}},
		{"bad source zone", "campaigns:\n  poll:\n    url: https://x.example/p\n    preset: kickstarter\n    source_timezone: Paris\n",
			[]string{`cfg.yaml:5: campaigns.poll.source_timezone: "Paris" is not an IANA time zone`}},
		{"unknown preset", "campaigns:\n  poll:\n    url: https://x.example/p\n    preset: indiegogo\n",
			[]string{`cfg.yaml:4: campaigns.poll.preset: "indiegogo" is not one of kickstarter, kickstarter-dataset, ulule`}},
		{"no mapping", "campaigns:\n  poll:\n    url: https://x.example/p\n", []string{"cfg.yaml:2: campaigns.poll.mapping: is required"}},
		{"id template with a slash", "campaigns:\n  poll:\n    url: https://x.example/p\n    preset: kickstarter\n    mapping:\n      id: \"-\"\n      id_template: \"{creator.slug}/{slug}\"\n",
			[]string{`cfg.yaml:7: campaigns.poll.mapping.id_template:`, `"{creator.slug}:{slug}"`}},
		{"unknown mapping key", "campaigns:\n  poll:\n    url: https://x.example/p\n    preset: ulule\n    mapping:\n      pledge: raised\n",
			[]string{`cfg.yaml:6: campaigns.poll.mapping.pledge: unknown key (did you mean "pledged"?)`}},
		{"mapping value of the wrong type", "campaigns:\n  import:\n    mapping:\n      id: [a, b]\n",
			[]string{`cfg.yaml:4: campaigns.import.mapping.id: cannot unmarshal`}},
		{"import mapping", "campaigns:\n  import:\n    mapping:\n      id: ID\n      money: cents\n",
			[]string{"cfg.yaml:3: campaigns.import.mapping.title: a path is required", "cfg.yaml:5: campaigns.import.mapping.money: \"cents\" is not minor or major"}},
		{"config's and the parts' problems in file order", "timezone: Nowhere\napproval:\n  auto_approve: [bogus]\nlog:\n  level: loud\n",
			[]string{"cfg.yaml:1: timezone:", "cfg.yaml:3: approval.auto_approve[0]", "cfg.yaml:5: log.level:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadYAML(tt.yaml)
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

// A custom mapping that does not say how it writes money is refused, naming
// the key and the line of the mapping.
func TestPollMappingMustSayMoney(t *testing.T) {
	yaml := `campaigns:
  poll:
    url: https://api.example-platform.com/v1/campaigns
    items_path: data
    mapping:
      id: id
      title: name
      url: link
      lang: lang
      currency: currency
      goal: goal
      pledged: raised
      launched_at: start
      deadline: end
`
	_, err := loadYAML(yaml)
	if err == nil || !strings.Contains(err.Error(), "cfg.yaml:5: campaigns.poll.mapping.money: is required: minor (2750 is 27.50") {
		t.Fatalf("err = %v", err)
	}
	l, err := loadYAML(yaml + "      money: major\n")
	if err != nil {
		t.Fatal(err)
	}
	if m, _, err := sourceMapping(l.Campaigns.Poll.Preset, &l.Campaigns.Poll.Mapping); err != nil || m.Money != mapping.MoneyMajor || m.Pledged != "raised" {
		t.Errorf("mapping = %+v, %v", m, err)
	}
}

// A preset with a few settings over it: the rest of the preset stays, a bad
// setting is named with its line, and `config check` prints the preset's
// settings spelled out.
func TestPollPresetOverride(t *testing.T) {
	file := `timezone: Europe/Paris
campaigns:
  poll:
    url: https://api.ulule.com/v1/search/projects
    preset: ulule
    source_timezone: America/Montreal
    mapping:
      backers: nb_supporters
      states:
        paused: stopped
`
	_, err := loadYAML(file)
	if err == nil || !strings.Contains(err.Error(), `cfg.yaml:10: campaigns.poll.mapping.states.paused: "stopped" is not one of`) {
		t.Fatalf("err = %v", err)
	}
	l, err := loadYAML(strings.Replace(file, "      states:\n        paused: stopped\n", "", 1))
	if err != nil {
		t.Fatal(err)
	}
	p := l.Campaigns.Poll
	m, _, err := sourceMapping(p.Preset, &p.Mapping)
	if err != nil || m.Backers != "nb_supporters" || m.Pledged != "amount_raised" || m.Money != mapping.MoneyMajor {
		t.Errorf("mapping = %+v, %v", m, err)
	}
	if loc := l.SourceLocation(p.SourceTimezone); loc.String() != "America/Montreal" {
		t.Errorf("source zone = %v", loc)
	}
	out, err := l.RedactedYAML()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "backers: nb_supporters") || !strings.Contains(string(out), "pledged: amount_raised") {
		t.Errorf("config check does not spell out the preset under the file's settings:\n%s", out)
	}
	if p.Mapping.Kind != yaml.MappingNode || len(p.Mapping.Content) != 2 { // one key
		t.Errorf("printing changed the loaded mapping: %+v", p.Mapping)
	}
}

func TestImportSection(t *testing.T) {
	l, err := loadYAML("campaigns:\n  import:\n    preset: kickstarter-dataset\n    source_timezone: UTC\n    mapping:\n      creator_name: creator\n")
	if err != nil {
		t.Fatal(err)
	}
	i := l.Campaigns.Import
	m, ok, err := sourceMapping(i.Preset, &i.Mapping)
	if err != nil || !ok || m.ID != "ID" || m.CreatorName != "creator" || l.SourceLocation(i.SourceTimezone) != time.UTC {
		t.Errorf("import mapping = %+v (%v, %v)", m, ok, err)
	}
	d, err := config.LoadFile("", configRules)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := sourceMapping(d.Campaigns.Import.Preset, &d.Campaigns.Import.Mapping); ok {
		t.Error("with no configuration, the import has a mapping: the importer should pick one by the file's shape")
	}
}

// TestChannels: the single-account configuration of before is the channel
// "x"; accounts are channels x@<name> with the network's settings under
// theirs.
func TestChannels(t *testing.T) {
	l, err := loadYAML(`
networks:
  x:
    consumer_key: ck
    consumer_secret: cs
    daily_cap: 10
    accounts:
      - name: platform_fr
        route: {langs: [fr]}
        access_token: a
        access_token_secret: b
      - name: platform_games
        route: {categories: [jeux]}
        daily_cap: 3
        access_token: c
        access_token_secret: d
  mastodon:
    enabled: true
    base_url: https://mastodon.example
    access_token: t
`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ch := range channelsOf(&l.Config) {
		got = append(got, fmt.Sprintf("%s cap=%d route=%v", ch.Name, ch.Limits.DailyCap, ch.Route))
	}
	want := []string{"x@platform_fr cap=10 route={[fr] []}", "x@platform_games cap=3 route={[] [jeux]}", "facebook cap=8 route={[] []}", "mastodon cap=24 route={[] []}"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("channels = %q, want %q", got, want)
	}
	if a := l.Networks.X.XAccounts()[1]; !a.HasCredentials() || a.ConsumerKey != "ck" || a.APIBaseURL != "https://api.x.com" {
		t.Errorf("account without the network's app and API: %+v", a)
	}
	d := config.Default()
	if got := channelNames(&d); strings.Join(got, ",") != "x,facebook" {
		t.Errorf("default channels = %v, want x and facebook as before", got)
	}
}

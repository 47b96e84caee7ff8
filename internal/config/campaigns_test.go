package config

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/campaigns/mapping"
)

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
	_, err := Load(strings.NewReader(yaml), "cfg.yaml", noEnv)
	if err == nil || !strings.Contains(err.Error(), "cfg.yaml:5: campaigns.poll.mapping.money: is required: minor (2750 is 27.50") {
		t.Fatalf("err = %v", err)
	}
	l, err := Load(strings.NewReader(yaml+"      money: major\n"), "cfg.yaml", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if m := l.Campaigns.Poll.PollMapping(); m.Money != mapping.MoneyMajor || m.Pledged != "raised" {
		t.Errorf("mapping = %+v", m)
	}
}

// A preset with a few settings over it: the rest of the preset stays, and a
// bad setting is named with its line.
func TestPollPresetOverride(t *testing.T) {
	yaml := `timezone: Europe/Paris
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
	_, err := Load(strings.NewReader(yaml), "cfg.yaml", noEnv)
	if err == nil || !strings.Contains(err.Error(), `cfg.yaml:10: campaigns.poll.mapping.states.paused: "stopped" is not one of`) {
		t.Fatalf("err = %v", err)
	}
	l, err := Load(strings.NewReader(strings.Replace(yaml, "      states:\n        paused: stopped\n", "", 1)), "cfg.yaml", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	m := l.Campaigns.Poll.PollMapping()
	if m.Backers != "nb_supporters" || m.Pledged != "amount_raised" || m.Money != mapping.MoneyMajor {
		t.Errorf("mapping = %+v", m)
	}
	if loc := l.SourceLocation(l.Campaigns.Poll.SourceTimezone); loc.String() != "America/Montreal" {
		t.Errorf("source zone = %v", loc)
	}
	if loc := l.SourceLocation(""); loc.String() != "Europe/Paris" {
		t.Errorf("default source zone = %v, want timezone", loc)
	}
}

func TestCampaignsKeysNamed(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"bad source zone", "campaigns:\n  poll:\n    url: https://x.example/p\n    preset: kickstarter\n    source_timezone: Paris\n",
			[]string{`cfg.yaml:5: campaigns.poll.source_timezone: "Paris" is not an IANA time zone`}},
		{"unknown preset", "campaigns:\n  poll:\n    url: https://x.example/p\n    preset: indiegogo\n",
			[]string{`cfg.yaml:4: campaigns.poll.preset: "indiegogo" is not one of kickstarter, kickstarter-dataset, ulule`}},
		{"no mapping", "campaigns:\n  poll:\n    url: https://x.example/p\n", []string{"campaigns.poll.mapping: is required"}},
		{"id template with a slash", "campaigns:\n  poll:\n    url: https://x.example/p\n    preset: kickstarter\n    mapping:\n      id: \"-\"\n      id_template: \"{creator.slug}/{slug}\"\n",
			[]string{`cfg.yaml:7: campaigns.poll.mapping.id_template:`, `"{creator.slug}:{slug}"`}},
		{"unknown mapping key", "campaigns:\n  poll:\n    url: https://x.example/p\n    preset: ulule\n    mapping:\n      pledge: raised\n",
			[]string{`cfg.yaml:6: campaigns.poll.mapping.pledge: unknown key (did you mean "pledged"?)`}},
		{"import mapping", "campaigns:\n  import:\n    mapping:\n      id: ID\n      money: cents\n",
			[]string{"cfg.yaml:5: campaigns.import.mapping.money: \"cents\" is not minor or major", "campaigns.import.mapping.title"}},
		{"url hosts", "campaigns:\n  url_hosts: [www.ulule.com, \"https://kickstarter.com\"]\n",
			[]string{`campaigns.url_hosts[1]: "https://kickstarter.com" is not a host name`}},
		{"close after", "campaigns:\n  close_after: 0s\n", []string{"cfg.yaml:2: campaigns.close_after: must be a positive duration"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(tt.yaml), "cfg.yaml", noEnv)
			for _, w := range tt.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v, want %q", err, w)
				}
			}
		})
	}
}

func TestImportSection(t *testing.T) {
	l, err := Load(strings.NewReader("campaigns:\n  import:\n    preset: kickstarter-dataset\n    source_timezone: UTC\n    mapping:\n      creator_name: creator\n"), "cfg.yaml", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	m := l.Campaigns.Import.ImportMapping()
	if m == nil || m.ID != "ID" || m.CreatorName != "creator" || l.SourceLocation(l.Campaigns.Import.SourceTimezone) != time.UTC {
		t.Errorf("import mapping = %+v", m)
	}
	if d, _ := LoadFile(""); d.Campaigns.Import.ImportMapping() != nil || d.Campaigns.CloseAfter != campaigns.DefaultCloseAfter {
		t.Errorf("defaults: import %+v, close_after %v", d.Campaigns.Import, d.Campaigns.CloseAfter)
	}
}

// The configuration's milestone defaults are the rules' own: one list, so
// that `config check` prints what the tracker does with no file.
func TestMilestoneDefaultsAreTheRules(t *testing.T) {
	m := Default().Campaigns.Milestones
	r := campaigns.DefaultRules()
	if !slices.Equal(m.Percent, r.Percent) || !slices.Equal(m.Backers, r.Backers) || !slices.Equal(m.Ending, r.Ending) {
		t.Errorf("config defaults %+v differ from campaigns.DefaultRules %+v", m, r)
	}
	m.Backers[0] = -1 // a copy: editing a loaded config leaves the rules alone
	if campaigns.DefaultBackers[0] == -1 {
		t.Error("config defaults share their backing array with campaigns.DefaultBackers")
	}
}

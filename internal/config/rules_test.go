package config

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// part stands for one of Fanfare's parts: an option type config does not
// know, kept as YAML in the configuration.
type part struct {
	Name  string        `yaml:"name"`
	Every time.Duration `yaml:"every"`
}

// TestRulesReachLoad: the parts' defaults are set before the file is read
// over them; their checks, and the decoding of a section kept as YAML, name
// key and line in file order with config's own problems; printing spells out
// a short form on a copy only.
func TestRulesReachLoad(t *testing.T) {
	rules := Rules{
		Defaults: func(c *Config) {
			c.Approval.Priority = map[string]int{"percent": 1, "default": 10}
			c.Campaigns.Milestones.Percent = []int64{25, 50}
		},
		Check: func(l *Loaded) Errors {
			var errs Errors
			var p part
			if !l.Campaigns.Poll.Mapping.IsZero() {
				errs = append(errs, l.Decode("campaigns.poll.mapping", &l.Campaigns.Poll.Mapping, &p)...)
			}
			if p.Name == "bad" {
				errs = append(errs, l.Errorf("campaigns.poll.mapping.name", "%q is refused by its part", p.Name))
			}
			if _, ok := l.Approval.Priority["funded"]; ok {
				errs = append(errs, l.Errorf("approval.priority.funded", "is not a milestone"))
			}
			return errs
		},
		Spell: func(c *Config) error {
			return c.Campaigns.Poll.Mapping.Encode(part{Name: "spelled out"})
		},
	}

	l, err := Load(strings.NewReader("approval:\n  priority:\n    percent: 3\ncampaigns:\n  poll:\n    mapping:\n      name: fine\n"), "cfg.yaml", noEnv, rules)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(l.Approval.Priority, map[string]int{"percent": 3, "default": 10}) || !slices.Equal(l.Campaigns.Milestones.Percent, []int64{25, 50}) {
		t.Errorf("defaults with the file over them: priority %v, percent %v", l.Approval.Priority, l.Campaigns.Milestones.Percent)
	}
	out, err := l.RedactedYAML()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "name: spelled out") {
		t.Errorf("printed configuration without the spelled-out form:\n%s", out)
	}
	var p part
	if err := l.Campaigns.Poll.Mapping.Decode(&p); err != nil || p.Name != "fine" {
		t.Errorf("printing changed the loaded section: %+v, %v", p, err)
	}

	_, err = Load(strings.NewReader(`timezone: Nowhere
approval:
  priority:
    funded: 2
campaigns:
  poll:
    mapping:
      Name: x
      name: bad
      every: soon
log:
  level: loud
`), "cfg.yaml", noEnv, rules)
	want := []string{
		"cfg.yaml:1: timezone:",
		"cfg.yaml:4: approval.priority.funded: is not a milestone",
		`cfg.yaml:8: campaigns.poll.mapping.Name: unknown key (did you mean "name"?)`,
		`cfg.yaml:9: campaigns.poll.mapping.name: "bad" is refused by its part`,
		"cfg.yaml:10: campaigns.poll.mapping.every:",
		"cfg.yaml:12: log.level:",
	}
	last := -1
	for _, w := range want {
		i := strings.Index(errString(err), w)
		if i < 0 {
			t.Errorf("error %q does not contain %q", err, w)
		} else if i < last {
			t.Errorf("error %q: %q is not in file order", err, w)
		}
		last = i
	}

	// Without rules, the parts' sections are left as YAML, unchecked.
	l, err = Load(strings.NewReader("campaigns:\n  poll:\n    mapping:\n      anything: [1, 2]\n"), "cfg.yaml", noEnv, Rules{})
	if err != nil || l.Campaigns.Poll.Mapping.Kind != yaml.MappingNode || l.Approval.Priority != nil {
		t.Errorf("zero Rules: %v, mapping kind %v, priority %v", err, l.Campaigns.Poll.Mapping.Kind, l.Approval.Priority)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

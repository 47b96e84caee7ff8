package campaigns

import (
	"strings"
	"testing"
	"time"
)

func TestParseMilestone(t *testing.T) {
	tests := []struct {
		in   string
		want ParsedMilestone
		err  string // part of the error; empty: parses
	}{
		{in: "launch", want: ParsedMilestone{Kind: KindLaunch}},
		{in: "percent:50", want: ParsedMilestone{Kind: KindPercent, Value: 50}},
		{in: "backers:1000", want: ParsedMilestone{Kind: KindBackers, Value: 1000}},
		{in: "stretch:0", want: ParsedMilestone{Kind: KindStretch, Value: 0}},
		{in: "ending:24h", want: ParsedMilestone{Kind: KindEnding, Left: 24 * time.Hour}},
		{in: "ending:90m", want: ParsedMilestone{Kind: KindEnding, Left: 90 * time.Minute}},
		{in: "ended:successful", want: ParsedMilestone{Kind: KindEnded}},
		{in: "launch:1", err: "takes no argument"},
		{in: "percent:0", err: "not a valid number"},
		{in: "percent:-5", err: "not a valid number"},
		{in: "percent:abc", err: "not a valid number"},
		{in: "percent", err: "not a valid number"},
		{in: "backers:0", err: "not a valid number"},
		{in: "stretch:-1", err: "not a valid number"},
		{in: "percent:050", err: "write it percent:50"},
		{in: "ending:1440m", err: "write it ending:24h"},
		{in: "ending:0h", err: "not a time left"},
		{in: "ending:soon", err: "not a time left"},
		{in: "ended:failed", err: "only ended:successful"},
		{in: "story", err: "unknown milestone family"},
		{in: "", err: "unknown milestone family"},
	}
	for _, tt := range tests {
		got, err := ParseMilestone(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseMilestone(%q) = %+v, %v; want an error containing %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseMilestone(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			continue
		}
		if got.String() != tt.in {
			t.Errorf("ParseMilestone(%q).String() = %q", tt.in, got.String())
		}
		if k := Milestone(tt.in).Kind(); k != tt.want.Kind {
			t.Errorf("Milestone(%q).Kind() = %q, want %q", tt.in, k, tt.want.Kind)
		}
	}
}

// TestRulesFireParsableMilestones checks the round trip on every name the
// rules can fire, defaults and custom thresholds alike: the parser and the
// rules are one definition.
func TestRulesFireParsableMilestones(t *testing.T) {
	r := DefaultRules()
	r.Ending = append(r.Ending, 90*time.Minute, 1500*time.Millisecond)
	r.Percent = append(r.Percent, 1000)
	var names []Milestone
	names = append(names, MilestoneLaunch, MilestoneEndedSuccessful, StretchMilestone(0), StretchMilestone(12))
	for _, n := range r.Percent {
		names = append(names, PercentMilestone(n))
	}
	for _, n := range r.Backers {
		names = append(names, BackersMilestone(n))
	}
	for _, d := range r.Ending {
		names = append(names, EndingMilestone(d))
	}
	for _, m := range names {
		p, err := m.Parse()
		if err != nil {
			t.Errorf("%s: %v", m, err)
			continue
		}
		if p.Name() != m {
			t.Errorf("%s parses to %+v, named %s", m, p, p.Name())
		}
	}
}

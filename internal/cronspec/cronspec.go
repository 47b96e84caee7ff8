// Package cronspec is the one parser of schedule specs, shared by configuration
// checks and the daemon, so that whatever `fanfare config check` accepts runs.
package cronspec

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// parser accepts 5-field specs, an optional leading seconds field, descriptors
// (@hourly, @every 5s) and CRON_TZ= prefixes.
var parser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Parse parses spec. "@every D" becomes an epoch-aligned schedule (ticks at
// multiples of D since the Unix epoch) instead of robfig's start-relative one,
// so that every replica ticks at the same instants and a per-tick lock lets
// exactly one of them run it.
func Parse(spec string) (cron.Schedule, error) {
	if d, ok := strings.CutPrefix(spec, "@every "); ok {
		// robfig rounds sub-second intervals up silently; say so instead.
		every, err := time.ParseDuration(strings.TrimSpace(d))
		if err != nil {
			return nil, fmt.Errorf("cron spec %q: %w", spec, err)
		}
		if every < time.Second || every%time.Second != 0 {
			return nil, fmt.Errorf("cron spec %q: interval must be a whole number of seconds, at least 1s", spec)
		}
		return Every(every), nil
	}
	s, err := parser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("cron spec %q: %w", spec, err)
	}
	return s, nil
}

// Every is a schedule that ticks at each multiple of D since the Unix epoch.
type Every time.Duration

// Next is the first multiple of D strictly after t.
func (e Every) Next(t time.Time) time.Time {
	d := time.Duration(e)
	return t.Truncate(d).Add(d)
}

// Tick is the scheduled instant that a run starting at now belongs to: the
// latest tick at or before now. Replicas compute the same value for the same
// tick, which names its lock.
func Tick(s cron.Schedule, now time.Time) time.Time {
	if e, ok := s.(Every); ok {
		return now.Truncate(time.Duration(e))
	}
	// A spec schedule's tick is its last activation at or before now, so that a
	// replica whose run starts a little late still names the same tick. Look
	// back in widening windows to keep the walk short for every-second specs.
	for _, back := range []time.Duration{2 * time.Minute, 2 * time.Hour, 8 * 24 * time.Hour} {
		t := s.Next(now.Add(-back))
		if t.After(now) {
			continue
		}
		for {
			next := s.Next(t)
			if next.After(now) {
				return t
			}
			t = next
		}
	}
	return now.Truncate(time.Second)
}

package campaigns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/internal/keyspace"
)

// Source names the runs report under.
const (
	SourcePoll    = "poll"
	SourceWebhook = "webhook"
	SourceImport  = "import"
)

// maxRunRejections bounds the reasons a run keeps: enough to see the pattern.
const maxRunRejections = 10

// SourceRun is what one run of a campaign source did: a poll of the listing,
// a webhook delivery, an import.
type SourceRun struct {
	At       time.Time `json:"at"`
	Records  int       `json:"records"`  // records read
	Accepted int       `json:"accepted"` // taken by the tracker (stale ones included: already known)
	Rejected int       `json:"rejected"` // did not map or validate
	Skipped  int       `json:"skipped"`  // left out on purpose (a state in skip_states)
	// Error is what stopped the run (the listing did not answer, the mapping
	// matched nothing); empty when it ran to the end.
	Error string `json:"error,omitempty"`
	// Rejections are the first reasons for rejection, in order.
	Rejections []SourceRejection `json:"rejections,omitempty"`
}

// SourceRejection is one record a run refused.
type SourceRejection struct {
	Where   string `json:"where"` // "page 2 record 7", "row 12", "campaigns[3]"
	ID      string `json:"id,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// Reject counts a refused record, keeping its reason among the first ones.
func (r *SourceRun) Reject(rj SourceRejection) {
	r.Rejected++
	if len(r.Rejections) < maxRunRejections {
		r.Rejections = append(r.Rejections, rj)
	}
}

// Failed reports a run an operator must hear about: it stopped on an error,
// or it rejected every record it did not skip (a wrong mapping, a changed
// export format). A run with nothing to read (an empty page, a 304) did not
// fail.
func (r SourceRun) Failed() bool { return r.Error != "" || r.Rejected > 0 && r.Accepted == 0 }

// Problem says in one line why a failed run failed, "" for a good one.
func (r SourceRun) Problem() string {
	switch {
	case r.Error != "":
		return r.Error
	case !r.Failed():
		return ""
	}
	msg := fmt.Sprintf("every record was rejected (%d)", r.Rejected)
	if len(r.Rejections) > 0 {
		first := r.Rejections[0]
		msg += "; first: " + first.Where + ": "
		if first.Field != "" {
			msg += first.Field + ": "
		}
		msg += first.Message
	}
	return msg
}

// SourceHealth is how a campaign source has been doing: what the dashboard's
// banner, the API (GET /api/v1/sources) and /metrics show.
type SourceHealth struct {
	Source  string    `json:"source"`
	LastRun SourceRun `json:"last_run"`
	// LastSuccessAt is the last run that did not fail.
	LastSuccessAt time.Time `json:"last_success_at,omitzero"`
	// LastErrorAt and LastError are the last failed run and why it failed.
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
	// Failing: the last run failed; FailingSince is the first failed run in
	// a row.
	Failing      bool      `json:"failing"`
	FailingSince time.Time `json:"failing_since,omitzero"`
	// Totals since the source first reported.
	Runs          int64 `json:"runs"`
	FailedRuns    int64 `json:"failed_runs"`
	TotalAccepted int64 `json:"accepted_total"`
	TotalRejected int64 `json:"rejected_total"`
	TotalSkipped  int64 `json:"skipped_total"`
}

// HealthRecorder takes the outcome of a source's runs.
type HealthRecorder interface {
	RecordRun(ctx context.Context, source string, run SourceRun) error
}

// HealthReader lists every source's health, by name.
type HealthReader interface {
	SourceHealth(ctx context.Context) ([]SourceHealth, error)
}

// HealthStore keeps source health in Redis, so that every replica, the CLI's
// imports and the dashboard see the same.
type HealthStore struct {
	rdb  redis.UniversalClient
	keys keys
}

var (
	_ HealthRecorder = (*HealthStore)(nil)
	_ HealthReader   = (*HealthStore)(nil)
)

// NewHealthStore returns a store whose keys start with "{prefix}:".
func NewHealthStore(rdb redis.UniversalClient, prefix string) (*HealthStore, error) {
	if err := keyspace.Check(prefix); err != nil {
		return nil, fmt.Errorf("campaigns: %w", err)
	}
	return &HealthStore{rdb: rdb, keys: keys{base: keyspace.Base(prefix)}}, nil
}

// recordRunScript adds one run to a source's health. Runs may be recorded out
// of order (two replicas answering webhooks): the last_* fields only move
// forward in time, the totals add up regardless.
//
//	KEYS[1] {p}:sources        KEYS[2] {p}:source:<name>
//	ARGV[1] name               ARGV[2] run time (unix ms)
//	ARGV[3] run JSON           ARGV[4] "1" when the run failed, else "0"
//	ARGV[5] the problem (failed runs)
//	ARGV[6] accepted           ARGV[7] rejected          ARGV[8] skipped
var recordRunScript = redis.NewScript(`
redis.call('SADD', KEYS[1], ARGV[1])
local k, at, failed = KEYS[2], tonumber(ARGV[2]), ARGV[4] == '1'
redis.call('HINCRBY', k, 'runs', 1)
redis.call('HINCRBY', k, 'accepted', ARGV[6])
redis.call('HINCRBY', k, 'rejected', ARGV[7])
redis.call('HINCRBY', k, 'skipped', ARGV[8])
local function newer(field)
  return at >= tonumber(redis.call('HGET', k, field) or '0')
end
if failed then
  redis.call('HINCRBY', k, 'failed_runs', 1)
  if newer('last_error_at') then redis.call('HSET', k, 'last_error_at', at, 'last_error', ARGV[5]) end
elseif newer('last_success_at') then
  redis.call('HSET', k, 'last_success_at', at)
end
if newer('last_run_at') then
  redis.call('HSET', k, 'last_run_at', at, 'last_run', ARGV[3])
  if not failed then
    redis.call('HDEL', k, 'failing_since')
  elseif redis.call('HEXISTS', k, 'failing_since') == 0 then
    redis.call('HSET', k, 'failing_since', at)
  end
end
return 1
`)

// RecordRun adds a run to a source's health.
func (s *HealthStore) RecordRun(ctx context.Context, source string, run SourceRun) error {
	if source == "" {
		return errors.New("campaigns: a source run needs a source name")
	}
	if run.At.IsZero() {
		return errors.New("campaigns: a source run needs its time")
	}
	raw, err := json.Marshal(run)
	if err != nil {
		return fmt.Errorf("campaigns: unable to encode a run of %s: %w", source, err)
	}
	failed := "0"
	if run.Failed() {
		failed = "1"
	}
	err = recordRunScript.Run(ctx, s.rdb, []string{s.keys.sources(), s.keys.source(source)},
		source, run.At.UnixMilli(), raw, failed, run.Problem(), run.Accepted, run.Rejected, run.Skipped).Err()
	if err != nil {
		return fmt.Errorf("campaigns: unable to record a run of %s: %w", source, err)
	}
	return nil
}

// SourceHealth lists every source that has reported, by name.
func (s *HealthStore) SourceHealth(ctx context.Context) ([]SourceHealth, error) {
	names, err := s.rdb.SMembers(ctx, s.keys.sources()).Result()
	if err != nil {
		return nil, fmt.Errorf("campaigns: unable to list sources: %w", err)
	}
	slices.Sort(names)
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(names))
	for i, n := range names {
		cmds[i] = pipe.HGetAll(ctx, s.keys.source(n))
	}
	if len(names) > 0 {
		if _, err := pipe.Exec(ctx); err != nil {
			return nil, fmt.Errorf("campaigns: unable to read source health: %w", err)
		}
	}
	out := make([]SourceHealth, 0, len(names))
	for i, n := range names {
		h, err := parseHealth(n, cmds[i].Val())
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

func parseHealth(name string, f map[string]string) (SourceHealth, error) {
	h := SourceHealth{Source: name}
	if raw := f["last_run"]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &h.LastRun); err != nil {
			return h, fmt.Errorf("campaigns: health of source %s is corrupt: %w", name, err)
		}
	}
	ms := func(k string) time.Time {
		n, err := strconv.ParseInt(f[k], 10, 64)
		if err != nil || n == 0 {
			return time.Time{}
		}
		return time.UnixMilli(n).UTC()
	}
	count := func(k string) int64 {
		n, _ := strconv.ParseInt(f[k], 10, 64)
		return n
	}
	h.LastSuccessAt, h.LastErrorAt, h.FailingSince = ms("last_success_at"), ms("last_error_at"), ms("failing_since")
	h.LastError = f["last_error"]
	h.Failing = !h.FailingSince.IsZero()
	h.Runs, h.FailedRuns = count("runs"), count("failed_runs")
	h.TotalAccepted, h.TotalRejected, h.TotalSkipped = count("accepted"), count("rejected"), count("skipped")
	return h, nil
}

package bots

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fanfarehq/fanfare/content"
)

// NetworkLimits are a network's posting rules (config networks.<name>.*).
type NetworkLimits struct {
	DailyCap        int           // posts per calendar day in the platform's zone; 0: no cap
	MinSpacing      time.Duration // between any two posts on the network
	CampaignSpacing time.Duration // between two posts of one campaign on the network
	// QuietHours are this account's own quiet hours; nil: the scheduler's.
	QuietHours *QuietHours
}

// QuietHours is a daily window without posts, in the platform's time zone; it
// may wrap midnight (22:00 to 08:00).
type QuietHours struct {
	Start string // "22:00"
	End   string // "08:00"
}

// SchedulerOptions configures a Scheduler.
type SchedulerOptions struct {
	Networks   map[string]NetworkLimits
	QuietHours *QuietHours // nil: none
	// GoodHours are each network's hours of audience (config
	// networks.<name>.good_hours): a post whose earliest slot falls outside
	// them waits for the next one, when that costs at most MaxGoodWait and
	// half the time left before its not_after. A network absent from the map
	// has DefaultGoodHours; an empty list, none.
	GoodHours map[string][]HourRange
	// Learner, when set, replaces a network's good hours with the ones its
	// own engagement shows, once there is enough of it (checked hourly).
	Learner GoodHoursLearner
	// MaxGoodWait bounds the wait for good hours. Default 3h.
	MaxGoodWait time.Duration
	// Folding says a Folder runs before each planning: a milestone post
	// that finds no slot before its not_after then waits, unscheduled, to be
	// folded into a digest (or to expire at its not_after) instead of
	// expiring at once; and a digest may take the slot of a post as urgent
	// as itself, since it tells many.
	Folding  bool
	Location *time.Location   // the platform's zone; nil: UTC
	Now      func() time.Time // nil: time.Now
	Logger   *slog.Logger     // nil: slog.Default()
}

// quiet is a parsed QuietHours: minutes after local midnight.
type quiet struct {
	start, end int
	startText  string
	endText    string
}

func parseQuiet(q *QuietHours) (*quiet, error) {
	if q == nil {
		return nil, nil
	}
	start, err := parseClock(q.Start)
	if err != nil {
		return nil, fmt.Errorf("bots: quiet_hours.start: %w", err)
	}
	end, err := parseClock(q.End)
	if err != nil {
		return nil, fmt.Errorf("bots: quiet_hours.end: %w", err)
	}
	if start == end {
		return nil, fmt.Errorf("bots: quiet_hours: start and end are both %s: the window would be empty or the whole day", q.Start)
	}
	return &quiet{start: start, end: end, startText: q.Start, endText: q.End}, nil
}

func parseClock(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a time of day like 22:00", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

// contains reports whether t falls in the window, by the local wall clock.
func (q *quiet) contains(t time.Time) bool {
	m := t.Hour()*60 + t.Minute()
	if q.start < q.end {
		return m >= q.start && m < q.end
	}
	return m >= q.start || m < q.end
}

// endAfter returns the first end of the window after t (t local).
func (q *quiet) endAfter(t time.Time) time.Time {
	y, mo, d := t.Date()
	e := time.Date(y, mo, d, q.end/60, q.end%60, 0, 0, t.Location())
	if !e.After(t) {
		e = time.Date(y, mo, d+1, q.end/60, q.end%60, 0, 0, t.Location())
	}
	return e
}

// slotHorizon bounds the search for a slot: a post that cannot go out within
// it is expired rather than queued for ever.
const slotHorizon = 60 * 24 * time.Hour

// nextSlot returns the earliest time at or after after that respects the
// network's limits given the slots already used on the network (taken) and by
// the post's campaign (campaignTaken), and a note naming the rules that pushed
// it there. Days and quiet hours follow the wall clock in loc, so a DST change
// shortens or lengthens that day and never moves the window. ok is false when no
// slot exists within slotHorizon.
func nextSlot(taken, campaignTaken []time.Time, after time.Time, limits NetworkLimits, q *quiet, loc *time.Location) (time.Time, string, bool) {
	if loc == nil {
		loc = time.UTC
	}
	t := after.In(loc)
	var notes []string
	note := func(kind, text string) {
		for i, n := range notes {
			if strings.HasPrefix(n, kind) {
				notes[i] = text
				return
			}
		}
		notes = append(notes, text)
	}
	for t.Sub(after) <= slotHorizon {
		if q != nil && q.contains(t) {
			t = q.endAfter(t)
			note("quiet", fmt.Sprintf("quiet hours until %s %s", q.endText, loc))
			continue
		}
		if limits.DailyCap > 0 {
			y, mo, d := t.Date()
			start := time.Date(y, mo, d, 0, 0, 0, 0, loc)
			end := time.Date(y, mo, d+1, 0, 0, 0, 0, loc)
			n := 0
			for _, s := range taken {
				if !s.Before(start) && s.Before(end) {
					n++
				}
			}
			if n >= limits.DailyCap {
				t = end
				note("daily", fmt.Sprintf("daily cap %d reached on %s", limits.DailyCap, start.Format("2006-01-02")))
				continue
			}
		}
		if s, ok := conflict(taken, t, limits.MinSpacing); ok {
			t = s.Add(limits.MinSpacing).In(loc)
			note("min", fmt.Sprintf("min spacing %s after %s post", shortDuration(limits.MinSpacing), s.In(loc).Format("15:04")))
			continue
		}
		if s, ok := conflict(campaignTaken, t, limits.CampaignSpacing); ok {
			t = s.Add(limits.CampaignSpacing).In(loc)
			note("campaign", fmt.Sprintf("campaign spacing %s after its %s post", shortDuration(limits.CampaignSpacing), s.In(loc).Format("15:04")))
			continue
		}
		if len(notes) == 0 {
			return t, "earliest free slot", true
		}
		return t, strings.Join(notes, "; "), true
	}
	return time.Time{}, strings.Join(notes, "; "), false
}

// conflict returns the latest taken time closer to t than spacing: t cannot be
// used before that time plus spacing.
func conflict(taken []time.Time, t time.Time, spacing time.Duration) (time.Time, bool) {
	if spacing <= 0 {
		return time.Time{}, false
	}
	var last time.Time
	found := false
	for _, s := range taken {
		d := t.Sub(s)
		if d < spacing && d > -spacing && (!found || s.After(last)) {
			last, found = s, true
		}
	}
	return last, found
}

// shortDuration prints 20m rather than 20m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// Scheduler gives approved posts their slots. The calendar (used slots) lives
// in Redis and each slot is taken by a script that re-checks the limits, so
// replicas planning at once agree.
type Scheduler struct {
	store   SlotCalendar
	opts    SchedulerOptions
	quiet   *quiet
	quietBy map[QuietHours]*quiet // accounts with their own quiet hours
	loc     *time.Location
	now     func() time.Time
	log     *slog.Logger
	good    map[string][]HourRange // configured or default, by network

	mu      sync.Mutex
	learned map[string]learnedHours // by network
}

// learnedHours caches what the Learner said.
type learnedHours struct {
	hours []HourRange
	ok    bool
	at    time.Time
}

// learnEvery spaces the Learner's readings: engagement moves slowly.
const learnEvery = time.Hour

// NewScheduler checks the options (quiet hours format) and returns a Scheduler.
func NewScheduler(store SlotCalendar, opts SchedulerOptions) (*Scheduler, error) {
	q, err := parseQuiet(opts.QuietHours)
	if err != nil {
		return nil, err
	}
	quietBy := map[QuietHours]*quiet{}
	for name, l := range opts.Networks {
		if l.DailyCap < 0 || l.MinSpacing < 0 || l.CampaignSpacing < 0 {
			return nil, fmt.Errorf("bots: networks.%s: daily_cap and spacings must not be negative", name)
		}
		if l.QuietHours != nil {
			if quietBy[*l.QuietHours], err = parseQuiet(l.QuietHours); err != nil {
				return nil, fmt.Errorf("bots: networks.%s: %w", name, err)
			}
		}
	}
	s := &Scheduler{store: store, opts: opts, quiet: q, quietBy: quietBy, loc: opts.Location, now: opts.Now, log: opts.Logger,
		good: map[string][]HourRange{}, learned: map[string]learnedHours{}}
	if s.loc == nil {
		s.loc = time.UTC
	}
	if s.opts.MaxGoodWait <= 0 {
		s.opts.MaxGoodWait = 3 * time.Hour
	}
	for name := range opts.Networks {
		specs, ok := opts.GoodHours[name]
		if ok {
			s.good[name] = specs
			continue
		}
		def, err := ParseHourRanges(DefaultGoodHours[name])
		if err != nil {
			return nil, fmt.Errorf("bots: default good hours of %s: %w", name, err)
		}
		s.good[name] = def
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s, nil
}

// Limits returns a network's limits (zero when not configured).
func (s *Scheduler) Limits(network string) NetworkLimits { return s.opts.Networks[network] }

// quietOf is the quiet window of a network's limits: its own, else the
// scheduler's; nil for none.
func (s *Scheduler) quietOf(l NetworkLimits) *quiet {
	if l.QuietHours == nil {
		return s.quiet
	}
	return s.quietBy[*l.QuietHours]
}

// PlanNetwork gives slots to one network's unscheduled approved posts, by
// priority then age; a post whose earliest slot passes its not_after expires
// with the reason. The publish job calls it for each network it runs; posts
// released after a failed attempt are placed no earlier than their retry time.
func (s *Scheduler) PlanNetwork(ctx context.Context, network string) error {
	posts, err := s.store.Unscheduled(ctx, network)
	if err != nil || len(posts) == 0 {
		return err
	}
	limits := s.Limits(network)
	now := s.now()
	// Enough history for today's cap and the spacing windows; old slots are
	// forgotten so the calendar stays small.
	from := now.Add(-max(48*time.Hour, limits.MinSpacing, limits.CampaignSpacing))
	if err := s.store.PruneSlots(ctx, network, from); err != nil {
		return err
	}
	taken, err := s.store.SlotTimes(ctx, network, from, now.Add(slotHorizon+24*time.Hour))
	if err != nil {
		return err
	}
	if s.opts.Folding {
		// Digests first, as the folder planned: each tells many milestones.
		slices.SortStableFunc(posts, func(a, b content.Post) int {
			return boolFirst(a.Kind == content.KindDigest, b.Kind == content.KindDigest)
		})
	}
	ids := make([]string, len(posts))
	for i, p := range posts {
		ids[i] = p.ID
	}
	notBefore, err := s.store.NotBefore(ctx, ids)
	if err != nil {
		return err
	}
	// Posts that give up their slot to a more urgent one are planned again at
	// the end of the same run (they had a slot, so no retry time).
	for i := 0; i < len(posts); i++ {
		p := posts[i]
		at, bumped, err := s.place(ctx, p, limits, &taken, now, notBefore[p.ID], from)
		if err != nil {
			return err
		}
		if !at.IsZero() {
			s.log.Debug("post scheduled", "post_id", p.ID, "network", network, "slot", at)
		}
		posts = append(posts, bumped...)
	}
	return nil
}

// retryNote starts the note of a slot placed after a post's retry time; victim
// leaves such slots alone.
const retryNote = "retry: "

// place finds and reserves one post's slot, no earlier than notBefore,
// appending it to taken. A slot lost to another replica is searched again with
// a fresh calendar. When no slot fits before the post's not_after but one would
// if less urgent posts gave theirs back, they do (bumped), least urgent first.
func (s *Scheduler) place(ctx context.Context, p content.Post, limits NetworkLimits, taken *[]time.Time, now, notBefore, from time.Time) (time.Time, []content.Post, error) {
	var bumped []content.Post
	horizon := now.Add(slotHorizon + 24*time.Hour)
	after := now
	if notBefore.After(now) {
		after = notBefore
	}
	for range 8 {
		var campTaken []time.Time
		if limits.CampaignSpacing > 0 && p.CampaignID != "" {
			var err error
			campTaken, err = s.store.CampaignSlotTimes(ctx, p.Network, p.CampaignID, from, horizon)
			if err != nil {
				return time.Time{}, bumped, err
			}
		}
		at, note, ok := nextSlot(*taken, campTaken, after, limits, s.quietOf(limits), s.loc)
		if after.After(now) {
			note = retryNote + "not before " + after.In(s.loc).Format("15:04:05") + "; " + note
		}
		// A digest aims before its first milestone stops being news; if it
		// cannot, it still goes out in time for the others (the folder
		// drops the stale ones).
		deadline := s.deadline(p)
		if !ok || (!deadline.IsZero() && !at.Before(deadline)) {
			victim, err := s.victim(ctx, p, deadline, limits, *taken, campTaken, now, after)
			if err != nil {
				return time.Time{}, bumped, err
			}
			if victim == nil && ok && deadline.Before(p.NotAfter) && at.Before(p.NotAfter) {
				goto reserve
			}
			if victim == nil && s.opts.Folding && foldable(p) {
				// The folder puts it in a digest, or it expires at its not_after.
				s.log.Debug("post waits to be folded: no slot of its own", "post_id", p.ID, "network", p.Network)
				return time.Time{}, bumped, nil
			}
			if victim == nil {
				reason := s.noSlotReason(p, at, note, ok)
				if _, err := s.store.ExpireUnplaced(ctx, p.ID, "system:scheduler", reason); err != nil && !errors.Is(err, content.ErrScheduled) {
					return time.Time{}, bumped, err
				}
				s.log.Info("post expired: no slot", "post_id", p.ID, "network", p.Network, "reason", reason)
				return time.Time{}, bumped, nil
			}
			reason := fmt.Sprintf("slot %s given to more urgent post %s (priority %d, not_after %s)",
				victim.ScheduledAt.In(s.loc).Format("15:04"), p.ID, p.Priority, p.NotAfter.In(s.loc).Format("2006-01-02 15:04"))
			v, err := s.store.Unschedule(ctx, victim.ID, "system:scheduler", reason)
			switch {
			case err == nil:
				bumped = append(bumped, v)
				s.log.Info("post gave up its slot", "post_id", v.ID, "to_post_id", p.ID)
			case errors.Is(err, content.ErrWrongState), errors.Is(err, content.ErrNotFound):
			default:
				return time.Time{}, bumped, err
			}
			if *taken, err = s.store.SlotTimes(ctx, p.Network, from, horizon); err != nil {
				return time.Time{}, bumped, err
			}
			continue
		}
	reserve:
		if better, why := s.preferGoodHours(ctx, p, *taken, campTaken, limits, at); !better.IsZero() {
			at, note = better, why
		}
		err := s.reserve(ctx, p.ID, limits, at, note, from)
		switch {
		case err == nil:
			*taken = append(*taken, at)
			return at, bumped, nil
		case errors.Is(err, content.ErrSlotTaken):
			fresh, ferr := s.store.SlotTimes(ctx, p.Network, from, horizon)
			if ferr != nil {
				return time.Time{}, bumped, ferr
			}
			*taken = fresh
		case errors.Is(err, content.ErrScheduled), errors.Is(err, content.ErrWrongState), errors.Is(err, content.ErrNotFound):
			return time.Time{}, bumped, nil // another replica or a person got there first
		default:
			return time.Time{}, bumped, err
		}
	}
	return time.Time{}, bumped, nil // contended: the next run tries again
}

// deadline is when a post must go out by: its not_after, or for a digest
// (when folding) the first of its milestones' freshness.
func (s *Scheduler) deadline(p content.Post) time.Time {
	if !s.opts.Folding || p.Kind != content.KindDigest {
		return p.NotAfter
	}
	var first time.Time
	for _, c := range p.Covers {
		if !c.NotAfter.IsZero() && (first.IsZero() || c.NotAfter.Before(first)) {
			first = c.NotAfter
		}
	}
	if first.IsZero() {
		return p.NotAfter
	}
	return first
}

// reserve takes a slot for an approved post without one, re-checking the
// network's rules in the same atomic step (see content.Store.ReserveSlot).
func (s *Scheduler) reserve(ctx context.Context, id string, limits NetworkLimits, at time.Time, note string, from time.Time) error {
	g := s.guard(limits, at)
	g.Forget = from
	return s.store.ReserveSlot(ctx, id, at, note, g)
}

// guard is what the store re-checks when a post takes the slot at: the
// network's spacings, and its daily cap on at's calendar day.
func (s *Scheduler) guard(limits NetworkLimits, at time.Time) content.SlotGuard {
	y, mo, d := at.In(s.loc).Date()
	return content.SlotGuard{MinSpacing: limits.MinSpacing, CampaignSpacing: limits.CampaignSpacing, DailyCap: limits.DailyCap,
		DayStart: time.Date(y, mo, d, 0, 0, 0, 0, s.loc), DayEnd: time.Date(y, mo, d+1, 0, 0, 0, 0, s.loc)}
}

// victim returns the least urgent post whose slot, given back, lets p go out
// after `after` and before its not_after; nil when p is not time-bound or no
// such post helps. Slots set by a person and retry slots are never taken.
func (s *Scheduler) victim(ctx context.Context, p content.Post, deadline time.Time, limits NetworkLimits, taken, campTaken []time.Time, now, after time.Time) (*content.Post, error) {
	if deadline.IsZero() {
		return nil, nil
	}
	cands, err := s.store.Scheduled(ctx, p.Network, now.Add(time.Millisecond), deadline)
	if err != nil {
		return nil, err
	}
	// A digest goes before any single post when slots are scarce (see
	// Folder); other posts before less urgent ones.
	digest := s.opts.Folding && p.Kind == content.KindDigest
	cands = slices.DeleteFunc(cands, func(c content.Post) bool {
		less := c.Priority > p.Priority || (digest && c.Kind != content.KindDigest)
		if s.opts.Folding && c.Kind == content.KindDigest {
			// A digest keeps its slot: a single post that took it would be
			// folded into the next digest, and another digest would leave
			// this one's milestones late.
			less = false
		}
		return !less || strings.HasPrefix(c.SlotNote, "set by ") || strings.HasPrefix(c.SlotNote, retryNote)
	})
	if len(cands) == 0 {
		return nil, nil
	}
	// Would p fit with every candidate gone? If not, bump nobody.
	free := slices.DeleteFunc(slices.Clone(taken), func(t time.Time) bool {
		return slices.ContainsFunc(cands, func(c content.Post) bool { return c.ScheduledAt.Equal(t) })
	})
	at, _, ok := nextSlot(free, campTaken, after, limits, s.quietOf(limits), s.loc)
	if !ok || !at.Before(deadline) {
		return nil, nil
	}
	slices.SortFunc(cands, func(a, b content.Post) int {
		return cmp.Or(cmp.Compare(b.Priority, a.Priority), b.ScheduledAt.Compare(a.ScheduledAt))
	})
	return &cands[0], nil
}

func (s *Scheduler) noSlotReason(p content.Post, at time.Time, note string, ok bool) string {
	deadline := p.NotAfter.In(s.loc).Format("2006-01-02 15:04 MST")
	if !ok && p.NotAfter.IsZero() {
		return fmt.Sprintf("no slot within %d days: %s", int(slotHorizon.Hours()/24), note)
	}
	if !ok {
		return fmt.Sprintf("no slot before not_after %s within %d days: %s", deadline, int(slotHorizon.Hours()/24), note)
	}
	return fmt.Sprintf("no slot before not_after %s: the earliest is %s (%s)", deadline, at.In(s.loc).Format("2006-01-02 15:04 MST"), note)
}

// GoodHours are the hours a network's posts aim for: learned from its
// engagement when there is enough, else configured, else the defaults.
func (s *Scheduler) GoodHours(ctx context.Context, network string) []HourRange {
	if s.opts.Learner == nil {
		return s.good[network]
	}
	now := s.now()
	s.mu.Lock()
	l, ok := s.learned[network]
	s.mu.Unlock()
	if !ok || now.Sub(l.at) >= learnEvery {
		hours, learned, err := s.opts.Learner.LearnedGoodHours(ctx, network, s.loc)
		if err != nil {
			s.log.Warn("unable to learn good hours: keeping the configured ones", "network", network, "error", err)
		}
		l = learnedHours{hours: hours, ok: learned && err == nil, at: now}
		s.mu.Lock()
		s.learned[network] = l
		s.mu.Unlock()
	}
	if l.ok && len(l.hours) > 0 {
		return l.hours
	}
	return s.good[network]
}

// preferGoodHours returns a later slot in the network's good hours for a post
// whose earliest slot (at) falls outside them, when one is free within
// MaxGoodWait and within half the time left before the post's deadline (its
// not_after, a digest's first milestone's freshness); zero when at is best.
func (s *Scheduler) preferGoodHours(ctx context.Context, p content.Post, taken, campTaken []time.Time, limits NetworkLimits, at time.Time) (time.Time, string) {
	hours := s.GoodHours(ctx, p.Network)
	local := at.In(s.loc)
	if len(hours) == 0 || inRanges(hours, local) {
		return time.Time{}, ""
	}
	limit := at.Add(s.opts.MaxGoodWait)
	if deadline := s.deadline(p); !deadline.IsZero() {
		if half := at.Add(deadline.Sub(at) / 2); half.Before(limit) {
			limit = half
		}
	}
	for g := nextRangeStart(hours, local); !g.IsZero() && !g.After(limit); g = nextRangeStart(hours, g) {
		cand, note, ok := nextSlot(taken, campTaken, g, limits, s.quietOf(limits), s.loc)
		if ok && inRanges(hours, cand.In(s.loc)) && !cand.After(limit) {
			why := "good hours " + rangesText(hours)
			if note != "earliest free slot" {
				why += "; " + note
			}
			return cand, why
		}
	}
	return time.Time{}, ""
}

func rangesText(rs []HourRange) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.String()
	}
	return strings.Join(parts, ", ")
}

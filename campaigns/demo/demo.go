// Package demo is the built-in campaign source of `fanfare run --demo`: eight
// made-up campaigns, in French and English, that play out in accelerated time
// so that every kind of milestone (launch, 25/50/100 %, backer counts, a
// stretch goal, 72 and 24 hours left, funded, failed) fires within about a
// minute of the start.
//
// Launches and deadlines are real wall-clock times, because the tracker judges
// "hours left" with its own clock: a campaign that lasts 30 simulated days
// lasts 30 days / Speed in real time (three minutes at the default speed).
// Two campaigns are pinned instead to end 72 hours and 24 hours (plus a few
// seconds) after the start, so the tracker sees them cross those marks live.
//
// Pledges only grow, except one small refund. Snapshots carry UpdatedAt (the
// time they describe, never past the deadline), so once a campaign has ended
// its repeated snapshot is stale and changes nothing. Campaign ids are
// "demo-<slug>"; with a persistent Redis a restarted demo keeps the
// milestones already fired.
package demo

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
)

// DefaultSpeed plays a 30-day campaign in three minutes.
const DefaultSpeed = 30 * 24 * 60 * 60 / 180.0

// Options configures a Source.
type Options struct {
	Now   func() time.Time // default time.Now
	Start time.Time        // the demo's time zero; default Now() at NewSource
	Speed float64          // simulated seconds per real second; default DefaultSpeed
	// Seed varies the curves (final amounts, pledge sizes, early/late weight)
	// within bounds that keep each campaign's outcome.
	Seed   int64
	Logger *slog.Logger // default slog.Default()
}

// Source computes the demo campaigns at any instant.
type Source struct {
	now   func() time.Time
	log   *slog.Logger
	plays []play
}

// play is a spec laid out on the real clock with its seeded curve.
type play struct {
	spec
	launch, deadline time.Time // real
	start            time.Time
	speed            float64
	wEarly, wLate    float64 // share of the money in the opening and closing rush
	finalMilli       int64   // final pledged, per mille of goal
	avgPledge        int64
}

// NewSource lays the catalog out from o.Start.
func NewSource(o Options) *Source {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Start.IsZero() {
		o.Start = o.Now()
	}
	if o.Speed <= 0 {
		o.Speed = DefaultSpeed
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	s := &Source{now: o.Now, log: o.Logger}
	for i, sp := range catalog {
		r := rand.New(rand.NewPCG(uint64(o.Seed), uint64(i)))
		p := play{
			spec:       sp,
			start:      o.Start,
			speed:      o.Speed,
			wEarly:     0.30 + 0.10*r.Float64(),
			wLate:      0.25 + 0.10*r.Float64(),
			finalMilli: int64(math.Round(sp.final * (0.95 + 0.10*r.Float64()) * 1000)),
			avgPledge:  int64(float64(sp.avgPledge) * (0.9 + 0.2*r.Float64())),
		}
		if sp.closing > 0 {
			p.deadline = o.Start.Add(sp.closing).Truncate(time.Second)
			p.launch = p.deadline.Add(-time.Duration(sp.days * float64(24*time.Hour)))
		} else {
			p.launch = o.Start.Add(simToReal(sp.launch, o.Speed)).Truncate(time.Second)
			p.deadline = o.Start.Add(simToReal(sp.launch+sp.days, o.Speed)).Truncate(time.Second)
		}
		s.plays = append(s.plays, p)
	}
	return s
}

func simToReal(days, speed float64) time.Duration {
	return time.Duration(days * 86400 / speed * float64(time.Second))
}

// Snapshots returns the campaigns launched by now, as they stand at now. The
// result depends only on the options and now.
func (s *Source) Snapshots(now time.Time) []campaigns.Campaign {
	out := make([]campaigns.Campaign, 0, len(s.plays))
	for _, p := range s.plays {
		if now.Before(p.launch) {
			continue
		}
		out = append(out, p.at(now))
	}
	return out
}

// Job returns the cron job that ingests the current snapshots.
func (s *Source) Job(ing campaigns.Ingester) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		snaps := s.Snapshots(s.now())
		if len(snaps) == 0 {
			return nil
		}
		res, err := ing.Ingest(ctx, snaps)
		if err != nil {
			return fmt.Errorf("demo: unable to ingest %d campaigns: %w", len(snaps), err)
		}
		for _, r := range res.Rejected {
			// The demo's own data is valid by test: a refusal is a bug.
			s.log.Error("demo: campaign refused by the tracker", "campaign_id", r.ID, "error", r.Err)
		}
		s.log.Debug("demo: ingested", "campaigns", len(snaps), "accepted", res.Accepted,
			"stale", res.Stale, "fired", len(res.Fired))
		return nil
	}
}

// progress is how far through its run the campaign is, 0 to 1.
func (p play) progress(now time.Time) float64 {
	if !now.Before(p.deadline) {
		return 1
	}
	if p.closing > 0 {
		elapsed := now.Sub(p.start).Seconds() * p.speed / (p.days * 86400)
		return min(p.closingP0+max(elapsed, 0), p.closingCap)
	}
	return min(max(now.Sub(p.launch).Seconds()/p.deadline.Sub(p.launch).Seconds(), 0), 1)
}

// curve is the share of the final amount pledged at progress x: a rush in the
// first days, a slow middle, a rush in the last days, as crowdfunding goes.
// It rises monotonically from 0 to 1.
func (p play) curve(x float64) float64 {
	const k = 12
	norm := 1 - math.Exp(-k)
	early := (1 - math.Exp(-k*x)) / norm
	late := (math.Exp(k*(x-1)) - math.Exp(-k)) / norm
	return p.wEarly*early + (1-p.wEarly-p.wLate)*x + p.wLate*late
}

func (p play) at(now time.Time) campaigns.Campaign {
	x := p.progress(now)
	micro := int64(math.Round(p.curve(x) * 1e6))
	target := p.goal * p.finalMilli / 1000
	gross := target * micro / 1_000_000
	gross -= gross % 100 // pledges are whole currency units
	backers := (gross + p.avgPledge/2) / p.avgPledge
	pledged := gross
	if p.refundAt > 0 && x >= p.refundAt {
		refund := p.goal * p.refundPct / 100
		pledged -= refund
		backers -= max(refund/p.avgPledge, 1)
	}
	pledged, backers = max(pledged, 0), max(backers, 0)

	state := campaigns.StateLive
	if !now.Before(p.deadline) {
		state = campaigns.StateFailed
		if pledged >= p.goal {
			state = campaigns.StateSuccessful
		}
	}
	updated := now
	if updated.After(p.deadline) {
		updated = p.deadline
	}
	return campaigns.Campaign{
		ID:           "demo-" + p.slug,
		Title:        p.title,
		URL:          "https://example.org/projects/" + p.slug,
		Lang:         p.lang,
		Currency:     p.currency,
		Goal:         p.goal,
		Pledged:      pledged,
		Backers:      backers,
		LaunchedAt:   p.launch,
		Deadline:     p.deadline,
		State:        state,
		Creator:      p.creator,
		ImageURL:     "https://example.org/demo/" + p.slug + ".jpg",
		Description:  p.description,
		StretchGoals: append([]campaigns.StretchGoal(nil), p.stretch...),
		Tags:         append([]string(nil), p.tags...),
		Category:     p.category,
		UpdatedAt:    updated,
	}
}

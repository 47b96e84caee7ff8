package bots

import (
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/composer"
	"github.com/fanfarehq/fanfare/internal/redistest"
)

// The platform simulation: thousands of live campaigns whose pledges follow
// the usual crowdfunding curve (most at the start and the end), about 40 %
// succeeding, fire milestones that go through the real composer (merges),
// queue, folder (digests), scheduler and publish job, on a simulated clock,
// against networks whose caps cannot carry one post per milestone. It
// measures what a community manager and a creator care about: the share of
// milestones told within their freshness, posts a day per network, and the
// delay from milestone to publication. Seeded: the same flags give the same
// figures.

var (
	simCampaigns = flag.Int("sim.campaigns", 0, "live campaigns in TestPlatformSimulation (0: the CI size, 2,000)")
	simDays      = flag.Int("sim.days", 0, "simulated days (0: 30)")
)

// simParams size a run.
type simParams struct {
	campaigns int            // live at any time
	days      int            // simulated
	caps      map[string]int // posts a day per network
	spacing   map[string]time.Duration
	tick      time.Duration // how often sources and jobs run
	seed      uint64
}

// simCampaign is one campaign's life: its static fields and its curve.
type simCampaign struct {
	c      campaigns.Campaign
	final  float64 // pledged at the deadline, as a share of the goal
	pledge int64   // the average pledge, minor units
}

// share is the pledged share of the final amount at time t: a third comes in
// the first days, a third along the way and a third in the last days.
func (s *simCampaign) share(t time.Time) float64 {
	life := s.c.Deadline.Sub(s.c.LaunchedAt)
	x := float64(t.Sub(s.c.LaunchedAt)) / float64(life)
	switch {
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	}
	start := math.Min(x/0.15, 1)
	end := math.Max((x-0.85)/0.15, 0)
	return 0.35*(1-(1-start)*(1-start)) + 0.35*x + 0.30*end*end
}

func (s *simCampaign) at(t time.Time) campaigns.Campaign {
	c := s.c
	c.Pledged = int64(float64(c.Goal) * s.final * s.share(t))
	c.Backers = c.Pledged / s.pledge
	if !t.Before(c.Deadline) {
		c.State = campaigns.StateFailed
		if c.Pledged >= c.Goal {
			c.State = campaigns.StateSuccessful
		}
	}
	c.UpdatedAt = t
	return c
}

// simPlatform generates the campaigns: cfg.campaigns live at the start, at
// every stage of their 30 to 60 days, each replaced by a new one at its
// deadline so the platform stays the same size.
func simPlatform(p simParams, start time.Time, loc *time.Location) []*simCampaign {
	rng := rand.New(rand.NewPCG(p.seed, 42))
	end := start.Add(time.Duration(p.days) * 24 * time.Hour)
	var out []*simCampaign
	for slot := range p.campaigns {
		life := time.Duration(30+rng.IntN(31)) * 24 * time.Hour
		launch := start.Add(-time.Duration(rng.Int64N(int64(life))))
		for n := 0; launch.Before(end); n++ {
			// Deadlines fall at any hour, as creators pick them.
			deadline := launch.Add(life).Truncate(time.Hour).Add(time.Duration(rng.IntN(60)) * time.Minute)
			lang := "fr"
			if rng.IntN(3) == 0 {
				lang = "en"
			}
			c := campaigns.Campaign{
				ID: fmt.Sprintf("c%05d-%d", slot, n), Title: simTitle(rng, lang), Lang: lang, Currency: "EUR",
				URL:  fmt.Sprintf("https://crowd.example.org/p/c%05d-%d", slot, n),
				Goal: int64(math.Round(math.Exp(8+1.0*rng.NormFloat64()))) * 100, LaunchedAt: launch, Deadline: deadline,
				State:   campaigns.StateLive,
				Creator: campaigns.Creator{Name: fmt.Sprintf("Studio %d", slot), XHandle: fmt.Sprintf("studio%d", slot)},
			}
			c.Goal = max(c.Goal, 50_000)
			// About 40 % reach their goal: the final share is log-normal,
			// P(final >= 1) = 0.4.
			final := math.Min(math.Exp(-0.2+0.8*rng.NormFloat64()), 6)
			out = append(out, &simCampaign{c: c, final: final, pledge: int64(3000 + rng.IntN(6000))})
			launch = deadline
			life = time.Duration(30+rng.IntN(31)) * 24 * time.Hour
		}
	}
	return out
}

var simWords = map[string][]string{
	"fr": {"Le Chant", "des Marées", "La Fabrique", "à Sons", "Atlas", "du Ciel", "Les Ateliers", "Lumière", "Carnets", "de Route", "Vélo", "Nomade", "L'Herbier", "Sauvage", "Théâtre", "de Poche", ":", "tome 2", "Jeu", "coopératif"},
	"en": {"Northbound", "Tapes", "Tiny", "Forest", "Kit", "The Last", "Lighthouse", "Pocket", "Sketchbook", "Songs", "of the Road", ":", "Volume 2", "Board Game", "for Two"},
}

func simTitle(rng *rand.Rand, lang string) string {
	w := simWords[lang]
	n := 2 + rng.IntN(5)
	t := w[rng.IntN(len(w))]
	for range n {
		t += " " + w[rng.IntN(len(w))]
	}
	return t
}

// simMilestones fires the milestones of every campaign during the run, tick
// by tick, the way the tracker's rules do: thresholds already passed when the
// run starts are recorded silently, a jump over several thresholds of a
// family in one tick posts only the highest, ending windows and success once.
func simMilestones(p simParams, camps []*simCampaign, start time.Time) map[time.Time][]campaigns.Event {
	rules := campaigns.DefaultRules()
	end := start.Add(time.Duration(p.days) * 24 * time.Hour)
	out := map[time.Time][]campaigns.Event{}
	for _, s := range camps {
		fired := map[campaigns.Milestone]bool{}
		var prev *campaigns.Campaign
		from := s.c.LaunchedAt.Truncate(p.tick)
		if from.Before(start) {
			from = start
		}
		until := s.c.Deadline.Add(p.tick)
		for t := from; !t.After(until) && t.Before(end); t = t.Add(p.tick) {
			snap := s.at(t)
			ev := rules.Evaluate(prev, snap, fired, t)
			for _, m := range ev.Record {
				fired[m] = true
			}
			for _, m := range ev.Post {
				fired[m] = true
				out[t] = append(out[t], campaigns.Event{ID: campaigns.EventID(snap.ID, m), Campaign: snap, Milestone: m, FiredAt: t})
			}
			prev = &snap
			if snap.State.Ended() {
				break
			}
		}
	}
	return out
}

// simCampaignReader answers the folder with each campaign's snapshot at the
// simulated time.
type simCampaignReader struct {
	byID map[string]*simCampaign
	now  func() time.Time
}

func (r simCampaignReader) Get(_ context.Context, id string) (campaigns.Campaign, []campaigns.FiredMilestone, error) {
	s, ok := r.byID[id]
	if !ok {
		return campaigns.Campaign{}, nil, fmt.Errorf("campaign %q: %w", id, campaigns.ErrNotFound)
	}
	return s.at(r.now()), nil, nil
}

// simResult is what a run measured.
type simResult struct {
	fired, toldOwn, toldAny int // milestones × networks
	undecided               int // still fresh when the run stops
	alone, merged, inDigest int // told on time, by how
	maxPerDay               map[string]int
	capExceeded             int
	lateInFreshness         int // published after its post's not_after: must be 0
	delays                  []time.Duration
	posts, digests          map[string]int
	lost                    map[string]int // reason of the milestones not told, by family
}

func (r simResult) percentile(q float64) time.Duration {
	if len(r.delays) == 0 {
		return 0
	}
	d := slices.Clone(r.delays)
	slices.Sort(d)
	return d[min(int(q*float64(len(d))), len(d)-1)]
}

var simLog = quietLog()

var simDiag func(*content.Store, map[string][]string)

func runPlatformSimulation(tb testing.TB, p simParams) simResult {
	ctx := context.Background()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		tb.Fatal(err)
	}
	start := time.Date(2026, 9, 1, 0, 0, 0, 0, paris)
	clk := newClock(start)
	rdb := redistest.Client(tb)
	// Post ids from the clock and a counter, not random: ties between posts
	// made in the same millisecond fall the same way every run.
	var seq uint64
	ids := func() string {
		seq++
		return fmt.Sprintf("%012X%014X", clk.Now().UnixMilli(), seq)
	}
	store, err := content.NewStore(rdb, testPrefix, content.StoreOptions{Now: clk.Now, IDs: ids, AutoApprove: []string{"milestone", "digest"}})
	if err != nil {
		tb.Fatal(err)
	}
	var networks []string
	for n := range p.caps {
		networks = append(networks, n)
	}
	slices.Sort(networks)
	comp, err := composer.New(composer.Options{Now: clk.Now, Logger: quietLog(), PublicURL: "https://fanfare.example.org", Networks: networks})
	if err != nil {
		tb.Fatal(err)
	}
	limits := map[string]NetworkLimits{}
	for n, cap := range p.caps {
		limits[n] = NetworkLimits{DailyCap: cap, MinSpacing: p.spacing[n], CampaignSpacing: 6 * time.Hour}
	}
	sched, err := NewScheduler(store, SchedulerOptions{Networks: limits, QuietHours: &QuietHours{Start: "22:00", End: "08:00"},
		Folding: true, Location: paris, Now: clk.Now, Logger: simLog})
	if err != nil {
		tb.Fatal(err)
	}
	camps := simPlatform(p, start, paris)
	byID := make(map[string]*simCampaign, len(camps))
	for _, s := range camps {
		byID[s.c.ID] = s
	}
	folder := NewFolder(store, sched, comp, simCampaignReader{byID: byID, now: clk.Now}, FoldOptions{Now: clk.Now, Logger: simLog})
	var netcfg []NetworkConfig
	pubs := map[string]Publisher{}
	for n := range p.caps {
		netcfg = append(netcfg, NetworkConfig{Name: n, Enabled: true})
		pubs[n] = newFakeNet(n, clk.Now)
	}
	nets := NewNetworks(rdb, testPrefix, netcfg, clk.Now)
	job, err := NewPublishJob(store, nets, sched, pubs, PublishOptions{Now: clk.Now, Logger: quietLog(), Fold: folder})
	if err != nil {
		tb.Fatal(err)
	}
	events := simMilestones(p, camps, start)

	end := start.Add(time.Duration(p.days) * 24 * time.Hour)
	var fired []campaigns.Event
	for t := start; t.Before(end); t = t.Add(p.tick) {
		clk.Set(t)
		for _, ev := range events[t] {
			if err := comp.Handle(ctx, ev, store); err != nil {
				tb.Fatalf("%s: Handle(%s): %v", t, ev.ID, err)
			}
			fired = append(fired, ev)
		}
		if err := job.Run(ctx); err != nil {
			tb.Fatalf("%s: publish run: %v", t, err)
		}
	}
	// Let what was fired go out or expire: three more days of jobs, the
	// longest freshness but the ending windows'.
	drained := end.Add(72 * time.Hour)
	for t := end; t.Before(drained); t = t.Add(p.tick) {
		clk.Set(t)
		if err := job.Run(ctx); err != nil {
			tb.Fatalf("%s: publish run: %v", t, err)
		}
	}
	return measureSimulation(tb, store, comp, fired, paris, p, drained)
}

func measureSimulation(tb testing.TB, store *content.Store, comp *composer.Composer, fired []campaigns.Event, loc *time.Location, p simParams, drained time.Time) simResult {
	ctx := context.Background()
	r := simResult{maxPerDay: map[string]int{}, posts: map[string]int{}, digests: map[string]int{}, lost: map[string]int{}}
	// When each (network, campaign, milestone) was first published, and how.
	type key struct{ network, campaign, milestone string }
	type told struct {
		at  time.Time
		how string
	}
	published := map[key]told{}
	byCampaign := map[[2]string][]key{} // network, campaign -> milestones published
	perDay := map[[2]string]int{}
	posts, err := store.PublishedSince(ctx, time.Time{})
	if err != nil {
		tb.Fatal(err)
	}
	for _, post := range posts {
		r.posts[post.Network]++
		if post.Kind == content.KindDigest {
			r.digests[post.Network]++
		}
		if !post.NotAfter.IsZero() && post.PublishedAt.After(post.NotAfter) {
			r.lateInFreshness++
		}
		day := [2]string{post.Network, post.PublishedAt.In(loc).Format("2006-01-02")}
		perDay[day]++
		how := "alone"
		switch {
		case post.Kind == content.KindDigest:
			how = "digest"
		case len(post.Covers) > 1:
			how = "merged"
		}
		for _, cv := range post.Covers {
			k := key{post.Network, cv.CampaignID, cv.Milestone}
			if old, ok := published[k]; !ok || post.PublishedAt.Before(old.at) {
				published[k] = told{post.PublishedAt, how}
			}
			byCampaign[[2]string{post.Network, cv.CampaignID}] = append(byCampaign[[2]string{post.Network, cv.CampaignID}], k)
		}
	}
	for day, n := range perDay {
		r.maxPerDay[day[0]] = max(r.maxPerDay[day[0]], n)
		if n > p.caps[day[0]] {
			r.capExceeded++
		}
	}
	lostKeys := map[string][]string{}
	defer func() {
		if simDiag != nil {
			simDiag(store, lostKeys)
		}
	}()
	for _, ev := range fired {
		drafts, err := comp.Compose(ev) // pure: the freshness the post had
		if err != nil {
			tb.Fatal(err)
		}
		for _, d := range drafts {
			if d.NotAfter.IsZero() || d.NotAfter.After(drained) {
				// Still news when the run stops (the last days of a campaign
				// ending after it): not decided yet.
				r.undecided++
				continue
			}
			r.fired++
			k := key{d.Network, ev.Campaign.ID, string(ev.Milestone)}
			t, ok := published[k]
			if ok && (d.NotAfter.IsZero() || !t.at.After(d.NotAfter)) {
				r.toldOwn++
				r.toldAny++
				r.delays = append(r.delays, t.at.Sub(ev.FiredAt))
				switch t.how {
				case "alone":
					r.alone++
				case "merged":
					r.merged++
				default:
					r.inDigest++
				}
				continue
			}
			// Told by newer news about the campaign that makes it stale (100 %
			// tells 50 %, a success tells the last hours), within that news'
			// own freshness.
			newer := false
			for _, o := range byCampaign[[2]string{d.Network, ev.Campaign.ID}] {
				if composer.Supersedes(o.milestone, k.milestone) {
					newer = true
					break
				}
			}
			if newer {
				r.toldAny++
				continue
			}
			fam, _, _ := cutFamily(string(ev.Milestone))
			r.lost[fam]++
			lostKeys[d.Network+"|"+ev.Campaign.ID+"|"+string(ev.Milestone)] = nil
		}
	}
	return r
}

func cutFamily(m string) (string, string, bool) {
	for i := range len(m) {
		if m[i] == ':' {
			return m[:i], m[i+1:], true
		}
	}
	return m, "", false
}

func (r simResult) log(tb testing.TB, p simParams) {
	tb.Logf("platform simulation: %d live campaigns, %d days, caps %v a day, tick %s, seed %d", p.campaigns, p.days, p.caps, p.tick, p.seed)
	tb.Logf("milestones fired × networks: %d; told within their freshness: %.2f %% (alone %d, merged %d, in a digest %d); counting newer news that makes them stale: %.2f %%",
		r.fired, 100*float64(r.toldOwn)/float64(r.fired), r.alone, r.merged, r.inDigest, 100*float64(r.toldAny)/float64(r.fired))
	tb.Logf("not told in time, by family: %v; still fresh when the run stopped (not counted): %d", r.lost, r.undecided)
	tb.Logf("posts published: %v, of which digests %v; most in one day: %v; days over a cap: %d; posts after their not_after: %d",
		r.posts, r.digests, r.maxPerDay, r.capExceeded, r.lateInFreshness)
	tb.Logf("delay from milestone to publication: p50 %s, p95 %s", r.percentile(0.5).Round(time.Minute), r.percentile(0.95).Round(time.Minute))
}

// ciSimulation is the size CI runs: a tenth of the platform of issue 9,
// with caps that still bind hard (a post a day for every 15 milestones on X,
// every 20 on Facebook: most milestones are told in digests) yet leave each
// language a few digests a day, as the full-size caps do.
func ciSimulation() simParams {
	p := simParams{campaigns: 2000, days: 30, caps: map[string]int{"x": 12, "facebook": 8},
		spacing: map[string]time.Duration{"x": 15 * time.Minute, "facebook": 30 * time.Minute}, tick: 15 * time.Minute, seed: 1}
	if raceEnabled {
		// The same platform for a third of the month: the race detector
		// makes every Redis round trip several times slower.
		p.days = 10
	}
	if *simCampaigns > 0 {
		// The full size: caps as the issue says, for the campaigns asked.
		p.campaigns = *simCampaigns
		p.caps = map[string]int{"x": 50, "facebook": 25}
	}
	if *simDays > 0 {
		p.days = *simDays
	}
	return p
}

// TestPlatformSimulation runs the platform and holds the goals of issue 9:
// at least 99 % of milestones told within their freshness (alone, merged or
// in a digest, or by newer news that makes them stale), never above a cap,
// never after a post's not_after. Run it at full size with
//
//	go test -run TestPlatformSimulation -v -sim.campaigns 20000 ./bots/
func TestPlatformSimulation(t *testing.T) {
	p := ciSimulation()
	r := runPlatformSimulation(t, p)
	r.log(t, p)
	if got := float64(r.toldAny) / float64(r.fired); got < 0.99 {
		t.Errorf("%.2f %% of milestones told within their freshness, want at least 99 %%", 100*got)
	}
	if r.capExceeded > 0 {
		t.Errorf("%d network-days over their cap", r.capExceeded)
	}
	if r.lateInFreshness > 0 {
		t.Errorf("%d posts published after their not_after", r.lateInFreshness)
	}
	for n, cap := range p.caps {
		if r.maxPerDay[n] > cap {
			t.Errorf("%s: %d posts in one day, cap %d", n, r.maxPerDay[n], cap)
		}
	}
	if r.inDigest == 0 {
		t.Error("no milestone was told in a digest: the caps did not bind")
	}
}

// Set moves the clock to t.
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

package impact

import (
	"flag"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
)

var simPosts = flag.Int("sim.posts", 300/raceSlowdown, "posts per lift simulation")

// poisson draws a Poisson count by inversion (rates here are small).
func poisson(rng *rand.Rand, lambda float64) int64 {
	l, k, p := math.Exp(-lambda), int64(0), 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// simSeries is a campaign's hourly history from t-24h to t+72h: new backers
// each hour are Poisson with the campaign's base rate times a trend shared
// by campaigns at the same stage (the rush of a campaign's last days: +60 %
// over the four days), times lift after t.
func simSeries(rng *rand.Rand, t time.Time, base, lift float64) Series {
	start := t.Add(-BeforeHours * time.Hour)
	s := Series{{At: start, Pledged: 0, Backers: 0}}
	var pledged, backers int64
	const hours = BeforeHours + 72
	for h := range hours {
		rate := base * (1 + 0.6*float64(h)/hours)
		if h >= BeforeHours {
			rate *= 1 + lift
		}
		n := poisson(rng, rate)
		backers += n
		for range n {
			pledged += 1000 + rng.Int64N(6000) // 10 to 70 in minor units
		}
		s = append(s, campaigns.Sample{At: start.Add(time.Duration(h+1) * time.Hour), Pledged: pledged, Backers: backers})
	}
	return s
}

type simResult struct {
	covered, claimed, n int
	estimates           []float64
	width               float64
}

func (r *simResult) median() float64 {
	xs := slices.Clone(r.estimates)
	slices.Sort(xs)
	return xs[len(xs)/2]
}

// simulateLift plants a lift on posts whose campaigns have 8 comparable
// campaigns each, and estimates it 72 h later.
func simulateLift(seed uint64, posts int, planted float64) (cmp, own map[int]*simResult) {
	rng := rand.New(rand.NewPCG(seed, 1))
	t := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	cmp, own = map[int]*simResult{}, map[int]*simResult{}
	for _, h := range LiftWindows {
		cmp[h], own[h] = &simResult{}, &simResult{}
	}
	for i := range posts {
		base := 2 + rng.Float64()*8 // 2 to 10 backers an hour
		hist := simSeries(rng, t, base, planted)
		var comps []Series
		for range 8 {
			comps = append(comps, simSeries(rng, t, 2+rng.Float64()*8, 0))
		}
		l := EstimateLift("c", t, t.Add(72*time.Hour), hist, comps, uint64(i))
		for _, w := range l.Windows {
			tally := func(r *simResult, e *Estimate) {
				if e == nil {
					return
				}
				r.n++
				r.estimates = append(r.estimates, e.Lift)
				r.width += e.High - e.Low
				if e.Low <= planted && planted <= e.High {
					r.covered++
				}
				if e.Claimed {
					r.claimed++
				}
			}
			tally(cmp[w.Hours], w.Comparable)
			tally(own[w.Hours], w.Own)
		}
	}
	return cmp, own
}

// TestLiftSimulationRecoversPlantedLift: a planted +15 % lift is inside
// the 95 % interval of the comparison with comparable campaigns for about
// 95 % of posts (at least 90 % asserted), and the median estimate is
// within 3 points of it, even though every campaign's pledges rise by 60 %
// over the four days (which the comparison with the campaign's own past
// wrongly counts as lift).
func TestLiftSimulationRecoversPlantedLift(t *testing.T) {
	cmp, own := simulateLift(42, *simPosts, 0.15)
	for _, h := range LiftWindows {
		c := cmp[h]
		if c.n != *simPosts {
			t.Fatalf("%d h: %d estimates for %d posts", h, c.n, *simPosts)
		}
		cov, avg := float64(c.covered)/float64(c.n), c.median()
		t.Logf("planted +15 %%, %2d h: comparable: covered %.1f %%, median %+.3f, mean interval width %.3f, claimed %.1f %%; own: median %+.3f covered %.1f %%",
			h, 100*cov, avg, c.width/float64(c.n), 100*float64(c.claimed)/float64(c.n),
			own[h].median(), 100*float64(own[h].covered)/float64(own[h].n))
		if cov < 0.90 {
			t.Errorf("%d h: the planted lift is inside %.1f %% of the intervals, want about 95 %%", h, 100*cov)
		}
		if math.Abs(avg-0.15) > 0.03 {
			t.Errorf("%d h: median estimate %+.3f, planted +0.15", h, avg)
		}
	}
}

// TestLiftSimulationClaimsNoLiftWhereNone: with no lift planted, at most
// 5 % of posts are said to have moved pledges (their interval leaves out
// zero), per window.
func TestLiftSimulationClaimsNoLiftWhereNone(t *testing.T) {
	cmp, _ := simulateLift(7, *simPosts, 0)
	for _, h := range LiftWindows {
		c := cmp[h]
		fp := float64(c.claimed) / float64(c.n)
		t.Logf("no lift, %2d h: claimed for %.1f %% of %d posts, median estimate %+.3f", h, 100*fp, c.n, c.median())
		if fp > 0.05 {
			t.Errorf("%d h: a lift is claimed for %.1f %% of posts with none", h, 100*fp)
		}
	}
}

package impact

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fanfarehq/fanfare/content"
)

// Arm is what a template variant did in one (network, language, family).
type Arm struct {
	Variant     string `json:"variant"` // "v2"
	Posts       int64  `json:"posts"`
	Clicks      int64  `json:"clicks"`
	Impressions int64  `json:"impressions"` // 0 where the network reports none
}

// BanditKey names where variants compete: a network, a language and a
// milestone family.
type BanditKey struct {
	Network, Lang, Family string
}

func (k BanditKey) String() string { return k.Network + "/" + k.Lang + "/" + k.Family }

// ParseBanditKey reads "network/lang/family".
func ParseBanditKey(s string) (BanditKey, error) {
	parts := strings.Split(s, "/")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return BanditKey{}, fmt.Errorf("impact: %q is not network/lang/family", s)
	}
	return BanditKey{parts[0], parts[1], parts[2]}, nil
}

// Bandit chooses template variants by Thompson sampling on click-through:
// each variant's clicks per exposure (per impression when every post of
// its key has impressions, else per published post) has a Gamma posterior
// from a Gamma(1, 1) prior, the same for all, so new variants start
// uniform; a draw from each posterior, and the highest draw's variant is
// written. A variant a person pinned is always written.
//
// Choose needs no I/O: Run refreshes the statistics from Redis every few
// minutes, on each replica.
type Bandit struct {
	s     *Service
	every time.Duration
	log   *slog.Logger

	mu    sync.RWMutex
	arms  map[BanditKey]map[string]Arm
	pins  map[BanditKey]string
	since time.Duration
}

// BanditWindow is how far back published posts teach the bandit.
const BanditWindow = 90 * 24 * time.Hour

// NewBandit returns a bandit that learns from s's posts.
func NewBandit(s *Service, every time.Duration) *Bandit {
	if every <= 0 {
		every = 5 * time.Minute
	}
	return &Bandit{s: s, every: every, log: s.log.With("component", "bandit"),
		arms: map[BanditKey]map[string]Arm{}, pins: map[BanditKey]string{}}
}

// Run refreshes the statistics now and every few minutes until ctx ends.
func (b *Bandit) Run(ctx context.Context) error {
	t := time.NewTicker(b.every)
	defer t.Stop()
	for {
		if err := b.Refresh(ctx); err != nil && ctx.Err() == nil {
			b.log.Warn("unable to refresh variant statistics: keeping the last ones", "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Refresh reads the published posts' clicks and impressions, and the pins.
func (b *Bandit) Refresh(ctx context.Context) error {
	posts, err := b.s.posts.PublishedSince(ctx, b.s.now().Add(-BanditWindow))
	if err != nil {
		return err
	}
	posts = slices.DeleteFunc(posts, func(p content.Post) bool { return p.Variant == "" })
	ids := make([]string, len(posts))
	for i, p := range posts {
		ids[i] = p.ID
	}
	clicks, err := b.s.links.Clicks(ctx, ids)
	if err != nil {
		return err
	}
	var impressions map[string]int64
	if b.s.eng != nil {
		if impressions, err = b.s.eng.Impressions(ctx, ids); err != nil {
			return err
		}
	}
	arms := map[BanditKey]map[string]Arm{}
	for _, p := range posts {
		fam, v, ok := strings.Cut(p.Variant, "/")
		if !ok {
			continue
		}
		k := BanditKey{p.Network, p.Lang, fam}
		if arms[k] == nil {
			arms[k] = map[string]Arm{}
		}
		a := arms[k][v]
		a.Variant = v
		a.Posts++
		a.Clicks += clicks[p.ID].Clicks
		a.Impressions += impressions[p.ID]
		arms[k][v] = a
	}
	raw, err := b.s.links.rdb.HGetAll(ctx, b.s.links.k.pins()).Result()
	if err != nil {
		return fmt.Errorf("impact: unable to read pinned variants: %w", err)
	}
	pins := map[BanditKey]string{}
	for k, v := range raw {
		if bk, err := ParseBanditKey(k); err == nil {
			pins[bk] = v
		}
	}
	b.mu.Lock()
	b.arms, b.pins = arms, pins
	b.mu.Unlock()
	return nil
}

// Pin makes a person's choice of variant for a key; "" lets the bandit
// choose again. It takes effect at the next Refresh on each replica (on this
// one at once).
func (b *Bandit) Pin(ctx context.Context, k BanditKey, variant string) error {
	var err error
	if variant == "" {
		err = b.s.links.rdb.HDel(ctx, b.s.links.k.pins(), k.String()).Err()
	} else {
		err = b.s.links.rdb.HSet(ctx, b.s.links.k.pins(), k.String(), variant).Err()
	}
	if err != nil {
		return fmt.Errorf("impact: unable to pin a variant of %s: %w", k, err)
	}
	b.mu.Lock()
	if variant == "" {
		delete(b.pins, k)
	} else {
		b.pins[k] = variant
	}
	b.mu.Unlock()
	return nil
}

// Choose picks one of variants (template variant names, "v1"…) for a post
// on network in lang telling family: the pinned one, else by Thompson
// sampling; -1 while no post of that key has been published (the composer
// then rotates its variants, which is as even and keeps its texts as they
// were). seed makes the draw repeatable (the same event, the same
// statistics, the same text).
func (b *Bandit) Choose(network, lang, family string, variants []string, seed uint64) int {
	if len(variants) <= 1 {
		return 0
	}
	k := BanditKey{network, lang, family}
	b.mu.RLock()
	pin, arms := b.pins[k], b.arms[k]
	b.mu.RUnlock()
	if i := slices.Index(variants, pin); pin != "" && i >= 0 {
		return i
	}
	if len(arms) == 0 {
		return -1
	}
	return thompson(variants, arms, rand.New(rand.NewPCG(seed, 0xba5d17)))
}

// thompson draws a click rate for each variant from its posterior and
// returns the best draw's index.
func thompson(variants []string, arms map[string]Arm, rng *rand.Rand) int {
	perImpression := len(arms) > 0
	for _, v := range variants {
		if a, ok := arms[v]; ok && a.Posts > 0 && a.Impressions == 0 {
			perImpression = false
		}
	}
	best, bestDraw := 0, -1.0
	for i, v := range variants {
		a := arms[v]
		exposure := float64(a.Posts)
		if perImpression {
			exposure = float64(a.Impressions) / 1000 // per thousand impressions
		}
		d := gammaDraw(rng, 1+float64(a.Clicks)) / (1 + exposure)
		if d > bestDraw {
			best, bestDraw = i, d
		}
	}
	return best
}

// gammaDraw draws from Gamma(shape, 1) (Marsaglia and Tsang, 2000).
func gammaDraw(rng *rand.Rand, shape float64) float64 {
	if shape < 1 {
		return gammaDraw(rng, shape+1) * math.Pow(rng.Float64(), 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if u < 1-0.0331*x*x*x*x || math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}

// ArmStats is a key's variants as the page shows them: each variant's
// record, the share of new posts the bandit would give it now, and the
// pinned variant if any.
type ArmStats struct {
	Key    BanditKey
	Arms   []Arm
	Shares map[string]float64
	Pinned string
}

// Stats lists every key the bandit has seen, with the share of 1,000
// simulated choices each variant would get now.
func (b *Bandit) Stats() []ArmStats {
	b.mu.RLock()
	defer b.mu.RUnlock()
	var out []ArmStats
	for k, arms := range b.arms {
		st := ArmStats{Key: k, Pinned: b.pins[k], Shares: map[string]float64{}}
		var names []string
		for v, a := range arms {
			st.Arms = append(st.Arms, a)
			names = append(names, v)
		}
		slices.Sort(names)
		slices.SortFunc(st.Arms, func(x, y Arm) int { return strings.Compare(x.Variant, y.Variant) })
		rng := rand.New(rand.NewPCG(1, 2))
		for range 1000 {
			st.Shares[names[thompson(names, arms, rng)]] += 0.001
		}
		if st.Pinned != "" {
			clear(st.Shares)
			st.Shares[st.Pinned] = 1
		}
		out = append(out, st)
	}
	slices.SortFunc(out, func(x, y ArmStats) int { return strings.Compare(x.Key.String(), y.Key.String()) })
	return out
}

package impact

import (
	"math/rand/v2"
	"testing"
)

// TestBanditSimulationFindsTheBetterVariant: variant B brings 30 % more
// clicks per post than A (Poisson, 2 against 2.6). After 200 posts chosen
// by the bandit and learnt from, it gives B at least 80 % of new posts, on
// average over 100 seeded runs.
func TestBanditSimulationFindsTheBetterVariant(t *testing.T) {
	variants := []string{"v1", "v2"}
	rates := map[string]float64{"v1": 2.0, "v2": 2.6}
	const runs, posts, next = 100, 200, 1000
	var total float64
	worst, atLeast80 := 1.0, 0
	for run := range runs {
		rng := rand.New(rand.NewPCG(uint64(run), 99))
		arms := map[string]Arm{}
		for i := range posts {
			v := variants[thompson(variants, arms, rand.New(rand.NewPCG(uint64(run), uint64(i))))]
			a := arms[v]
			a.Variant = v
			a.Posts++
			a.Clicks += poisson(rng, rates[v])
			arms[v] = a
		}
		b := 0
		for i := range next {
			if thompson(variants, arms, rand.New(rand.NewPCG(uint64(run), uint64(posts+i)))) == 1 {
				b++
			}
		}
		share := float64(b) / next
		total += share
		worst = min(worst, share)
		if share >= 0.8 {
			atLeast80++
		}
	}
	avg := total / runs
	t.Logf("after %d posts, B (+30 %% clicks) gets %.1f %% of new posts on average over %d runs; %d runs give it 80 %% or more (worst run %.1f %%)",
		posts, 100*avg, runs, atLeast80, 100*worst)
	if avg < 0.80 {
		t.Errorf("B gets %.1f %% of new posts, want at least 80 %%", 100*avg)
	}
}

// TestBanditStartsUniform: with no posts yet, every variant is as likely.
func TestBanditStartsUniform(t *testing.T) {
	variants := []string{"v1", "v2", "v3"}
	counts := make([]int, 3)
	for i := range 30000 {
		counts[thompson(variants, nil, rand.New(rand.NewPCG(uint64(i), 3)))]++
	}
	for i, n := range counts {
		if n < 9400 || n > 10600 {
			t.Errorf("variant %d chosen %d times of 30000, want about 10000", i, n)
		}
	}
}

// TestBanditPerImpression: where every post has impressions, click-through
// is per impression: fewer clicks on far fewer impressions win.
func TestBanditPerImpression(t *testing.T) {
	variants := []string{"v1", "v2"}
	arms := map[string]Arm{
		"v1": {Variant: "v1", Posts: 50, Clicks: 500, Impressions: 500_000}, // 1 per 1000
		"v2": {Variant: "v2", Posts: 50, Clicks: 300, Impressions: 100_000}, // 3 per 1000
	}
	v2 := 0
	for i := range 1000 {
		if thompson(variants, arms, rand.New(rand.NewPCG(uint64(i), 4))) == 1 {
			v2++
		}
	}
	if v2 < 990 {
		t.Errorf("v2 (3 clicks per 1000 impressions against 1) chosen %d times of 1000", v2)
	}
	// Without impressions on one variant, both are compared per post.
	arms["v2"] = Arm{Variant: "v2", Posts: 50, Clicks: 300}
	v2 = 0
	for i := range 1000 {
		if thompson(variants, arms, rand.New(rand.NewPCG(uint64(i), 5))) == 1 {
			v2++
		}
	}
	if v2 > 10 {
		t.Errorf("per post, v1 (10 clicks a post) loses %d times of 1000 to v2 (6 a post)", v2)
	}
}

func TestGammaDrawMean(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, shape := range []float64{0.5, 1, 3, 40} {
		var s float64
		const n = 20000
		for range n {
			s += gammaDraw(rng, shape)
		}
		if m := s / n; m < shape*0.95 || m > shape*1.05 {
			t.Errorf("Gamma(%g) mean %.3f", shape, m)
		}
	}
}

// TestBanditChoose: a pin wins; a key never published is left to the
// composer's rotation (-1); a key with posts is sampled.
func TestBanditChoose(t *testing.T) {
	b := &Bandit{arms: map[BanditKey]map[string]Arm{
		{"x", "fr", "percent"}: {"v1": {Variant: "v1", Posts: 40, Clicks: 400}, "v2": {Variant: "v2", Posts: 40, Clicks: 40}},
	}, pins: map[BanditKey]string{{"x", "en", "launch"}: "v3"}}
	vs := []string{"v1", "v2", "v3"}
	if got := b.Choose("x", "en", "launch", vs, 1); got != 2 {
		t.Errorf("pinned v3: chose %d", got)
	}
	if got := b.Choose("x", "fr", "launch", vs, 1); got != -1 {
		t.Errorf("no data: chose %d, want -1", got)
	}
	if got := b.Choose("x", "fr", "percent", vs[:2], 1); got != 0 {
		t.Errorf("v1 (10 clicks a post against 1): chose %d", got)
	}
	if got := b.Choose("x", "fr", "percent", vs[:1], 1); got != 0 {
		t.Errorf("one variant: chose %d", got)
	}
}

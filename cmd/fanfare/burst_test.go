package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/content"
)

// shiftClock is the wall clock moved forward by a settable offset: the
// daemon's jobs run in real time, their rules see the shifted time.
type shiftClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *shiftClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *shiftClock) shift(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off += d
}

// TestBurstToldUnderCaps is issue 9's "done when": ten campaigns cross 50 %
// in the same minute against caps of two posts a day on X and on the Page.
// Every milestone is told, alone or in a digest, on each network; never
// above a cap; never after its freshness; and each post's covers say which
// milestones it tells.
func TestBurstToldUnderCaps(t *testing.T) {
	xs, fb, networks := fakeNetworks(t, "daily_cap: 2")
	cfg := testConfig(t, fmt.Sprintf(`
timezone: Europe/Paris
campaigns:
  webhook:
    secrets: [%q]
%sschedule:
  publish: "@every 1s"
approval:
  auto_approve: [milestone, digest]
http:
%s`, e2eWebhookSecret, networks, e2eAPITokenYAML("admin")))
	clock := &shiftClock{}
	m := startMain(t, cfg, func(m *Main) { m.Now = clock.Now })

	now := time.Now().UTC()
	campaign := func(i int, pledged int64, updated time.Time) map[string]any {
		return map[string]any{
			"id": fmt.Sprintf("burst-%02d", i), "title": fmt.Sprintf("Projet %02d", i), "url": fmt.Sprintf("https://www.example.org/projects/%d", i),
			"lang": "fr", "currency": "EUR", "goal": 1_000_000, "pledged": pledged, "backers": 3,
			"launched_at": now.Add(-10 * 24 * time.Hour).Format(time.RFC3339), "deadline": now.Add(20 * 24 * time.Hour).Format(time.RFC3339),
			"state": "live", "updated_at": updated.Format(time.RFC3339Nano),
			"creator": map[string]any{"name": fmt.Sprintf("Studio %02d", i), "x_handle": fmt.Sprintf("studio%02d", i)},
		}
	}
	const n = 10
	for i := range n {
		postWebhook(t, m, campaign(i, 400_000, now.Add(-2*time.Minute))) // first sight at 40 %: nothing to tell
	}
	for i := range n {
		postWebhook(t, m, campaign(i, 550_000, now.Add(-time.Minute))) // 50 %
	}

	// Today: two posts on each network; the rest folded into a digest.
	waitFor(t, "two posts on X and two on the Page", 20*time.Second, func() (bool, error) {
		return len(xs.Posts()) >= 2 && len(fb.Posts()) >= 2, nil
	})
	// Tomorrow, a minute after midnight in Paris: well within the 24 h
	// freshness of a milestone fired now.
	paris, _ := time.LoadLocation("Europe/Paris")
	local := clock.Now().In(paris)
	clock.shift(time.Date(local.Year(), local.Month(), local.Day()+1, 0, 1, 0, 0, paris).Sub(local))
	waitFor(t, "every milestone told on each network", 30*time.Second, func() (bool, error) {
		told, _ := toldByNetwork(t, m)
		return len(told["x"]) == n && len(told["facebook"]) == n, nil
	})
	// A few more publish runs change nothing.
	time.Sleep(2500 * time.Millisecond)

	told, posts := toldByNetwork(t, m)
	perDay := map[string]int{}
	digests := 0
	for _, p := range posts {
		day := p.Network + " " + p.PublishedAt.In(paris).Format("2006-01-02")
		perDay[day]++
		if perDay[day] > 2 {
			t.Errorf("%s: more than 2 posts", day)
		}
		if !p.NotAfter.IsZero() && p.PublishedAt.After(p.NotAfter) {
			t.Errorf("post %s published at %s, after its not_after %s", p.ID, p.PublishedAt, p.NotAfter)
		}
		if len(p.Covers) == 0 || (p.Kind == content.KindDigest) != (len(p.Covers) > 1) {
			t.Errorf("post %s (%s) covers %v", p.ID, p.Kind, p.Covers)
		}
		if p.Kind == content.KindDigest {
			digests++
		}
	}
	for _, net := range []string{"x", "facebook"} {
		if len(told[net]) != n {
			t.Errorf("%s tells %d of %d milestones", net, len(told[net]), n)
		}
	}
	if got := len(xs.Posts()) + len(fb.Posts()); got != len(posts) || digests < 2 {
		t.Errorf("the networks hold %d posts, the API lists %d published, %d of them digests", got, len(posts), digests)
	}
}

// toldByNetwork lists the published posts through the API, and which
// campaigns' percent:50 each network tells.
func toldByNetwork(t *testing.T, m *Main) (map[string]map[string]bool, []content.Post) {
	t.Helper()
	req, _ := http.NewRequest("GET", m.URL()+"/api/v1/posts?state=published&limit=500", nil)
	req.Header.Set("Authorization", "Bearer "+e2eAPIToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Items []content.Post `json:"items"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	told := map[string]map[string]bool{"x": {}, "facebook": {}}
	for _, p := range list.Items {
		for _, c := range p.Covers {
			if c.Milestone == "percent:50" {
				told[p.Network][c.CampaignID] = true
			}
		}
	}
	return told, list.Items
}

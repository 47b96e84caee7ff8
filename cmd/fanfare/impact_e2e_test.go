package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/fanfarehq/fanfare/bots/x/xfake"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/impact"
	"github.com/fanfarehq/fanfare/web/webhook"
)

// TestImpactOfAPublishedPost is issue 13's "done when": in `fanfare run`
// with fake networks, a published post's text carries its short link; 10
// browser clicks and 5 robot fetches on it show clicks: 10 in the API;
// pledges that come in after it show in its lift (against its own rate and
// four comparable campaigns), and the ones the platform reports through
// /hooks/pledges as attributed; the Impact page says which variant and
// which milestone family work best.
func TestImpactOfAPublishedPost(t *testing.T) {
	xs, _, networks := fakeNetworks(t)
	cfg := testConfig(t, fmt.Sprintf(`
campaigns:
  webhook:
    secrets: [%q]
links:
  shortener: first_party
%sschedule:
  publish: "@every 1s"
approval:
  auto_approve: ["milestone:percent:50"]
  merge_window: 0s
  digests: false
http:
  # The browsers' addresses come from X-Forwarded-For, set by the test as a
  # reverse proxy on the same host would.
  trusted_proxies: [127.0.0.1/32]
%s`, e2eWebhookSecret, networks, e2eAPITokenYAML("write")))
	clock := &shiftClock{}
	var console bytes.Buffer
	m := startMain(t, cfg, func(m *Main) { m.Now = clock.Now; m.Console = &console })
	dashboard := loginOnce(t, console.String())

	now0 := clock.Now().UTC().Truncate(time.Second)
	launched, deadline := now0.Add(-10*24*time.Hour), now0.Add(20*24*time.Hour)
	campaign := func(id string, pledged, backers int64, at time.Time) map[string]any {
		return map[string]any{
			"id": id, "title": "Projet " + id, "url": "https://www.example.org/projects/" + id,
			"lang": "fr", "currency": "EUR", "goal": 1_000_000, "pledged": pledged, "backers": backers, "category": "film",
			"launched_at": launched.Format(time.RFC3339), "deadline": deadline.Format(time.RFC3339),
			"state": "live", "updated_at": at.Format(time.RFC3339Nano),
			"creator": map[string]any{"name": "Studio " + id, "x_handle": "studio_" + strings.ReplaceAll(id, "-", "")},
		}
	}
	ids := []string{"imp-post", "imp-c1", "imp-c2", "imp-c3", "imp-c4"}
	// 30 hours of history: 5 new backers an hour each, under 25 % funded.
	for h := 30; h >= 1; h-- {
		for _, id := range ids {
			n := int64(30 - h)
			postWebhookAt(t, m, clock.Now(), campaign(id, 100_000+5_000*n, 3+5*n, now0.Add(-time.Duration(h)*time.Hour)))
		}
	}
	// Two campaigns of another category, seen at 40 %.
	for _, id := range []string{"imp-o1", "imp-o2"} {
		c := campaign(id, 400_000, 40, now0.Add(-2*time.Hour))
		c["category"] = "music"
		postWebhookAt(t, m, clock.Now(), c)
	}
	// The campaign crosses 50 %: a post on each network, approved by rule;
	// and so do the two others, without clicks.
	postWebhookAt(t, m, clock.Now(), campaign("imp-post", 550_000, 160, now0))
	for _, id := range []string{"imp-o1", "imp-o2"} {
		c := campaign(id, 550_000, 50, now0)
		c["category"] = "music"
		postWebhookAt(t, m, clock.Now(), c)
	}

	var post content.Post
	waitFor(t, "the percent:50 post published on X", 30*time.Second, func() (bool, error) {
		ps := apiPosts(t, m, "state=published&network=x&campaign_id=imp-post")
		if len(ps) > 0 {
			post = ps[0]
		}
		return len(ps) > 0, nil
	})
	shortURL := m.URL() + impact.RedirectPath
	if !strings.HasPrefix(post.Link, shortURL) || !strings.Contains(post.Text, post.Link) {
		t.Fatalf("post link %q text %q: want its own %s… link in the text", post.Link, post.Text, shortURL)
	}
	sent := xs.Posts()
	if !slices.ContainsFunc(sent, func(p xfake.Post) bool { return strings.Contains(p.Text, post.Link) }) {
		t.Fatalf("X received %d posts, none with %s", len(sent), post.Link)
	}
	fbPosts := apiPosts(t, m, "state=published&network=facebook&campaign_id=imp-post")
	if len(fbPosts) != 1 || !strings.HasPrefix(fbPosts[0].Link, shortURL) || fbPosts[0].Link == post.Link {
		t.Fatalf("the Page's post: %+v, want a short link of its own", fbPosts)
	}

	// 10 clicks from browsers, 5 fetches by link previews and robots.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	visit := func(ua, addr string) {
		req, _ := http.NewRequest("GET", post.Link, nil)
		req.Header.Set("User-Agent", ua)
		req.Header.Set("X-Forwarded-For", addr)
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusFound || !strings.Contains(loc, "utm_content="+post.ID) || !strings.Contains(loc, "utm_campaign=fanfare") ||
			!strings.HasPrefix(loc, "https://www.example.org/projects/imp-post?") {
			t.Fatalf("short link answered %d to %q", resp.StatusCode, loc)
		}
	}
	browsers := []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
	}
	for i := range 10 {
		visit(browsers[i%2], fmt.Sprintf("203.0.113.%d", i))
	}
	for _, ua := range []string{"Twitterbot/1.0", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
		"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
		"WhatsApp/2.23.20.0 A"} {
		visit(ua, "198.51.100.7")
	}
	if resp, err := http.Get(m.URL() + "/r/NoSuchCode1"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown code: %v %v", resp, err)
	}
	var got postImpactJSON
	waitFor(t, "clicks: 10 in the API", 10*time.Second, func() (bool, error) {
		got = apiPostImpact(t, m, post.ID)
		return got.Clicks == 10, nil
	})
	if got.UniqueVisitors != 10 {
		t.Errorf("unique_visitors %d, want 10 (ten addresses)", got.UniqueVisitors)
	}

	// Seven hours later: the post's campaign got 10 new backers an hour,
	// twice its rate before; the comparable campaigns kept theirs.
	clock.shift(7*time.Hour + 5*time.Minute)
	pub := post.PublishedAt
	for h := 1; h <= 7; h++ {
		for i, id := range ids {
			n := int64(29 + h)
			if i == 0 {
				postWebhookAt(t, m, clock.Now(), campaign(id, 550_000+10_000*int64(h), 160+10*int64(h), pub.Add(time.Duration(h)*time.Hour)))
				continue
			}
			postWebhookAt(t, m, clock.Now(), campaign(id, 100_000+5_000*n, 3+5*n, pub.Add(time.Duration(h)*time.Hour)))
		}
	}
	// The platform reports three pledges that came through the post.
	body := fmt.Sprintf(`{"pledges":[{"id":"pl-1","utm_content":%q,"amount":2500,"currency":"EUR"},`+
		`{"id":"pl-2","utm_content":%[1]q,"amount":4000,"currency":"EUR"},{"id":"pl-3","utm_content":%[1]q,"amount":1000,"currency":"EUR"}]}`, post.ID)
	req, _ := http.NewRequest("POST", m.URL()+"/hooks/pledges", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(webhook.SignatureHeader, webhook.Sign(e2eWebhookSecret, clock.Now(), []byte(body)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("pledge hook: %d %s", resp.StatusCode, b)
	}

	got = apiPostImpact(t, m, post.ID)
	if got.AttributedPledges != 3 || got.Clicks != 10 {
		t.Errorf("attributed_pledges %d clicks %d, want 3 and 10", got.AttributedPledges, got.Clicks)
	}
	if got.Lift == nil || !got.Lift.Estimated || !strings.Contains(got.Lift.Method, "estimated") || len(got.Lift.Windows) != 3 {
		t.Fatalf("lift %+v: want an estimate for 6, 24 and 72 h", got.Lift)
	}
	w6 := got.Lift.Windows[0]
	// Before: 5 an hour for 23 hours, and the 12 of the snapshot that
	// crossed 50 % (33 → 160 backers).
	if w6.Hours != 6 || !w6.Complete || w6.Backers != 60 || w6.BackersBefore != 127 || w6.Own == nil || w6.Comparable == nil || w6.Comparables != 4 {
		t.Fatalf("6 h window %+v (own %+v comparable %+v): want 60 backers after, 127 before, compared with 4 campaigns", w6, w6.Own, w6.Comparable)
	}
	// Twice the usual rate (10 an hour against 5, 127/24 ≈ 5.3 with the
	// jump): about +90 %, inside its interval, and claimed.
	for name, e := range map[string]*impact.Estimate{"own": w6.Own, "comparable": w6.Comparable} {
		if e.Lift < 0.7 || e.Lift > 1.1 || e.Low > e.Lift || e.High < e.Lift || e.SampleSize == 0 || !e.Claimed {
			t.Errorf("%s lift %+v, want about +90 %% within its interval", name, e)
		}
	}
	if w24 := got.Lift.Windows[1]; w24.Complete || w24.ObservedHours != 7 {
		t.Errorf("24 h window %+v: want 7 hours observed, not complete", w24)
	}

	// The report groups by variant and family, with CSV export.
	waitFor(t, "the three percent:50 posts published on X", 20*time.Second, func() (bool, error) {
		return len(apiPosts(t, m, "state=published&network=x")) == 3, nil
	})
	rep := apiImpact(t, m, "group_by=family")
	found := false
	for _, r := range rep.Rows {
		if r.Key == "percent" && r.Network == "x" {
			found = r.Clicks == 10 && r.AttributedPledges == 3 && r.Posts == 3 && r.Best
		}
	}
	if !found {
		t.Errorf("family report %+v: want percent on x with 3 posts, 10 clicks and 3 pledges, marked best", rep.Rows)
	}
	req, _ = http.NewRequest("GET", m.URL()+"/api/v1/impact?group_by=variant&format=csv", nil)
	req.Header.Set("Authorization", "Bearer "+e2eAPIToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	csvBody, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.Contains(string(csvBody), "fr:"+post.Variant+",x,") {
		t.Errorf("CSV %s:\n%s", resp.Header.Get("Content-Type"), csvBody)
	}

	// The Impact page says which family and which variant work best.
	resp, err = dashboard.Get(m.URL() + "/impact?lang=en")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("impact page: %d %v", resp.StatusCode, err)
	}
	bestFamily := doc.Find("#families + figure + .table-wrap tbody tr").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.Contains(s.Text(), "works best")
	})
	if bestFamily.Length() != 1 || !strings.Contains(bestFamily.Text(), "funding (%)") || !strings.Contains(bestFamily.Text(), "X") {
		t.Errorf("best family row: %q", bestFamily.Text())
	}
	_, v, _ := strings.Cut(post.Variant, "/")
	bestVariant := doc.Find("table caption").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.Contains(s.Text(), "X · FR · funding")
	}).Parent().Find("tbody tr").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.Contains(s.Text(), "works best")
	})
	if bestVariant.Length() != 1 || !strings.HasPrefix(strings.TrimSpace(bestVariant.Find("td").First().Text()), v) {
		t.Errorf("best variant row %q, want %s (the post with the clicks)", bestVariant.Text(), v)
	}
}

// loginOnce follows the one-time login link the daemon printed, which
// must lead to the queue.
func loginOnce(t *testing.T, console string) *http.Client {
	t.Helper()
	link := regexp.MustCompile(`http://\S+/login/once\?token=\S+`).FindString(console)
	if link == "" {
		t.Fatalf("no one-time login link on the console:\n%s", console)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/" {
		t.Fatalf("login link led to %s (%d), want the queue", resp.Request.URL.Path, resp.StatusCode)
	}
	return c
}

// postWebhookAt posts a campaign snapshot signed at the daemon's time.
func postWebhookAt(t *testing.T, m *Main, at time.Time, campaign map[string]any) {
	t.Helper()
	body, _ := json.Marshal(campaign)
	req, _ := http.NewRequest("POST", m.URL()+"/hooks/campaigns", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(webhook.SignatureHeader, webhook.Sign(e2eWebhookSecret, at, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("webhook = %d %s", resp.StatusCode, b)
	}
}

func apiGet(t *testing.T, m *Main, path string, v any) {
	t.Helper()
	req, _ := http.NewRequest("GET", m.URL()+path, nil)
	req.Header.Set("Authorization", "Bearer "+e2eAPIToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

func apiPosts(t *testing.T, m *Main, query string) []content.Post {
	t.Helper()
	var list struct {
		Items []content.Post `json:"items"`
	}
	apiGet(t, m, "/api/v1/posts?"+query, &list)
	return list.Items
}

type postImpactJSON struct {
	content.Post
	impact.PostImpact
}

func apiPostImpact(t *testing.T, m *Main, id string) postImpactJSON {
	t.Helper()
	var p postImpactJSON
	apiGet(t, m, "/api/v1/posts/"+id, &p)
	return p
}

func apiImpact(t *testing.T, m *Main, query string) impact.Report {
	t.Helper()
	var r impact.Report
	apiGet(t, m, "/api/v1/impact?"+query, &r)
	return r
}

package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"html"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fanfarehq/fanfare/bots/facebook/fbfake"
	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
)

// The dashboard driven in Debian's headless Chromium against the whole daemon
// on the test Redis: one-time login, approve and reject by real clicks on the
// page's own forms, the calendar, the Atom feed, and a cross-site form that
// must be refused. Days of campaign snapshots are replayed into the tracker
// under a clock set to each snapshot's time, so milestones fire when they
// would have and the campaign pages have a pledge history. Facebook runs the
// real client against fbfake, which answers one publish with "duplicate" so
// that the problems page has something to show.
//
// FANFARE_SCREENSHOTS_DIR=docs go test -run Browser ./cmd/fanfare/ refreshes
// the README screenshots.

// browserFlags are DESIGN.md's, plus a profile of the test's own and no QUIC.
func browserFlags(t *testing.T, path string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
}

func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium is not installed: the dashboard's browser test needs Debian's headless Chromium " +
		"(apt-get install chromium; scripts/test installs it)")
	return ""
}

// browser is one tab with a deadline on every step.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	shot string // where every page's screenshot goes
	docs string // FANFARE_SCREENSHOTS_DIR, "" for none
	n    int
}

const stepTimeout = 15 * time.Second

func newBrowser(t *testing.T, path, base string) *browser {
	t.Helper()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), browserFlags(t, path)...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	// The first run starts the browser; it is bound to ctx, not to a step.
	start := make(chan error, 1)
	go func() { start <- chromedp.Do(ctx) }()
	select {
	case err := <-start:
		if err != nil {
			t.Fatalf("unable to start %s: %v", path, err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not start within 30s", path)
	}
	b := &browser{t: t, ctx: ctx, base: base, shot: t.TempDir(), docs: os.Getenv("FANFARE_SCREENSHOTS_DIR")}
	if b.docs != "" {
		if err := os.MkdirAll(b.docs, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	b.do("set the viewport", chromedp.EmulateViewport(1280, 900))
	t.Logf("screenshots of every page visited: %s", b.shot)
	return b
}

func (b *browser) step() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, stepTimeout)
}

func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.fail(what, err)
	}
}

// fail stops the test with what the tab shows, since its screenshots go
// with the test's temporary directory.
func (b *browser) fail(what string, err error) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if len(body) > 2000 {
		body = body[:2000] + "…"
	}
	b.t.Fatalf("browser: %s: %v\nat %s:\n%s", what, err, loc, body)
}

func run[T any](b *browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.fail(what, err)
	}
	return v
}

// open navigates and checks the page answered 200.
func (b *browser) open(path string) {
	b.t.Helper()
	resp := run(b, "open "+path, chromedp.NavigateResponse(b.base+path))
	if resp.Status != http.StatusOK {
		b.t.Fatalf("browser: %s answered %d", path, resp.Status)
	}
}

// submit clicks a form's button and waits for the page the POST leads to
// (after its redirect); it returns that page's status.
func (b *browser) submit(what, button string) int64 {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(button)))
	if err != nil {
		b.fail(what, err)
	}
	return resp.Status
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	return run(b, "read "+sel, chromedp.Text(chromedp.CSS(sel)))
}

func (b *browser) path() string {
	b.t.Helper()
	loc := run(b, "read the location", chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil {
		b.t.Fatalf("browser: location %q: %v", loc, err)
	}
	return u.RequestURI()
}

// screenshot saves the page in full; docName also saves it for the README.
func (b *browser) screenshot(name, docName string) {
	b.t.Helper()
	png := run(b, "screenshot "+name, chromedp.FullScreenshot(100))
	b.n++
	p := filepath.Join(b.shot, fmt.Sprintf("%02d-%s.png", b.n, name))
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	if b.docs != "" && docName != "" {
		if err := os.WriteFile(filepath.Join(b.docs, docName), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
		b.t.Logf("README screenshot %s", filepath.Join(b.docs, docName))
	}
}

// browserConfig publishes every second with the default spacing, so the
// first approved post of a network goes out at once and the next ones are
// scheduled later; fewer thresholds keep the queue to a page.
func browserConfig(graphURL string) string {
	return fmt.Sprintf(`
schedule:
  publish: "@every 1s"
  quiet_hours: null # the test runs at any hour
approval:
  merge_window: 0s # one post per milestone: merging has its own tests
campaigns:
  milestones:
    percent: [50, 100, 200]
    backers: [1000]
    ending: [24h]
networks:
  x:
    good_hours: []
  facebook:
    good_hours: []
    graph_base_url: %s
    page_id: "1122334455"
    page_access_token: page-token
    app_secret: app-secret
`, graphURL)
}

// replayClock is the wall clock, except while a campaign's past is replayed:
// then it says when each snapshot was taken, so milestones fire at the times
// they would have.
type replayClock struct {
	mu sync.Mutex
	at time.Time // zero: the wall clock
}

func (c *replayClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() {
		return time.Now()
	}
	return c.at
}

func (c *replayClock) Set(at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = at
}

// startMainConsole is startMain keeping what the daemon prints for a person.
func startMainConsole(t *testing.T, yaml string, now func() time.Time) (*Main, string) {
	t.Helper()
	var console bytes.Buffer
	m := startMain(t, testConfig(t, yaml), func(m *Main) { m.Now = now; m.Console = &console })
	return m, console.String() // Run has returned: the start message is written
}

// arc is a campaign's story: snapshots from its first sighting to now.
type arc struct {
	c         campaigns.Campaign
	from      time.Duration // how long ago the first snapshot was
	every     time.Duration
	startPct  float64 // funded at the first snapshot
	endPct    float64 // at the last history snapshot
	startBack int64
	endBack   int64
	final     *campaigns.Campaign // the snapshot of now, when it differs
}

// snapshots lays the history on an S-curve: crowdfunding's opening rush,
// plateau and closing push.
func (a arc) snapshots(now time.Time) []campaigns.Campaign {
	var out []campaigns.Campaign
	steps := int(a.from / a.every)
	for i := 0; i <= steps; i++ {
		at := now.Add(-a.from + time.Duration(i)*a.every)
		if !at.Before(now.Add(-time.Minute)) {
			break
		}
		x := float64(i) / float64(steps)
		curve := 0.6*(1-math.Exp(-4*x))/(1-math.Exp(-4)) + 0.4*math.Pow(x, 3)
		c := a.c
		c.Pledged = int64((a.startPct + (a.endPct-a.startPct)*curve) / 100 * float64(c.Goal))
		c.Backers = a.startBack + int64(float64(a.endBack-a.startBack)*curve)
		c.UpdatedAt = at
		if c.Deadline.Before(at) {
			break
		}
		out = append(out, c)
	}
	if a.final != nil {
		f := *a.final
		f.UpdatedAt = now
		out = append(out, f)
	}
	return out
}

func browserCampaigns(now time.Time) []arc {
	day := 24 * time.Hour
	marees := campaigns.Campaign{
		ID: "chant-des-marees", Title: "Le Chant des Marées — un jeu coopératif pour 1 à 4 marins",
		URL: "https://crowd.example.org/projects/chant-des-marees", Lang: "fr", Currency: "EUR",
		Goal: 1_500_000, LaunchedAt: now.Add(-6 * day), Deadline: now.Add(24 * day), State: campaigns.StateLive,
		Creator:  campaigns.Creator{Name: "Atelier Bigorneau", XHandle: "bigorneaujeux"},
		Category: "games", Tags: []string{"jeu de société", "coopératif"},
	}
	mareesNow := marees
	mareesNow.Pledged, mareesNow.Backers = 1_563_400, 612
	lumen := campaigns.Campaign{
		ID: "lumen-sketchbook", Title: "Lumen: a pocket e-ink sketchbook",
		URL: "https://crowd.example.org/projects/lumen-sketchbook", Lang: "en", Currency: "USD",
		Goal: 4_000_000, LaunchedAt: now.Add(-30 * time.Hour), Deadline: now.Add(28 * day), State: campaigns.StateLive,
		Creator: campaigns.Creator{Name: "Inkwell Labs", XHandle: "inkwelllabs"}, Category: "design",
	}
	lumenNow := lumen
	lumenNow.Pledged, lumenNow.Backers = 2_071_500, 1_014
	phare := campaigns.Campaign{
		ID: "dernier-phare", Title: "Le Dernier Phare, tome 1",
		URL: "https://crowd.example.org/projects/dernier-phare", Lang: "fr", Currency: "EUR",
		Goal: 800_000, LaunchedAt: now.Add(-12 * day), Deadline: now.Add(8 * day), State: campaigns.StateLive,
		Creator:  campaigns.Creator{Name: "Maëlle Quéré", XHandle: "maellequere"},
		Category: "comics", Tags: []string{"bd"},
	}
	phareNow := phare
	phareNow.Pledged, phareNow.Backers = 1_624_000, 731
	northbound := campaigns.Campaign{
		ID: "northbound-tapes", Title: "Northbound Tapes: a folk album recorded on the road",
		URL: "https://crowd.example.org/projects/northbound-tapes", Lang: "en", Currency: "GBP",
		Goal: 1_200_000, LaunchedAt: now.Add(-33 * day), Deadline: now.Add(-3 * time.Hour), State: campaigns.StateLive,
		Creator: campaigns.Creator{Name: "Ada Whitlock"}, Category: "music",
	}
	northboundNow := northbound
	northboundNow.State, northboundNow.Pledged, northboundNow.Backers = campaigns.StateSuccessful, 1_538_000, 402
	velo := campaigns.Campaign{
		ID: "radio-velo", Title: "Radio Vélo — un podcast sur le voyage à vélo",
		URL: "https://crowd.example.org/projects/radio-velo", Lang: "fr", Currency: "EUR",
		Goal: 600_000, LaunchedAt: now.Add(-10 * day), Deadline: now.Add(20 * day), State: campaigns.StateLive,
		Creator: campaigns.Creator{Name: "Collectif Dérailleur"}, Category: "podcast",
	}
	return []arc{
		{c: marees, from: 3 * day, every: 2 * time.Hour, startPct: 9, endPct: 96, startBack: 12, endBack: 590, final: &mareesNow},
		{c: lumen, from: 30 * time.Hour, every: 2 * time.Hour, startPct: 0, endPct: 44, startBack: 0, endBack: 930, final: &lumenNow},
		{c: phare, from: 5 * day, every: 4 * time.Hour, startPct: 131, endPct: 196, startBack: 402, endBack: 715, final: &phareNow},
		{c: northbound, from: 20 * time.Hour, every: 2 * time.Hour, startPct: 104, endPct: 127, startBack: 330, endBack: 399, final: &northboundNow},
		{c: velo, from: 4 * day, every: 6 * time.Hour, startPct: 3, endPct: 12, startBack: 5, endBack: 61},
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		ok, err := cond()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func findPost(t *testing.T, posts []content.Post, campaign, milestone, network string) content.Post {
	t.Helper()
	for _, p := range posts {
		if p.CampaignID == campaign && p.Milestone == milestone && p.Network == network {
			return p
		}
	}
	t.Fatalf("no %s post for %s %s among %d", network, campaign, milestone, len(posts))
	return content.Post{}
}

func TestBrowserDashboard(t *testing.T) {
	started := time.Now()
	chromium := chromiumPath(t)
	ctx := context.Background()
	fb := fbfake.NewServer(t, "1122334455", "page-token", "app-secret")
	clock := &replayClock{}
	m, console := startMainConsole(t, browserConfig(fb.URL), clock.Now)
	queue, tracker := m.app.queue, m.app.tracker

	link := regexp.MustCompile(`http://\S+/login/once\?token=\S+`).FindString(console)
	if link == "" {
		t.Fatalf("no one-time login link on the console:\n%s", console)
	}

	now := time.Now().UTC().Truncate(time.Second)
	fired := 0
	for _, a := range browserCampaigns(now) {
		for _, s := range a.snapshots(now) {
			clock.Set(s.UpdatedAt)
			res, err := tracker.Ingest(ctx, []campaigns.Campaign{s})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Rejected) > 0 {
				t.Fatalf("snapshot of %s at %s rejected: %v", s.ID, s.UpdatedAt, res.Rejected[0].Err)
			}
			fired += len(res.Fired)
		}
	}
	clock.Set(time.Time{})
	// launch and 50 % of Lumen, 1000 backers of Lumen, 50 % and 100 % of the
	// Marées, 200 % of the Phare, Northbound's success: two posts each.
	if fired != 7 {
		t.Fatalf("%d milestones fired, want 7", fired)
	}
	var pending []content.Post
	waitFor(t, "the composer drafts a post per network of each milestone", 10*time.Second, func() (bool, error) {
		_, total, err := queue.List(ctx, content.ListOptions{Limit: 1})
		return total == 2*fired, err
	})
	// The Marées' 50 % posts were superseded by its 100 % ones, and Lumen's
	// launch posts by its 50 % ones.
	expired, _, err := queue.List(ctx, content.ListOptions{State: content.StateExpired, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(expired) != 4 {
		t.Fatalf("%d expired posts, want the Marées' two 50 %% posts and Lumen's two launch posts superseded", len(expired))
	}
	for _, p := range expired {
		want := map[string]string{"percent:50": "superseded by percent:100", "launch": "superseded by percent:50"}[p.Milestone]
		if want == "" || p.LastError != want {
			t.Fatalf("expired post %s (%s): %q", p.ID, p.Milestone, p.LastError)
		}
	}
	pending, _, err = queue.List(ctx, content.ListOptions{State: content.StatePending, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 2*fired-4 {
		t.Fatalf("%d pending posts, want %d", len(pending), 2*fired-4)
	}

	b := newBrowser(t, chromium, m.URL())

	// 1. The one-time link logs in and lands on the queue.
	b.do("follow the one-time login link", chromedp.Navigate(link))
	if p := b.path(); p != "/" {
		t.Fatalf("the one-time link led to %s, want the queue", p)
	}
	b.do("see the queue", chromedp.WaitVisible(chromedp.CSS("#bulk")))

	// 2. The pending posts are on the queue, grouped by milestone.
	for _, p := range pending {
		b.do("see post "+p.ID, chromedp.WaitVisible(chromedp.CSS("#post-"+p.ID)))
	}
	groups := run(b, "count groups", chromedp.Evaluate[int](`document.querySelectorAll("section.group").length`))
	if groups != fired-2 {
		t.Errorf("the queue shows %d groups, want one per milestone still waiting (%d)", groups, fired-2)
	}
	if h := b.text("main h1"); !strings.Contains(h, fmt.Sprint(len(pending))) {
		t.Errorf("queue title %q does not count %d posts", h, len(pending))
	}
	b.screenshot("queue-first", "")

	// 3. Approve one post with its own button.
	approved := findPost(t, pending, "chant-des-marees", "percent:100", content.NetworkX)
	if st := b.submit("approve "+approved.ID, "#post-"+approved.ID+` form[action$="/approve"] button`); st != http.StatusOK {
		t.Fatalf("approve led to a page answering %d", st)
	}
	if p := b.path(); p != "/" {
		t.Errorf("approve led to %s, want back to the queue", p)
	}
	b.do("see the flash", chromedp.WaitVisible(chromedp.CSS(".flash-ok")))
	b.do("the approved post leaves the queue", chromedp.WaitNotPresent(chromedp.CSS("#post-"+approved.ID)))
	b.screenshot("queue-approved", "")

	// 4. The calendar shows it at its slot, then published (the preview
	// publisher runs every second). The slot is given at the next publish
	// tick: until then the approved post is on neither page.
	waitFor(t, "the approved post gets a slot", 10*time.Second, func() (bool, error) {
		p, err := queue.Get(ctx, approved.ID)
		return !p.ScheduledAt.IsZero() || !p.PublishedAt.IsZero(), err
	})
	b.open("/calendar")
	b.do("see the slot", chromedp.WaitVisible(chromedp.CSS("#slot-"+approved.ID)))
	state := run(b, "read the slot's state", chromedp.Evaluate[string](
		`document.querySelector("#slot-`+approved.ID+` .badge").className`))
	if !strings.Contains(state, "state-approved") && !strings.Contains(state, "state-publishing") && !strings.Contains(state, "state-published") {
		t.Errorf("the calendar shows %s as %q, want approved, publishing or published", approved.ID, state)
	}
	var published content.Post
	waitFor(t, "the approved post is published", 10*time.Second, func() (bool, error) {
		var err error
		published, err = queue.Get(ctx, approved.ID)
		return published.State == content.StatePublished, err
	})
	b.open("/calendar")
	b.do("see it published", chromedp.WaitVisible(chromedp.CSS("#slot-"+approved.ID+" .badge.state-published")))
	b.screenshot("calendar-published", "")

	// 5. Reject another with a reason, through its form.
	rejected := findPost(t, pending, "dernier-phare", "percent:200", content.NetworkFacebook)
	const reason = "Trop proche de l'annonce d'hier"
	b.open("/")
	b.do("type the reason",
		chromedp.SendKeys(chromedp.CSS("#post-"+rejected.ID+" form.reject input[name=reason]"), reason))
	if st := b.submit("reject "+rejected.ID, "#post-"+rejected.ID+" form.reject button"); st != http.StatusOK {
		t.Fatalf("reject led to a page answering %d", st)
	}
	b.do("the rejected post leaves the queue", chromedp.WaitNotPresent(chromedp.CSS("#post-"+rejected.ID)))
	got, err := queue.Get(ctx, rejected.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != content.StateRejected || len(got.Audit) == 0 || got.Audit[len(got.Audit)-1].Reason != reason {
		t.Fatalf("after reject: state %s, audit %+v; want rejected with %q", got.State, got.Audit, reason)
	}
	b.open("/posts/" + rejected.ID)
	if audit := b.text("table.audit"); !strings.Contains(audit, reason) {
		t.Errorf("the post page's audit does not show the reason: %q", audit)
	}
	b.screenshot("post-rejected", "")

	// 6. The Atom feed carries the published text.
	checkAtom(t, m.URL()+"/feed.atom", published.Text)

	// 7. A form on another site, even one that knows the CSRF token, cannot
	// approve anything.
	csrf := run(b, "read the csrf token", chromedp.Value(chromedp.CSS(`form.logout input[name=csrf]`)))
	target := findPost(t, pending, "lumen-sketchbook", "backers:1000", content.NetworkX)
	checkCrossSite(t, b, m.URL()+"/posts/"+target.ID+"/approve", csrf)
	if p, err := queue.Get(ctx, target.ID); err != nil || p.State != content.StatePending {
		t.Fatalf("after a cross-site POST, %s is %s (%v), want still pending", target.ID, p.State, err)
	}

	// The other pages, with a few more posts in flight: a group approved at
	// once (both networks: X waits for its spacing, Facebook has its first
	// slot), and a Facebook post the Page refuses as a duplicate.
	fb.FailNext(http.StatusBadRequest, fbfake.CodeDuplicate, 0, "(#506) Duplicate status message")
	dup := findPost(t, pending, "lumen-sketchbook", "percent:50", content.NetworkFacebook)
	b.open("/")
	if st := b.submit("approve "+dup.ID, "#post-"+dup.ID+` form[action$="/approve"] button`); st != http.StatusOK {
		t.Fatalf("approve led to a page answering %d", st)
	}
	waitFor(t, "Facebook calls the post a duplicate", 10*time.Second, func() (bool, error) {
		p, err := queue.Get(ctx, dup.ID)
		return p.State == content.StateDuplicate, err
	})
	b.open("/")
	groupOf := findPost(t, pending, "northbound-tapes", "ended:successful", content.NetworkX).GroupID
	b.submit("approve a group", fmt.Sprintf(`section.group[data-group=%q] form.group-approve button`, groupOf))
	fbOK := findPost(t, pending, "northbound-tapes", "ended:successful", content.NetworkFacebook)
	waitFor(t, "the group's Facebook post is published", 10*time.Second, func() (bool, error) {
		p, err := queue.Get(ctx, fbOK.ID)
		return p.State == content.StatePublished, err
	})
	b.open("/")
	b.submit("approve another group", fmt.Sprintf(`section.group[data-group=%q] form.group-approve button`, target.GroupID))
	if fbPosts := fb.Posts(); len(fbPosts) == 0 {
		t.Error("nothing reached the fake Facebook Page")
	}

	waitFor(t, "every approved post has its slot", 10*time.Second, func() (bool, error) {
		ps, _, err := queue.List(ctx, content.ListOptions{State: content.StateApproved, Limit: 100})
		for _, p := range ps {
			if p.ScheduledAt.IsZero() {
				return false, err
			}
		}
		return len(ps) > 0, err
	})

	b.open("/")
	b.screenshot("queue", "queue.png")
	b.open("/calendar")
	b.do("see the published Facebook post", chromedp.WaitVisible(chromedp.CSS("#slot-"+fbOK.ID+" .badge.state-published")))
	b.screenshot("calendar", "calendar.png")
	b.open("/campaigns")
	if n := run(b, "count campaigns", chromedp.Evaluate[int](`document.querySelectorAll("li.campaign").length`)); n != 5 {
		t.Errorf("the campaigns page lists %d campaigns, want 5", n)
	}
	b.screenshot("campaigns", "campaigns.png")
	b.open("/campaigns/chant-des-marees")
	b.do("see the sparkline", chromedp.WaitVisible(chromedp.CSS("figure.spark svg")))
	b.screenshot("campaign", "campaign.png")
	b.open("/problems")
	b.do("see the duplicate", chromedp.WaitVisible(chromedp.CSS("#post-"+dup.ID+" .badge.state-duplicate")))
	b.screenshot("problems", "problems.png")
	t.Logf("browser test took %v", time.Since(started).Round(100*time.Millisecond))
}

// checkAtom reads the public feed and looks for the text among its entries.
func checkAtom(t *testing.T, feedURL, text string) {
	t.Helper()
	resp, err := http.Get(feedURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s = %d", feedURL, resp.StatusCode)
	}
	var feed struct {
		Entries []struct {
			Content string `xml:"content"`
		} `xml:"entry"`
	}
	if err := xml.NewDecoder(resp.Body).Decode(&feed); err != nil {
		t.Fatalf("%s: %v", feedURL, err)
	}
	for _, e := range feed.Entries {
		if e.Content == text {
			return
		}
	}
	t.Fatalf("%s has %d entries, none with the published text %q", feedURL, len(feed.Entries), text)
}

// checkCrossSite serves a form on localhost (another site than 127.0.0.1)
// that posts to action, submits it in the browser and expects a refusal.
func checkCrossSite(t *testing.T, b *browser, action, csrf string) {
	t.Helper()
	var mu sync.Mutex
	var hits int
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>Win a prize</title>
<form method="post" action="%s"><input type="hidden" name="csrf" value="%s"><input type="hidden" name="next" value="/"><button id="go">Claim</button></form>`,
			html.EscapeString(action), html.EscapeString(csrf))
	}))
	defer evil.Close()
	u, err := url.Parse(evil.URL)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = "localhost:" + u.Port()
	b.do("open the other site", chromedp.Navigate(u.String()))
	status := b.submit("post from the other site", "#go")
	if status != http.StatusForbidden {
		t.Errorf("a cross-site POST answered %d, want 403", status)
	}
	b.screenshot("cross-site-refused", "")
	mu.Lock()
	defer mu.Unlock()
	if hits == 0 {
		t.Fatal("the other site was never loaded")
	}
}

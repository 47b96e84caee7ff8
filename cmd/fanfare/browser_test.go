package main

import (
	"bytes"
	"context"
	"encoding/json"
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
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/fanfarehq/fanfare/bots/facebook/fbfake"
	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/text"
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
// the README screenshots; FANFARE_PAGE_SHOTS=DIR saves every page of step 9
// (both languages, both widths) for a review.

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
		chromedp.WindowSize(desktopWidth, 900),
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

const stepTimeout = 30 * time.Second

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
	b.do("set the viewport", chromedp.EmulateViewport(desktopWidth, 900))
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
approval:
  merge_window: 0s # one post per milestone: merging has its own tests
campaigns:
  milestones:
    percent: [50, 100, 200]
    backers: [1000]
    ending: [24h]
networks:
  facebook:
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

// desktop and phone are the widths every page is checked at.
const (
	desktopWidth = 1440
	phoneWidth   = 390
)

func TestBrowserDashboard(t *testing.T) {
	started := time.Now()
	chromium := chromiumPath(t)
	ctx := context.Background()
	fb := fbfake.NewServer(t, "1122334455", "page-token", "app-secret")
	clock := &replayClock{}
	m, console := startMainConsole(t, browserConfig(fb.URL), clock.Now)
	queue, tracker := m.app.queue, m.app.tracker
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	rep := &report{}
	defer rep.log(t)

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
	// The Marées crossed 50 % a day and a half ago, past that news's
	// freshness: its post may be expired by its not_after before the 100 %
	// post supersedes it, as the publish job's run and the composer's
	// interleave. Either way it is not told.
	for _, p := range expired {
		want := map[string][]string{"percent:50": {"superseded by percent:100", "not_after passed before the post could go out"},
			"launch": {"superseded by percent:50"}}[p.Milestone]
		if !slices.Contains(want, p.LastError) {
			t.Fatalf("expired post %s (%s): %q, want one of %q", p.ID, p.Milestone, p.LastError, want)
		}
	}
	pending, _, err := queue.List(ctx, content.ListOptions{State: content.StatePending, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 2*fired-4 {
		t.Fatalf("%d pending posts, want %d", len(pending), 2*fired-4)
	}

	b := newBrowser(t, chromium, m.URL())
	w := b.watch()

	// 1. The one-time link logs in and lands on the queue, in French.
	b.do("follow the one-time login link", chromedp.Navigate(link))
	if p := b.path(); p != "/" {
		t.Fatalf("the one-time link led to %s, want the queue", p)
	}
	b.open("/?lang=fr")
	b.do("see the queue", chromedp.WaitVisible(chromedp.CSS("#bulk")))
	for _, p := range pending {
		b.do("see post "+p.ID, chromedp.WaitVisible(chromedp.CSS("#post-"+p.ID)))
	}
	if groups := run(b, "count groups", chromedp.Evaluate[int](`document.querySelectorAll("section.group").length`)); groups != fired-2 {
		t.Errorf("the queue shows %d groups, want one per milestone still waiting (%d)", groups, fired-2)
	}
	b.screenshot("queue-first", "")

	// Relative times stay true while the page is open: a time two hours
	// back is said again, in French, when the tab comes back into view (and
	// every 30 s), counted from the server's clock.
	aged := run(b, "age a time by two hours", chromedp.Evaluate[string](`(function () {
		var el = document.querySelector("time[data-rel]");
		if (!el) return "no time[data-rel] on the queue";
		el.setAttribute("datetime", new Date(Number(document.body.getAttribute("data-now")) - 2 * 3600e3).toISOString());
		document.dispatchEvent(new Event("visibilitychange"));
		return el.textContent;
	})()`))
	if nbsp(aged) != "il y a 2 h" {
		t.Errorf("a time two hours back reads %q once the page refreshes its times, want \"il y a 2 h\"", aged)
	}

	// 2. Approve one post with one click: the page does not reload, the
	// card says when it goes out, a notice says when and where, and the
	// focus moves to the next post waiting.
	first := findPost(t, pending, "lumen-sketchbook", "backers:1000", content.NetworkX)
	b.mark()
	loads := w.loads.Load()
	approveButton := "#post-" + first.ID + ` form[action$="/approve"] button`
	b.do("scroll to the post", chromedp.ScrollIntoView(chromedp.CSS(approveButton)))
	scroll := run(b, "read the scroll", chromedp.Evaluate[float64](`window.scrollY`))
	b.do("approve "+first.ID+" with one click", chromedp.Click(chromedp.CSS(approveButton)))
	b.do("the card says it is approved", chromedp.WaitVisible(chromedp.CSS(`#post-`+first.ID+`[data-state="approved"]`)))
	b.do("a notice appears", chromedp.WaitVisible(chromedp.CSS("#notice .notice-ok")))
	if !b.marked() || w.loads.Load() != loads {
		t.Errorf("approving with one click reloaded the page")
	}
	notice := b.text("#notice .notice-ok")
	if !regexp.MustCompile(`^Approuvée\. Elle partira le \S+ \d+ \S+ à \d+ h \d\d sur X\.$`).MatchString(nbsp(notice)) {
		t.Errorf("notice %q, want when and where it goes out", notice)
	}
	// The page stays where it was, moving at most to show the next post.
	if got := run(b, "read the scroll", chromedp.Evaluate[float64](`window.scrollY`)); got < scroll-450 || got > scroll+450 || (scroll > 0 && got == 0) {
		t.Errorf("the page scrolled from %v to %v", scroll, got)
	}
	// The focus moves once htmx has settled the swap (a few tens of ms).
	focused := run(b, "the focus moves to the next post waiting", chromedp.Poll[string](`(function () {
		var c = document.activeElement.closest("article.post");
		return c && c.id !== "post-`+first.ID+`" ? c.id : false;
	})()`, chromedp.WithPollingTimeout(5*time.Second)))
	if !strings.HasPrefix(focused, "post-") {
		t.Errorf("after approving, the focus is on %q, want the next post waiting", focused)
	}
	rep.add("approve one post: 1 click, %d full page loads", w.loads.Load()-loads)
	b.screenshot("queue-approved", "")

	// 3. Reject the focused post from the keyboard: r, the reason, Enter.
	rejectedID := strings.TrimPrefix(focused, "post-")
	const reason = "Trop proche de l'annonce d'hier"
	b.do("press r", chromedp.KeyEvent("r"))
	if got := run(b, "read the focus", chromedp.Evaluate[string](`document.activeElement.name`)); got != "reason" {
		t.Fatalf("r put the focus on %q, want the reason field", got)
	}
	b.do("type the reason and Enter", chromedp.KeyEvent(reason+"\r"))
	b.do("the card says it is rejected", chromedp.WaitVisible(chromedp.CSS(`#post-`+rejectedID+`[data-state="rejected"]`)))
	got, err := queue.Get(ctx, rejectedID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != content.StateRejected || got.Audit[len(got.Audit)-1].Reason != reason {
		t.Fatalf("after reject: state %s, audit %+v; want rejected with %q", got.State, got.Audit, reason)
	}
	if !b.marked() {
		t.Error("rejecting from the keyboard reloaded the page")
	}

	// 4. A Facebook post the Page refuses as a duplicate, for Problems.
	fb.FailNext(http.StatusBadRequest, fbfake.CodeDuplicate, 0, "(#506) Duplicate status message")
	dup := findPost(t, pending, "northbound-tapes", "ended:successful", content.NetworkFacebook)
	b.open("/")
	b.do("approve "+dup.ID, chromedp.Click(chromedp.CSS("#post-"+dup.ID+` form[action$="/approve"] button`)))
	waitFor(t, "Facebook calls the post a duplicate", 15*time.Second, func() (bool, error) {
		p, err := queue.Get(ctx, dup.ID)
		return p.State == content.StateDuplicate, err
	})
	b.open("/problems")
	b.do("see the duplicate", chromedp.WaitVisible(chromedp.CSS("#post-"+dup.ID+" .badge.state-duplicate")))
	if what := nbsp(b.text("#post-" + dup.ID + " .neterror strong")); what != "Facebook indique que ce texte a déjà été publié." {
		t.Errorf("problem explained as %q", what)
	}
	if about := nbsp(b.text("#post-" + dup.ID + " .about")); !strings.Contains(about, "Northbound Tapes") {
		t.Errorf("problem without its campaign: %q", about)
	}

	// 5. Move a post in the calendar: by drag and drop, then with its Move
	// form from the keyboard; the past is refused with a message.
	waitFor(t, "the first post is published", 10*time.Second, func() (bool, error) {
		p, err := queue.Get(ctx, first.ID)
		return p.State == content.StatePublished, err
	})
	second := findPost(t, pending, "lumen-sketchbook", "percent:50", content.NetworkX)
	b.open("/")
	b.do("approve a second X post", chromedp.Click(chromedp.CSS("#post-"+second.ID+` form[action$="/approve"] button`)))
	b.do("the card says it is approved", chromedp.WaitVisible(chromedp.CSS(`#post-`+second.ID+`[data-state="approved"]`)))
	placed, err := queue.Get(ctx, second.ID)
	if err != nil || placed.ScheduledAt.IsZero() {
		t.Fatalf("the second post has no slot: %v %+v", err, placed)
	}
	if placed.ScheduledAt.Before(time.Now().Add(15 * time.Minute)) {
		t.Fatalf("the second X post is placed at %s, want 20 minutes after the first", placed.ScheduledAt)
	}
	b.open("/calendar")
	b.do("see the slot", chromedp.WaitVisible(chromedp.CSS("table.cal-week #slot-"+second.ID)))
	b.do("see the published post", chromedp.WaitVisible(chromedp.CSS("table.cal-week #slot-"+first.ID+".state-published")))
	// Seven hours from now: past the campaign spacing after the first post
	// (same campaign), well within the post's freshness (its 50 % fired
	// now). The calendar of that week shows the hour.
	when := time.Now().In(paris).Add(7 * time.Hour)
	target, hour := when.Format("2006-01-02"), when.Hour()
	b.open(fmt.Sprintf("/calendar?view=week&from=%s", target))
	b.do("see the week of the move", chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`td[data-day="%s"][data-hour="%d"]`, target, hour))))
	b.mark()
	loads = w.loads.Load()
	run(b, fmt.Sprintf("drag the post to %02d:30 on %s", hour, target), chromedp.Evaluate[bool](fmt.Sprintf(`(() => {
		const item = document.querySelector("table.cal-week #slot-%s");
		const cell = document.querySelector('td[data-day="%s"][data-hour="%d"]');
		const dt = new DataTransfer();
		item.dispatchEvent(new DragEvent("dragstart", {bubbles: true, dataTransfer: dt}));
		const r = cell.getBoundingClientRect();
		const at = {bubbles: true, cancelable: true, dataTransfer: dt, clientX: r.left + 4, clientY: r.top + r.height * 0.6};
		cell.dispatchEvent(new DragEvent("dragover", at));
		cell.dispatchEvent(new DragEvent("drop", at));
		item.dispatchEvent(new DragEvent("dragend", {bubbles: true, dataTransfer: dt}));
		return true;
	})()`, second.ID, target, hour)))
	wantDay, err := time.ParseInLocation("2006-01-02", target, paris)
	if err != nil {
		t.Fatal(err)
	}
	want := wantDay.Add(time.Duration(hour)*time.Hour + 30*time.Minute)
	waitFor(t, "the drop moves the post", 10*time.Second, func() (bool, error) {
		p, err := queue.Get(ctx, second.ID)
		return p.ScheduledAt.Equal(want), err
	})
	if !b.marked() || w.loads.Load() != loads {
		t.Error("the drop reloaded the page")
	}
	b.do("the calendar shows it at its new hour", chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`td[data-day="%s"][data-hour="%d"] #slot-%s`, target, hour, second.ID))))
	if n := nbsp(b.text("#notice .notice-ok")); !strings.HasPrefix(n, "Déplacée. Elle partira le") {
		t.Errorf("move notice %q", n)
	}
	rep.add("move a post in the calendar by drag and drop: %d full page loads", w.loads.Load()-loads)

	// The keyboard way: open the post's Move form with Enter, give a time,
	// Enter.
	b.do("focus the move button", chromedp.Focus(chromedp.CSS(`table.cal-week #slot-`+second.ID+` details.move summary`)))
	b.do("open it", chromedp.KeyEvent("\r"))
	moveInput := `table.cal-week #slot-` + second.ID + ` details.move input[name=scheduled_at]`
	b.do("see the time field", chromedp.WaitVisible(chromedp.CSS(moveInput)))
	b.do("give a time", chromedp.SetValue(chromedp.CSS(moveInput), fmt.Sprintf("%sT%02d:45", target, hour)))
	b.do("focus the time field", chromedp.Focus(chromedp.CSS(moveInput)))
	b.do("submit with Enter", chromedp.KeyEvent("\r"))
	want = wantDay.Add(time.Duration(hour)*time.Hour + 45*time.Minute)
	waitFor(t, "the keyboard move moves the post", 10*time.Second, func() (bool, error) {
		p, err := queue.Get(ctx, second.ID)
		return p.ScheduledAt.Equal(want), err
	})
	b.do("the calendar shows it a quarter later", chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`td[data-day="%s"][data-hour="%d"] #slot-%s`, target, hour, second.ID))))
	// The past is refused, and said.
	b.do("open the move form", chromedp.Click(chromedp.CSS(`table.cal-week #slot-`+second.ID+` details.move summary`)))
	b.do("give a past time", chromedp.SetValue(chromedp.CSS(moveInput), time.Now().In(paris).Add(-2*time.Hour).Format("2006-01-02T15:04")))
	b.do("submit", chromedp.Click(chromedp.CSS(`table.cal-week #slot-`+second.ID+` details.move button`)))
	b.do("a refusal", chromedp.WaitVisible(chromedp.CSS("#notice .notice-error")))
	if n := nbsp(b.text("#notice .notice-error")); !strings.Contains(n, "est passé : choisissez un moment à venir.") {
		t.Errorf("past move notice %q", n)
	}
	if p, _ := queue.Get(ctx, second.ID); !p.ScheduledAt.Equal(want) {
		t.Errorf("a move to the past moved the post to %s", p.ScheduledAt)
	}
	b.screenshot("calendar-moved", "")

	// 6. Approve 20 posts with select-all: two interactions, no reload.
	var twenty []string
	for i := range 20 {
		p, _, err := queue.Create(ctx, content.Draft{DedupKey: fmt.Sprint("news-", i), GroupID: fmt.Sprint("news-", i), Kind: content.KindCurated,
			Network: []string{content.NetworkX, content.NetworkFacebook}[i%2], Lang: "fr",
			Text: fmt.Sprintf("À lire : le financement participatif des jeux de société, épisode %d https://press.example.org/jeux/%d", i+1, i+1),
			Link: fmt.Sprintf("https://press.example.org/jeux/%d", i+1), Actor: "system:curator"})
		if err != nil {
			t.Fatal(err)
		}
		twenty = append(twenty, p.ID)
	}
	// The filters answer in place too, their counts following.
	b.open("/")
	b.mark()
	b.do("choose curated news", chromedp.SetValue(chromedp.CSS("#filter-kind"), "curated"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("filter-kind").dispatchEvent(new Event("change", {bubbles: true}))`))
	b.do("the filtered queue comes", chromedp.Poll[chromedp.Void](`location.search === "?kind=curated" && document.querySelectorAll("article.post").length === 20`,
		chromedp.WithPollingTimeout(25*time.Second)))
	if !b.marked() {
		t.Error("filtering reloaded the page")
	}
	if n := run(b, "count the posts", chromedp.Evaluate[int](`document.querySelectorAll("article.post").length`)); n != 20 {
		t.Errorf("the curated filter shows %d posts, want 20", n)
	}
	if opt := nbsp(run(b, "read the network filter", chromedp.Evaluate[string](`document.querySelector('#filter-network option[value="x"]').textContent`))); opt != "X (10)" {
		t.Errorf("the network filter says %q under kind=curated, want X (10)", opt)
	}
	if p := b.path(); p != "/?kind=curated" {
		t.Errorf("the filtered queue's address is %s", p)
	}
	b.open("/?kind=curated")
	b.do("see 20 curated posts", chromedp.WaitVisible(chromedp.CSS("#post-"+twenty[19])))
	// Shift+click selects a range; ? shows the shortcuts.
	run(b, "name the first and fifth boxes", chromedp.Evaluate[bool](`(() => { const p = document.querySelectorAll("input.pick");
		p[0].setAttribute("data-test", "first"); p[4].setAttribute("data-test", "fifth"); return true; })()`))
	b.do("pick the first", chromedp.Click(chromedp.CSS(`input.pick[data-test=first]`)))
	b.do("shift+click the fifth", chromedp.QueryAfter(chromedp.CSS(`input.pick[data-test=fifth]`),
		func(ctx context.Context, tg *chromedp.Target, nodes []*chromedp.Node) (chromedp.Void, error) {
			return chromedp.MouseClickNode(nodes[0], chromedp.ButtonModifiers(chromedp.ModifierShift))(ctx, tg)
		}))
	if n := run(b, "count the selection", chromedp.Evaluate[int](`document.querySelectorAll("input.pick:checked").length`)); n != 5 {
		t.Errorf("shift+click selected %d posts, want the 5 of the range", n)
	}
	if got := nbsp(b.text("#selected-count")); got != "5 sélectionnées" {
		t.Errorf("selection count %q", got)
	}
	b.do("focus the page", chromedp.Focus(chromedp.CSS("main")))
	b.do("press ?", chromedp.KeyEvent("?"))
	if !run(b, "is the help open", chromedp.Evaluate[bool](`document.getElementById("shortcuts").open`)) {
		t.Error("? does not open the shortcuts' help")
	}
	b.do("close it", chromedp.KeyEvent(kb.Escape))
	b.do("clear the selection", chromedp.Click(chromedp.CSS("#select-all")), chromedp.Click(chromedp.CSS("#select-all")))
	if n := run(b, "count the selection", chromedp.Evaluate[int](`document.querySelectorAll("input.pick:checked").length`)); n != 0 {
		t.Fatalf("%d posts still selected", n)
	}

	b.mark()
	loads = w.loads.Load()
	interactions := 0
	b.do("select all", chromedp.Click(chromedp.CSS("#select-all")))
	interactions++
	if n := run(b, "count the selection", chromedp.Evaluate[int](`document.querySelectorAll("input.pick:checked").length`)); n != 20 {
		t.Fatalf("select all checked %d posts, want 20", n)
	}
	b.do("approve the selection", chromedp.Click(chromedp.CSS("#approve-selected")))
	interactions++
	b.do("every card says approved", chromedp.Poll[chromedp.Void](`document.querySelectorAll('article.post[data-state="approved"]').length === 20`, chromedp.WithPollingTimeout(25*time.Second)))
	for _, id := range twenty {
		if p, err := queue.Get(ctx, id); err != nil || p.State == content.StatePending || p.State == content.StateRejected {
			t.Errorf("%s is %s after approving the selection", id, p.State)
		}
	}
	reloads := w.loads.Load() - loads
	if !b.marked() || reloads != 0 {
		t.Errorf("approving the selection reloaded the page")
	}
	if interactions > 3 {
		t.Errorf("approving 20 posts took %d interactions, want at most 3", interactions)
	}
	if n := nbsp(b.text("#notice .notice-msg")); !strings.HasPrefix(n, "20 publications approuvées.") {
		t.Errorf("bulk notice %q", n)
	}
	rep.add("approve 20 posts: %d interactions (select all, approve selected), %d full page loads after the first", interactions, reloads)

	// 7. The editor counts as X does, accents, emoji and links included,
	// and agrees with the server.
	b.open("/compose")
	const draft = "Café, crème brûlée et 🎉🎉 pour les 1 000 contributeurs ! https://crowd.example.org/projects/chant-des-marees?utm_source=x 日本"
	b.do("type a post", chromedp.SendKeys(chromedp.CSS("#compose-text"), draft))
	count, err := text.Check("x", draft)
	if err != nil {
		t.Fatal(err)
	}
	if got := nbsp(b.text("#compose-count")); got != fmt.Sprintf("%d/280", count.WeightedLength) {
		t.Errorf("live count %q, the server counts %d/280", got, count.WeightedLength)
	}

	// 8. The Atom feed carries the published text, titled with the platform.
	published, err := queue.Get(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkAtom(t, m.URL()+"/feed.atom", published.Text)

	// 9. Every page, in both languages, at both widths: axe-core finds no
	// serious or critical issue, the French pages no English, the phone no
	// horizontal scrolling on the queue.
	campaign := "/campaigns/chant-des-marees"
	pages := []struct{ name, path string }{
		{"queue", "/"}, {"queue filtered", "/?kind=milestone&network=x"}, {"calendar week", "/calendar"}, {"calendar month", "/calendar?view=month"},
		{"campaigns", "/campaigns"}, {"campaign", campaign}, {"problems", "/problems"}, {"feeds", "/feeds"}, {"engagement", "/engagement"}, {"impact", "/impact"},
		{"compose", "/compose"}, {"audit", "/audit"}, {"post approved", "/posts/" + second.ID}, {"post duplicate", "/posts/" + dup.ID},
		{"post published", "/posts/" + first.ID},
	}
	for _, lang := range []string{"fr", "en"} {
		b.open("/?lang=" + lang)
		for _, width := range []int64{desktopWidth, phoneWidth} {
			b.do("set the viewport", chromedp.EmulateViewport(width, 900))
			for _, p := range pages {
				b.open(p.path)
				name := fmt.Sprintf("%s %s %dpx", lang, p.name, width)
				if dir := os.Getenv("FANFARE_PAGE_SHOTS"); dir != "" {
					// For a person's review: every page, language and width.
					png := run(b, "screenshot "+name, chromedp.FullScreenshot(100))
					if err := os.WriteFile(filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".png"), png, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				vs := b.axe()
				rep.axeResult(name, vs)
				for _, v := range vs {
					if v.Impact == "serious" || v.Impact == "critical" {
						t.Errorf("%s: axe-core %s %s (%d elements: %v): %s", name, v.Impact, v.ID, v.Nodes, v.Targets, v.Help)
					}
				}
				if lang == "fr" && width == desktopWidth {
					for _, leak := range b.englishLeft() {
						t.Errorf("%s: English left: %s", name, leak)
					}
				}
				if width == phoneWidth {
					over := run(b, "measure the width", chromedp.Evaluate[int](`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
					if over > 0 && (strings.HasPrefix(p.name, "queue") || strings.HasPrefix(p.name, "post ") || p.name == "problems") {
						wide := run(b, "find what is too wide", chromedp.Evaluate[string](`[...document.querySelectorAll("body *")].filter(e => !e.closest(".vh,[hidden]") && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 8).map(e => e.tagName + "." + e.className + "#" + e.id + " " + Math.round(e.getBoundingClientRect().right)).join("; ")`))
						t.Errorf("%s: %dpx of horizontal scrolling on a phone: %s", name, over, wide)
					}
				}
			}
		}
	}
	b.do("set the viewport", chromedp.EmulateViewport(desktopWidth, 900))

	// 10. A form on another site, even one that knows the CSRF token, cannot
	// approve anything.
	b.open("/?lang=fr")
	csrf := run(b, "read the csrf token", chromedp.Value(chromedp.CSS(`form.logout input[name=csrf]`)))
	target2 := findPost(t, pending, "dernier-phare", "percent:200", content.NetworkX)
	checkCrossSite(t, b, m.URL()+"/posts/"+target2.ID+"/approve", csrf)
	if p, err := queue.Get(ctx, target2.ID); err != nil || p.State != content.StatePending {
		t.Fatalf("after a cross-site POST, %s is %s (%v), want still pending", target2.ID, p.State, err)
	}

	// 11. The README's screenshots, in French.
	b.open("/?lang=fr")
	b.screenshot("queue", "queue.png")
	b.open("/calendar")
	b.screenshot("calendar", "calendar.png")
	b.open("/campaigns")
	b.screenshot("campaigns", "campaigns.png")
	b.open(campaign)
	b.do("see the sparkline", chromedp.WaitVisible(chromedp.CSS("figure.spark svg")))
	b.screenshot("campaign", "campaign.png")
	b.open("/problems")
	b.screenshot("problems", "problems.png")
	b.do("set a phone's viewport", chromedp.EmulateViewport(phoneWidth, 844))
	b.open("/")
	b.screenshot("queue-phone", "queue-phone.png")
	b.do("set the viewport", chromedp.EmulateViewport(desktopWidth, 900))

	// 12. The queue with 500 posts waiting: the first page's load time and
	// weight (numbers for the README; the machine is shared, so they are
	// reported, not asserted).
	// The daemon runs meanwhile (a milestone post may expire or fold), so
	// count again until 500 wait.
	for i := 0; countPending(t, queue) < 500; i++ {
		if _, _, err := queue.Create(ctx, content.Draft{DedupKey: fmt.Sprint("load-", i), GroupID: fmt.Sprint("load-", i/2),
			Kind: content.KindCurated, Network: []string{content.NetworkX, content.NetworkFacebook}[i%2], Lang: "fr",
			Text: fmt.Sprintf("Veille n° %d : un projet à découvrir https://press.example.org/veille/%d #crowdfunding", i, i), Actor: "system:curator"}); err != nil {
			t.Fatal(err)
		}
	}
	b.noCache()
	b.open("/")
	timing := run(b, "read the navigation timing", chromedp.Evaluate[string](`JSON.stringify((() => {
		const n = performance.getEntriesByType("navigation")[0];
		return {response: n.responseEnd - n.requestStart, ready: n.domContentLoadedEventEnd - n.startTime, load: n.loadEventEnd - n.startTime,
			html: n.transferSize, body: n.decodedBodySize,
			all: performance.getEntriesByType("resource").reduce((s, r) => s + r.transferSize, n.transferSize),
			nodes: document.getElementsByTagName("*").length, height: document.documentElement.scrollHeight,
			posts: document.querySelectorAll("article.post").length};
	})())`))
	var tm struct {
		Response, Ready, Load float64
		HTML, Body, All       int
		Nodes, Height, Posts  int
	}
	if err := json.Unmarshal([]byte(timing), &tm); err != nil {
		t.Fatal(err)
	}
	if tm.Posts > 50 {
		t.Errorf("the queue's first page shows %d posts, want at most 50", tm.Posts)
	}
	rep.add("queue with 500 pending posts, first page: server answer %.0f ms, DOM ready %.0f ms, load %.0f ms; HTML %d bytes on the wire (%d decoded); %d bytes with scripts and styles, uncached; %d posts, %d elements, %d px tall",
		tm.Response, tm.Ready, tm.Load, tm.HTML, tm.Body, tm.All, tm.Posts, tm.Nodes, tm.Height)

	if ps := w.problems(); len(ps) > 0 {
		t.Errorf("the pages' scripts reported problems (a CSP refusal, an exception):\n%q", ps)
	}
	t.Logf("browser test took %v", time.Since(started).Round(100*time.Millisecond))
}

func countPending(t *testing.T, q content.Queue) int {
	t.Helper()
	_, n, err := q.List(context.Background(), content.ListOptions{State: content.StatePending, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// nbsp reads a text as a person does: no-break spaces are spaces.
func nbsp(s string) string {
	return strings.TrimSpace(strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(s))
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

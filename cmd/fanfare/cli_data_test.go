package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/curator"
	"github.com/fanfarehq/fanfare/content/text"
	"github.com/fanfarehq/fanfare/internal/redistest"
	"github.com/fanfarehq/fanfare/web"
	"github.com/redis/go-redis/v9"
	"golang.org/x/crypto/bcrypt"
)

const dataPrefix = "clitest"

// dataEnv is a configuration file on the test Redis, and the stores the
// commands must act on, opened on the same keys.
type dataEnv struct {
	t     *testing.T
	path  string // the configuration file
	rdb   redis.UniversalClient
	store *content.Store
	env   map[string]string
}

func newDataEnv(t *testing.T) *dataEnv {
	t.Helper()
	rdb := redistest.Client(t) // flushed
	path := filepath.Join(t.TempDir(), "fanfare.yaml")
	cfg := "timezone: UTC\nredis:\n  url: " + redistest.URL(t) + "\n  prefix: " + dataPrefix + "\n"
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	store, err := content.NewStore(rdb, dataPrefix, content.StoreOptions{Validate: text.Validate})
	if err != nil {
		t.Fatal(err)
	}
	return &dataEnv{t: t, path: path, rdb: rdb, store: store, env: map[string]string{"USER": "alice"}}
}

// run runs a command with -config pointing at the test configuration.
func (d *dataEnv) run(stdin string, args ...string) (int, string, string) {
	d.t.Helper()
	return runCmd(d.t, d.env, stdin, append(args, "-config", d.path)...)
}

func (d *dataEnv) post(network, campaignID, text string) content.Post {
	d.t.Helper()
	// Listings go newest first by the millisecond: keep creations apart.
	time.Sleep(2 * time.Millisecond)
	p, _, err := d.store.Create(context.Background(), content.Draft{
		Kind: content.KindManual, Network: network, CampaignID: campaignID, Text: text, Lang: "en",
		Link: "https://example.com/p/1", Actor: "test",
	})
	if err != nil {
		d.t.Fatal(err)
	}
	return p
}

func (d *dataEnv) get(id string) content.Post {
	d.t.Helper()
	p, err := d.store.Get(context.Background(), id)
	if err != nil {
		d.t.Fatal(err)
	}
	return p
}

// unknown drives a post through a publish attempt whose outcome is unknown.
func (d *dataEnv) unknown(p content.Post) content.Post {
	d.t.Helper()
	ctx := context.Background()
	if _, err := d.store.Approve(ctx, p.ID, "test"); err != nil {
		d.t.Fatal(err)
	}
	if err := d.store.ReserveSlot(ctx, p.ID, time.Now().Add(-time.Minute), "test", content.SlotGuard{}); err != nil {
		d.t.Fatal(err)
	}
	if _, err := d.store.Claim(ctx, p.ID, "attempt-1", time.Minute); err != nil {
		d.t.Fatal(err)
	}
	p, err := d.store.Complete(ctx, p.ID, "attempt-1", content.Outcome{State: content.StateUnknown, Error: "timeout"})
	if err != nil {
		d.t.Fatal(err)
	}
	return p
}

func lastChange(p content.Post) content.Change {
	if len(p.Audit) == 0 {
		return content.Change{}
	}
	return p.Audit[len(p.Audit)-1]
}

func TestPostsListAndShow(t *testing.T) {
	d := newDataEnv(t)
	a := d.post("x", "c1", "Bravo to the Bike team!")
	b := d.post("facebook", "c1", "The Bike is funded")
	c := d.post("x", "c2", "Another one")

	code, out, errOut := d.run("", "posts", "list")
	if code != 0 {
		t.Fatalf("posts list = %d %s", code, errOut)
	}
	for _, want := range []string{"STATE", a.ID, b.ID, c.ID, "Bravo to the Bike team!", "3 of 3 post(s)"} {
		if !strings.Contains(out, want) {
			t.Errorf("posts list lacks %q:\n%s", want, out)
		}
	}

	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"--state", "pending"}, []string{c.ID, b.ID, a.ID}},
		{[]string{"--campaign", "c1", "--network", "x"}, []string{a.ID}},
		{[]string{"--network", "facebook"}, []string{b.ID}},
		{[]string{"--state", "approved"}, nil},
		{[]string{"--limit", "1", "--offset", "1"}, []string{b.ID}},
	}
	for _, tt := range tests {
		code, out, errOut := d.run("", append([]string{"posts", "list", "--json"}, tt.args...)...)
		if code != 0 {
			t.Fatalf("posts list %v = %d %s", tt.args, code, errOut)
		}
		var got web.List[content.Post]
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("posts list %v: not JSON: %v\n%s", tt.args, err, out)
		}
		var ids []string
		for _, p := range got.Items {
			ids = append(ids, p.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(tt.want) {
			t.Errorf("posts list %v = %v, want %v", tt.args, ids, tt.want)
		}
	}
	if code, _, errOut := d.run("", "posts", "list", "--state", "bogus"); code != 1 || !strings.Contains(errOut, "bogus") {
		t.Errorf("posts list --state bogus = %d %q", code, errOut)
	}

	code, out, errOut = d.run("", "posts", "show", a.ID)
	if code != 0 || !strings.Contains(out, "Bravo to the Bike team!") || !strings.Contains(out, "Audit trail") || !strings.Contains(out, "test") {
		t.Fatalf("posts show = %d %s\n%s", code, errOut, out)
	}
	code, out, errOut = d.run("", "posts", "show", a.ID, "--json")
	if code != 0 {
		t.Fatalf("posts show --json = %d %s", code, errOut)
	}
	var got content.Post
	if err := json.Unmarshal([]byte(out), &got); err != nil || got.ID != a.ID || got.Text != a.Text || len(got.Audit) != 1 {
		t.Fatalf("posts show --json = %+v (%v)", got, err)
	}
	if code, _, errOut := d.run("", "posts", "show", "nope"); code != 1 || !strings.Contains(errOut, `no post with id "nope"`) {
		t.Errorf("posts show of a missing post = %d %q", code, errOut)
	}
	if code, _, _ := d.run("", "posts", "show"); code != 2 {
		t.Errorf("posts show without an id = %d, want 2", code)
	}
}

func TestPostsApprove(t *testing.T) {
	d := newDataEnv(t)
	a := d.post("x", "c1", "one")
	b := d.post("x", "c1", "two")
	c := d.post("x", "c1", "three")

	code, out, errOut := d.run("", "posts", "approve", a.ID, b.ID, "--as", "bob")
	if code != 0 {
		t.Fatalf("posts approve = %d %s", code, errOut)
	}
	for _, p := range []content.Post{a, b} {
		got := d.get(p.ID)
		if got.State != content.StateApproved || lastChange(got).Actor != "bob" {
			t.Errorf("after approve --as bob: %s is %s by %q", p.ID, got.State, lastChange(got).Actor)
		}
		if !strings.Contains(out, p.ID+": approved") {
			t.Errorf("approve output lacks %s: %s", p.ID, out)
		}
	}

	// The default actor is cli:$USER; a post that cannot be approved does not
	// stop the others, and is named.
	code, _, errOut = d.run("", "posts", "approve", a.ID, c.ID, "missing")
	if code != 1 {
		t.Fatalf("approve with bad ids = %d, want 1", code)
	}
	for _, want := range []string{"2 of 3", "it is approved; approve needs a post that is pending", `no post with id "missing"`} {
		if !strings.Contains(errOut, want) {
			t.Errorf("approve errors lack %q:\n%s", want, errOut)
		}
	}
	if got := d.get(c.ID); got.State != content.StateApproved || lastChange(got).Actor != "cli:alice" {
		t.Errorf("c after approve: %s by %q, want approved by cli:alice", got.State, lastChange(got).Actor)
	}
	if code, _, _ := d.run("", "posts", "approve"); code != 2 {
		t.Errorf("approve without ids = %d, want 2", code)
	}
}

func TestPostsReject(t *testing.T) {
	d := newDataEnv(t)
	a := d.post("x", "c1", "one")

	code, _, errOut := d.run("", "posts", "reject", a.ID)
	if code != 1 || !strings.Contains(errOut, "--reason is required") {
		t.Fatalf("reject without a reason = %d %q", code, errOut)
	}
	if code, _, _ := d.run("", "posts", "reject", a.ID, "--reason", "   "); code != 1 {
		t.Fatalf("reject with a blank reason = %d", code)
	}
	if got := d.get(a.ID); got.State != content.StatePending {
		t.Fatalf("a reject refused changed the post: %s", got.State)
	}
	code, out, errOut := d.run("", "posts", "reject", a.ID, "--reason", "off-brand", "--as", "carol")
	if code != 0 || !strings.Contains(out, "rejected") {
		t.Fatalf("reject = %d %s %s", code, out, errOut)
	}
	got := d.get(a.ID)
	if ch := lastChange(got); got.State != content.StateRejected || ch.Actor != "carol" || ch.Reason != "off-brand" {
		t.Fatalf("after reject: %s, last change %+v", got.State, ch)
	}
	code, _, errOut = d.run("", "posts", "reject", a.ID, "--reason", "again")
	if code != 1 || !strings.Contains(errOut, "it is rejected") {
		t.Fatalf("reject of a rejected post = %d %q", code, errOut)
	}
}

func TestPostsEdit(t *testing.T) {
	d := newDataEnv(t)
	a := d.post("x", "c1", "first words")

	code, _, errOut := d.run("", "posts", "edit", a.ID, "--text", "better words", "--link", "https://example.com/p/2", "--as", "dan")
	if code != 0 {
		t.Fatalf("edit = %d %s", code, errOut)
	}
	got := d.get(a.ID)
	if got.Text != "better words" || got.Link != "https://example.com/p/2" || lastChange(got).Actor != "dan" {
		t.Fatalf("after edit: %q %q by %q", got.Text, got.Link, lastChange(got).Actor)
	}

	// The edited text is checked against the network's rules again.
	long := strings.Repeat("é", 281)
	code, _, errOut = d.run("", "posts", "edit", a.ID, "--text", long)
	if code != 1 || !strings.Contains(errOut, "text is 281 long, over the x limit of 280") {
		t.Fatalf("edit with a text too long for X = %d %q", code, errOut)
	}
	if got := d.get(a.ID); got.Text != "better words" {
		t.Fatalf("a refused edit changed the text to %q", got.Text)
	}
	code, _, errOut = d.run("", "posts", "edit", a.ID, "--link", "ftp://example.com/x")
	if code != 1 || !strings.Contains(errOut, "link must be an http or https URL") {
		t.Fatalf("edit with a bad link = %d %q", code, errOut)
	}

	file := filepath.Join(t.TempDir(), "post.txt")
	if err := os.WriteFile(file, []byte("from a file\nsecond line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := d.run("", "posts", "edit", a.ID, "--text-file", file); code != 0 {
		t.Fatalf("edit --text-file = %d %s", code, errOut)
	}
	if got := d.get(a.ID); got.Text != "from a file\nsecond line" {
		t.Fatalf("after --text-file: %q", got.Text)
	}
	if code, _, errOut := d.run("from stdin\n", "posts", "edit", a.ID, "--text-file", "-"); code != 0 || d.get(a.ID).Text != "from stdin" {
		t.Fatalf("edit --text-file - = %d %s, text %q", code, errOut, d.get(a.ID).Text)
	}

	// Reschedule.
	at := time.Now().Add(3 * time.Hour).Truncate(time.Second).UTC()
	if code, _, errOut := d.run("", "posts", "edit", a.ID, "--at", at.Format(time.RFC3339)); code != 0 {
		t.Fatalf("edit --at = %d %s", code, errOut)
	}
	if got := d.get(a.ID); !got.ScheduledAt.Equal(at) {
		t.Fatalf("after edit --at %s: slot %s", at, got.ScheduledAt)
	}

	for _, args := range [][]string{
		{"--at", "tomorrow"},
		{"--text", "a", "--text-file", file},
		{},
	} {
		if code, _, errOut := d.run("", append([]string{"posts", "edit", a.ID}, args...)...); code != 1 {
			t.Errorf("edit %v = %d %q, want 1", args, code, errOut)
		}
	}
	if _, err := d.store.Reject(context.Background(), a.ID, "test", "no"); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = d.run("", "posts", "edit", a.ID, "--text", "too late")
	if code != 1 || !strings.Contains(errOut, "it is rejected; edit needs a post that is pending or approved") {
		t.Fatalf("edit of a rejected post = %d %q", code, errOut)
	}
}

func TestPostsRetryAndResolve(t *testing.T) {
	d := newDataEnv(t)
	a := d.unknown(d.post("x", "c1", "one"))
	b := d.unknown(d.post("x", "c1", "two"))
	c := d.unknown(d.post("x", "c1", "three"))
	pending := d.post("x", "c1", "four")

	if code, _, errOut := d.run("", "posts", "retry", a.ID, "--as", "erin"); code != 0 {
		t.Fatalf("retry = %d %s", code, errOut)
	}
	if got := d.get(a.ID); got.State != content.StateApproved || lastChange(got).Actor != "erin" {
		t.Fatalf("after retry: %s by %q", got.State, lastChange(got).Actor)
	}
	code, _, errOut := d.run("", "posts", "retry", pending.ID)
	if code != 1 || !strings.Contains(errOut, "retry needs a post that is failed, unknown or duplicate") {
		t.Fatalf("retry of a pending post = %d %q", code, errOut)
	}

	refused := []struct {
		args []string
		code int
		want string
	}{
		{[]string{b.ID, "--published"}, 1, "--published needs --url"},
		{[]string{b.ID, "--discard"}, 1, "--discard needs --reason"},
		{[]string{b.ID, "--published", "--discard", "--url", "https://x.com/a/status/1"}, 2, "usage"},
		{[]string{b.ID}, 2, "usage"},
		{[]string{b.ID, "--published", "--url", "x.com/a/status/1"}, 1, "external_url"},
	}
	for _, tt := range refused {
		code, _, errOut := d.run("", append([]string{"posts", "resolve"}, tt.args...)...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("resolve %v = %d %q, want %d %q", tt.args, code, errOut, tt.code, tt.want)
		}
	}
	if got := d.get(b.ID); got.State != content.StateUnknown {
		t.Fatalf("refused resolves changed the post to %s", got.State)
	}

	url := "https://x.com/fanfare/status/1234"
	if code, _, errOut := d.run("", "posts", "resolve", b.ID, "--published", "--url", url, "--as", "frank"); code != 0 {
		t.Fatalf("resolve --published = %d %s", code, errOut)
	}
	if got := d.get(b.ID); got.State != content.StatePublished || got.ExternalURL != url || lastChange(got).Actor != "frank" {
		t.Fatalf("after resolve --published: %s %q by %q", got.State, got.ExternalURL, lastChange(got).Actor)
	}
	if code, _, errOut := d.run("", "posts", "resolve", c.ID, "--discard", "--reason", "posted by hand twice"); code != 0 {
		t.Fatalf("resolve --discard = %d %s", code, errOut)
	}
	got := d.get(c.ID)
	if ch := lastChange(got); got.State != content.StateRejected || ch.Reason != "posted by hand twice" || ch.Actor != "cli:alice" {
		t.Fatalf("after resolve --discard: %s %+v", got.State, ch)
	}
}

// liveCampaign is launched 5 days ago, ends in 10 days and an hour, 1,000.00
// EUR goal.
func liveCampaign(id string, pledged, backers int64, now time.Time) campaigns.Campaign {
	return campaigns.Campaign{
		ID: id, Title: "Bike " + id, URL: "https://example.com/p/" + id, Lang: "en", Currency: "EUR",
		Goal: 100000, Pledged: pledged, Backers: backers,
		LaunchedAt: now.Add(-5 * 24 * time.Hour), Deadline: now.Add(10*24*time.Hour + time.Hour),
		State: campaigns.StateLive, Creator: campaigns.Creator{Name: "Ann", XHandle: "@ann"},
		UpdatedAt: now.Add(-time.Minute),
	}
}

func TestCampaignsListAndShow(t *testing.T) {
	d := newDataEnv(t)
	ctx := context.Background()
	tr, err := campaigns.NewTracker(d.rdb, dataPrefix, campaigns.DefaultRules(), campaigns.TrackerOptions{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	done := liveCampaign("c2", 250000, 80, now)
	done.LaunchedAt, done.Deadline, done.State = now.Add(-40*24*time.Hour), now.Add(-24*time.Hour), campaigns.StateSuccessful
	if _, err := tr.Ingest(ctx, []campaigns.Campaign{liveCampaign("c1", 60000, 30, now), done}); err != nil {
		t.Fatal(err)
	}
	// c1 crosses 75 %: that one is posted, the thresholds passed before its
	// first sight were recorded silently.
	next := liveCampaign("c1", 80000, 40, now)
	next.UpdatedAt = now
	res, err := tr.Ingest(ctx, []campaigns.Campaign{next})
	if err != nil || len(res.Fired) == 0 {
		t.Fatalf("second ingest fired nothing: %+v %v", res, err)
	}

	code, out, errOut := d.run("", "campaigns", "list")
	if code != 0 {
		t.Fatalf("campaigns list = %d %s", code, errOut)
	}
	for _, want := range []string{"FUNDED", "Bike c1", "80%", "€800", "10d", "Bike c2", "250%", "successful", "2 of 2"} {
		if !strings.Contains(out, want) {
			t.Errorf("campaigns list lacks %q:\n%s", want, out)
		}
	}
	code, out, errOut = d.run("", "campaigns", "list", "--state", "live", "--json")
	if code != 0 {
		t.Fatalf("campaigns list --json = %d %s", code, errOut)
	}
	var list web.List[campaigns.Campaign]
	if err := json.Unmarshal([]byte(out), &list); err != nil || list.Total != 1 || len(list.Items) != 1 || list.Items[0].Pledged != 80000 {
		t.Fatalf("campaigns list --state live --json = %+v (%v)", list, err)
	}
	if code, _, errOut := d.run("", "campaigns", "list", "--state", "paused"); code != 1 || !strings.Contains(errOut, "paused") {
		t.Errorf("campaigns list --state paused = %d %q", code, errOut)
	}

	_, fired, err := tr.Get(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut = d.run("", "campaigns", "show", "c1")
	if code != 0 {
		t.Fatalf("campaigns show = %d %s", code, errOut)
	}
	for _, want := range []string{"Bike c1", "80% (€800 of €1,000)", "Ann, @ann", "Milestones:", "percent:75", "posted", "percent:50", "silent"} {
		if !strings.Contains(out, want) {
			t.Errorf("campaigns show lacks %q:\n%s", want, out)
		}
	}
	code, out, errOut = d.run("", "campaigns", "show", "c1", "--json")
	if code != 0 {
		t.Fatalf("campaigns show --json = %d %s", code, errOut)
	}
	var detail campaignJSON
	if err := json.Unmarshal([]byte(out), &detail); err != nil {
		t.Fatal(err)
	}
	if detail.Campaign.ID != "c1" || len(detail.Milestones) != len(fired) {
		t.Fatalf("campaigns show --json = %+v, tracker fired %v", detail, fired)
	}
	for i, f := range fired {
		if g := detail.Milestones[i]; g.Milestone != f.Milestone || g.Posted != f.Posted || !g.At.Equal(f.At) {
			t.Errorf("milestone %d = %+v, want %+v", i, g, f)
		}
	}
	if code, _, errOut := d.run("", "campaigns", "show", "c9"); code != 1 || !strings.Contains(errOut, `no campaign with id "c9"`) {
		t.Errorf("campaigns show c9 = %d %q", code, errOut)
	}
}

func TestCampaignsImport(t *testing.T) {
	d := newDataEnv(t)
	csv := `ID,name,category,main_category,currency,deadline,goal,launched,pledged,state,backers,country,usd pledged,usd_pledged_real,usd_goal_real
1001,Songs,Poetry,Publishing,GBP,2015-10-09,1000.00,2015-08-11 12:12:28,1200.50,successful,30,GB,0,0,0
1002,Capsule,Film,Film & Video,USD,2017-11-01,30000.00,2017-09-02 04:43:57,2421.00,failed,15,US,0,0,0
1003,Broken,Film,Film & Video,USD,not-a-date,30000.00,2017-09-02 04:43:57,2421.00,failed,15,US,0,0,0
`
	file := filepath.Join(t.TempDir(), "ks.csv")
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := d.run("", "campaigns", "import", file)
	if code != 0 {
		t.Fatalf("campaigns import = %d %s", code, errOut)
	}
	if !strings.Contains(out, "3 rows: 2 accepted, 1 rejected") || !strings.Contains(out, "row 4 (id 1003)") {
		t.Fatalf("import summary:\n%s", out)
	}
	if errOut != "" {
		t.Errorf("import wrote to stderr off a terminal: %q", errOut)
	}
	tr, err := campaigns.NewTracker(d.rdb, dataPrefix, campaigns.DefaultRules(), campaigns.TrackerOptions{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := tr.Get(context.Background(), "1001")
	if err != nil || c.Pledged != 120050 || c.Currency != "GBP" || c.State != campaigns.StateSuccessful {
		t.Fatalf("imported 1001 = %+v (%v)", c, err)
	}
	if _, _, err := tr.Get(context.Background(), "1003"); err != campaigns.ErrNotFound {
		t.Fatalf("the bad row was stored: %v", err)
	}

	// From stdin, as JSON.
	code, out, errOut = d.run(csv, "campaigns", "import", "-", "--json")
	if code != 0 {
		t.Fatalf("campaigns import - --json = %d %s", code, errOut)
	}
	var sum importSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Rows != 3 || sum.Accepted != 2 || sum.Rejected != 1 || len(sum.Errors) != 1 || sum.Errors[0].Field != "deadline" {
		t.Fatalf("import --json summary = %+v", sum)
	}

	for _, args := range [][]string{
		{file, "--format", "xml"},
		{file, "--preset", "ulule"},
		{file, "--preset", "indiegogo"},
		{filepath.Join(t.TempDir(), "missing.csv")},
	} {
		if code, _, errOut := d.run("", append([]string{"campaigns", "import"}, args...)...); code != 1 {
			t.Errorf("campaigns import %v = %d %q, want 1", args, code, errOut)
		}
	}
}

// TestCampaignsImportSaysWhatWentUnposted: milestones over the cap of posts
// per batch are counted in the summary (text and JSON), not only in a log.
func TestCampaignsImportSaysWhatWentUnposted(t *testing.T) {
	d := newDataEnv(t)
	cfg, err := os.ReadFile(d.path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(d.path, append(cfg, "campaigns:\n  max_posts_per_delivery: 1\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().AddDate(0, 0, 20).Format("2006-01-02")
	launched := time.Now().AddDate(0, 0, -10).Format("2006-01-02 15:04:05")
	row := func(id, pledged, backers string) string {
		return id + ",Songs,Poetry,Publishing,GBP," + deadline + ",1000.00," + launched + "," + pledged + ",live," + backers + ",GB,0,0,0\n"
	}
	header := "ID,name,category,main_category,currency,deadline,goal,launched,pledged,state,backers,country,usd pledged,usd_pledged_real,usd_goal_real\n"
	// The first sight of a campaign is its baseline; the second import moves
	// both past several milestones at once.
	if code, _, errOut := d.run(header+row("2001", "10.00", "1")+row("2002", "10.00", "1"), "campaigns", "import", "-"); code != 0 {
		t.Fatalf("baseline import = %d %s", code, errOut)
	}
	csv := header + row("2001", "800.00", "60") + row("2002", "900.00", "120")
	code, out, errOut := d.run(csv, "campaigns", "import", "-", "--json")
	if code != 0 {
		t.Fatalf("campaigns import = %d %s", code, errOut)
	}
	var sum importSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Accepted != 2 || sum.Fired == 0 || sum.Unposted == 0 {
		t.Fatalf("summary %+v, want milestones posted up to the cap and the rest unposted", sum)
	}
	csv = header + row("2001", "1000.00", "110") + row("2002", "1500.00", "220")
	code, out, _ = d.run(csv, "campaigns", "import", "-")
	if code != 0 || !strings.Contains(out, "more recorded without a post: over campaigns.max_posts_per_delivery") {
		t.Fatalf("text summary = %d\n%s", code, out)
	}
}

const testRSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Partner news</title><link>https://partner.example/</link>
<item><title>Bikes &amp; more</title><link>https://partner.example/a</link><pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate></item>
<item><title>No date</title><link>/b</link></item>
</channel></rss>`

func TestFeedsFetch(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed.xml":
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, testRSS)
		case "/page":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<!doctype html><html><head><title>Partner</title></head><body>Hello</body></html>")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	// It fetches as the daemon would: the test server is on a loopback
	// address, refused unless the configuration allows private feeds.
	code, out, errOut := runCmd(t, map[string]string{"FANFARE_CONFIG": ""}, "", "feeds", "fetch", "--url", srv.URL+"/feed.xml")
	if code != 1 || out != "" || !strings.Contains(errOut, "forbidden") && !strings.Contains(errOut, "private") {
		t.Errorf("feeds fetch of a loopback feed without feeds.allow_private = %d %q %q", code, out, errOut)
	}
	// No Redis: the configuration's redis.url points nowhere and nothing reads it.
	cfg := filepath.Join(t.TempDir(), "fanfare.yaml")
	if err := os.WriteFile(cfg, []byte("redis:\n  url: redis://127.0.0.1:1/0\nfeeds:\n  allow_private: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"FANFARE_CONFIG": cfg}
	code, out, errOut = runCmd(t, env, "", "feeds", "fetch", "--url", srv.URL+"/feed.xml", "--json")
	if code != 0 {
		t.Fatalf("feeds fetch = %d %s", code, errOut)
	}
	type item struct {
		Title     string     `json:"title"`
		Link      string     `json:"link"`
		Published *time.Time `json:"published"`
	}
	var items []item
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var it item
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			t.Fatalf("line %q is not JSON: %v", sc.Text(), err)
		}
		items = append(items, it)
	}
	if len(items) != 2 {
		t.Fatalf("feeds fetch printed %d items:\n%s", len(items), out)
	}
	want := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	if items[0].Title != "Bikes & more" || items[0].Link != "https://partner.example/a" || items[0].Published == nil || !items[0].Published.Equal(want) {
		t.Errorf("first item = %+v", items[0])
	}
	if items[1].Title != "No date" || items[1].Link != "https://partner.example/b" || items[1].Published != nil {
		t.Errorf("second item = %+v", items[1])
	}
	if !strings.Contains(out, `"published":null`) {
		t.Errorf("an undated item must say published null:\n%s", out)
	}

	code, out, _ = runCmd(t, env, "", "feeds", "fetch", "--url", srv.URL+"/feed.xml")
	if code != 0 || !strings.Contains(out, "Bikes & more") || !strings.Contains(out, "2 item(s)") {
		t.Errorf("feeds fetch as a table = %d\n%s", code, out)
	}

	for _, tt := range []struct{ path, want string }{
		{"/page", "HTML page, not a feed"},
		{"/missing", "404"},
	} {
		code, out, errOut := runCmd(t, env, "", "feeds", "fetch", "--url", srv.URL+tt.path, "--json")
		if code != 1 || out != "" || !strings.Contains(errOut, tt.want) {
			t.Errorf("feeds fetch %s = %d %q %q, want 1 naming %q", tt.path, code, out, errOut, tt.want)
		}
	}
	if code, _, _ := runCmd(t, env, "", "feeds", "fetch", "--json"); code != 2 {
		t.Errorf("feeds fetch without --url = %d, want 2", code)
	}
}

func TestFeedsAddListRemove(t *testing.T) {
	d := newDataEnv(t)
	url := "https://partner.example/feed.xml"
	code, _, errOut := d.run("", "feeds", "add", "--url", url, "--keywords", "bike, velo", "--lang", "fr", "--auto-approve", "--networks", "x")
	if code != 0 {
		t.Fatalf("feeds add = %d %s", code, errOut)
	}
	code, out, errOut := d.run("", "feeds", "list", "--json")
	if code != 0 {
		t.Fatalf("feeds list = %d %s", code, errOut)
	}
	var list web.List[content.FeedStatus]
	if err := json.Unmarshal([]byte(out), &list); err != nil || list.Total != 1 {
		t.Fatalf("feeds list --json = %s (%v)", out, err)
	}
	f := list.Items[0]
	if f.URL != url || fmt.Sprint(f.Keywords) != "[bike velo]" || f.Lang != "fr" || !f.AutoApprove || fmt.Sprint(f.Networks) != "[x]" || f.FromConfig {
		t.Fatalf("stored feed = %+v", f)
	}
	code, out, _ = d.run("", "feeds", "list")
	if code != 0 || !strings.Contains(out, url) || !strings.Contains(out, "bike,velo") || !strings.Contains(out, "1 feed(s)") {
		t.Fatalf("feeds list table = %d\n%s", code, out)
	}

	for _, args := range [][]string{
		{"--url", "partner.example/feed"},
		{"--url", "https://partner.example/other", "--networks", "mastodon"},
		{"--url", "https://partner.example/other", "--lang", "french!"},
	} {
		if code, _, errOut := d.run("", append([]string{"feeds", "add"}, args...)...); code != 1 {
			t.Errorf("feeds add %v = %d %q, want 1", args, code, errOut)
		}
	}

	// A feed from the configuration file is changed there only.
	reg := curator.NewRegistry(d.rdb, dataPrefix)
	cfgFeed := "https://press.example/rss"
	if err := reg.SyncConfig(context.Background(), []content.Feed{{URL: cfgFeed}}); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := d.run("", "feeds", "remove", "--url", cfgFeed); code != 1 || !strings.Contains(errOut, "configuration file") {
		t.Errorf("feeds remove of a config feed = %d %q", code, errOut)
	}
	if code, _, errOut := d.run("", "feeds", "add", "--url", cfgFeed); code != 1 || !strings.Contains(errOut, "configuration file") {
		t.Errorf("feeds add of a config feed = %d %q", code, errOut)
	}

	if code, _, errOut := d.run("", "feeds", "remove", "--url", url); code != 0 {
		t.Fatalf("feeds remove = %d %s", code, errOut)
	}
	feeds, err := reg.List(context.Background())
	if err != nil || len(feeds) != 1 || feeds[0].URL != cfgFeed {
		t.Fatalf("after remove: %+v %v", feeds, err)
	}
	if code, _, errOut := d.run("", "feeds", "remove", "--url", url); code != 1 || !strings.Contains(errOut, "no feed") {
		t.Errorf("second feeds remove = %d %q", code, errOut)
	}
}

func TestUsersHashPassword(t *testing.T) {
	const pw = "correct horse battery"
	// One hash only: bcrypt at cost 12 takes seconds under the race detector.
	code, out, errOut := runCmd(t, nil, pw+"\n", "users", "hash-password", "-password-stdin")
	if code != 0 {
		t.Fatalf("hash-password = %d %s", code, errOut)
	}
	hash := strings.TrimSuffix(out, "\n")
	if strings.Contains(hash, "\n") || strings.Contains(out, pw) || strings.Contains(errOut, pw) {
		t.Fatalf("hash-password output %q", out)
	}
	if err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)); err != nil {
		t.Fatalf("hash %q does not verify: %v", hash, err)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw+"\n")) == nil {
		t.Fatal("the trailing line break was hashed with the password")
	}

	tests := []struct {
		in   string
		args []string
		want string
	}{
		{"short\n", []string{"-password-stdin"}, "has 5 characters; use at least 10"},
		// Without the flag, a stdin that is not a terminal is read all the same.
		{"short\n", nil, "has 5 characters; use at least 10"},
		{"", []string{"-password-stdin"}, "no password"},
		{"two\nlines are here\n", []string{"-password-stdin"}, "several lines"},
		{strings.Repeat("a", 73), []string{"-password-stdin"}, "72 bytes"},
	}
	for _, tt := range tests {
		code, out, errOut := runCmd(t, nil, tt.in, append([]string{"users", "hash-password"}, tt.args...)...)
		if code != 1 || out != "" || !strings.Contains(errOut, tt.want) {
			t.Errorf("hash-password %v of %q = %d %q %q, want 1 naming %q", tt.args, tt.in, code, out, errOut, tt.want)
		}
	}
}

func TestDataCommandsNeedRedisURL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "embedded.yaml")
	if err := os.WriteFile(path, []byte("redis:\n  prefix: fanfare\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"FANFARE_CONFIG": path}
	for _, args := range [][]string{
		{"posts", "list"},
		{"posts", "approve", "01ABC"},
		{"campaigns", "list"},
		{"campaigns", "show", "c1"},
		{"feeds", "list"},
		{"feeds", "add", "--url", "https://partner.example/feed.xml"},
	} {
		code, _, errOut := runCmd(t, env, "", args...)
		if code != 1 || !strings.Contains(errOut, "redis.url is empty") || !strings.Contains(errOut, "running daemon's memory") {
			t.Errorf("%v with the embedded store = %d %q", args, code, errOut)
		}
	}
}

func TestDataCommandsReportUnreachableRedis(t *testing.T) {
	path := filepath.Join(t.TempDir(), "down.yaml")
	if err := os.WriteFile(path, []byte("redis:\n  url: redis://127.0.0.1:1/0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	code, _, errOut := runCmd(t, nil, "", "posts", "list", "-config", path)
	if code != 1 || !strings.Contains(errOut, "unreachable") || !strings.Contains(errOut, "127.0.0.1:1") {
		t.Fatalf("posts list with Redis down = %d %q", code, errOut)
	}
	if took := time.Since(start); took > 3*redisWait {
		t.Fatalf("gave up after %s, want about %s", took, redisWait)
	}
}

func TestDataCommandsHelp(t *testing.T) {
	for _, args := range [][]string{{"posts", "list", "--help"}, {"posts", "reject", "--help"}, {"campaigns", "import", "--help"}, {"users", "hash-password", "--help"}} {
		if code, _, errOut := runCmd(t, nil, "", args...); code != 0 || !strings.Contains(errOut, "usage: fanfare "+args[0]+" "+args[1]) {
			t.Errorf("%v = %d %q", args, code, errOut)
		}
	}
	if code, _, errOut := runCmd(t, nil, "", "posts"); code != 2 || !strings.Contains(errOut, "posts approve") {
		t.Errorf("bare posts = %d %q", code, errOut)
	}
}

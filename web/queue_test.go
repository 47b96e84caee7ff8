package web

import (
	"errors"
	"github.com/PuerkitoBio/goquery"
	"io"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/text"
)

// milestonePair queues the two posts of one milestone event, as the composer does.
func milestonePair(t *testing.T, q *fakeQueue, campaign, milestone string) (x, fb content.Post) {
	t.Helper()
	group := campaign + "/" + milestone
	x, _, err := q.Create(t.Context(), content.Draft{DedupKey: group, GroupID: group, Kind: content.KindMilestone, Network: "x",
		CampaignID: campaign, Milestone: milestone, Lang: "fr",
		Text: "Le projet Lumière est financé à 50 % ! Merci @atelier_lumiere https://example.org/p/lumiere?utm_source=x #crowdfunding", Actor: "system:composer"})
	if err != nil {
		t.Fatal(err)
	}
	fb, _, err = q.Create(t.Context(), content.Draft{DedupKey: group, GroupID: group, Kind: content.KindMilestone, Network: "facebook",
		CampaignID: campaign, Milestone: milestone, Lang: "fr", Link: "https://example.org/p/lumiere?utm_source=facebook",
		ImageURL: "https://cdn.example.org/lumiere.jpg",
		Text:     "Le projet Lumière est financé à 50 % ! Un grand merci aux 120 contributeurs.", Actor: "system:composer"})
	if err != nil {
		t.Fatal(err)
	}
	return x, fb
}

func TestQueuePageGroupsPendingPosts(t *testing.T) {
	e := newEnv(t, nil)
	x, fb := milestonePair(t, e.queue, "42", "percent:50")
	milestonePair(t, e.queue, "43", "launch")
	approved, _, _ := e.queue.Create(t.Context(), content.Draft{DedupKey: "m", GroupID: "m", Kind: content.KindManual, Network: "x", Text: "already approved"})
	e.queue.Approve(t.Context(), approved.ID, "alice")

	b := e.login("alice")
	doc := b.page("/")
	if n := doc.Find("section.group").Length(); n != 2 {
		t.Fatalf("%d groups, want 2", n)
	}
	g := doc.Find(`section.group[data-group="42/percent:50"]`)
	if g.Find("article.post").Length() != 2 {
		t.Fatalf("group 42/percent:50 has %d posts", g.Find("article.post").Length())
	}
	if got := strings.TrimSpace(doc.Find("#count-pending").Text()); got != "4" {
		t.Errorf("pending count in nav %q, want 4", got)
	}
	if doc.Find("#post-"+approved.ID).Length() != 0 {
		t.Error("an approved post is shown in the queue")
	}
	// X preview: the mention and the link are highlighted, the count is server-side.
	xp := doc.Find("#post-" + x.ID)
	if xp.Find(".hl-mention").Text() != "@atelier_lumiere" {
		t.Errorf("mention %q", xp.Find(".hl-mention").Text())
	}
	if href, _ := xp.Find(".hl-link").Attr("href"); !strings.HasPrefix(href, "https://example.org/p/lumiere") {
		t.Errorf("link %q", href)
	}
	if xp.Find(".hl-tag").Text() != "#crowdfunding" {
		t.Errorf("hashtag %q", xp.Find(".hl-tag").Text())
	}
	res, _ := text.Check("x", x.Text)
	if got := strings.TrimSpace(xp.Find(".length").Text()); got != strconv.Itoa(res.WeightedLength)+"/280" {
		t.Errorf("count %q, want %d/280", got, res.WeightedLength)
	}
	if xp.Find(".card .domain").Text() != "example.org" {
		t.Errorf("X link card domain %q", xp.Find(".card .domain").Text())
	}
	// Facebook: the link preview card with the image.
	fp := doc.Find("#post-" + fb.ID)
	if src, _ := fp.Find(".card img").Attr("src"); src != "https://cdn.example.org/lumiere.jpg" {
		t.Errorf("facebook card image %q", src)
	}
	if fp.Find(".hl-mention").Length() != 0 {
		t.Error("mentions highlighted on Facebook")
	}
	// "Approve both" carries exactly the group's pending ids.
	var ids []string
	g.Find(`form.group-approve input[name=id]`).Each(func(_ int, s *goquery.Selection) { v, _ := s.Attr("value"); ids = append(ids, v) })
	if len(ids) != 2 {
		t.Errorf("group approve ids %v", ids)
	}
}

func TestApproveRecordsTheUser(t *testing.T) {
	e := newEnv(t, nil)
	x, fb := milestonePair(t, e.queue, "42", "percent:50")
	b := e.login("alice")
	msg := b.flash(b.postForm("/posts/"+x.ID+"/approve", url.Values{"next": {"/"}}))
	if norm(msg) != "Approved. It goes out Tue 10 Mar at 11:30, on X." {
		t.Errorf("flash %q", msg)
	}
	got := e.queue.post(x.ID)
	if got.State != content.StateApproved {
		t.Fatalf("state %s", got.State)
	}
	if last := got.Audit[len(got.Audit)-1]; last.Actor != "alice" || last.Action != "approve" {
		t.Errorf("audit %+v", last)
	}
	if e.queue.post(fb.ID).State != content.StatePending {
		t.Error("the other post of the group moved")
	}
	// Approving again is a wrong state: shown, not a 500.
	msg = b.flash(b.postForm("/posts/"+x.ID+"/approve", url.Values{"next": {"/"}}))
	if msg != "Not possible: this post is now approved." {
		t.Errorf("second approve flash %q", msg)
	}
	msg = b.flash(b.postForm("/posts/nope/approve", nil))
	if !strings.Contains(msg, "does not exist") {
		t.Errorf("missing post flash %q", msg)
	}
}

func TestRejectRequiresReason(t *testing.T) {
	e := newEnv(t, nil)
	x, _ := milestonePair(t, e.queue, "42", "percent:50")
	b := e.login("alice")
	msg := b.flash(b.postForm("/posts/"+x.ID+"/reject", url.Values{"reason": {"  "}}))
	if !strings.Contains(msg, "reason") {
		t.Errorf("flash %q", msg)
	}
	if e.queue.post(x.ID).State != content.StatePending {
		t.Fatal("rejected without a reason")
	}
	b.flash(b.postForm("/posts/"+x.ID+"/reject", url.Values{"reason": {"typo in the title"}}))
	got := e.queue.post(x.ID)
	if got.State != content.StateRejected || got.Audit[len(got.Audit)-1].Reason != "typo in the title" {
		t.Errorf("state %s, audit %+v", got.State, got.Audit[len(got.Audit)-1])
	}
}

func TestBulkAndGroupApprove(t *testing.T) {
	e := newEnv(t, nil)
	x1, fb1 := milestonePair(t, e.queue, "42", "percent:50")
	x2, fb2 := milestonePair(t, e.queue, "43", "launch")
	b := e.login("alice")
	// group: approve both
	msg := b.flash(b.postForm("/posts/bulk", url.Values{"id": {x1.ID, fb1.ID}, "action": {"approve"}}))
	if norm(msg) != "2 posts approved. The first goes out Tue 10 Mar at 11:30 on X, the last Tue 10 Mar at 11:30 on Facebook." {
		t.Errorf("flash %q", msg)
	}
	// bulk reject needs a reason
	b.flash(b.postForm("/posts/bulk", url.Values{"id": {x2.ID, fb2.ID}, "action": {"reject"}}))
	if e.queue.post(x2.ID).State != content.StatePending {
		t.Fatal("bulk rejected without reason")
	}
	// one already approved in the selection: the rest still happens, the failure is said
	msg = b.flash(b.postForm("/posts/bulk", url.Values{"id": {x2.ID, x1.ID}, "action": {"reject"}, "reason": {"off topic"}}))
	if msg != "1 post rejected. 1 was not done: someone decided it meanwhile." {
		t.Errorf("flash %q", msg)
	}
	for id, want := range map[string]content.State{x1.ID: content.StateApproved, fb1.ID: content.StateApproved, x2.ID: content.StateRejected, fb2.ID: content.StatePending} {
		if got := e.queue.post(id).State; got != want {
			t.Errorf("%s is %s, want %s", id, got, want)
		}
	}
}

func TestEditRechecksLength(t *testing.T) {
	e := newEnv(t, nil)
	x, _ := milestonePair(t, e.queue, "42", "percent:50")
	b := e.login("alice")
	msg := b.flash(b.postForm("/posts/"+x.ID+"/edit", url.Values{"text": {strings.Repeat("a", 281)}}))
	if !strings.Contains(msg, "text") {
		t.Errorf("flash %q", msg)
	}
	if e.queue.post(x.ID).Text != x.Text {
		t.Fatal("too long text saved")
	}
	b.flash(b.postForm("/posts/"+x.ID+"/edit", url.Values{"text": {"Shorter\r\ntext"}}))
	if got := e.queue.post(x.ID).Text; got != "Shorter\ntext" {
		t.Errorf("text %q", got)
	}
}

func TestPostPageShowsAuditTrail(t *testing.T) {
	e := newEnv(t, nil)
	x, _ := milestonePair(t, e.queue, "42", "percent:50")
	e.clock.Advance(time.Minute)
	e.queue.Approve(t.Context(), x.ID, "alice")
	b := e.login("victor")
	doc := b.page("/posts/" + x.ID)
	rows := doc.Find("table.audit tbody tr")
	if rows.Length() != 2 || !strings.Contains(rows.Eq(1).Text(), "alice") {
		t.Errorf("audit rows: %q", rows.Text())
	}
	if resp := b.get("/posts/nope"); resp.StatusCode != 404 {
		t.Errorf("missing post: %d", resp.StatusCode)
	}
}

func TestQueueErrorIsA500WithoutDetails(t *testing.T) {
	e := newEnv(t, nil)
	b := e.login("alice")
	e.queue.failNext = errors.New("redis: connection refused at 10.0.0.1")
	resp := b.get("/")
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 500 || strings.Contains(string(body), "10.0.0.1") {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
}

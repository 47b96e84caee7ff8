package web

import (
	"errors"
	"fmt"
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

// TestQueueFiltersCountAndPage: each filter lists its choices with how many
// posts choosing it would show (the other filters applied), pages hold at
// most 50 posts without splitting an event, and the total stays in sight.
func TestQueueFiltersCountAndPage(t *testing.T) {
	e := newEnv(t, nil)
	e.camps.put(testCampaign(e.clock.Now()), nil, nil)
	for i := range 30 {
		milestonePair(t, e.queue, "42", fmt.Sprintf("backers:%d", (i+1)*10))
	}
	for i := range 10 {
		milestonePair(t, e.queue, "43", fmt.Sprintf("percent:%d", (i+1)*25))
	}
	e.queue.Create(t.Context(), content.Draft{DedupKey: "s", GroupID: "s", Kind: content.KindStory, Network: "facebook", Lang: "en", Text: "A story"})
	b := e.login("alice")
	doc := b.page("/?lang=en")
	if got := norm(doc.Find("h1 small").Text()); got != "(81)" {
		t.Errorf("total %q", got)
	}
	if n := doc.Find("article.post").Length(); n > 50 || n < 48 {
		t.Errorf("first page shows %d posts, want up to 50", n)
	}
	doc.Find("section.group").Each(func(_ int, g *goquery.Selection) {
		if g.Find("article.post").Length() != 2 && g.AttrOr("data-group", "") != "s" {
			t.Errorf("group %s is split across pages", g.AttrOr("data-group", ""))
		}
	})
	if got := norm(doc.Find("p.range").Text()); got != "Posts 1 to 49 of 81." { // the story, then 24 pairs: a 25th would pass 50
		t.Errorf("range %q", got)
	}
	options := func(d *goquery.Document, name string) map[string]string {
		out := map[string]string{}
		d.Find(`select[name="` + name + `"] option`).Each(func(_ int, o *goquery.Selection) { out[o.AttrOr("value", "")] = norm(o.Text()) })
		return out
	}
	if got := options(doc, "network"); got[""] != "All (81)" || got["x"] != "X (40)" || got["facebook"] != "Facebook (41)" {
		t.Errorf("network filter %v", got)
	}
	if got := options(doc, "campaign"); got["42"] != "Lumière (60)" || got["43"] != "43 (20)" {
		t.Errorf("campaign filter %v", got)
	}
	if got := options(doc, "family"); got["backers"] != "backers (60)" || got["percent"] != "funding (%) (20)" {
		t.Errorf("family filter %v", got)
	}
	if got := options(doc, "kind"); got["story"] != "creator story (1)" || got["milestone"] != "milestone (80)" {
		t.Errorf("kind filter %v", got)
	}
	if got := options(doc, "language"); got["fr"] != "French (80)" || got["en"] != "English (1)" {
		t.Errorf("language filter %v", got)
	}
	next := doc.Find(`nav.pager a[rel=next]`).AttrOr("href", "")
	if next != "/?page=2" {
		t.Fatalf("next page %q", next)
	}
	page2 := b.page(next)
	if n := page2.Find("article.post").Length(); n != 32 {
		t.Errorf("second page shows %d posts, want the 32 left", n)
	}

	// Filters combine; each count says what choosing it would show.
	doc = b.page("/?network=x&family=percent")
	if n := doc.Find("article.post").Length(); n != 10 {
		t.Errorf("X percent posts: %d, want 10", n)
	}
	if got := options(doc, "network"); got[""] != "All (20)" || got["facebook"] != "Facebook (10)" || got["x"] != "X (10)" {
		t.Errorf("network counts under family=percent %v", got)
	}
	if got := options(doc, "family"); got["backers"] != "backers (30)" || doc.Find(`select[name=family] option[selected]`).AttrOr("value", "") != "percent" {
		t.Errorf("family counts under network=x %v", got)
	}
	if next := doc.Find(`nav.pager a[rel=next]`).Length(); next != 0 {
		t.Error("a single page offers a next page")
	}
	// Nothing matches: said, with a way back.
	doc = b.page("/?campaign=nope")
	if !strings.Contains(doc.Find("p.empty").Text(), "No pending post matches these filters.") || doc.Find(`p.empty a[href="/"]`).Length() != 1 {
		t.Errorf("empty filter %q", doc.Find("p.empty").Text())
	}
}

// TestApproveInPlace: with htmx the answer is only what changed, out of
// band: the card (now a line saying when it goes out), the notice, the
// counts. Buttons name the post they act on.
func TestApproveInPlace(t *testing.T) {
	e := newEnv(t, nil)
	e.camps.put(testCampaign(e.clock.Now()), nil, nil)
	x, fb := milestonePair(t, e.queue, "42", "percent:50")
	b := e.login("alice")
	doc := b.page("/?lang=fr")
	card := doc.Find("#post-" + x.ID)
	if got := norm(card.Find(`form[action$="/approve"] button`).Text()); got != "Approuver : X · Lumière · financé à 50 %" {
		t.Errorf("approve button's accessible name %q", got)
	}
	var label []string
	for _, id := range strings.Fields(card.Find("input.pick").AttrOr("aria-labelledby", "")) {
		el := doc.Find("#" + id).Clone()
		el.Find(`[aria-hidden="true"]`).Remove() // as the accessible name is computed
		label = append(label, norm(el.Text()))
	}
	if got := strings.Join(label, " "); got != "Sélectionner : X · Lumière · financé à 50 %" {
		t.Errorf("checkbox label %q", got)
	}
	if card.Find(`form[hx-post="/posts/`+x.ID+`/approve"][hx-swap=none]`).Length() != 1 {
		t.Error("the approve form is not an htmx form")
	}
	if card.Find(".preview").AttrOr("lang", "") != "fr" {
		t.Error("the preview does not say its language")
	}
	if doc.Find("a.skip[href='#main']").Length() != 1 || doc.Find("main#main").Length() != 1 {
		t.Error("no skip link to the main content")
	}
	if doc.Find("dialog#shortcuts").Length() != 1 || doc.Find("#select-all").Length() != 1 || doc.Find("input.pick-group").Length() != 1 {
		t.Error("shortcuts help, select all or select group missing")
	}

	st, ans := b.hx("/posts/"+x.ID+"/approve", "/?lang=fr", url.Values{"ctx": {"queue"}})
	if st != 200 {
		t.Fatalf("status %d", st)
	}
	if got := norm(ans.Find("#notice[hx-swap-oob=innerHTML] p").Text()); got != "Approuvée. Elle partira le mar. 10 mars à 11 h 30 sur X." {
		t.Errorf("notice %q", got)
	}
	done := ans.Find("#post-" + x.ID)
	if done.AttrOr("hx-swap-oob", "") != "outerHTML" || done.AttrOr("data-state", "") != "approved" || !strings.Contains(norm(done.Text()), "part dans 1 h") {
		t.Errorf("card %q", norm(done.Text()))
	}
	if ans.Find("#post-"+fb.ID).Length() != 0 {
		t.Error("the answer carries a card that did not change")
	}
	if got := ans.Find("#count-pending[hx-swap-oob]").Text(); got != "1" {
		t.Errorf("pending count %q", got)
	}
	if got := ans.Find("#count-approved[hx-swap-oob]").Text(); got != "1" {
		t.Errorf("approved count %q", got)
	}
	// The card's forms come back to the page the person is on.
	if ans.Find(`form input[name=next]`).Length() > 0 && ans.Find(`form input[name=next]`).First().AttrOr("value", "") != "/?lang=fr" {
		t.Errorf("next %q", ans.Find(`form input[name=next]`).First().AttrOr("value", ""))
	}

	// A reject without a reason is refused in place, the card unchanged.
	st, ans = b.hx("/posts/"+fb.ID+"/reject", "/", url.Values{"ctx": {"queue"}, "reason": {" "}})
	if st != 422 || norm(ans.Find("#notice p").Text()) != "Un motif est obligatoire." || e.queue.post(fb.ID).State != content.StatePending {
		t.Errorf("reject without reason: %d %q", st, ans.Find("#notice p").Text())
	}
	// Someone else decided meanwhile: said, and the card shows it as it is.
	st, ans = b.hx("/posts/"+x.ID+"/approve", "/", url.Values{"ctx": {"queue"}})
	if st != 409 || norm(ans.Find("#notice p").Text()) != "Impossible : cette publication est maintenant « approuvée »." || ans.Find("#post-"+x.ID).Length() != 1 {
		t.Errorf("approve twice: %d %q", st, ans.Find("#notice").Text())
	}

	// Bulk: every card out of band, one notice.
	y, fy := milestonePair(t, e.queue, "42", "percent:100")
	st, ans = b.hx("/posts/bulk", "/", url.Values{"ctx": {"queue"}, "action": {"approve"}, "id": {y.ID, fy.ID, fb.ID}})
	if st != 200 || ans.Find("article.post[hx-swap-oob]").Length() != 3 {
		t.Errorf("bulk: %d, %d cards", st, ans.Find("article.post[hx-swap-oob]").Length())
	}
	if got := norm(ans.Find("#notice p").Text()); !strings.HasPrefix(got, "3 publications approuvées. La première partira le mar. 10 mars à 11 h 30") {
		t.Errorf("bulk notice %q", got)
	}
}

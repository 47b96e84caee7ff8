package composer

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/internal/redistest"
)

// The queue the daemon wires in merges; a changed signature must not
// silently turn the feature off.
var _ Bundler = (*content.Store)(nil)

// mergeFixture is a store and composer on one settable clock.
type mergeFixture struct {
	t     *testing.T
	mu    sync.Mutex
	now   time.Time
	store *content.Store
	comp  *Composer
}

func newMergeFixture(t *testing.T, auto []string, o Options) *mergeFixture {
	t.Helper()
	f := &mergeFixture{t: t, now: testLaunch.Add(5 * 24 * time.Hour)}
	s, err := content.NewStore(redistest.Client(t), "test", content.StoreOptions{Now: f.clock, AutoApprove: auto})
	if err != nil {
		t.Fatal(err)
	}
	f.store = s
	o.Now = f.clock
	f.comp = newTestComposer(t, o)
	return f
}

func (f *mergeFixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *mergeFixture) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func (f *mergeFixture) handle(camp campaigns.Campaign, m campaigns.Milestone) {
	f.t.Helper()
	ev := campaigns.Event{ID: campaigns.EventID(camp.ID, m), Campaign: camp, Milestone: m, FiredAt: f.clock()}
	if err := f.comp.Handle(context.Background(), ev, f.store); err != nil {
		f.t.Fatalf("Handle(%s): %v", ev.ID, err)
	}
}

// waiting returns the campaign's posts on a network still waiting.
func (f *mergeFixture) posts(campaignID, network string) []content.Post {
	f.t.Helper()
	list, _, err := f.store.List(context.Background(), content.ListOptions{CampaignID: campaignID, Network: network, Limit: 500})
	if err != nil {
		f.t.Fatal(err)
	}
	slices.Reverse(list) // oldest first
	return list
}

// telling returns the post covering milestone m, failing when none does.
func telling(t *testing.T, posts []content.Post, m string) content.Post {
	t.Helper()
	for _, p := range posts {
		if slices.Contains(coverList(p), m) {
			return p
		}
	}
	t.Fatalf("no post tells %s among %v", m, posts)
	return content.Post{}
}

func coverList(p content.Post) []string {
	var out []string
	for _, c := range p.Covers {
		out = append(out, c.Milestone)
	}
	return out
}

func TestMergeOneSnapshot(t *testing.T) {
	f := newMergeFixture(t, nil, Options{})
	camp := testCampaign("fr")
	camp.Pledged, camp.Backers = 62_500, 50
	// One snapshot crossed 50 % and 50 backers: the tracker fires both.
	f.handle(camp, "percent:50")
	f.handle(camp, "backers:50")
	for _, network := range []string{content.NetworkX, content.NetworkFacebook} {
		posts := f.posts(camp.ID, network)
		if len(posts) != 1 {
			t.Fatalf("%s: %d posts, want one merged post", network, len(posts))
		}
		p := posts[0]
		if got := coverList(p); !slices.Equal(got, []string{"percent:50", "backers:50"}) {
			t.Errorf("%s covers = %v", network, got)
		}
		if p.Milestone != "percent:50" || !strings.HasPrefix(p.Variant, "merged/v") || p.State != content.StatePending || p.Revision != 1 {
			t.Errorf("%s merged post = milestone %q variant %q state %s revision %d", network, p.Milestone, p.Variant, p.State, p.Revision)
		}
		for _, want := range []string{"50\u00a0%", "50 contributeurs", "Le Jardin Suspendu"} {
			if !strings.Contains(p.Text, want) {
				t.Errorf("%s merged text %q lacks %q", network, p.Text, want)
			}
		}
		if network == content.NetworkX && !strings.Contains(p.Text, "@atelierlumen") {
			t.Errorf("merged X text %q lost the creator's handle", p.Text)
		}
	}
	// A re-delivered event changes nothing.
	before := f.posts(camp.ID, content.NetworkX)[0]
	f.handle(camp, "backers:50")
	f.handle(camp, "percent:50")
	after := f.posts(camp.ID, content.NetworkX)
	if len(after) != 1 || after[0].Revision != before.Revision || after[0].Text != before.Text {
		t.Errorf("re-delivery changed the merged post: %+v", after)
	}
}

func TestMergeTellsTheNewestStep(t *testing.T) {
	f := newMergeFixture(t, nil, Options{})
	camp := testCampaign("en")
	f.handle(camp, "launch")
	f.advance(time.Hour)
	f.handle(camp, "percent:25")
	f.advance(time.Hour)
	f.handle(camp, "percent:50")
	posts := f.posts(camp.ID, content.NetworkX)
	if len(posts) != 1 {
		t.Fatalf("%d posts, want one", len(posts))
	}
	p := posts[0]
	// Everything is covered, but 50 % tells 25 % and the launch: the text is
	// a plain 50 % post.
	if got := coverList(p); !slices.Equal(got, []string{"launch", "percent:25", "percent:50"}) {
		t.Errorf("covers = %v", got)
	}
	if p.Milestone != "percent:50" || !strings.HasPrefix(p.Variant, "percent/v") || !strings.Contains(p.Text, "50%") || strings.Contains(p.Text, "25%") {
		t.Errorf("post = %q (%s, %s), want a 50%% post", p.Text, p.Milestone, p.Variant)
	}
	// The deadline to go out is the freshness of what it tells: 50 %, not
	// the launch or 25 % it makes stale.
	if want := testLaunch.Add(5*24*time.Hour + 26*time.Hour); !p.NotAfter.Equal(want) {
		t.Errorf("not_after = %s, want %s (percent:50's freshness)", p.NotAfter, want)
	}
}

func TestMergeAndApproval(t *testing.T) {
	ctx := context.Background()
	f := newMergeFixture(t, []string{"milestone:percent:*"}, Options{})
	camp := testCampaign("en")
	f.handle(camp, "percent:50") // approved by the rule
	x := f.posts(camp.ID, content.NetworkX)[0]
	if x.State != content.StateApproved {
		t.Fatalf("percent:50 post is %s, want approved by the rule", x.State)
	}
	f.handle(camp, "percent:75") // approved by the rule too: stays approved
	x = f.posts(camp.ID, content.NetworkX)[0]
	if x.State != content.StateApproved || x.Milestone != "percent:75" {
		t.Fatalf("after percent:75: %s %s, want an approved 75 %% post", x.State, x.Milestone)
	}
	f.handle(camp, "backers:100") // no rule: a person must approve what she reads
	x = f.posts(camp.ID, content.NetworkX)[0]
	if x.State != content.StatePending {
		t.Fatalf("after backers:100: %s, want back to pending", x.State)
	}
	x, err := f.store.Get(ctx, x.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := x.Audit[len(x.Audit)-1]
	if last.Action != "merge" || last.From != content.StateApproved || last.To != content.StatePending || last.Reason != "merged with backers:100" {
		t.Errorf("audit of the demotion = %+v", last)
	}
	// Approved by a person: it goes out as she read it, and the next
	// milestone starts a post of its own.
	if _, err := f.store.Approve(ctx, x.ID, "ann"); err != nil {
		t.Fatal(err)
	}
	f.handle(camp, "percent:100")
	posts := f.posts(camp.ID, content.NetworkX)
	if len(posts) != 2 {
		t.Fatalf("after percent:100: %d posts, want the approved one and a new one", len(posts))
	}
	if ann := telling(t, posts, "backers:100"); ann.State != content.StateApproved || ann.ApprovedBy != "ann" || ann.Covering(camp.ID, "percent:100") {
		t.Errorf("the post ann approved changed: %s by %q covering %v", ann.State, ann.ApprovedBy, coverList(ann))
	}
	if fresh := telling(t, posts, "percent:100"); fresh.State != content.StateApproved || fresh.ApprovedBy != "system:auto-approve" {
		t.Errorf("percent:100 post: %s by %q, want approved by the rule", fresh.State, fresh.ApprovedBy)
	}
}

func TestMergeStartsANewPost(t *testing.T) {
	ctx := context.Background()
	f := newMergeFixture(t, nil, Options{MergeWindow: 2 * time.Hour})
	camp := testCampaign("en")

	// A person edited the X post: her words are not rewritten.
	f.handle(camp, "percent:50")
	x := f.posts(camp.ID, content.NetworkX)[0]
	text := "Half way! Thank you all."
	if _, err := f.store.Edit(ctx, x.ID, content.Edit{Text: &text}, "ann"); err != nil {
		t.Fatal(err)
	}
	f.handle(camp, "backers:50")
	xs, fbs := f.posts(camp.ID, content.NetworkX), f.posts(camp.ID, content.NetworkFacebook)
	if len(xs) != 2 || telling(t, xs, "percent:50").Text != text || len(telling(t, xs, "backers:50").Covers) != 1 {
		t.Errorf("X posts after an edit = %v", xs)
	}
	if len(fbs) != 1 || len(fbs[0].Covers) != 2 {
		t.Errorf("Facebook posts = %v, want one merged", fbs)
	}
	// The window closes two hours after the last change.
	f.advance(3 * time.Hour)
	f.handle(camp, "backers:100")
	fbs = f.posts(camp.ID, content.NetworkFacebook)
	open := telling(t, fbs, "backers:100")
	if len(fbs) != 2 || len(open.Covers) != 1 {
		t.Errorf("Facebook posts after the window = %v, want a new post for backers:100", fbs)
	}
	// A post being published takes nothing more.
	if _, err := f.store.Approve(ctx, open.ID, "ann"); err != nil {
		t.Fatal(err)
	}
	if err := f.store.ReserveSlot(ctx, open.ID, f.clock(), "now", content.SlotGuard{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Claim(ctx, open.ID, "a1", time.Minute); err != nil {
		t.Fatal(err)
	}
	f.handle(camp, "stretch:0")
	fbs = f.posts(camp.ID, content.NetworkFacebook)
	if claimed := telling(t, fbs, "backers:100"); len(fbs) != 3 || claimed.State != content.StatePublishing || len(claimed.Covers) != 1 {
		t.Errorf("Facebook posts after a claim = %v, want the claimed post untouched and a new one", fbs)
	}
}

// TestMergeAcrossReplicas races two composers (two replicas) drafting two
// milestones of one snapshot: whatever the interleaving, one post per
// network tells both.
func TestMergeAcrossReplicas(t *testing.T) {
	f := newMergeFixture(t, nil, Options{})
	other := newTestComposer(t, Options{Now: f.clock})
	ctx := context.Background()
	for round := range 40 {
		camp := testCampaign("en")
		camp.ID = fmt.Sprintf("race-%d", round)
		var wg sync.WaitGroup
		for i, m := range []campaigns.Milestone{"percent:50", "backers:50"} {
			c := []*Composer{f.comp, other}[i]
			ev := campaigns.Event{ID: campaigns.EventID(camp.ID, m), Campaign: camp, Milestone: m, FiredAt: f.clock()}
			wg.Go(func() {
				if err := c.Handle(ctx, ev, f.store); err != nil {
					t.Errorf("Handle(%s): %v", ev.ID, err)
				}
			})
		}
		wg.Wait()
		for _, network := range []string{content.NetworkX, content.NetworkFacebook} {
			posts := f.posts(camp.ID, network)
			if len(posts) != 1 || len(posts[0].Covers) != 2 {
				t.Fatalf("round %d %s: posts %v, want one telling both milestones", round, network, posts)
			}
		}
	}
}

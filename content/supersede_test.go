package content

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// percentOrder stands in for the composer's rule: a higher percent
// milestone makes a lower one stale; nothing else is compared.
func percentOrder(newer, older string) bool {
	pct := func(m string) (int, bool) {
		arg, ok := strings.CutPrefix(m, "percent:")
		v, err := strconv.Atoi(arg)
		return v, ok && err == nil
	}
	n, ok1 := pct(newer)
	o, ok2 := pct(older)
	return ok1 && ok2 && o < n
}

func TestSupersede(t *testing.T) {
	ctx := context.Background()
	s, c := newTestStore(t, StoreOptions{})
	const by = "percent:100"
	reason := "superseded by " + by

	// Posts of campaign c1 on X about percent:50 (toState's draft), in every
	// state a post can be in when the newer milestone arrives.
	stale := map[string]Post{}
	for _, st := range []State{StatePending, StateApproved} {
		stale[string(st)] = toState(t, s, c, st)
	}
	kept := map[string]Post{}
	for _, st := range []State{StatePublishing, StatePublished, StateRejected, StateFailed, StateUnknown} {
		kept["in state "+string(st)] = toState(t, s, c, st)
	}
	other := func(name string, edit func(*Draft)) {
		d := draft("other-" + name)
		edit(&d)
		kept[name] = mustCreate(t, s, d)
	}
	other("other campaign", func(d *Draft) { d.CampaignID = "c2" })
	other("other network", func(d *Draft) { d.Network = NetworkFacebook })
	other("other family", func(d *Draft) { d.Milestone = "backers:500" })
	other("the newer post", func(d *Draft) { d.Milestone = by })
	other("newer post elsewhere", func(d *Draft) { d.CampaignID = "c2"; d.Milestone = "percent:150" })
	other("story kind", func(d *Draft) { d.Kind = KindStory; d.Milestone = "percent:25" })
	other("manual kind", func(d *Draft) { d.Kind = KindManual; d.Milestone = "percent:25" })
	approved := toState(t, s, c, StateApproved)
	if err := s.ReserveSlot(ctx, approved.ID, c.Now().Add(time.Hour), "test", SlotGuard{}); err != nil {
		t.Fatal(err)
	}
	stale["approved with a slot"] = approved

	c.Add(time.Minute)
	n, err := s.Supersede(ctx, "c1", NetworkX, percentOrder, "system:composer")
	if err != nil {
		t.Fatal(err)
	}
	if n != len(stale) {
		t.Errorf("Supersede expired %d posts, want %d", n, len(stale))
	}
	for name, p := range stale {
		got, err := s.Get(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != StateExpired || got.LastError != reason {
			t.Errorf("%s: state %s, last_error %q; want expired, %q", name, got.State, got.LastError, reason)
		}
		last := got.Audit[len(got.Audit)-1]
		if last.Actor != "system:composer" || last.Action != "expire" || last.To != StateExpired ||
			last.Reason != reason || !last.At.Equal(c.Now()) {
			t.Errorf("%s: last audit line = %+v", name, last)
		}
	}
	for name, p := range kept {
		got, err := s.Get(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != p.State || !got.UpdatedAt.Equal(p.UpdatedAt) {
			t.Errorf("%s: changed from %s to %s (audit %+v)", name, p.State, got.State, got.Audit)
		}
	}

	// The expired posts leave the queue's indexes: no slot, not listed pending.
	pending, _, err := s.List(ctx, ListOptions{State: StatePending, CampaignID: "c1", Network: NetworkX})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pending {
		if p.Milestone == "percent:50" {
			t.Errorf("post %s still listed pending", p.ID)
		}
	}
	if _, err := s.rdb.ZScore(ctx, s.k.slots(NetworkX), approved.ID).Result(); !errors.Is(err, redis.Nil) {
		t.Errorf("superseded post keeps its slot in the calendar (err %v)", err)
	}

	log, err := s.AuditLog(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	logged := 0
	for _, l := range log {
		if l.Change.Reason == reason {
			logged++
		}
	}
	if logged != len(stale) {
		t.Errorf("global audit log has %d supersede lines, want %d", logged, len(stale))
	}

	// Re-delivery: nothing left to expire, no new audit line.
	c.Add(time.Minute)
	n, err = s.Supersede(ctx, "c1", NetworkX, percentOrder, "system:composer")
	if err != nil || n != 0 {
		t.Errorf("second Supersede = %d, %v; want 0, nil", n, err)
	}
	for name, p := range stale {
		got, _ := s.Get(ctx, p.ID)
		if last := got.Audit[len(got.Audit)-1]; last.At.Equal(c.Now()) {
			t.Errorf("%s: second Supersede wrote %+v", name, last)
		}
	}
}

func TestSupersedeNothingToDo(t *testing.T) {
	s, _ := newTestStore(t, StoreOptions{})
	n, err := s.Supersede(context.Background(), "none", NetworkX, percentOrder, "system:composer")
	if err != nil || n != 0 {
		t.Errorf("Supersede on an empty campaign = %d, %v", n, err)
	}
}

func TestSupersedeBadInput(t *testing.T) {
	s, _ := newTestStore(t, StoreOptions{})
	for _, tc := range []struct {
		name, campaign, network, actor string
		supersedes                     func(string, string) bool
		field                          string
	}{
		{"no campaign", "", NetworkX, "system:composer", percentOrder, "campaign_id"},
		{"campaign with a brace", "c}1", NetworkX, "system:composer", percentOrder, "campaign_id"},
		{"bad network", "c1", "X!", "system:composer", percentOrder, "network"},
		{"no comparison", "c1", NetworkX, "system:composer", nil, "supersedes"},
		{"no actor", "c1", NetworkX, " ", percentOrder, "actor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Supersede(context.Background(), tc.campaign, tc.network, tc.supersedes, tc.actor)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Errorf("err = %v, want a FieldError on %s", err, tc.field)
			}
		})
	}
}

// The outcome does not depend on the order posts arrive in: an older
// milestone queued after a newer one is expired at once, naming the newest.
func TestSupersedeLateOlderPost(t *testing.T) {
	ctx := context.Background()
	s, c := newTestStore(t, StoreOptions{})
	for _, m := range []string{"percent:75", "percent:100", "percent:90"} {
		c.Add(time.Millisecond) // the index keeps creation order
		d := draft("k-" + m)
		d.Milestone = m
		p := mustCreate(t, s, d)
		if m == "percent:100" { // a person's no does not make 50 % true again
			if _, err := s.Reject(ctx, p.ID, "ann", "not now"); err != nil {
				t.Fatal(err)
			}
		}
	}
	late := mustCreate(t, s, draft("k-percent:50"))
	n, err := s.Supersede(ctx, "c1", NetworkX, percentOrder, "system:composer")
	if err != nil || n != 3 {
		t.Fatalf("Supersede = %d, %v; want 3 (percent:75, percent:90 and the late percent:50)", n, err)
	}
	got, err := s.Get(ctx, late.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != StateExpired || got.LastError != "superseded by percent:100" {
		t.Errorf("late post: %s %q, want expired, superseded by percent:100", got.State, got.LastError)
	}
	c.Add(time.Second)
	if n, err := s.Supersede(ctx, "c1", NetworkX, percentOrder, "system:composer"); err != nil || n != 0 {
		t.Errorf("second Supersede = %d, %v; want 0, nil", n, err)
	}
}

// A post claimed between Supersede's read and its write stays with the
// publisher: the transition script, not the read, decides.
func TestSupersedeRacingClaim(t *testing.T) {
	ctx := context.Background()
	s, c := newTestStore(t, StoreOptions{})
	p := toState(t, s, c, StateApproved)
	if err := s.ReserveSlot(ctx, p.ID, c.Now(), "now", SlotGuard{}); err != nil {
		t.Fatal(err)
	}
	claimed := false
	mustCreate(t, s, Draft{DedupKey: "k100", Kind: KindMilestone, Network: NetworkX, CampaignID: "c1",
		Milestone: "percent:100", Text: "Funded!", Lang: "en"})
	supersedes := func(newer, older string) bool {
		// Runs after the candidates are read: the publisher wins the race here.
		if !claimed {
			if _, err := s.Claim(ctx, p.ID, "a1", time.Minute); err != nil {
				t.Fatal(err)
			}
			claimed = true
		}
		return percentOrder(newer, older)
	}
	n, err := s.Supersede(ctx, "c1", NetworkX, supersedes, "system:composer")
	if err != nil || n != 0 || !claimed {
		t.Fatalf("Supersede = %d, %v (claimed %v); want 0, nil after the claim", n, err, claimed)
	}
	if got, _ := s.Get(ctx, p.ID); got.State != StatePublishing {
		t.Errorf("claimed post is %s, want publishing", got.State)
	}
}

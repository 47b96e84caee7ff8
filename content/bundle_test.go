package content

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestCoversDefaultAndStored(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, StoreOptions{})
	p := mustCreate(t, s, draft("k1"))
	want := []Cover{{CampaignID: "c1", Milestone: "percent:50"}}
	if !slices.Equal(p.Covers, want) {
		t.Fatalf("covers of a milestone draft = %+v, want %+v", p.Covers, want)
	}
	d := Draft{Kind: KindManual, Network: NetworkX, Text: "hello", Actor: "ann"}
	m := mustCreate(t, s, d)
	if m.Covers == nil || len(m.Covers) != 0 {
		t.Errorf("covers of a manual post = %#v, want an empty list", m.Covers)
	}
	bad := draft("k2")
	bad.Covers = []Cover{{CampaignID: "c 1", Milestone: "percent:50"}}
	if _, _, err := s.Create(ctx, bad); !isField(err, "covers[0]") {
		t.Errorf("cover with a space: err = %v, want a covers[0] field error", err)
	}
}

func isField(err error, field string) bool {
	var fe *FieldError
	return errors.As(err, &fe) && fe.Field == field
}

func TestMergeBundleCompareAndSet(t *testing.T) {
	ctx := context.Background()
	s, c := newTestStore(t, StoreOptions{})
	b := MergeBundle(NetworkX, "c1")
	if _, ok, err := s.OpenBundle(ctx, b); err != nil || ok {
		t.Fatalf("OpenBundle of a new bundle = %v, %v; want none", ok, err)
	}
	p, created, err := s.CreateBundled(ctx, draft("c1/percent:50"), BundleCAS{Bundle: b, Until: c.Now().Add(time.Hour)}, nil)
	if err != nil || !created {
		t.Fatalf("CreateBundled = %v, %v", created, err)
	}
	open, ok, err := s.OpenBundle(ctx, b)
	if err != nil || !ok || open.ID != p.ID || !open.Joinable(c.Now()) {
		t.Fatalf("OpenBundle = %+v, %v, %v; want %s", open, ok, err, p.ID)
	}
	// A second producer that read the bundle empty loses the race.
	d2 := draft("c1/backers:50")
	d2.Milestone = "backers:50"
	if _, _, err := s.CreateBundled(ctx, d2, BundleCAS{Bundle: b, Until: c.Now().Add(time.Hour)}, nil); !errors.Is(err, ErrConflict) {
		t.Fatalf("CreateBundled with a stale expectation: err = %v, want ErrConflict", err)
	}
	// It joins instead.
	c.Add(time.Minute)
	covers := []Cover{{CampaignID: "c1", Milestone: "percent:50"}, {CampaignID: "c1", Milestone: "backers:50"}}
	got, changed, err := s.Revise(ctx, open, Revision{Bundle: &BundleCAS{Bundle: b, Until: c.Now().Add(time.Hour)}, DedupKey: d2.DedupKey,
		GroupID: d2.GroupID, Covers: covers, Milestone: "percent:50", Text: "50 % and 50 backers", Priority: 6,
		Actor: "system:composer", Action: "merge", Reason: "merged with backers:50"})
	if err != nil || !changed {
		t.Fatalf("Revise = %v, %v", changed, err)
	}
	if !slices.Equal(got.Covers, covers) || got.Text != "50 % and 50 backers" || got.Revision != 1 {
		t.Fatalf("revised post = %+v", got)
	}
	if last := got.Audit[len(got.Audit)-1]; last.Action != "merge" || last.Reason != "merged with backers:50" {
		t.Errorf("last audit line = %+v", last)
	}
	// The joining milestone's dedup key now names the merged post.
	again, created, err := s.Create(ctx, d2)
	if err != nil || created || again.ID != p.ID {
		t.Fatalf("Create of the merged milestone again = %s, %v, %v; want the merged post %s", again.ID, created, err, p.ID)
	}
	// The group index of the joined event lists the merged post.
	if ps, _, err := s.List(ctx, ListOptions{GroupID: d2.GroupID}); err != nil || len(ps) != 1 || ps[0].ID != p.ID {
		t.Errorf("List(group of the joined event) = %v, %v", ps, err)
	}
	// A rewrite computed from revision 0 is refused now.
	if _, _, err := s.Revise(ctx, open, Revision{Covers: covers, Text: "stale", Actor: "system:composer", Action: "merge"}); !errors.Is(err, ErrConflict) {
		t.Errorf("Revise from a stale revision: err = %v, want ErrConflict", err)
	}
	// Re-delivering the joined milestone through Revise changes nothing.
	if _, changed, err := s.Revise(ctx, got, Revision{DedupKey: d2.DedupKey, Covers: covers, Text: "again",
		Actor: "system:composer", Action: "merge"}); err != nil || changed {
		t.Errorf("Revise with a dedup key already naming the post = %v, %v; want unchanged", changed, err)
	}
}

func TestReviseRefusesEditedAndMoved(t *testing.T) {
	ctx := context.Background()
	s, c := newTestStore(t, StoreOptions{})
	p := mustCreate(t, s, draft("k1"))
	text := "A person's words"
	if _, err := s.Edit(ctx, p.ID, Edit{Text: &text}, "ann"); err != nil {
		t.Fatal(err)
	}
	p, _ = s.Get(ctx, p.ID)
	if p.EditedBy != "ann" || p.Joinable(time.Time{}) {
		t.Fatalf("edited post: EditedBy %q, joinable %v", p.EditedBy, p.Joinable(time.Time{}))
	}
	if _, _, err := s.Revise(ctx, p, Revision{Covers: p.Covers, Text: "machine", Actor: "system:composer", Action: "merge"}); !errors.Is(err, ErrEdited) {
		t.Errorf("Revise of an edited post: err = %v, want ErrEdited", err)
	}
	q := toState(t, s, c, StatePublishing)
	if _, _, err := s.Revise(ctx, q, Revision{Covers: q.Covers, Text: "late", Actor: "system:composer", Action: "merge"}); !errors.Is(err, ErrWrongState) {
		t.Errorf("Revise of a publishing post: err = %v, want ErrWrongState", err)
	}
}

func TestReviseDemotesAndGivesUpSlot(t *testing.T) {
	ctx := context.Background()
	s, c := newTestStore(t, StoreOptions{})
	p := toState(t, s, c, StateApproved)
	slot := c.Now().Add(2 * time.Hour)
	if err := s.ReserveSlot(ctx, p.ID, slot, "test", SlotGuard{}); err != nil {
		t.Fatal(err)
	}
	p, _ = s.Get(ctx, p.ID)
	// A not_after before the slot takes the slot back; the post stays approved.
	got, _, err := s.Revise(ctx, p, Revision{Covers: p.Covers, Text: "sooner", NotAfter: c.Now().Add(time.Hour),
		Actor: "system:composer", Action: "merge"})
	if err != nil || got.State != StateApproved || !got.ScheduledAt.IsZero() {
		t.Fatalf("Revise with not_after before the slot = %+v, %v", got, err)
	}
	if ids, _ := s.Unscheduled(ctx, NetworkX); len(ids) != 1 {
		t.Errorf("unscheduled after losing the slot: %d posts, want 1", len(ids))
	}
	// Demote takes it back to pending.
	got, _, err = s.Revise(ctx, got, Revision{Covers: p.Covers, Text: "needs a person", Demote: true,
		Actor: "system:composer", Action: "merge", Reason: "merged with launch"})
	if err != nil || got.State != StatePending {
		t.Fatalf("Revise with Demote = %s, %v", got.State, err)
	}
	if last := got.Audit[len(got.Audit)-1]; last.From != StateApproved || last.To != StatePending {
		t.Errorf("audit of the demotion = %+v", last)
	}
}

func TestDigestFoldsMembersAtomically(t *testing.T) {
	ctx := context.Background()
	s, c := newTestStore(t, StoreOptions{})
	a := mustCreate(t, s, draft("a"))
	bd := draft("b")
	bd.CampaignID, bd.Covers = "c2", nil
	b := mustCreate(t, s, bd)
	moved := toState(t, s, c, StatePublishing)

	digest := Draft{Kind: KindDigest, Network: NetworkX, Lang: "en", Text: "Funded today: …",
		Covers: []Cover{{CampaignID: "c1", Milestone: "percent:50"}, {CampaignID: "c2", Milestone: "percent:50"}, {CampaignID: moved.CampaignID, Milestone: moved.Milestone}}, Actor: "system:digest"}
	bundle := DigestBundle(NetworkX, "en")
	// One member was claimed meanwhile: nothing happens at all.
	if _, _, err := s.CreateBundled(ctx, digest, BundleCAS{Bundle: bundle}, []string{a.ID, b.ID, moved.ID}); !errors.Is(err, ErrMemberMoved) {
		t.Fatalf("fold with a publishing member: err = %v, want ErrMemberMoved", err)
	}
	if got, _ := s.Get(ctx, a.ID); got.State != StatePending {
		t.Fatalf("member after a refused fold: %s, want pending", got.State)
	}
	if _, ok, _ := s.OpenBundle(ctx, bundle); ok {
		t.Fatal("bundle set by a refused fold")
	}

	digest.Covers = digest.Covers[:2]
	d, created, err := s.CreateBundled(ctx, digest, BundleCAS{Bundle: bundle}, []string{a.ID, b.ID})
	if err != nil || !created {
		t.Fatalf("fold = %v, %v", created, err)
	}
	for _, id := range []string{a.ID, b.ID} {
		m, _ := s.Get(ctx, id)
		if m.State != StateExpired || m.FoldedInto != d.ID || m.LastError != "folded into digest "+d.ID {
			t.Errorf("member %s after fold: state %s, folded_into %q, last_error %q", id, m.State, m.FoldedInto, m.LastError)
		}
		if last := m.Audit[len(m.Audit)-1]; last.Action != "fold" || last.To != StateExpired {
			t.Errorf("member %s audit = %+v", id, last)
		}
	}
	// The digest shows in each covered campaign's listing and by kind.
	for _, camp := range []string{"c1", "c2"} {
		ps, _, err := s.List(ctx, ListOptions{CampaignID: camp, Kind: KindDigest})
		if err != nil || len(ps) != 1 || ps[0].ID != d.ID {
			t.Errorf("List(campaign %s, kind digest) = %v, %v", camp, ps, err)
		}
	}
	if ps, total, err := s.List(ctx, ListOptions{Kind: KindDigest}); err != nil || total != 1 || ps[0].ID != d.ID {
		t.Errorf("List(kind digest) = %v, %d, %v", ps, total, err)
	}
	if _, _, err := s.List(ctx, ListOptions{Kind: "thread"}); !isField(err, "kind") {
		t.Errorf("List(kind thread): err = %v, want a kind field error", err)
	}
}

func TestAutoApproveCovers(t *testing.T) {
	a, err := ParseAutoApprove([]string{"milestone:percent:*", "milestone:ended:successful"})
	if err != nil {
		t.Fatal(err)
	}
	merged := Draft{Kind: KindMilestone, Milestone: "percent:50", Covers: []Cover{{CampaignID: "c", Milestone: "percent:50"}, {CampaignID: "c", Milestone: "backers:50"}}}
	if _, ok := a.Match(merged); ok {
		t.Error("a merged post telling an unapproved backers milestone was approved")
	}
	merged.Covers = []Cover{{CampaignID: "c", Milestone: "percent:100"}, {CampaignID: "c", Milestone: "ended:successful"}}
	if r, ok := a.Match(merged); !ok || r != "milestone:percent:*, milestone:ended:successful" {
		t.Errorf("Match(percent and ended) = %q, %v", r, ok)
	}
	digest := Draft{Kind: KindDigest, Covers: []Cover{{CampaignID: "a", Milestone: "percent:100"}, {CampaignID: "b", Milestone: "percent:150"}}}
	if _, ok := a.Match(digest); !ok {
		t.Error("a digest of approved milestones was not approved")
	}
	digest.Covers = append(digest.Covers, Cover{CampaignID: "c", Milestone: "launch"})
	if _, ok := a.Match(digest); ok {
		t.Error("a digest telling an unapproved launch was approved")
	}
	kind, _ := ParseAutoApprove([]string{"digest"})
	if _, ok := kind.Match(digest); !ok {
		t.Error("the digest kind rule did not approve a digest")
	}
}

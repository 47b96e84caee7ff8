package content

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/internal/redistest"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newTestStore(t *testing.T, opts StoreOptions) (*Store, *clock) {
	t.Helper()
	c := newClock()
	if opts.Now == nil {
		opts.Now = c.Now
	}
	s, err := NewStore(redistest.Client(t), "test", opts)
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func draft(key string) Draft {
	return Draft{DedupKey: key, GroupID: "g-" + key, Kind: KindMilestone, Network: NetworkX,
		CampaignID: "c1", Milestone: "percent:50", Text: "Half way there! " + key, Lang: "en", Actor: "system:composer"}
}

func mustCreate(t *testing.T, s *Store, d Draft) Post {
	t.Helper()
	p, created, err := s.Create(context.Background(), d)
	if err != nil {
		t.Fatalf("Create(%s): %v", d.DedupKey, err)
	}
	if !created {
		t.Fatalf("Create(%s): not created", d.DedupKey)
	}
	return p
}

// toState drives a new post to the given state through the public API.
func toState(t *testing.T, s *Store, c *clock, st State) Post {
	t.Helper()
	ctx := context.Background()
	p := mustCreate(t, s, draft(fmt.Sprintf("k-%s-%d", st, c.Now().UnixNano())))
	c.Add(time.Millisecond)
	step := func(q Post, err error) Post {
		t.Helper()
		if err != nil {
			t.Fatalf("to %s: %v", st, err)
		}
		return q
	}
	switch st {
	case StatePending:
		return p
	case StateRejected:
		return step(s.Reject(ctx, p.ID, "ann", "off topic"))
	case StateExpired:
		return step(s.Expire(ctx, p.ID, "system:test", "no slot"))
	}
	p = step(s.Approve(ctx, p.ID, "ann"))
	if st == StateApproved {
		return p
	}
	if err := s.ReserveSlot(ctx, p.ID, c.Now(), "now", SlotGuard{}); err != nil {
		t.Fatal(err)
	}
	p = step(s.Claim(ctx, p.ID, "a1", time.Minute))
	switch st {
	case StatePublishing:
		return p
	case StatePublished:
		return step(s.Complete(ctx, p.ID, "a1", Outcome{State: StatePublished, ExternalID: "1", ExternalURL: "https://x.com/i/1"}))
	case StateFailed, StateUnknown, StateDuplicate:
		return step(s.Complete(ctx, p.ID, "a1", Outcome{State: st, Error: "network said so"}))
	}
	t.Fatalf("toState: unhandled %s", st)
	return Post{}
}

func TestCreateAndGet(t *testing.T) {
	ctx := context.Background()
	s, c := newTestStore(t, StoreOptions{})
	d := draft("k1")
	d.NotAfter = c.Now().Add(time.Hour)
	d.Priority = 3
	d.Link = "https://example.com/c1"
	p := mustCreate(t, s, d)
	if p.State != StatePending || p.Text != d.Text || p.Priority != 3 || p.Link != d.Link ||
		!p.NotAfter.Equal(d.NotAfter) || !p.CreatedAt.Equal(c.Now()) || p.CampaignID != "c1" || p.GroupID != "g-k1" {
		t.Fatalf("created post = %+v", p)
	}
	if len(p.ID) != 26 {
		t.Errorf("id %q: want 26 characters", p.ID)
	}
	if len(p.Audit) != 1 || p.Audit[0].Action != "create" || p.Audit[0].Actor != "system:composer" || p.Audit[0].To != StatePending {
		t.Errorf("audit = %+v", p.Audit)
	}
	got, err := s.Get(ctx, p.ID)
	if err != nil || got.ID != p.ID {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if _, err := s.Get(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(nope) err = %v, want ErrNotFound", err)
	}
}

func TestIDsSortByTime(t *testing.T) {
	a := newID(time.UnixMilli(1000))
	b := newID(time.UnixMilli(1001))
	if !(a < b) {
		t.Errorf("%s !< %s", a, b)
	}
	if newID(time.UnixMilli(5)) == newID(time.UnixMilli(5)) {
		t.Error("two ids in the same millisecond are equal")
	}
}

func TestCreateBadDraft(t *testing.T) {
	s, _ := newTestStore(t, StoreOptions{Validate: func(network, text string) error {
		if len(text) > 20 {
			return fmt.Errorf("weighted length %d over 20", len(text))
		}
		return nil
	}})
	cases := []struct {
		name  string
		edit  func(*Draft)
		field string
	}{
		{"no network", func(d *Draft) { d.Network = "" }, "network"},
		{"bad network", func(d *Draft) { d.Network = "X }" }, "network"},
		{"bad kind", func(d *Draft) { d.Kind = "tweet" }, "kind"},
		{"empty text", func(d *Draft) { d.Text = "  " }, "text"},
		{"too long", func(d *Draft) { d.Text = strings.Repeat("a", 21) }, "text"},
		{"bad link", func(d *Draft) { d.Text = "ok"; d.Link = "javascript:alert(1)" }, "link"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := draft("k")
			d.Text = "short"
			tc.edit(&d)
			_, _, err := s.Create(context.Background(), d)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("err = %v, want FieldError on %s", err, tc.field)
			}
		})
	}
}

func TestCreateIdempotentConcurrent(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t, StoreOptions{})
	var wg sync.WaitGroup
	ids := make([]string, 5)
	created := make([]bool, 5)
	errs := make([]error, 5)
	for i := range 5 {
		// One client per goroutine: separate connections, like replicas.
		si, err := NewStore(redistest.NewClient(t), "test", StoreOptions{Now: s.now})
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			p, c, err := si.Create(ctx, draft("same"))
			ids[i], created[i], errs[i] = p.ID, c, err
		})
	}
	wg.Wait()
	n := 0
	for i := range 5 {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if ids[i] != ids[0] {
			t.Errorf("goroutine %d got post %s, goroutine 0 got %s", i, ids[i], ids[0])
		}
		if created[i] {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d goroutines created the post, want 1", n)
	}
	_, total, err := s.List(ctx, ListOptions{})
	if err != nil || total != 1 {
		t.Errorf("List total = %d, %v; want 1", total, err)
	}
	// Same key on another network is another post.
	d := draft("same")
	d.Network = NetworkFacebook
	if _, c, err := s.Create(ctx, d); err != nil || !c {
		t.Errorf("same key on facebook: created=%v err=%v", c, err)
	}
}

func TestAutoApprove(t *testing.T) {
	cases := []struct {
		rules     []string
		kind      Kind
		milestone string
		source    string
		want      bool
	}{
		{nil, KindMilestone, "percent:100", "", false},
		{[]string{"curated"}, KindCurated, "", "https://feed", true},
		{[]string{"curated"}, KindMilestone, "percent:100", "", false},
		{[]string{"milestone"}, KindMilestone, "launch", "", true},
		{[]string{"milestone:percent:100"}, KindMilestone, "percent:100", "", true},
		{[]string{"milestone:percent:100"}, KindMilestone, "percent:1000", "", false},
		{[]string{"milestone:percent:*"}, KindMilestone, "percent:25", "", true},
		{[]string{"milestone:percent:*"}, KindMilestone, "backers:100", "", false},
		{[]string{"milestone:percent:*"}, KindStory, "percent:25", "", false},
		{[]string{"source:https://feed"}, KindCurated, "", "https://feed", true},
		{[]string{"source:https://feed"}, KindCurated, "", "https://other", false},
	}
	for i, tc := range cases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			ctx := context.Background()
			s, _ := newTestStore(t, StoreOptions{AutoApprove: tc.rules})
			d := draft("k")
			d.Kind, d.Milestone, d.Source = tc.kind, tc.milestone, tc.source
			p := mustCreate(t, s, d)
			if got := p.State == StateApproved; got != tc.want {
				t.Fatalf("rules %v on %s/%s: approved=%v, want %v", tc.rules, tc.kind, tc.milestone, got, tc.want)
			}
			if tc.want {
				last := p.Audit[len(p.Audit)-1]
				if last.Actor != "system:auto-approve" || !strings.Contains(last.Reason, tc.rules[0]) {
					t.Errorf("audit %+v does not name the rule", last)
				}
				un, err := s.Unscheduled(ctx, NetworkX)
				if err != nil || len(un) != 1 {
					t.Errorf("auto-approved post not waiting for a slot: %v %v", un, err)
				}
			}
		})
	}
}

func TestAutoApproveBadRules(t *testing.T) {
	for _, r := range []string{"", "tweets", "milestone:", "milestone:per*cent", "source:", "kind:x"} {
		if _, err := ParseAutoApprove([]string{"curated", r}); err == nil || !strings.Contains(err.Error(), "auto_approve[1]") {
			t.Errorf("rule %q: err = %v, want an error naming auto_approve[1]", r, err)
		}
	}
	if _, err := NewStore(redistest.Client(t), "x", StoreOptions{AutoApprove: []string{"nope"}}); err == nil {
		t.Error("NewStore accepted a bad rule")
	}
}

// TestTransitions tries every person-driven action from every state.
func TestTransitions(t *testing.T) {
	type action struct {
		name    string
		allowed []State
		to      State
		do      func(s *Store, id string) (Post, error)
	}
	ctx := context.Background()
	actions := []action{
		{"approve", []State{StatePending}, StateApproved, func(s *Store, id string) (Post, error) { return s.Approve(ctx, id, "ann") }},
		{"reject", []State{StatePending, StateApproved}, StateRejected, func(s *Store, id string) (Post, error) { return s.Reject(ctx, id, "ann", "tone") }},
		{"retry", []State{StateFailed, StateUnknown, StateDuplicate}, StateApproved, func(s *Store, id string) (Post, error) { return s.Retry(ctx, id, "ann") }},
		{"resolve published", []State{StateUnknown, StateFailed, StateDuplicate}, StatePublished, func(s *Store, id string) (Post, error) {
			return s.Resolve(ctx, id, "ann", Resolution{Published: true, ExternalURL: "https://x.com/i/9", ExternalID: "9"})
		}},
		{"resolve discard", []State{StateUnknown, StateFailed, StateDuplicate}, StateRejected, func(s *Store, id string) (Post, error) {
			return s.Resolve(ctx, id, "ann", Resolution{Reason: "not worth it"})
		}},
		{"edit", []State{StatePending, StateApproved}, "", func(s *Store, id string) (Post, error) {
			txt := "new text"
			return s.Edit(ctx, id, Edit{Text: &txt}, "ann")
		}},
		{"expire", []State{StatePending, StateApproved}, StateExpired, func(s *Store, id string) (Post, error) { return s.Expire(ctx, id, "system:test", "why") }},
		{"claim", []State{StateApproved}, StatePublishing, func(s *Store, id string) (Post, error) {
			_ = s.ReserveSlot(ctx, id, s.now(), "now", SlotGuard{})
			return s.Claim(ctx, id, "a2", time.Minute)
		}},
		{"complete", []State{StatePublishing, StateUnknown}, StatePublished, func(s *Store, id string) (Post, error) {
			return s.Complete(ctx, id, "a1", Outcome{State: StatePublished, ExternalID: "7"})
		}},
		{"release", []State{StatePublishing}, StateApproved, func(s *Store, id string) (Post, error) {
			return s.Release(ctx, id, "a1", s.now().Add(time.Minute), "429")
		}},
	}
	for _, a := range actions {
		for _, st := range States {
			t.Run(a.name+"/"+string(st), func(t *testing.T) {
				s, c := newTestStore(t, StoreOptions{})
				p := toState(t, s, c, st)
				got, err := a.do(s, p.ID)
				allowed := false
				for _, al := range a.allowed {
					allowed = allowed || al == st
				}
				if !allowed {
					if !errors.Is(err, ErrWrongState) {
						t.Fatalf("%s from %s: err = %v, want ErrWrongState", a.name, st, err)
					}
					if !strings.Contains(err.Error(), "it is "+string(st)) {
						t.Errorf("error %q does not name the state %s", err, st)
					}
					again, _ := s.Get(ctx, p.ID)
					if again.State != st {
						t.Errorf("refused %s changed the state to %s", a.name, again.State)
					}
					return
				}
				if err != nil {
					t.Fatalf("%s from %s: %v", a.name, st, err)
				}
				want := a.to
				if want == "" {
					want = st
				}
				if got.State != want {
					t.Errorf("%s from %s: state %s, want %s", a.name, st, got.State, want)
				}
				full, _ := s.Get(ctx, p.ID)
				last := full.Audit[len(full.Audit)-1]
				if last.At.IsZero() || last.Actor == "" {
					t.Errorf("audit line %+v lacks who/when", last)
				}
				if want != st && (last.From != st || last.To != want) {
					t.Errorf("audit line %+v, want %s -> %s", last, st, want)
				}
				counts, _ := s.Counts(ctx)
				if counts[want] != 1 || (want != st && counts[st] != 0) {
					t.Errorf("counts %v after %s -> %s", counts, st, want)
				}
			})
		}
	}
}

func TestReasonsRequired(t *testing.T) {
	ctx := context.Background()
	s, c := newTestStore(t, StoreOptions{})
	p := toState(t, s, c, StatePending)
	var fe *FieldError
	if _, err := s.Reject(ctx, p.ID, "ann", " "); !errors.As(err, &fe) || fe.Field != "reason" {
		t.Errorf("reject without reason: %v", err)
	}
	if _, err := s.Approve(ctx, p.ID, ""); !errors.As(err, &fe) || fe.Field != "actor" {
		t.Errorf("approve without actor: %v", err)
	}
	u := toState(t, s, c, StateUnknown)
	if _, err := s.Resolve(ctx, u.ID, "ann", Resolution{}); !errors.As(err, &fe) || fe.Field != "reason" {
		t.Errorf("discard without reason: %v", err)
	}
	if _, err := s.Resolve(ctx, u.ID, "ann", Resolution{Published: true}); !errors.As(err, &fe) || fe.Field != "external_url" {
		t.Errorf("resolve published without url: %v", err)
	}
}

func TestAuditTrail(t *testing.T) {
	ctx := context.Background()
	s, c := newTestStore(t, StoreOptions{})
	p := mustCreate(t, s, draft("a"))
	c.Add(time.Minute)
	if _, err := s.Reject(ctx, p.ID, "ann", "duplicate of yesterday's post"); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Get(ctx, p.ID)
	if len(got.Audit) != 2 {
		t.Fatalf("audit = %+v", got.Audit)
	}
	r := got.Audit[1]
	if r.Actor != "ann" || r.Action != "reject" || r.Reason != "duplicate of yesterday's post" ||
		!r.At.Equal(c.Now()) || r.From != StatePending || r.To != StateRejected {
		t.Errorf("reject audit = %+v", r)
	}
	log, err := s.AuditLog(ctx, 10)
	if err != nil || len(log) != 2 || log[0].PostID != p.ID || log[0].Action != "reject" || log[1].Action != "create" {
		t.Errorf("AuditLog = %+v, %v", log, err)
	}
}

func TestListPaging(t *testing.T) {
	ctx := context.Background()
	s, c := newTestStore(t, StoreOptions{})
	var ids []string
	for i := range 7 {
		d := draft(fmt.Sprint(i))
		d.CampaignID = []string{"c1", "c2"}[i%2]
		d.GroupID = "grp"
		if i >= 5 {
			d.Network = NetworkFacebook
		}
		ids = append(ids, mustCreate(t, s, d).ID)
		c.Add(time.Second)
	}
	for _, id := range ids[:3] {
		if _, err := s.Approve(ctx, id, "ann"); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		o     ListOptions
		total int
		want  []string // newest first
	}{
		{ListOptions{Limit: 2}, 7, []string{ids[6], ids[5]}},
		{ListOptions{Limit: 2, Offset: 6}, 7, []string{ids[0]}},
		{ListOptions{State: StateApproved}, 3, []string{ids[2], ids[1], ids[0]}},
		{ListOptions{State: StatePending, Network: NetworkX}, 2, []string{ids[4], ids[3]}},
		{ListOptions{CampaignID: "c2"}, 3, []string{ids[5], ids[3], ids[1]}},
		{ListOptions{CampaignID: "c1", State: StateApproved}, 2, []string{ids[2], ids[0]}},
		{ListOptions{GroupID: "grp", Network: NetworkFacebook, Limit: 1, Offset: 1}, 2, []string{ids[5]}},
		{ListOptions{Network: NetworkFacebook}, 2, []string{ids[6], ids[5]}},
		{ListOptions{GroupID: "other"}, 0, nil},
	}
	for i, tc := range cases {
		posts, total, err := s.List(ctx, tc.o)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		var got []string
		for _, p := range posts {
			got = append(got, p.ID)
		}
		if total != tc.total || fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("case %d %+v: total %d %v, want %d %v", i, tc.o, total, got, tc.total, tc.want)
		}
	}
	var fe *FieldError
	if _, _, err := s.List(ctx, ListOptions{State: "bogus"}); !errors.As(err, &fe) {
		t.Errorf("bad state: %v", err)
	}
}

func TestEditRevalidatesAndReschedules(t *testing.T) {
	ctx := context.Background()
	s, c := newTestStore(t, StoreOptions{Validate: func(network, text string) error {
		if network == NetworkX && len(text) > 10 {
			return errors.New("weighted length over 10")
		}
		return nil
	}})
	d := draft("e")
	d.Text = "short"
	p := mustCreate(t, s, d)
	long := "far too long for x"
	_, err := s.Edit(ctx, p.ID, Edit{Text: &long}, "ann")
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "text" || !strings.Contains(fe.Message, "over 10") {
		t.Fatalf("edit too long: %v", err)
	}
	if got, _ := s.Get(ctx, p.ID); got.Text != "short" {
		t.Errorf("refused edit changed text to %q", got.Text)
	}
	if _, err := s.Approve(ctx, p.ID, "ann"); err != nil {
		t.Fatal(err)
	}
	if err := s.ReserveSlot(ctx, p.ID, c.Now().Add(time.Hour), "planned", SlotGuard{}); err != nil {
		t.Fatal(err)
	}
	if err := s.ReserveSlot(ctx, p.ID, c.Now().Add(time.Hour), "again", SlotGuard{}); !errors.Is(err, ErrScheduled) {
		t.Errorf("second ReserveSlot: %v, want ErrScheduled", err)
	}
	ok := "better"
	got, err := s.Edit(ctx, p.ID, Edit{Text: &ok}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	if got.State != StateApproved || !got.ScheduledAt.IsZero() || got.Text != "better" {
		t.Errorf("after edit: state %s slot %v text %q; want approved, no slot", got.State, got.ScheduledAt, got.Text)
	}
	un, _ := s.Unscheduled(ctx, NetworkX)
	if len(un) != 1 || un[0].ID != p.ID {
		t.Errorf("edited post not back in unscheduled: %v", un)
	}
	at := c.Now().Add(2 * time.Hour)
	got, err = s.Edit(ctx, p.ID, Edit{ScheduledAt: &at}, "ann")
	if err != nil || !got.ScheduledAt.Equal(at) {
		t.Errorf("edit slot: %v %v", got.ScheduledAt, err)
	}
	if _, err := s.Edit(ctx, p.ID, Edit{}, "ann"); !errors.As(err, &fe) {
		t.Errorf("empty edit: %v", err)
	}
}

func TestClaimConcurrent(t *testing.T) {
	ctx := context.Background()
	s, c := newTestStore(t, StoreOptions{})
	p := toState(t, s, c, StateApproved)
	if _, err := s.Claim(ctx, p.ID, "a0", time.Minute); !errors.Is(err, ErrNotDue) {
		t.Fatalf("claim without slot: %v, want ErrNotDue", err)
	}
	if err := s.ReserveSlot(ctx, p.ID, c.Now(), "now", SlotGuard{}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		si, _ := NewStore(redistest.NewClient(t), "test", StoreOptions{Now: c.Now})
		wg.Go(func() { _, errs[i] = si.Claim(ctx, p.ID, fmt.Sprint("attempt-", i), time.Minute) })
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, ErrWrongState):
			t.Errorf("loser err = %v, want ErrWrongState", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d claims won, want 1", wins)
	}
	got, _ := s.Get(ctx, p.ID)
	if got.State != StatePublishing || got.Attempts != 1 {
		t.Errorf("claimed post: %s attempts %d", got.State, got.Attempts)
	}
	owner := "attempt-0"
	if errs[0] != nil {
		owner = "attempt-1"
	}
	stale := map[string]string{"attempt-0": "attempt-1", "attempt-1": "attempt-0"}[owner]
	if _, err := s.Complete(ctx, p.ID, stale, Outcome{State: StatePublished, ExternalID: "1"}); !errors.Is(err, ErrStaleAttempt) {
		t.Errorf("complete by the loser: %v, want ErrStaleAttempt", err)
	}
	done, err := s.Complete(ctx, p.ID, owner, Outcome{State: StatePublished, ExternalID: "1", ExternalURL: "https://x.com/i/1"})
	if err != nil || done.State != StatePublished || done.ExternalID != "1" || done.PublishedAt.IsZero() {
		t.Errorf("complete by the owner: %+v %v", done, err)
	}
}

func TestLeaseExpiryAndLateComplete(t *testing.T) {
	ctx := context.Background()
	s, c := newTestStore(t, StoreOptions{})
	p := toState(t, s, c, StatePublishing) // attempt a1, lease 1m
	if got, err := s.ExpireLeases(ctx, c.Now().Add(59*time.Second)); err != nil || len(got) != 0 {
		t.Fatalf("lease expired early: %v %v", got, err)
	}
	c.Add(time.Minute)
	got, err := s.ExpireLeases(ctx, c.Now())
	if err != nil || len(got) != 1 || got[0].State != StateUnknown {
		t.Fatalf("ExpireLeases = %+v, %v", got, err)
	}
	// The original attempt answers late: its answer still lands.
	late, err := s.Complete(ctx, p.ID, "a1", Outcome{State: StatePublished, ExternalID: "42"})
	if err != nil || late.State != StatePublished {
		t.Errorf("late complete: %+v %v", late, err)
	}
}

func TestReleaseAndExpireDue(t *testing.T) {
	ctx := context.Background()
	s, c := newTestStore(t, StoreOptions{})
	p := toState(t, s, c, StatePublishing)
	if _, err := s.Release(ctx, p.ID, "other", c.Now(), "x"); !errors.Is(err, ErrStaleAttempt) {
		t.Errorf("release by a stale attempt: %v", err)
	}
	at := c.Now().Add(15 * time.Minute)
	r, err := s.Release(ctx, p.ID, "a1", at, "rate limited until 09:15")
	// The post gives its slot back: the scheduler places it again, no earlier
	// than the retry time, through ReserveSlot's checks.
	if err != nil || r.State != StateApproved || !r.ScheduledAt.IsZero() || r.LastError == "" {
		t.Fatalf("release: %+v %v", r, err)
	}
	if nb, err := s.NotBefore(ctx, []string{p.ID}); err != nil || !nb[p.ID].Equal(at) {
		t.Fatalf("NotBefore = %v %v, want %s", nb, err, at)
	}
	if un, _ := s.Unscheduled(ctx, NetworkX); len(un) != 1 || un[0].ID != p.ID {
		t.Errorf("released post not waiting for a slot: %+v", un)
	}
	if times, _ := s.SlotTimes(ctx, NetworkX, c.Now().Add(-time.Hour), c.Now().Add(time.Hour)); len(times) != 0 {
		t.Errorf("released post still holds a slot in the calendar: %v", times)
	}
	if err := s.ReserveSlot(ctx, p.ID, at.Add(-time.Millisecond), "early", SlotGuard{}); !errors.Is(err, ErrSlotTaken) {
		t.Errorf("slot before the retry time: %v, want ErrSlotTaken", err)
	}
	if err := s.ReserveSlot(ctx, p.ID, at, "retry", SlotGuard{}); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.Due(ctx, NetworkX, c.Now(), 0); len(due) != 0 {
		t.Errorf("released post due before its retry time")
	}
	if due, _ := s.Due(ctx, NetworkX, at, 0); len(due) != 1 {
		t.Errorf("released post not due at its retry time")
	}
	if nb, _ := s.NotBefore(ctx, []string{p.ID}); len(nb) != 0 {
		t.Errorf("retry time kept after the post got its slot: %v", nb)
	}

	d := draft("tb")
	d.NotAfter = c.Now().Add(time.Hour)
	tb := mustCreate(t, s, d)
	if n, err := s.ExpireDue(ctx, c.Now().Add(59*time.Minute)); n != 0 || err != nil {
		t.Fatalf("ExpireDue early: %d %v", n, err)
	}
	n, err := s.ExpireDue(ctx, c.Now().Add(time.Hour))
	if n != 1 || err != nil {
		t.Fatalf("ExpireDue: %d %v", n, err)
	}
	got, _ := s.Get(ctx, tb.ID)
	if got.State != StateExpired || !strings.Contains(got.Audit[len(got.Audit)-1].Reason, "not_after") {
		t.Errorf("expired post: %s %+v", got.State, got.Audit)
	}
}

func TestReserveSlotGuard(t *testing.T) {
	ctx := context.Background()
	s, c := newTestStore(t, StoreOptions{})
	a := toState(t, s, c, StateApproved)
	b := toState(t, s, c, StateApproved)
	at := c.Now().Add(time.Hour)
	g := SlotGuard{MinSpacing: 20 * time.Minute}
	if err := s.ReserveSlot(ctx, a.ID, at, "first", g); err != nil {
		t.Fatal(err)
	}
	if err := s.ReserveSlot(ctx, b.ID, at.Add(19*time.Minute), "too close", g); !errors.Is(err, ErrSlotTaken) {
		t.Errorf("slot 19m after another: %v, want ErrSlotTaken", err)
	}
	if err := s.ReserveSlot(ctx, b.ID, at.Add(20*time.Minute), "ok", g); err != nil {
		t.Errorf("slot 20m after another: %v", err)
	}
	times, err := s.SlotTimes(ctx, NetworkX, at.Add(-time.Hour), at.Add(time.Hour))
	if err != nil || len(times) != 2 || !times[0].Equal(at) {
		t.Errorf("SlotTimes = %v %v", times, err)
	}
	ct, err := s.CampaignSlotTimes(ctx, NetworkX, "c1", at.Add(-time.Hour), at.Add(time.Hour))
	if err != nil || len(ct) != 2 {
		t.Errorf("CampaignSlotTimes = %v %v", ct, err)
	}
	day := SlotGuard{DailyCap: 2, DayStart: at.Add(-9 * time.Hour), DayEnd: at.Add(15 * time.Hour)}
	e := toState(t, s, c, StateApproved)
	if err := s.ReserveSlot(ctx, e.ID, at.Add(3*time.Hour), "cap", day); !errors.Is(err, ErrSlotTaken) {
		t.Errorf("third slot with cap 2: %v", err)
	}
}

// TestMoveSlotGuard: a person's move is checked against the calendar in the
// same step as it is made, leaving out the post's own slot (a post moved by
// a few minutes does not crowd itself), and overrides a retry time.
func TestMoveSlotGuard(t *testing.T) {
	ctx := context.Background()
	s, c := newTestStore(t, StoreOptions{})
	a := toState(t, s, c, StateApproved)
	b := toState(t, s, c, StateApproved)
	at := c.Now().Add(time.Hour)
	g := SlotGuard{MinSpacing: 20 * time.Minute, DailyCap: 2, DayStart: at.Add(-9 * time.Hour), DayEnd: at.Add(15 * time.Hour)}
	if err := s.ReserveSlot(ctx, a.ID, at, "first", g); err != nil {
		t.Fatal(err)
	}
	if err := s.ReserveSlot(ctx, b.ID, at.Add(time.Hour), "second", g); err != nil {
		t.Fatal(err)
	}
	// Within its own spacing, and on a full day it is already part of.
	p, err := s.MoveSlot(ctx, a.ID, at.Add(5*time.Minute), g, "ann")
	if err != nil || !p.ScheduledAt.Equal(at.Add(5*time.Minute)) || p.SlotNote != "set by ann" {
		t.Fatalf("move by 5 minutes: %+v, %v", p, err)
	}
	if p, _ = s.Get(ctx, a.ID); len(p.Audit) == 0 {
		t.Fatal("no audit")
	}
	if last := p.Audit[len(p.Audit)-1]; last.Actor != "ann" || last.Action != "edit" || last.Reason != "changed scheduled_at" {
		t.Errorf("audit of a move: %+v", last)
	}
	if _, err := s.MoveSlot(ctx, a.ID, at.Add(50*time.Minute), g, "ann"); !errors.Is(err, ErrSlotTaken) {
		t.Errorf("move within 20m of another post: %v, want ErrSlotTaken", err)
	}
	if got, _ := s.Get(ctx, a.ID); !got.ScheduledAt.Equal(at.Add(5 * time.Minute)) {
		t.Errorf("a refused move changed the slot to %v", got.ScheduledAt)
	}
	// A third post may not join a day that holds the cap.
	e := toState(t, s, c, StateApproved)
	if _, err := s.MoveSlot(ctx, e.ID, at.Add(3*time.Hour), g, "ann"); !errors.Is(err, ErrSlotTaken) {
		t.Errorf("third post on a day capped at 2: %v, want ErrSlotTaken", err)
	}
	if _, err := s.MoveSlot(ctx, e.ID, at.Add(24*time.Hour), SlotGuard{}, "ann"); err != nil {
		t.Errorf("move of an unscheduled post to a free day: %v", err)
	}
	times, _ := s.SlotTimes(ctx, NetworkX, at.Add(-time.Hour), at.Add(48*time.Hour))
	if len(times) != 3 {
		t.Errorf("slots %v, want 3 (one per post, none left behind by a move)", times)
	}
	pending := toState(t, s, c, StatePending)
	if _, err := s.MoveSlot(ctx, pending.ID, at.Add(30*time.Hour), SlotGuard{}, "ann"); !errors.Is(err, ErrWrongState) {
		t.Errorf("move of a pending post: %v, want ErrWrongState", err)
	}
	if _, err := s.MoveSlot(ctx, a.ID, at, SlotGuard{}, ""); err == nil {
		t.Error("a move without an actor")
	}
}

func redistestClient(tb testing.TB) redis.UniversalClient { return redistest.Client(tb) }

// TestClaimRefusesPastNotAfter: ExpireDue runs once per publish run, claims
// come later; a post whose not_after passed in between must not be claimed.
func TestClaimRefusesPastNotAfter(t *testing.T) {
	ctx := context.Background()
	s, c := newTestStore(t, StoreOptions{})
	d := draft("na")
	d.NotAfter = c.Now().Add(time.Minute)
	p := mustCreate(t, s, d)
	if _, err := s.Approve(ctx, p.ID, "ann"); err != nil {
		t.Fatal(err)
	}
	if err := s.ReserveSlot(ctx, p.ID, c.Now(), "now", SlotGuard{}); err != nil {
		t.Fatal(err)
	}
	c.Add(time.Minute) // not_after is now: too late
	_, err := s.Claim(ctx, p.ID, "a1", time.Minute)
	if !errors.Is(err, ErrNotAfterPassed) || !strings.Contains(err.Error(), "not_after") {
		t.Fatalf("claim at not_after: %v, want ErrNotAfterPassed", err)
	}
	got, _ := s.Get(ctx, p.ID)
	if got.State != StateApproved || got.Attempts != 0 {
		t.Errorf("refused claim changed the post: %s, %d attempts", got.State, got.Attempts)
	}
	// A post without not_after, and one whose not_after is ahead, are claimed.
	for _, na := range []time.Time{{}, c.Now().Add(time.Millisecond)} {
		d := draft(fmt.Sprint("ok-", na.UnixMilli()))
		d.NotAfter = na
		q := mustCreate(t, s, d)
		if _, err := s.Approve(ctx, q.ID, "ann"); err != nil {
			t.Fatal(err)
		}
		if err := s.ReserveSlot(ctx, q.ID, c.Now(), "now", SlotGuard{}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Claim(ctx, q.ID, "a1", time.Minute); err != nil {
			t.Errorf("claim with not_after %v: %v", na, err)
		}
	}
}

// TestCampaignSlotsPruned: a campaign's slot set is trimmed when a slot is
// reserved and expires a while after its latest slot.
func TestCampaignSlotsPruned(t *testing.T) {
	ctx := context.Background()
	s, c := newTestStore(t, StoreOptions{})
	key := s.k.campaignSlots(NetworkX, "c1")
	old := toState(t, s, c, StateApproved)
	if err := s.ReserveSlot(ctx, old.ID, c.Now(), "old", SlotGuard{}); err != nil {
		t.Fatal(err)
	}
	c.Add(72 * time.Hour)
	p := toState(t, s, c, StateApproved)
	if err := s.ReserveSlot(ctx, p.ID, c.Now(), "new", SlotGuard{Forget: c.Now().Add(-48 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	ids, err := s.rdb.ZRange(ctx, key, 0, -1).Result()
	if err != nil || len(ids) != 1 || ids[0] != p.ID {
		t.Errorf("campaign slots %v %v, want only the new slot", ids, err)
	}
	ttl, err := s.rdb.PTTL(ctx, key).Result()
	// The latest slot is now: the set lives campaignSlotsKeep more.
	want := campaignSlotsKeep
	if err != nil || ttl > want || ttl < want-time.Minute {
		t.Errorf("campaign slots TTL %s %v, want about %s", ttl, err, want)
	}
}

// TestListByKindLanguageAndFamily: filters without an index of their own,
// alone and on top of an indexed one (state, campaign).
func TestListByKindLanguageAndFamily(t *testing.T) {
	ctx := context.Background()
	s, c := newTestStore(t, StoreOptions{})
	mk := func(key string, kind Kind, lang, milestone string) string {
		d := draft(key)
		d.Kind, d.Lang, d.Milestone = kind, lang, milestone
		if kind != KindMilestone {
			d.CampaignID = ""
		}
		c.Add(time.Second)
		return mustCreate(t, s, d).ID
	}
	p50 := mk("a", KindMilestone, "fr", "percent:50")
	p100 := mk("b", KindMilestone, "en", "percent:100")
	backers := mk("c", KindMilestone, "fr", "backers:1000")
	launch := mk("d", KindMilestone, "fr", "launch")
	story := mk("e", KindStory, "fr", "")
	if _, err := s.Approve(ctx, p100, "ann"); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		o    ListOptions
		want []string
	}{
		{ListOptions{Kind: KindStory}, []string{story}},
		{ListOptions{Kind: KindMilestone, Lang: "fr"}, []string{launch, backers, p50}},
		{ListOptions{Family: "percent"}, []string{p100, p50}},
		{ListOptions{Family: "percent", State: StatePending}, []string{p50}},
		{ListOptions{Family: "launch", CampaignID: "c1"}, []string{launch}},
		{ListOptions{Lang: "en"}, []string{p100}},
		{ListOptions{Family: "perc"}, nil}, // a family is matched whole
		{ListOptions{Lang: "fr", Limit: 2, Offset: 1}, []string{launch, backers}},
	}
	for i, tc := range cases {
		posts, total, err := s.List(ctx, tc.o)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		var got []string
		for _, p := range posts {
			got = append(got, p.ID)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("case %d %+v: %v, want %v", i, tc.o, got, tc.want)
		}
		if tc.o.Limit == 0 && total != len(tc.want) {
			t.Errorf("case %d: total %d, want %d", i, total, len(tc.want))
		}
	}
}

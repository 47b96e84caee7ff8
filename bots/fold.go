package bots

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/composer"
	"github.com/fanfarehq/fanfare/content/text"
)

// Writer writes the texts of posts that tell several milestones
// (*composer.Composer).
type Writer interface {
	RenderCovers(covers []content.Cover, network string, camp campaigns.Campaign, at time.Time) (composer.Telling, error)
	RenderDigest(network, lang, postID string, members []composer.DigestMember, at time.Time) (composer.Rendered, error)
}

// CampaignGetter reads a campaign's newest snapshot (campaigns.Reader).
type CampaignGetter interface {
	Get(ctx context.Context, id string) (campaigns.Campaign, []campaigns.FiredMilestone, error)
}

// FoldOptions configures a Folder; the zero value is usable.
type FoldOptions struct {
	Now    func() time.Time // nil: time.Now
	Logger *slog.Logger     // nil: slog.Default()
}

// Folder keeps every milestone told on time when a network's caps cannot
// carry them all. Before each planning run it weighs the posts waiting on
// the network (pending and approved) against the slots the network's rules
// leave before each post's not_after (its freshness); the posts that cannot
// go out alone in time are folded, per language and digest family, into
// digest posts ("Newly funded: A by @a, B by @b and 12 more"), which take
// the slots of the least urgent. It also withdraws the waiting posts a
// campaign's newest snapshot makes untrue (a refund under the threshold, a
// canceled campaign), and rewrites the merged posts and digests that told
// them along with others.
//
// Nothing is dropped silently: a folded post is expired with the digest's id
// (FoldedInto), a withdrawn one with the reason, and a post that no slot and
// no digest can carry in time expires through the scheduler with its own.
type Folder struct {
	store     FoldQueue
	sched     *Scheduler
	writer    Writer
	campaigns CampaignGetter
	now       func() time.Time
	log       *slog.Logger
}

// NewFolder returns a Folder that plans with sched's rules.
func NewFolder(store FoldQueue, sched *Scheduler, writer Writer, camps CampaignGetter, o FoldOptions) *Folder {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Folder{store: store, sched: sched, writer: writer, campaigns: camps, now: o.Now, log: o.Logger.With("job", "fold")}
}

// FoldReport says what one run did on a network.
type FoldReport struct {
	Withdrawn int // posts expired because what they told is no longer true
	Dropped   int // milestones a digest dropped: it could not tell them in time
	Rewritten int // merged posts and digests rewritten without a withdrawn milestone
	Folded    int // posts folded into digests
	Digests   int // digests created or grown
}

// actor of the folder's changes in audit trails.
const foldActor = "system:digest"

// Run withdraws, then folds what the network cannot carry alone in time.
func (f *Folder) Run(ctx context.Context, network string) (FoldReport, error) {
	var rep FoldReport
	now := f.now()
	posts, err := f.store.Waiting(ctx, network)
	if err != nil || len(posts) == 0 {
		return rep, err
	}
	snaps := &snapshots{get: f.campaigns, m: map[string]campaigns.Campaign{}}
	if posts, err = f.withdraw(ctx, posts, snaps, now, &rep); err != nil {
		return rep, err
	}
	if posts, err = f.prune(ctx, posts, snaps, now, &rep); err != nil {
		return rep, err
	}
	groups, err := f.plan(ctx, network, posts, now)
	if err != nil {
		return rep, err
	}
	var errs []error
	for _, g := range groups {
		if err := f.fold(ctx, network, g, snaps, now, &rep); err != nil {
			errs = append(errs, err)
		}
	}
	// Each new digest takes the slot the plan made room for, now that the
	// posts folded into any digest have given theirs back, before another
	// post does. A pending digest waits for a person, then the scheduler
	// places it.
	limits := f.sched.Limits(network)
	from := now.Add(-max(48*time.Hour, limits.MinSpacing, limits.CampaignSpacing))
	for _, g := range groups {
		if g.made == "" {
			continue
		}
		err := f.sched.reserve(ctx, g.made, limits, g.slot, "digest: the slot the folder made room for", from)
		if err != nil && !errors.Is(err, content.ErrSlotTaken) && !errors.Is(err, content.ErrWrongState) && !errors.Is(err, content.ErrScheduled) {
			errs = append(errs, err)
		}
	}
	if rep != (FoldReport{}) {
		f.log.Info("posts folded and withdrawn", "network", network, "withdrawn", rep.Withdrawn,
			"rewritten", rep.Rewritten, "folded", rep.Folded, "digests", rep.Digests, "dropped", rep.Dropped)
	}
	return rep, errors.Join(errs...)
}

// snapshots reads each campaign once per run.
type snapshots struct {
	get CampaignGetter
	m   map[string]campaigns.Campaign
}

func (s *snapshots) campaign(ctx context.Context, id string) (campaigns.Campaign, bool, error) {
	if c, ok := s.m[id]; ok {
		return c, c.ID != "", nil
	}
	c, _, err := s.get.Get(ctx, id)
	switch {
	case errors.Is(err, campaigns.ErrNotFound):
		s.m[id] = campaigns.Campaign{}
		return c, false, nil
	case err != nil:
		return c, false, err
	}
	s.m[id] = c
	return c, true, nil
}

// withdraw expires (or rewrites) the waiting posts whose milestones the
// campaigns' newest snapshots no longer bear out, and returns the posts still
// waiting.
func (f *Folder) withdraw(ctx context.Context, posts []content.Post, snaps *snapshots, now time.Time, rep *FoldReport) ([]content.Post, error) {
	out := posts[:0]
	for _, p := range posts {
		if p.Kind != content.KindMilestone && p.Kind != content.KindDigest {
			out = append(out, p)
			continue
		}
		var keep []content.Cover
		var why []string
		for _, cv := range p.Covers {
			c, known, err := snaps.campaign(ctx, cv.CampaignID)
			if err != nil {
				return nil, err
			}
			if reason, still := composer.StillTrue(cv.Milestone, c); known && !still {
				why = append(why, withdrawnReason(c, cv.Milestone, reason))
				continue
			}
			keep = append(keep, cv)
		}
		if len(why) == 0 {
			out = append(out, p)
			continue
		}
		reason := strings.Join(why, "; ")
		if len(keep) == 0 || p.EditedBy != "" {
			// A person's words are not rewritten: the whole post goes.
			if _, err := f.store.Expire(ctx, p.ID, foldActor, reason); err != nil && !errors.Is(err, content.ErrWrongState) {
				return nil, err
			}
			rep.Withdrawn++
			f.log.Info("post withdrawn", "post_id", p.ID, "network", p.Network, "reason", reason)
			continue
		}
		q, err := f.rewrite(ctx, p, keep, snaps, now, "withdraw", reason)
		switch {
		case errors.Is(err, content.ErrConflict), errors.Is(err, content.ErrWrongState), errors.Is(err, content.ErrEdited):
			continue // moved meanwhile: the next run looks again
		case err != nil:
			return nil, err
		}
		rep.Rewritten++
		out = append(out, q)
	}
	return out, nil
}

// prune drops from each waiting digest the milestones whose freshness ends
// before it can go out (its slot, or now): a digest that would tell stale
// news is rewritten without it, and one left with nothing is expired. The
// digest's audit names each milestone dropped.
func (f *Folder) prune(ctx context.Context, posts []content.Post, snaps *snapshots, now time.Time, rep *FoldReport) ([]content.Post, error) {
	out := posts[:0]
	for _, p := range posts {
		if p.Kind != content.KindDigest || p.EditedBy != "" {
			out = append(out, p)
			continue
		}
		goesOut := now
		if p.ScheduledAt.After(now) {
			goesOut = p.ScheduledAt
		}
		var keep []content.Cover
		var gone []string
		for _, cv := range p.Covers {
			if !cv.NotAfter.IsZero() && !cv.NotAfter.After(goesOut) {
				gone = append(gone, cv.CampaignID+" "+cv.Milestone)
				continue
			}
			keep = append(keep, cv)
		}
		if len(gone) == 0 {
			out = append(out, p)
			continue
		}
		rep.Dropped += len(gone)
		reason := "past their freshness before the digest could go out: " + strings.Join(gone, ", ")
		if len(keep) == 0 {
			if _, err := f.store.Expire(ctx, p.ID, foldActor, reason); err != nil && !errors.Is(err, content.ErrWrongState) {
				return nil, err
			}
			continue
		}
		q, err := f.rewrite(ctx, p, keep, snaps, now, "drop", reason)
		switch {
		case errors.Is(err, content.ErrConflict), errors.Is(err, content.ErrWrongState), errors.Is(err, content.ErrEdited):
			continue
		case err != nil:
			return nil, err
		}
		out = append(out, q)
	}
	return out, nil
}

func withdrawnReason(c campaigns.Campaign, m, why string) string {
	name := c.Title
	if name == "" {
		name = c.ID
	}
	return fmt.Sprintf("withdrawn %s of %s: %s", m, name, why)
}

// rewrite gives a merged post or a digest the text of the covers it keeps.
func (f *Folder) rewrite(ctx context.Context, p content.Post, keep []content.Cover, snaps *snapshots, now time.Time, action, reason string) (content.Post, error) {
	r := content.Revision{Covers: keep, Priority: p.Priority, NotAfter: p.NotAfter, Actor: foldActor, Action: action, Reason: reason}
	if p.Kind == content.KindDigest {
		r.NotAfter = latestCover(keep)
		members, err := digestMembers(ctx, keep, snaps)
		if err != nil {
			return content.Post{}, err
		}
		out, err := f.writer.RenderDigest(p.Network, p.Lang, p.ID, members, now)
		if err != nil {
			return content.Post{}, err
		}
		r.Text, r.Link, r.Variant, r.Milestone = out.Text, out.Link, out.Variant, p.Milestone
	} else {
		c, _, err := snaps.campaign(ctx, p.CampaignID)
		if err != nil {
			return content.Post{}, err
		}
		out, err := f.writer.RenderCovers(keep, p.Network, c, now)
		if err != nil {
			return content.Post{}, err
		}
		r.Text, r.Link, r.Variant, r.Milestone, r.Priority, r.NotAfter = out.Text, out.Link, out.Variant, out.Milestone, out.Priority, out.NotAfter
	}
	q, _, err := f.store.Revise(ctx, p, r)
	return q, err
}

// digestMembers lists a digest's campaigns, once each, in the order of its
// covers, each in the section of its most urgent milestone.
func digestMembers(ctx context.Context, covers []content.Cover, snaps *snapshots) ([]composer.DigestMember, error) {
	var out []composer.DigestMember
	for _, cv := range covers {
		fam, err := composer.DigestFamily(cv.Milestone)
		if err != nil {
			continue // not a milestone a digest tells
		}
		i := slices.IndexFunc(out, func(m composer.DigestMember) bool { return m.Campaign.ID == cv.CampaignID })
		if i >= 0 {
			if slices.Index(composer.DigestFamilies, fam) < slices.Index(composer.DigestFamilies, out[i].Family) {
				out[i].Family = fam
			}
			continue
		}
		c, ok, err := snaps.campaign(ctx, cv.CampaignID)
		if err != nil {
			return nil, err
		}
		if !ok {
			c = campaigns.Campaign{ID: cv.CampaignID, Title: cv.CampaignID}
		}
		out = append(out, composer.DigestMember{Campaign: c, Family: fam})
	}
	return out, nil
}

// foldGroup is the posts of one language that go into one digest, and
// where the plan puts that digest.
type foldGroup struct {
	lang    string
	members []content.Post
	slot    time.Time // where the plan puts the digest
	open    bool      // the language's digest is open: members join it
	made    string    // the new digest folded into, if any
}

// planItem is a post, or a digest yet to be made, in the capacity plan.
type planItem struct {
	post     content.Post // zero for a digest to make
	group    *foldGroup   // the digest to make
	priority int
	notAfter time.Time // the latest a digest's members allow
	campaign string
	slot     time.Time // where the plan put it
}

func (it planItem) isDigest() bool { return it.group != nil || it.post.Kind == content.KindDigest }

// maxPlanRounds bounds the rounds of planning: each round folds more posts,
// gives a digest a slot or gives up on its most pressing members, and the
// plan settles in a few.
const maxPlanRounds = 32

// plan weighs the waiting posts against the network's slots and returns the
// groups of posts to fold, each with the slot its digest should take. Posts
// with a slot keep it; the others are placed in order of urgency (priority,
// then deadline, a digest before a single post of the same priority), each
// at the earliest slot the network's rules allow (daily cap, spacing, quiet
// hours, campaign spacing). A post that finds no slot before its not_after is
// folded into its language's digest (the open one, or a new one). A new
// digest that finds no slot takes the slot of the least urgent single post
// before its members' deadlines, placed here or scheduled earlier (not by a
// person), which is folded in turn; one that still finds none is not made,
// and its posts expire with their own reason. Members whose deadline comes
// before their digest's slot are left out: no digest can tell them in time.
func (f *Folder) plan(ctx context.Context, network string, posts []content.Post, now time.Time) ([]*foldGroup, error) {
	limits := f.sched.Limits(network)
	from := now.Add(-max(48*time.Hour, limits.MinSpacing, limits.CampaignSpacing))
	horizon := now.Add(slotHorizon + 24*time.Hour)
	taken, err := f.store.SlotTimes(ctx, network, from, horizon)
	if err != nil {
		return nil, err
	}
	var singles, scheduled []planItem
	var campaignIDs []string
	open := map[string]content.Post{} // the open digest of each language
	for _, p := range posts {
		if p.Kind == content.KindDigest && p.Joinable(now) {
			open[p.Lang] = p
		}
		it := planItem{post: p, priority: p.Priority, notAfter: p.NotAfter, campaign: p.CampaignID, slot: p.ScheduledAt}
		if !p.ScheduledAt.IsZero() {
			if movable(p, now) {
				scheduled = append(scheduled, it) // may give its slot to a digest
			}
			continue // holds its slot: it is in taken
		}
		singles = append(singles, it)
		if p.CampaignID != "" && !slices.Contains(campaignIDs, p.CampaignID) {
			campaignIDs = append(campaignIDs, p.CampaignID)
		}
	}
	if len(singles) == 0 {
		return nil, nil
	}
	campTaken := map[string][]time.Time{}
	if limits.CampaignSpacing > 0 {
		if campTaken, err = f.store.CampaignsSlotTimes(ctx, network, campaignIDs, from, horizon); err != nil {
			return nil, err
		}
	}

	folded := map[string]bool{}  // post ids to fold
	tooLate := map[string]bool{} // posts no digest can tell in time: left to expire
	var groups []*foldGroup
	var placed []planItem
	for range maxPlanRounds {
		groups = groupFolded(append(slices.Clone(singles), scheduled...), folded, tooLate)
		cal := slices.Clone(taken) // without the slots of the scheduled posts folded
		for _, it := range scheduled {
			if folded[it.post.ID] {
				if i := slices.IndexFunc(cal, it.slot.Equal); i >= 0 {
					cal = slices.Delete(cal, i, i+1)
				}
			}
		}
		items := make([]planItem, 0, len(singles)+len(groups))
		for _, it := range singles {
			if !folded[it.post.ID] {
				items = append(items, it)
			}
		}
		for _, g := range groups {
			if _, ok := open[g.lang]; ok {
				continue // joins the digest already there
			}
			// A new digest must go out before the first of its members
			// stops being news.
			it := planItem{group: g, priority: g.members[0].Priority}
			for _, m := range g.members {
				it.priority = min(it.priority, m.Priority)
				it.notAfter = earliestDeadline(it.notAfter, m.NotAfter)
			}
			items = append(items, it)
		}
		// Digests first: each tells many milestones, and a milestone that
		// misses a slot of its own is told in one only if its digest has
		// one. Then the single posts, the most urgent first.
		slices.SortStableFunc(items, func(a, b planItem) int {
			return cmp.Or(boolFirst(a.isDigest(), b.isDigest()), cmp.Compare(a.priority, b.priority),
				compareDeadline(a.notAfter, b.notAfter), a.post.CreatedAt.Compare(b.post.CreatedAt))
		})
		var lost []planItem
		placed, lost = f.simulate(items, cal, campTaken, limits, now)
		changed := false
		for _, it := range lost {
			switch {
			case it.group != nil:
				// The digest needs a slot: the least urgent single post before
				// its first member's deadline gives it up; when none can, the
				// members with that deadline are beyond telling.
				var pool []planItem
				for _, c := range append(slices.Clone(placed), scheduled...) {
					if !folded[c.post.ID] {
						pool = append(pool, c)
					}
				}
				if v := leastUrgent(pool, it.notAfter); v != "" {
					folded[v], changed = true, true
					continue
				}
				for _, m := range it.group.members {
					if !m.NotAfter.After(it.notAfter) {
						tooLate[m.ID], changed = true, true
					}
				}
			case foldable(it.post) && !folded[it.post.ID]:
				folded[it.post.ID], changed = true, true
			}
		}
		// A new digest goes out soon: when single posts hold slots well
		// before the digest's, the least urgent of them is folded into the
		// digest, which takes a slot that soon, so overflowing news waits
		// hours, not the day. (The single's milestone is told by then.)
		for _, it := range placed {
			if it.group == nil {
				continue
			}
			var pool []planItem
			for _, c := range append(slices.Clone(placed), scheduled...) {
				if !folded[c.post.ID] && c.slot.Before(it.slot.Add(-digestSooner)) {
					pool = append(pool, c)
				}
			}
			if v := leastUrgent(pool, time.Time{}); v != "" {
				folded[v], changed = true, true
			}
		}
		if !changed {
			break
		}
	}
	// Where each digest goes: the plan's slot for a new one and for an open
	// one without a slot yet, the slot an open one holds. A new digest
	// without a slot is not made.
	for _, g := range groups {
		o, isOpen := open[g.lang]
		g.open = isOpen
		found := false
		if isOpen && !o.ScheduledAt.IsZero() {
			g.slot, found = o.ScheduledAt, true
		}
		for _, it := range placed {
			if it.group == g || (isOpen && o.ScheduledAt.IsZero() && it.post.ID == o.ID) {
				g.slot, found = it.slot, true
			}
		}
		if !found {
			g.members = nil
			continue
		}
		g.members = slices.DeleteFunc(g.members, func(m content.Post) bool {
			return !m.NotAfter.IsZero() && !g.slot.Before(m.NotAfter)
		})
	}
	return slices.DeleteFunc(groups, func(g *foldGroup) bool { return len(g.members) == 0 }), nil
}

// groupFolded groups the posts to fold by language, most urgent first,
// leaving out those no digest can tell in time.
func groupFolded(singles []planItem, folded, tooLate map[string]bool) []*foldGroup {
	var groups []*foldGroup
	for _, it := range singles {
		p := it.post
		if !folded[p.ID] || tooLate[p.ID] {
			continue
		}
		i := slices.IndexFunc(groups, func(g *foldGroup) bool { return g.lang == p.Lang })
		if i < 0 {
			groups = append(groups, &foldGroup{lang: p.Lang})
			i = len(groups) - 1
		}
		groups[i].members = append(groups[i].members, p)
	}
	for _, g := range groups {
		slices.SortStableFunc(g.members, func(a, b content.Post) int {
			return cmp.Or(cmp.Compare(a.Priority, b.Priority), compareDeadline(a.NotAfter, b.NotAfter))
		})
	}
	return groups
}

// movable reports whether a scheduled post's slot may go to a digest in the
// plan: one the scheduler gave a foldable post, not soon due, not set by a
// person, not a retry's.
func movable(p content.Post, now time.Time) bool {
	return foldable(p) && p.ScheduledAt.After(now.Add(missedAfter)) &&
		!strings.HasPrefix(p.SlotNote, "set by ") && !strings.HasPrefix(p.SlotNote, retryNote)
}

// foldable reports whether a post may be folded into a digest: a milestone
// post with a freshness, that no person wrote.
// An Instagram post is never folded: a digest has no image, and Instagram
// posts nothing without one.
func foldable(p content.Post) bool {
	return p.Kind == content.KindMilestone && !p.NotAfter.IsZero() && p.EditedBy == "" &&
		text.NetworkOf(p.Network) != content.NetworkInstagram &&
		(p.State == content.StatePending || p.State == content.StateApproved)
}

// simulate places items in order at their earliest slots and returns the
// ones placed (with their slots) and the ones no slot fits before their
// deadline.
func (f *Folder) simulate(items []planItem, taken []time.Time, campTaken map[string][]time.Time, limits NetworkLimits, now time.Time) (placed, lost []planItem) {
	cal := slices.Clone(taken)
	camp := map[string][]time.Time{}
	for _, it := range items {
		var ct []time.Time
		if it.campaign != "" && limits.CampaignSpacing > 0 {
			if _, ok := camp[it.campaign]; !ok {
				camp[it.campaign] = slices.Clone(campTaken[it.campaign])
			}
			ct = camp[it.campaign]
		}
		at, _, ok := nextSlot(cal, ct, now, limits, f.sched.quietOf(limits), f.sched.loc)
		if !ok || (!it.notAfter.IsZero() && !at.Before(it.notAfter)) {
			lost = append(lost, it)
			continue
		}
		it.slot = at
		cal = append(cal, at)
		if ct != nil {
			camp[it.campaign] = append(ct, at)
		}
		placed = append(placed, it)
	}
	return placed, lost
}

// leastUrgent is the id of the least urgent foldable single post placed
// before deadline, "" when none.
func leastUrgent(placed []planItem, deadline time.Time) string {
	var best *planItem
	for i := range placed {
		it := &placed[i]
		if it.group != nil || !foldable(it.post) || (!deadline.IsZero() && !it.slot.Before(deadline)) {
			continue
		}
		if best == nil || it.priority > best.priority || (it.priority == best.priority && it.slot.After(best.slot)) {
			best = it
		}
	}
	if best == nil {
		return ""
	}
	return best.post.ID
}

// digestSooner is how much sooner a single post's slot must be for a new
// digest to take it (see plan).
const digestSooner = time.Hour

func boolFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// compareDeadline orders deadlines, none last.
func compareDeadline(a, b time.Time) int {
	switch {
	case a.IsZero() && b.IsZero():
		return 0
	case a.IsZero():
		return 1
	case b.IsZero():
		return -1
	}
	return a.Compare(b)
}

// fold puts a group's posts into their digest: the open one when it can take
// them (it waits, no person edited it, and it stays approved only if they
// are), else a new one. Posts claimed or decided meanwhile are left out.
func (f *Folder) fold(ctx context.Context, network string, g *foldGroup, snaps *snapshots, now time.Time, rep *FoldReport) error {
	bundle := content.DigestBundle(network, g.lang)
	members := slices.Clone(g.members)
	for range maxBundleTries {
		if len(members) == 0 {
			return nil
		}
		open, found, err := f.store.OpenBundle(ctx, bundle)
		if err != nil {
			return err
		}
		allApproved := !slices.ContainsFunc(members, func(p content.Post) bool { return p.State != content.StateApproved })
		join := found && open.Joinable(now) && open.Kind == content.KindDigest && (open.State == content.StatePending || allApproved)

		var covers []content.Cover
		prio := int(^uint(0) >> 1)
		if join {
			covers = slices.Clone(open.Covers)
			prio = open.Priority
		}
		ids := make([]string, len(members))
		for i, m := range members {
			ids[i] = m.ID
			for _, cv := range m.Covers {
				if !slices.ContainsFunc(covers, cv.Same) {
					covers = append(covers, cv)
				}
			}
			prio = min(prio, m.Priority)
		}
		digestMembers, err := digestMembers(ctx, covers, snaps)
		if err != nil {
			return err
		}
		primary := members[0].Milestone
		if join && open.Priority <= members[0].Priority {
			primary = open.Milestone
		}
		id := open.ID
		if !join {
			id = f.store.NewID()
		}
		out, err := f.writer.RenderDigest(network, g.lang, id, digestMembers, now)
		if err != nil {
			return fmt.Errorf("bots: unable to write the %s digest on %s: %w", g.lang, network, err)
		}
		if join {
			_, _, err = f.store.Revise(ctx, open, content.Revision{Bundle: &content.BundleCAS{Bundle: bundle}, Members: ids,
				Covers: covers, Milestone: primary, Text: out.Text, Link: out.Link, Variant: out.Variant,
				Priority: prio, NotAfter: latestCover(covers), Actor: foldActor, Action: "fold",
				Reason: fmt.Sprintf("%d more posts folded in", len(ids))})
		} else {
			expect := ""
			if found {
				expect = open.ID
			}

			_, _, err = f.store.CreateBundled(ctx, content.Draft{ID: id, Kind: content.KindDigest, Network: network,
				Milestone: primary, Covers: covers, Text: out.Text, Link: out.Link, Lang: g.lang, Variant: out.Variant,
				Priority: prio, NotAfter: latestCover(covers), Actor: foldActor, Approved: allApproved},
				content.BundleCAS{Bundle: bundle, Expect: expect}, ids)
		}
		var moved *content.MovedError
		switch {
		case err == nil:
			rep.Folded += len(ids)
			rep.Digests++
			if !join {
				g.made = id
			}
			return nil
		case errors.As(err, &moved):
			members = slices.DeleteFunc(members, func(p content.Post) bool { return p.ID == moved.PostID })
		case errors.Is(err, content.ErrConflict), errors.Is(err, content.ErrWrongState), errors.Is(err, content.ErrEdited):
			// Another replica or a person got there first: read again.
		default:
			return err
		}
	}
	return fmt.Errorf("bots: unable to fold posts into the %s digest on %s: it kept changing", g.lang, network)
}

// maxBundleTries bounds the compare-and-set rounds of one fold.
const maxBundleTries = 16

func earliestDeadline(a, b time.Time) time.Time {
	switch {
	case a.IsZero():
		return b
	case b.IsZero() || a.Before(b):
		return a
	}
	return b
}

// latestCover is a digest's not_after: the last of its milestones'
// freshness. The folder drops each milestone the digest can no longer tell
// in time (see prune), so the digest itself goes out while any is fresh.
func latestCover(covers []content.Cover) time.Time {
	var last time.Time
	for _, c := range covers {
		if c.NotAfter.IsZero() {
			return time.Time{}
		}
		if c.NotAfter.After(last) {
			last = c.NotAfter
		}
	}
	return last
}

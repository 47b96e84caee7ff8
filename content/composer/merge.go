package composer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/text"
)

// Bundler is what merging needs of the queue besides creating drafts
// (*content.Store has it): the open post of a bundle, a compare-and-set
// creation and rewrite, and the auto-approve rules.
type Bundler interface {
	DraftSink
	OpenBundle(ctx context.Context, b content.Bundle) (content.Post, bool, error)
	CreateBundled(ctx context.Context, d content.Draft, cas content.BundleCAS, members []string) (content.Post, bool, error)
	Revise(ctx context.Context, p content.Post, r content.Revision) (content.Post, bool, error)
	AutoApproves(d content.Draft) bool
}

// maxBundleTries bounds the compare-and-set rounds of one merge: each lost
// round means another replica changed the bundle, so running out means
// something is badly wrong.
const maxBundleTries = 16

// queueMerging queues d, merging it into the campaign's waiting post on the
// network when there is one (within the merge window, not edited by a
// person); otherwise d becomes that open post. A milestone already told
// (a re-delivered event) changes nothing.
func (c *Composer) queueMerging(ctx context.Context, b Bundler, ev campaigns.Event, d content.Draft) (content.Post, bool, error) {
	bundle := content.MergeBundle(d.Network, d.CampaignID)
	cas := content.BundleCAS{Bundle: bundle, Until: c.now().Add(c.mergeWindow)}
	for range maxBundleTries {
		open, found, err := b.OpenBundle(ctx, bundle)
		if err != nil {
			return content.Post{}, false, err
		}
		if found && c.canMerge(b, open, d) {
			rev, err := c.mergeRevision(b, open, ev, d)
			if err != nil {
				return content.Post{}, false, err
			}
			rev.Bundle = &cas
			p, changed, err := b.Revise(ctx, open, rev)
			switch {
			case err == nil:
				return p, changed, nil
			case errors.Is(err, content.ErrConflict):
				continue
			case errors.Is(err, content.ErrWrongState), errors.Is(err, content.ErrEdited), errors.Is(err, content.ErrNotFound):
				// Claimed or decided since it was read: d starts a new post.
			default:
				return content.Post{}, false, err
			}
		}
		cas.Expect = ""
		if found {
			cas.Expect = open.ID
		}
		p, created, err := b.CreateBundled(ctx, d, cas, nil)
		if errors.Is(err, content.ErrConflict) {
			continue
		}
		return p, created, err
	}
	return content.Post{}, false, fmt.Errorf("composer: unable to merge %s into the posts of %s on %s: the bundle kept changing", d.Milestone, d.CampaignID, d.Network)
}

// canMerge reports whether d may join the open post: it still takes
// milestones (see Post.Joinable), and no person's decision would be undone.
// A post a person approved goes out as she read it: d starts a new post. One
// the rules approved stays approved if they approve d too, and otherwise goes
// back to pending with d.
func (c *Composer) canMerge(b Bundler, open content.Post, d content.Draft) bool {
	if !open.Joinable(c.now()) || open.Kind != content.KindMilestone || open.Covering(d.CampaignID, d.Milestone) {
		return false
	}
	return open.State == content.StatePending || strings.HasPrefix(open.ApprovedBy, "system:")
}

// mergeRevision writes the merged post that tells open's milestones and d's,
// from the newest snapshot (ev's). A post the rules approved goes back to
// pending when they do not approve d.
func (c *Composer) mergeRevision(b Bundler, open content.Post, ev campaigns.Event, d content.Draft) (content.Revision, error) {
	covers := append(slices.Clone(open.Covers), content.Cover{CampaignID: d.CampaignID, Milestone: d.Milestone, NotAfter: d.NotAfter})
	at := ev.FiredAt
	if at.IsZero() {
		at = c.now()
	}
	r, primary, err := c.renderCovers(covers, d.Network, ev.Campaign, at)
	if err != nil {
		return content.Revision{}, fmt.Errorf("composer: unable to merge %s into post %s: %w", d.Milestone, open.ID, err)
	}
	rev := content.Revision{
		DedupKey:  d.DedupKey,
		GroupID:   d.GroupID,
		Covers:    covers,
		Milestone: primary.raw,
		Text:      r.Text,
		Link:      r.Link,
		Variant:   r.Variant,
		Priority:  c.coversPriority(covers, d.CampaignID),
		NotAfter:  toldUntil(covers, c.factsOf(covers, d.CampaignID)),
		Demote:    open.State == content.StateApproved && !b.AutoApproves(d),
		Actor:     auditActor,
		Action:    "merge",
		Reason:    "merged with " + d.Milestone,
	}
	return rev, nil
}

// factsOf is facts without the error: covers a merge just built parse.
func (c *Composer) factsOf(covers []content.Cover, id string) []milestone {
	f, _ := c.facts(covers, id)
	return f
}

// coversPriority is the priority of a post telling covers: its most urgent
// fact's.
func (c *Composer) coversPriority(covers []content.Cover, id string) int {
	facts := c.factsOf(covers, id)
	if len(facts) == 0 {
		return c.priority["default"]
	}
	return priority(c.priority, facts[0])
}

// toldUntil is when a post telling covers stops being news: the earliest
// freshness of the facts it tells. A milestone a newer one makes stale no
// longer bounds it (a success told after its campaign's last hours).
func toldUntil(covers []content.Cover, facts []milestone) time.Time {
	var until time.Time
	for _, cv := range covers {
		if cv.NotAfter.IsZero() || !slices.ContainsFunc(facts, func(m milestone) bool { return m.raw == cv.Milestone }) {
			continue
		}
		if until.IsZero() || cv.NotAfter.Before(until) {
			until = cv.NotAfter
		}
	}
	return until
}

// renderCovers writes one post telling a campaign's milestones: the
// milestones a further one of the set makes stale are told by it (100 %
// tells 50 %, a funding milestone tells the launch), and when one is left the
// post is that milestone's own. It returns the text and the main milestone:
// the most urgent one told.
func (c *Composer) renderCovers(covers []content.Cover, network string, camp campaigns.Campaign, at time.Time) (Rendered, milestone, error) {
	facts, err := c.facts(covers, camp.ID)
	if err != nil {
		return Rendered{}, milestone{}, err
	}
	primary := facts[0]
	if len(facts) == 1 {
		r, err := c.render(primary, network, camp, at, nil)
		return r, primary, err
	}
	lang := c.lang(camp.Lang)
	f, ok := c.set.file(lang, network, FamilyMerged)
	if !ok {
		return Rendered{}, milestone{}, fmt.Errorf("no template for %s", fileKey{lang, network, FamilyMerged}.path())
	}
	if f.key.lang != lang {
		lang = f.key.lang
	}
	said, err := c.sayFacts(f, facts, network, lang, camp, at)
	if err != nil {
		return Rendered{}, milestone{}, err
	}
	r, err := c.renderVariant(f, pickVariant(camp.ID, primary, len(f.variants)), primary, network, lang, camp, at,
		map[string]any{"Facts": said})
	if err != nil {
		return Rendered{}, milestone{}, err
	}
	r.Variant = FamilyMerged + "/" + strings.TrimPrefix(r.Variant, primary.family+"/")
	return r, primary, nil
}

// facts are the covered milestones of campaign id that no other covered one
// makes stale, most urgent first.
func (c *Composer) facts(covers []content.Cover, id string) ([]milestone, error) {
	var all []milestone
	for _, cv := range covers {
		if cv.CampaignID != id {
			continue
		}
		ms, err := parseMilestone(cv.Milestone)
		if err != nil {
			return nil, err
		}
		all = append(all, ms)
	}
	var told []milestone
	for _, m := range all {
		if !slices.ContainsFunc(all, func(o milestone) bool { return supersedes(o, m) }) {
			told = append(told, m)
		}
	}
	if len(told) == 0 {
		return nil, fmt.Errorf("no milestone of campaign %s to tell", id)
	}
	slices.SortStableFunc(told, func(a, b milestone) int {
		return cmp.Or(cmp.Compare(priority(c.priority, a), priority(c.priority, b)), cmp.Compare(a.raw, b.raw))
	})
	return told, nil
}

// sayFacts renders each milestone's "fact:<family>" block of a merged
// template and joins them the language's way: "A, B and C".
func (c *Composer) sayFacts(f *tmplFile, facts []milestone, network, lang string, camp campaigns.Campaign, at time.Time) (string, error) {
	loc := c.locales[lang]
	if loc == nil {
		loc = newLocale(lang)
	}
	t, err := f.tmpl.Clone()
	if err != nil {
		return "", fmt.Errorf("template %s: %w", f.name, err)
	}
	t.Funcs((&env{loc: loc, network: text.NetworkOf(network), campaign: camp, milestone: facts[0].raw, at: at}).funcs())
	parts := make([]string, 0, len(facts))
	data := asData(camp)
	for _, ms := range facts {
		d := Data{Campaign: data, Milestone: ms.raw, Family: ms.family, N: ms.n, Network: network, Lang: lang}
		if ms.family == FamilyStretch {
			if ms.n >= int64(len(camp.StretchGoals)) {
				return "", fmt.Errorf("campaign %s has no stretch goal %d", camp.ID, ms.n)
			}
			d.Stretch = data.StretchGoals[ms.n]
		}
		s, err := execBlock(t, "fact:"+ms.family, d)
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	and, err := execBlock(t, "and", nil)
	if err != nil {
		return "", err
	}
	return joinList(parts, and), nil
}

// execBlock renders one named block of a template as a line of text.
func execBlock(t *template.Template, name string, data any) (string, error) {
	s, err := execRaw(t, name, data)
	return strings.TrimSpace(strings.ReplaceAll(tidy(s), "\n", " ")), err
}

// execRaw renders one named block of a template as it is written.
func execRaw(t *template.Template, name string, data any) (string, error) {
	if t.Lookup(name) == nil {
		return "", fmt.Errorf("template %s: no block %q", t.Name(), name)
	}
	var b limitedBuilder
	if err := t.ExecuteTemplate(&b, name, data); err != nil {
		return "", err
	}
	return b.String(), nil
}

// joinList joins items as a sentence does: "A", "A and B", "A, B and C".
func joinList(items []string, and string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + and + " " + items[len(items)-1]
}

// Telling is a post that tells a campaign's covered milestones.
type Telling struct {
	Rendered
	Milestone string    // the main milestone told
	Priority  int       // its most urgent fact's
	NotAfter  time.Time // the earliest freshness of what it tells
}

// RenderCovers writes the post that tells a campaign's covered milestones
// from its newest snapshot, as a merge does (see renderCovers): for a post
// whose covers changed (a withdrawn milestone).
func (c *Composer) RenderCovers(covers []content.Cover, network string, camp campaigns.Campaign, at time.Time) (Telling, error) {
	if !slices.Contains(c.networks, network) {
		return Telling{}, fmt.Errorf("composer: network %q is not enabled", network)
	}
	r, primary, err := c.renderCovers(covers, network, camp, at)
	if err != nil {
		return Telling{}, fmt.Errorf("composer: campaign %s: %w", camp.ID, err)
	}
	return Telling{Rendered: r, Milestone: primary.raw, Priority: c.coversPriority(covers, camp.ID),
		NotAfter: toldUntil(covers, c.factsOf(covers, camp.ID))}, nil
}

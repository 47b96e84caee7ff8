// Package composer writes the posts about a campaign: it turns a milestone
// event into one draft per network in the campaign's language, from
// text/template files (embedded, overridable from a folder) with several
// variants per milestone, and renders the creator stories.
//
// Everything that can go wrong with a template is found by New, which parses
// every file and renders every variant against sample campaigns: a broken
// override fails start-up with its file and line, not a post at 3 a.m.
//
// Templates see a Data value and these helpers:
//
//	money AMOUNT   minor units of the campaign's currency: "1 250 €", "€1,250"
//	number N       grouped digits: "1 000", "1,000"
//	percent N      "50 %", "50%"
//	count N ONE OTHER  a number and the word for it: "1 000 contributeurs"
//	plural N ONE OTHER the word for a count, by CLDR plural rules
//	timeLeft       time to the deadline in words: "plus que 24 heures", "3 days left"
//	creator        the credit: the configured @handle on X, else the name;
//	               "" without either, so {{with creator}} by {{.}}{{end}}
//	               leaves the credit out (mention is the same, for older templates)
//	hashtags       up to 3 hashtags from the campaign's tags, CamelCase
//	link           the campaign URL with UTM parameters (see TagURL)
//	excerpt S MAX  S cut to MAX characters at a sentence, else a word, boundary
//	capfirst S     S with its first letter upper-cased: {{capfirst timeLeft}}
//	optional … endoptional  a sentence the post may do without when too long
//
// How a post is shortened is decided in one place, text.FitLang, not in
// templates: the helpers and the campaign's fields carry its marks
// (amounts are never cut inside, the credit and the link never dropped,
// hashtags go first, then optional sentences, then the title is cut at a
// word with an ellipsis). Titles, names and descriptions reach templates
// through text.Inert: they cannot mention, tag or link. French posts get
// French typography (text.Typography): no-break spaces before ; : ! ?,
// inside « » and in amounts.
package composer

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"text/template"
	"time"

	"golang.org/x/text/language"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/text"
)

// fallbackLang is used when a campaign's language has no templates. The
// embedded English set is complete.
const fallbackLang = "en"

// DraftSink receives drafts: the approval queue. Create is idempotent per
// (DedupKey, Network), so a re-delivered event makes no second post.
type DraftSink interface {
	Create(ctx context.Context, d content.Draft) (content.Post, bool, error)
}

// Superseder is what a DraftSink may also do (*content.Store does): expire
// the campaign's posts on a network that a newer milestone post there makes
// stale (supersedes(newer, older)), those still pending or approved, and
// return how many it expired. Handle uses it when the sink has it, so a
// plain sink still works.
type Superseder interface {
	Supersede(ctx context.Context, campaignID, network string, supersedes func(newer, older string) bool, actor string) (int, error)
}

// auditActor signs what the composer does in the queue's audit trail.
const auditActor = "system:composer"

// Options configure a Composer. The zero value is usable.
type Options struct {
	// TemplateDir holds template files that replace the embedded ones of
	// the same path (<lang>/<network>/<family>.tmpl). Empty: embedded only.
	TemplateDir string
	Now         func() time.Time // default time.Now
	Logger      *slog.Logger     // default slog.Default()
	// Priority overrides DefaultPriority entry by entry: keys are a
	// milestone ("percent:100"), a family ("percent") or "default".
	Priority map[string]int
	// Networks are the channels to write for, in order: a network ("x"), or
	// one of its accounts ("x@platform_fr"). Default x, facebook.
	Networks []string
	// Routes say which campaigns a channel writes about; a channel without
	// one takes every campaign.
	Routes map[string]content.Route
	// Freshness overrides DefaultFreshness entry by entry (keys: a family or
	// a milestone): how long a milestone stays news after it fires.
	Freshness map[string]time.Duration
	// MergeWindow is how long a waiting milestone post of a campaign takes in
	// that campaign's next milestones on the same network (one post, "50 %
	// and 90 backers"), counted from its last change. Zero: DefaultMergeWindow;
	// negative: never merge.
	MergeWindow time.Duration
	// PublicURL is where Fanfare's public pages are (http.public_url): a
	// digest links to its page there, which lists every campaign it tells.
	PublicURL string
	// Variants chooses a milestone's template variant (impact.Bandit:
	// Thompson sampling on click-through, or a person's pin); nil rotates
	// them (see pickVariant).
	Variants VariantChooser
}

// VariantChooser picks one of a template's variants for a post on a network
// in a language telling a milestone family. It does no I/O; seed makes the
// choice repeatable for one event.
type VariantChooser interface {
	Choose(network, lang, family string, variants []string, seed uint64) int
}

// DefaultMergeWindow is the merge window when none is configured: longer than
// a burst of activity, shorter than the day a post's news stays fresh.
const DefaultMergeWindow = 6 * time.Hour

// Composer renders posts. It is safe for concurrent use.
type Composer struct {
	set         *templateSet
	locales     map[string]*locale
	now         func() time.Time
	log         *slog.Logger
	priority    map[string]int
	freshness   map[string]time.Duration
	mergeWindow time.Duration // <= 0: no merging
	publicURL   string
	networks    []string
	routes      map[string]content.Route
	variants    VariantChooser
	warned      sync.Map // languages already logged as falling back to English
}

// Data is what a template renders.
type Data struct {
	Campaign  campaigns.Campaign
	Milestone string // "percent:50", "story"
	Family    string // "percent", "story"
	// N is the milestone's number: 50 for percent:50, 1000 for backers:1000,
	// 24 for ending:24h, the index for stretch:<i>.
	N       int64
	Stretch campaigns.StretchGoal // for stretch:<i>, that goal
	Network string
	Lang    string // the template's language, which may be the fallback
	Extra   map[string]any
}

// Rendered is one post's text for one network.
type Rendered struct {
	Text    string // within the network's length rules
	Link    string // the campaign URL with UTM parameters
	Lang    string // the language written, after fallback
	Variant string // "<family>/v<N>", for engagement stats
}

// New loads and checks every template. The error names the file and line of
// each template that does not parse or does not render.
func New(o Options) (*Composer, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if len(o.Networks) == 0 {
		o.Networks = []string{content.NetworkX, content.NetworkFacebook}
	}
	for _, n := range o.Networks {
		if !slices.Contains(text.Networks, text.NetworkOf(n)) {
			return nil, fmt.Errorf("composer: unknown network %q (want one of %s)", n, strings.Join(text.Networks, ", "))
		}
	}
	for k := range o.Priority {
		if err := CheckPriorityKey(k); err != nil {
			return nil, err
		}
	}
	prio := maps.Clone(DefaultPriority)
	maps.Copy(prio, o.Priority)
	for k, d := range o.Freshness {
		if err := CheckFreshnessKey(k); err != nil {
			return nil, err
		}
		if d < 0 {
			return nil, fmt.Errorf("composer: freshness of %s is negative (%s)", k, d)
		}
	}
	fresh := maps.Clone(DefaultFreshness)
	maps.Copy(fresh, o.Freshness)
	if o.MergeWindow == 0 {
		o.MergeWindow = DefaultMergeWindow
	}
	set, err := buildSet(o.TemplateDir)
	if err != nil {
		return nil, err
	}
	c := &Composer{
		set:         set,
		locales:     map[string]*locale{},
		now:         o.Now,
		log:         o.Logger,
		priority:    prio,
		freshness:   fresh,
		mergeWindow: o.MergeWindow,
		publicURL:   strings.TrimRight(o.PublicURL, "/"),
		networks:    slices.Clone(o.Networks),
		routes:      maps.Clone(o.Routes),
		variants:    o.Variants,
	}
	for lang := range set.langs {
		c.locales[lang] = newLocale(lang)
	}
	for _, n := range c.families() {
		for _, fam := range templateFamilies {
			if _, ok := set.file(fallbackLang, n, fam); !ok {
				return nil, fmt.Errorf("composer: template %s is missing: English is the fallback and must be complete", fileKey{fallbackLang, n, fam}.path())
			}
		}
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	return c, nil
}

// Compose writes the drafts for a milestone event, one per network. It does
// no I/O: the same event always gives the same drafts.
func (c *Composer) Compose(ev campaigns.Event) ([]content.Draft, error) {
	ms, err := parseMilestone(string(ev.Milestone))
	if err != nil {
		return nil, err
	}
	if ms.family == FamilyStory {
		return nil, fmt.Errorf("composer: event %s: stories are not milestone events", ev.ID)
	}
	id := ev.ID
	if id == "" {
		id = campaigns.EventID(ev.Campaign.ID, ev.Milestone)
	}
	at := ev.FiredAt
	if at.IsZero() {
		at = c.now()
	}
	drafts := make([]content.Draft, 0, len(c.networks))
	for _, n := range c.Channels(ev.Campaign) {
		r, err := c.render(ms, n, ev.Campaign, at, nil)
		if err != nil {
			return nil, fmt.Errorf("composer: event %s: %w", id, err)
		}
		drafts = append(drafts, content.Draft{
			DedupKey:   id,
			GroupID:    id,
			Kind:       content.KindMilestone,
			Network:    n,
			CampaignID: ev.Campaign.ID,
			Milestone:  ms.raw,
			Text:       r.Text,
			Link:       r.Link,
			ImageURL:   ImageFor(n, ev.Campaign.ImageURL),
			ImageAlt:   ImageAltFor(n, ev.Campaign),
			Lang:       r.Lang,
			Variant:    r.Variant,
			Priority:   priority(c.priority, ms),
			NotAfter:   notAfter(ms, ev.Campaign, at, c.freshness),
			Actor:      auditActor,
		})
	}
	return drafts, nil
}

// Handle composes an event and hands its drafts to the sink. Every network
// is tried even when one fails; the sink's idempotence makes a retry of the
// whole event safe.
//
// When the sink is also a Bundler, a draft joins the campaign's post still
// waiting on the network within the merge window (see queueMerging): the
// milestones of one snapshot, and the ones that follow before the first is
// published, make one post ("50 % and 90 backers").
//
// When the sink is also a Superseder, each network's draft, once stored,
// retires the campaign's posts still waiting there that a further step of
// their family makes stale (see supersedes): percent:100 expires a
// percent:50 nobody approved yet, whose numbers are no longer true, and a
// percent:50 drafted late (its first try failed) expires at once when a
// percent:100 post is already queued. A network whose draft failed keeps its
// older posts, since nothing replaces them yet. Superseding again changes
// nothing, so a re-delivered event is still harmless.
func (c *Composer) Handle(ctx context.Context, ev campaigns.Event, sink DraftSink) error {
	drafts, err := c.Compose(ev)
	if err != nil {
		return err
	}
	sup, _ := sink.(Superseder)
	bundler, _ := sink.(Bundler)
	var errs []error
	for _, d := range drafts {
		var p content.Post
		var created bool
		if bundler != nil && c.mergeWindow > 0 {
			p, created, err = c.queueMerging(ctx, bundler, ev, d)
		} else {
			p, created, err = sink.Create(ctx, d)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("composer: unable to queue %s draft of %s: %w", d.Network, d.DedupKey, err))
			continue
		}
		c.log.Info("milestone draft queued", "event_id", d.DedupKey, "network", d.Network,
			"post_id", p.ID, "created", created, "merged", len(p.Covers) > 1, "variant", p.Variant, "lang", d.Lang)
		if sup != nil {
			if err := c.supersede(ctx, sup, d); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// supersede retires the campaign's posts on d's network that a further step
// of their family makes stale, d's own included (drafted late).
func (c *Composer) supersede(ctx context.Context, sup Superseder, d content.Draft) error {
	ms, err := parseMilestone(d.Milestone)
	if err != nil || !(supersedingFamilies[ms.family] || ms.family == FamilyEnded) {
		return nil // Compose parsed it; a family that never supersedes
	}
	n, err := sup.Supersede(ctx, d.CampaignID, d.Network, supersedesRaw, auditActor)
	if err != nil {
		return fmt.Errorf("composer: unable to supersede older %s posts of %s on %s: %w", ms.family, d.CampaignID, d.Network, err)
	}
	if n > 0 {
		c.log.Info("stale milestone posts superseded", "event_id", d.DedupKey, "campaign_id", d.CampaignID,
			"network", d.Network, "milestone", ms.raw, "count", n)
	}
	return nil
}

// Supersedes reports whether a post about milestone newer makes one about
// older stale (see supersedes); a milestone that does not parse (a post
// written by hand) neither supersedes nor is superseded.
func Supersedes(newer, older string) bool { return supersedesRaw(newer, older) }

func supersedesRaw(newer, older string) bool {
	n, err := parseMilestone(newer)
	if err != nil {
		return false
	}
	o, err := parseMilestone(older)
	return err == nil && supersedes(n, o)
}

// supersedingFamilies are the families whose milestones are steps of one
// progression, each making the step before stale. Launch, ended and stories
// say something no later post repeats.
var supersedingFamilies = map[string]bool{
	FamilyPercent: true, FamilyBackers: true, FamilyStretch: true, FamilyEnding: true,
}

// supersedes reports whether a post about newer makes one about older stale:
// same progression family and a step further along it. Percent, backers and
// stretch goals count up; ending windows count down (ending:24h comes after
// ending:72h). A funding milestone also makes a launch post stale: "25 %
// already" is better news than "just launched"; and a campaign's success
// tells everything it reached on the way (its percent, backers and stretch
// goals) and that it was ending.
func supersedes(newer, older milestone) bool {
	if older.family == FamilyLaunch && newer.family == FamilyPercent {
		return true
	}
	if newer.family == FamilyEnded && supersedingFamilies[older.family] {
		return true
	}
	if newer.family != older.family || !supersedingFamilies[newer.family] {
		return false
	}
	if newer.family == FamilyEnding {
		return older.n > newer.n
	}
	return older.n < newer.n
}

// Render writes one post about a campaign for a network: kind is a
// milestone ("percent:50") or "story". extra reaches templates as .Extra.
// The helpers count time left from the composer's clock.
func (c *Composer) Render(kind, network string, camp campaigns.Campaign, extra map[string]any) (Rendered, error) {
	ms, err := parseMilestone(kind)
	if err != nil {
		return Rendered{}, err
	}
	if !slices.Contains(c.networks, network) {
		return Rendered{}, fmt.Errorf("composer: network %q is not enabled", network)
	}
	return c.render(ms, network, camp, c.now(), extra)
}

// CheckPriorityKey reports whether k may key Options.Priority (and the
// approval.priority configuration): a milestone, a family or "default".
func CheckPriorityKey(k string) error {
	if k == "default" || slices.Contains(Families, k) {
		return nil
	}
	if _, err := parseMilestone(k); err != nil {
		return fmt.Errorf("composer: priority key %q is not a milestone, a family or \"default\": %w", k, err)
	}
	return nil
}

// Priority is the queue priority of posts about a milestone or "story".
func (c *Composer) Priority(kind string) int {
	ms, err := parseMilestone(kind)
	if err != nil {
		return c.priority["default"]
	}
	return priority(c.priority, ms)
}

// Networks lists the channels the composer writes for.
func (c *Composer) Networks() []string { return slices.Clone(c.networks) }

// Channels lists the channels that write about a campaign: those whose
// route takes its language and category, less Instagram when the campaign
// has no image (an Instagram post is an image).
func (c *Composer) Channels(camp campaigns.Campaign) []string {
	var out []string
	for _, n := range c.networks {
		if !c.routes[n].Takes(camp.Lang, camp.Category) {
			continue
		}
		if text.NetworkOf(n) == content.NetworkInstagram && camp.ImageURL == "" {
			continue
		}
		out = append(out, n)
	}
	return out
}

// families lists the networks of the composer's channels, once each.
func (c *Composer) families() []string {
	var out []string
	for _, n := range c.networks {
		if f := text.NetworkOf(n); !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// ImageFor is the image a post about a campaign carries on a channel: the
// campaign's image everywhere but on Facebook, where the link's preview card
// shows it and a photo post would lose the link's card.
func ImageFor(channel, imageURL string) string {
	if text.NetworkOf(channel) == content.NetworkFacebook {
		return ""
	}
	return imageURL
}

// ImageAltFor describes the image ImageFor attaches: the campaign's title.
func ImageAltFor(channel string, camp campaigns.Campaign) string {
	if ImageFor(channel, camp.ImageURL) == "" {
		return ""
	}
	return text.StripMarks(text.Inert(camp.Title))
}

// lang picks the template language for a campaign's language tag: its base
// language when we have templates for it ("fr-CA" → "fr"), else English,
// logged once per language.
func (c *Composer) lang(tag string) string {
	base := ""
	if t, err := language.Parse(tag); err == nil {
		b, _ := t.Base()
		base = b.String()
	}
	if c.set.langs[base] {
		return base
	}
	if _, seen := c.warned.LoadOrStore(tag, true); !seen {
		c.log.Warn("no templates for language, writing English", "lang", tag, "fallback", fallbackLang)
	}
	return fallbackLang
}

func (c *Composer) render(ms milestone, network string, camp campaigns.Campaign, at time.Time, extra map[string]any) (Rendered, error) {
	lang := c.lang(camp.Lang)
	f, ok := c.set.file(lang, network, ms.family)
	if !ok {
		return Rendered{}, fmt.Errorf("no template for %s", fileKey{lang, network, ms.family}.path())
	}
	if f.key.lang != lang {
		lang = f.key.lang // a file missing in that language: English text, English numbers
	}
	return c.renderVariant(f, c.chooseVariant(f, camp.ID, ms, network, lang), ms, network, lang, camp, at, extra)
}

// chooseVariant asks the chooser when there is one (seeded by the campaign
// and the milestone, so a re-delivered event draws the same), else rotates.
func (c *Composer) chooseVariant(f *tmplFile, campaignID string, ms milestone, network, lang string) int {
	if c.variants == nil || len(f.variants) <= 1 {
		return pickVariant(campaignID, ms, len(f.variants))
	}
	h := fnv.New64a()
	h.Write([]byte(campaignID))
	h.Write([]byte{0})
	h.Write([]byte(ms.raw))
	i := c.variants.Choose(network, lang, ms.family, f.variants, h.Sum64())
	if i < 0 || i >= len(f.variants) {
		return pickVariant(campaignID, ms, len(f.variants))
	}
	return i
}

func (c *Composer) renderVariant(f *tmplFile, vi int, ms milestone, network, lang string, camp campaigns.Campaign, at time.Time, extra map[string]any) (Rendered, error) {
	d := Data{
		Campaign:  asData(camp),
		Milestone: ms.raw,
		Family:    ms.family,
		N:         ms.n,
		Network:   network,
		Lang:      lang,
		Extra:     extra,
	}
	if ms.family == FamilyStretch {
		if ms.n >= int64(len(camp.StretchGoals)) {
			return Rendered{}, fmt.Errorf("campaign %s has no stretch goal %d", camp.ID, ms.n)
		}
		d.Stretch = d.Campaign.StretchGoals[ms.n]
	}
	link, err := TagURL(camp.URL, text.NetworkOf(network), camp.ID, ms.raw)
	if err != nil {
		return Rendered{}, err
	}
	loc := c.locales[lang]
	if loc == nil {
		loc = newLocale(lang)
	}
	e := &env{loc: loc, network: text.NetworkOf(network), campaign: camp, milestone: ms.raw, at: at}
	t, err := f.tmpl.Clone()
	if err != nil {
		return Rendered{}, fmt.Errorf("template %s: %w", f.name, err)
	}
	t.Funcs(e.funcs())

	variant := f.variants[vi]
	var b limitedBuilder
	if err := t.ExecuteTemplate(&b, variant, d); err != nil {
		if errors.Is(err, errTooLong) {
			return Rendered{}, fmt.Errorf("template %s: variant %s: %w", where(t, variant), variant, err)
		}
		return Rendered{}, err // text/template names file:line:col
	}
	body := tidy(b.String())
	if text.StripMarks(body) == "" {
		return Rendered{}, fmt.Errorf("template %s: variant %s renders no text", where(t, variant), variant)
	}
	var tail string
	if f.hasTail {
		b.Reset()
		if err := t.ExecuteTemplate(&b, "tail", d); err != nil {
			if errors.Is(err, errTooLong) {
				return Rendered{}, fmt.Errorf("template %s: tail: %w", where(t, "tail"), err)
			}
			return Rendered{}, err
		}
		tail = tidy(b.String())
	} else {
		tail = defaultTail(network, lang, link, camp.URL, hashtags(camp.Tags))
	}
	// One place decides how a post is shortened and set: Fit reads the
	// marks the helpers and the campaign's fields carry, and applies the
	// language's typography to what it measures.
	out, err := text.FitLang(network, lang, body, tail)
	if err != nil {
		return Rendered{}, fmt.Errorf("template %s: variant %s: %w", where(t, variant), variant, err)
	}
	if err := text.Validate(network, out); err != nil {
		return Rendered{}, fmt.Errorf("template %s: variant %s: %w", where(t, variant), variant, err)
	}
	return Rendered{Text: out, Link: link, Lang: lang, Variant: ms.family + "/" + variant}, nil
}

// where is "file:line:col" of a variant's definition, for errors about what
// it rendered rather than how.
func where(t *template.Template, name string) string {
	if v := t.Lookup(name); v != nil && v.Tree != nil && v.Tree.Root != nil {
		loc, _ := v.ErrorContext(v.Tree.Root)
		return loc
	}
	return t.Name()
}

// defaultTail is what follows the body: on X and Mastodon the link (X counts
// it 23 whatever its length, Mastodon too; never dropped) and the hashtags
// (dropped first when the post is too long); on Facebook only the hashtags,
// because the link goes in the post's link field, which shows a card; on
// Bluesky, where a link counts in full, its short form (host and path,
// which the publisher links to the tagged link) and the hashtags; on
// Instagram, where a link in a caption cannot be clicked, the campaign's
// address written plainly, then the hashtags.
func defaultTail(network, lang, link, campaignURL, tags string) string {
	if text.LinkInText(network) {
		return strings.TrimSpace(text.Keep(link) + " " + tags)
	}
	switch text.NetworkOf(network) {
	case content.NetworkInstagram:
		if where := text.PlainAddress(campaignURL); where != "" {
			return strings.TrimSpace(text.Keep(backItAt(lang)+" "+where) + " " + tags)
		}
	case content.NetworkBluesky:
		// Written short; the publisher's link facet leads to the tagged
		// link (and the card repeats it).
		if where := text.PlainAddress(link); where != "" {
			return strings.TrimSpace(text.Keep(where) + " " + tags)
		}
	}
	return tags
}

// backItAt introduces a campaign's plain address in an Instagram caption.
func backItAt(lang string) string {
	if lang == "fr" {
		return "Pour soutenir le projet :"
	}
	return "Back it at"
}

// asData is the campaign as templates see it. Its free text is a
// stranger's, so it goes through text.Inert (no line break, control or
// bidi character, and no @, # or URL the networks would act on), even
// though ingest already cleans it; and it carries Fit's marks, so that a
// template, an operator's override included, needs no logic to shorten
// well: titles, stretch goals and the description may be cut at a word,
// the creator's name never.
func asData(c campaigns.Campaign) campaigns.Campaign {
	c.Title = text.Cut(text.Inert(c.Title))
	c.Creator.Name = text.Atom(text.Inert(c.Creator.Name))
	c.Description = text.Cut(text.Inert(c.Description))
	c.StretchGoals = slices.Clone(c.StretchGoals)
	for i := range c.StretchGoals {
		c.StretchGoals[i].Title = text.Cut(text.Inert(c.StretchGoals[i].Title))
	}
	return c
}

// pickVariant rotates variants without state: a per-campaign offset (hash of
// campaign id and family) plus the milestone's rank in its family. So the
// same milestone always gets the same variant (a re-delivered event renders
// the same text), campaigns do not all say the same thing on the same day,
// and consecutive milestones of one family (percent:25 then percent:50,
// ending:72h then ending:24h) never repeat a variant. Milestones skipped by
// a jump can land on the same variant as the previous post: rare, harmless,
// and the price of not keeping state.
func pickVariant(campaignID string, ms milestone, n int) int {
	if n <= 1 {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(campaignID))
	h.Write([]byte{0})
	h.Write([]byte(ms.family))
	i := (int64(h.Sum32()) + int64(ms.rank)) % int64(n)
	if i < 0 {
		i += int64(n)
	}
	return int(i)
}

// maxRendered bounds what one template may write: far more than any post,
// small enough that a runaway {{range}} fails instead of eating memory.
const maxRendered = 64 << 10

var errTooLong = fmt.Errorf("renders more than %d bytes", maxRendered)

// limitedBuilder stops a template's output at maxRendered.
type limitedBuilder struct{ strings.Builder }

func (b *limitedBuilder) Write(p []byte) (int, error) {
	if b.Len()+len(p) > maxRendered {
		return 0, errTooLong
	}
	return b.Builder.Write(p)
}

func (b *limitedBuilder) WriteString(s string) (int, error) { return b.Write([]byte(s)) }

// tidy collapses the blanks that conditional template blocks leave: runs of
// spaces and tabs become one space, lines are trimmed, and no more than one
// empty line separates paragraphs. No-break spaces are kept.
func tidy(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	var out []string
	blank := false
	for _, l := range lines {
		var b strings.Builder
		space := false
		for _, r := range l {
			if r == ' ' || r == '\t' {
				space = true
				continue
			}
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		}
		l = b.String()
		if l == "" {
			blank = len(out) > 0
			continue
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

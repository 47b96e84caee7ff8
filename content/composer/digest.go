package composer

import (
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/text"
)

// Digest families: what a campaign in a digest is there for. A digest lists
// its campaigns in sections, in this order, each named by the
// "head:<family>" block of the digest templates.
const (
	DigestFunded   = "funded"   // reached 100 % or more, or ended successfully
	DigestEnding   = "ending"   // the last days or hours
	DigestLaunch   = "launch"   // new campaigns
	DigestProgress = "progress" // funding steps under 100 %, backers, stretch goals
)

// DigestFamilies lists the digest families in the order a digest tells them.
var DigestFamilies = []string{DigestFunded, DigestEnding, DigestLaunch, DigestProgress}

// DigestFamily is the section of a digest a post about milestone m goes in.
func DigestFamily(m string) (string, error) {
	ms, err := parseMilestone(m)
	if err != nil {
		return "", err
	}
	switch {
	case ms.family == FamilyEnded, ms.family == FamilyPercent && ms.n >= 100:
		return DigestFunded, nil
	case ms.family == FamilyEnding:
		return DigestEnding, nil
	case ms.family == FamilyLaunch:
		return DigestLaunch, nil
	case ms.family == FamilyStory:
		return "", fmt.Errorf("composer: stories are not folded into digests")
	}
	return DigestProgress, nil
}

// DigestMember is one campaign a digest tells: its newest snapshot and the
// section it goes in (its most urgent milestone's DigestFamily).
type DigestMember struct {
	Campaign campaigns.Campaign
	Family   string
}

// maxDigestItems bounds the campaigns a digest names where the network's
// length would allow many more (Facebook): past a score, a list stops being
// read; the digest's page lists them all.
const maxDigestItems = 20

// maxItemTitle shortens long titles in a digest's list, in characters, so
// that one long title does not crowd out the others.
const maxItemTitle = 60

// DigestPath is the path of a digest's public page, which lists every
// campaign it tells.
func DigestPath(postID string) string { return "/digests/" + postID }

// RenderDigest writes the digest post postID for a network and language. It
// names as many campaigns as the network's length allows, the most urgent
// sections first (funded, ending, launch, progress; members keep their order
// within a section: put the most urgent first), each section under its head
// ("Funded today: A by @a, B by @b"), says how many more there are, and
// links to the digest's page under Options.PublicURL, which lists them all.
func (c *Composer) RenderDigest(network, lang, postID string, members []DigestMember, at time.Time) (Rendered, error) {
	if len(members) == 0 {
		return Rendered{}, errors.New("composer: a digest needs at least one campaign")
	}
	for _, m := range members {
		if !slices.Contains(DigestFamilies, m.Family) {
			return Rendered{}, fmt.Errorf("composer: campaign %s: %q is not a digest family (%s)", m.Campaign.ID, m.Family, strings.Join(DigestFamilies, ", "))
		}
	}
	if c.publicURL == "" {
		return Rendered{}, errors.New("composer: a digest links to its page: http.public_url is required")
	}
	link, err := TagURL(c.publicURL+DigestPath(postID), text.NetworkOf(network), "fanfare-digest", "digest")
	if err != nil {
		return Rendered{}, err
	}
	lang = c.lang(lang)
	f, ok := c.set.file(lang, network, FamilyDigest)
	if !ok {
		return Rendered{}, fmt.Errorf("composer: no template for %s", fileKey{lang, network, FamilyDigest}.path())
	}
	if f.key.lang != lang {
		lang = f.key.lang
	}
	members = slices.Clone(members)
	slices.SortStableFunc(members, func(a, b DigestMember) int {
		return slices.Index(DigestFamilies, a.Family) - slices.Index(DigestFamilies, b.Family)
	})
	r, err := c.renderDigest(f, network, lang, postID, link, members, at)
	if err != nil {
		return Rendered{}, fmt.Errorf("composer: digest %s: %w", postID, err)
	}
	return r, nil
}

func (c *Composer) renderDigest(f *tmplFile, network, lang, postID, link string, members []DigestMember, at time.Time) (Rendered, error) {
	loc := c.locales[lang]
	if loc == nil {
		loc = newLocale(lang)
	}
	t, err := f.tmpl.Clone()
	if err != nil {
		return Rendered{}, fmt.Errorf("template %s: %w", f.name, err)
	}
	// The helpers read e when called, so one clone serves every campaign.
	e := &env{loc: loc, network: text.NetworkOf(network), at: at, milestone: "digest"}
	t.Funcs(e.funcs())

	items := make([]string, len(members))
	perFamily := map[string]int64{}
	for i, m := range members {
		camp := m.Campaign
		camp.Title = shortTitle(camp.Title)
		e.campaign = camp
		if items[i], err = execBlock(t, "item", Data{Campaign: asData(camp), Network: network, Lang: lang}); err != nil {
			return Rendered{}, err
		}
		perFamily[m.Family]++
	}
	e.campaign = campaigns.Campaign{}
	block := func(name string, extra map[string]any) (string, error) {
		return execBlock(t, name, Data{Family: FamilyDigest, Network: network, Lang: lang, Extra: extra})
	}
	heads := map[string]string{}
	for fam, n := range perFamily {
		if heads[fam], err = block("head:"+fam, map[string]any{"Count": n}); err != nil {
			return Rendered{}, err
		}
	}
	and, err := block("and", nil)
	if err != nil {
		return Rendered{}, err
	}
	// The separator is kept as written: a line break between sections on
	// Facebook, " · " on X.
	sep, err := execRaw(t, "sep", Data{Family: FamilyDigest, Network: network, Lang: lang})
	if err != nil {
		return Rendered{}, err
	}
	tail := ""
	if t.Lookup("tail") != nil {
		if tail, err = block("tail", map[string]any{"Link": link}); err != nil {
			return Rendered{}, err
		}
	} else if text.LinkInText(network) {
		tail = link
	}
	variant := f.variants[digestVariant(postID, len(f.variants))]

	// sections writes the first k campaigns under their heads, and how many
	// more there are: in the one section's list when there is one section,
	// else after the sections.
	sections := func(k int) (string, error) {
		var out []string
		more := int64(len(members) - k)
		for i := 0; i < k; {
			fam := members[i].Family
			j := i
			for j < k && members[j].Family == fam {
				j++
			}
			list := slices.Clone(items[i:j])
			if more > 0 && i == 0 && j == k && perFamily[fam] == int64(len(members)) {
				s, err := block("more", map[string]any{"More": more})
				if err != nil {
					return "", err
				}
				list, more = append(list, s), 0
			}
			s, err := block("section", map[string]any{"Head": heads[fam], "Items": joinList(list, and)})
			if err != nil {
				return "", err
			}
			out = append(out, s)
			i = j
		}
		if more > 0 {
			s, err := block("more_all", map[string]any{"More": more})
			if err != nil {
				return "", err
			}
			out = append(out, s)
		}
		return strings.Join(out, sep), nil
	}

	// As many campaigns as fit: the text grows with each one named.
	limit := len(items)
	if text.NetworkOf(network) != content.NetworkX {
		limit = min(limit, maxDigestItems)
	}
	var best string
	for k := 1; k <= limit; k++ {
		secs, err := sections(k)
		if err != nil {
			return Rendered{}, err
		}
		body, err := execRaw(t, variant, Data{Family: FamilyDigest, Network: network, Lang: lang,
			Extra: map[string]any{"Sections": secs, "Count": int64(len(members)), "Link": link}})
		if err != nil {
			return Rendered{}, err
		}
		body = tidy(body)
		// What the post would say whole, as the network counts it.
		whole := text.Typography(lang, text.StripMarks(strings.TrimSpace(body+" "+tail)))
		if res, err := text.Check(network, whole); err != nil || !res.Valid {
			if best == "" { // not even one campaign fits whole: shorten its title
				if best, err = text.FitLang(network, lang, body, tail); err != nil {
					return Rendered{}, err
				}
			}
			break
		}
		best = whole
	}
	if err := text.Validate(network, best); err != nil {
		return Rendered{}, err
	}
	return Rendered{Text: best, Link: link, Lang: lang, Variant: FamilyDigest + "/" + variant}, nil
}

// shortTitle cuts a long title at a word for a digest's list.
func shortTitle(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= maxItemTitle {
		return s
	}
	return excerpt(s, maxItemTitle)
}

// digestVariant picks a digest's variant from its id, so that rewriting a
// digest as campaigns join it keeps its wording.
func digestVariant(postID string, n int) int {
	if n <= 1 {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(postID))
	return int(h.Sum32() % uint32(n))
}

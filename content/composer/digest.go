package composer

import (
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/text"
)

// Digest families: what a digest is about. Each has a "head:<family>" block
// in the digest templates.
const (
	DigestFunded   = "funded"   // reached 100 % or more, or ended successfully
	DigestProgress = "progress" // funding steps under 100 %, backers, stretch goals
	DigestEnding   = "ending"   // the last days or hours
	DigestLaunch   = "launch"   // new campaigns
)

// DigestFamilies lists the digest families.
var DigestFamilies = []string{DigestFunded, DigestEnding, DigestLaunch, DigestProgress}

// DigestFamily is the digest a post about milestone m folds into.
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

// DigestMember is one campaign a digest tells: its newest snapshot.
type DigestMember struct {
	Campaign campaigns.Campaign
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

// RenderDigest writes the digest post postID for a network and language:
// the family's head, then as many campaigns as the network's length allows
// (in members' order: put the most urgent first), "and N more", and a link to
// the digest's page under Options.PublicURL, which lists them all.
func (c *Composer) RenderDigest(network, lang, family, postID string, members []DigestMember, at time.Time) (Rendered, error) {
	if len(members) == 0 {
		return Rendered{}, errors.New("composer: a digest needs at least one campaign")
	}
	if c.publicURL == "" {
		return Rendered{}, errors.New("composer: a digest links to its page: http.public_url is required")
	}
	link, err := TagURL(c.publicURL+DigestPath(postID), network, "fanfare-digest", family)
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
	r, err := c.renderDigest(f, network, lang, family, postID, link, members, at)
	if err != nil {
		return Rendered{}, fmt.Errorf("composer: digest %s: %w", postID, err)
	}
	return r, nil
}

func (c *Composer) renderDigest(f *tmplFile, network, lang, family, postID, link string, members []DigestMember, at time.Time) (Rendered, error) {
	loc := c.locales[lang]
	if loc == nil {
		loc = newLocale(lang)
	}
	t, err := f.tmpl.Clone()
	if err != nil {
		return Rendered{}, fmt.Errorf("template %s: %w", f.name, err)
	}
	// The helpers read e when called, so one clone serves every campaign.
	e := &env{loc: loc, network: network, at: at, milestone: "digest"}
	t.Funcs(e.funcs())

	items := make([]string, len(members))
	for i, m := range members {
		camp := m.Campaign
		camp.Title = shortTitle(camp.Title)
		e.campaign = camp
		if items[i], err = execBlock(t, "item", Data{Campaign: camp, Network: network, Lang: lang}); err != nil {
			return Rendered{}, err
		}
	}
	e.campaign = campaigns.Campaign{}
	count := int64(len(members))
	extra := map[string]any{"Count": count, "More": int64(0), "Link": link}
	data := Data{Family: FamilyDigest, Network: network, Lang: lang, Extra: extra}
	if extra["Head"], err = execBlock(t, "head:"+family, data); err != nil {
		return Rendered{}, err
	}
	and, err := execBlock(t, "and", data)
	if err != nil {
		return Rendered{}, err
	}
	tail := ""
	if t.Lookup("tail") != nil {
		if tail, err = execBlock(t, "tail", data); err != nil {
			return Rendered{}, err
		}
	} else if network == content.NetworkX {
		tail = link
	}
	variant := f.variants[digestVariant(postID, len(f.variants))]

	// As many campaigns as fit: the text grows with each one named.
	limit := len(items)
	if network != content.NetworkX {
		limit = min(limit, maxDigestItems)
	}
	var best string
	for k := 1; k <= limit; k++ {
		parts := append([]string(nil), items[:k]...)
		if more := count - int64(k); more > 0 {
			extra["More"] = more
			s, err := execBlock(t, "more", data)
			if err != nil {
				return Rendered{}, err
			}
			parts = append(parts, s)
		}
		extra["Items"] = joinList(parts, and)
		body, err := execBlock(t, variant, data)
		if err != nil {
			return Rendered{}, err
		}
		whole := strings.TrimSpace(body + " " + tail)
		if res, err := text.Check(network, whole); err != nil || !res.Valid {
			if best == "" { // not even one campaign fits whole: cut the first
				if best, err = text.Fit(network, body, tail); err != nil {
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

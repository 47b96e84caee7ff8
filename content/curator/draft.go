package curator

import (
	"fmt"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/text"
)

// curatedText is the post for one item: it credits the source by name and
// keeps the item's own title. body is what text.Fit may shorten; the link goes
// in the text only on X (Facebook shows it as a preview from Draft.Link).
func curatedText(lang, source, title string) string {
	if title == "" {
		switch lang {
		case "fr":
			return "À lire sur " + source
		default:
			return "Worth a read on " + source
		}
	}
	switch lang {
	case "fr":
		// French puts a no-break space before a colon.
		return "À lire sur " + source + "\u00a0: " + title
	default:
		return "Worth a read on " + source + ": " + title
	}
}

// draftInput is one relevant new item.
type draftInput struct {
	key        string
	feed       content.Feed
	source     string
	title      string
	link       string
	lang       string // primary subtag: "fr"
	campaignID string
}

// drafts makes the item's draft for each network.
func (c *Curator) drafts(in draftInput, now time.Time) ([]content.Draft, error) {
	networks := in.feed.Networks
	if len(networks) == 0 {
		networks = c.opts.Networks
	}
	body := curatedText(in.lang, in.source, in.title)
	var notAfter time.Time
	if c.opts.DraftTTL > 0 {
		notAfter = now.Add(c.opts.DraftTTL)
	}
	out := make([]content.Draft, 0, len(networks))
	for _, n := range networks {
		if text.NetworkOf(n) == content.NetworkInstagram || !c.opts.Routes[n].Takes(in.lang, "") {
			continue // an Instagram post is an image; a route may not take the feed's language
		}
		tail := ""
		if text.LinkInText(n) {
			tail = in.link
		}
		txt, err := text.Fit(n, body, tail)
		if err != nil {
			return nil, fmt.Errorf("unable to fit the %s post: %w", n, err)
		}
		out = append(out, content.Draft{
			DedupKey:   "curated:" + in.key,
			GroupID:    "curated:" + in.key,
			Kind:       content.KindCurated,
			Network:    n,
			CampaignID: in.campaignID,
			Text:       txt,
			Link:       in.link,
			Lang:       in.lang,
			Source:     in.feed.URL,
			Priority:   c.opts.Priority,
			NotAfter:   notAfter,
			Actor:      actor,
		})
	}
	return out, nil
}

// primaryLang is "fr" for "fr-CA" or "FR_fr".
func primaryLang(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return tag
}

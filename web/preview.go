package web

import (
	"html/template"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/text"
)

// postView is a post with what its preview needs: the text cut into
// highlighted segments as the network would show it, the length check, and
// the link card.
type postView struct {
	content.Post
	Segments []segment
	Length   int
	Max      int
	Valid    bool
	CheckErr string
	Card     *linkCard
	Image    string // the picture a network shows instead of a card (Instagram)
	Editable bool   // pending or approved: the edit form applies
	// About is what the post tells: the campaign and milestone, for
	// headings and accessible names (see namer.about).
	About []coverView
	// Subject names the post in a line ("X · Le Chant des Marées · financé
	// à 100 %"): the accessible names of its buttons say which post.
	Subject template.HTML
}

type segment struct {
	Text string // as written: the segments put together are the post's text
	Kind string // "", "mention", "hashtag", "link"
	Href string
	// Display is what the network shows instead of Text, when it differs: X
	// shortens links ("example.org/p/lumiere…").
	Display string
}

// Shown is the segment as the network displays it.
func (s segment) Shown() string {
	if s.Display != "" {
		return s.Display
	}
	return s.Text
}

type linkCard struct {
	URL    string
	Domain string
	Image  string
}

var (
	mentionRE = regexp.MustCompile(`(^|[^\w@])(@[A-Za-z0-9_]{1,15})\b`)
	hashtagRE = regexp.MustCompile(`(^|[^\w#&])(#[\p{L}\p{N}_]+)`)
)

func newPostView(p content.Post) postView {
	v := postView{Post: p, Editable: p.State == content.StatePending || p.State == content.StateApproved}
	v.Segments = highlight(p.Network, p.Text)
	if res, err := text.Check(p.Network, p.Text); err != nil {
		v.CheckErr = err.Error()
	} else {
		v.Length, v.Max, v.Valid = res.WeightedLength, res.Max, res.Valid
	}
	link := p.Link
	if link == "" {
		// On X the link lives in the text; the card shows the last one, as X does.
		if spans := text.ExtractURLs(p.Text); len(spans) > 0 {
			link = spans[len(spans)-1].URL
		}
	}
	if text.NetworkOf(p.Network) == content.NetworkInstagram {
		// The image is the post, and a caption's link cannot be clicked:
		// no card, the picture alone.
		v.Image = safeImage(p.ImageURL)
		link = ""
	}
	if link != "" {
		card := &linkCard{URL: link, Image: safeImage(p.ImageURL)}
		if u, err := url.Parse(withScheme(link)); err == nil {
			card.Domain = strings.TrimPrefix(u.Hostname(), "www.")
		}
		v.Card = card
	}
	return v
}

// withScheme gives a link found without a scheme its https:// ("://" later
// in the path is no scheme: the fuzzer found "0.BA/://").
func withScheme(u string) string {
	if l := strings.ToLower(u); strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") {
		return u
	}
	return "https://" + u
}

// safeImage keeps only https images: the CSP allows nothing else, and a
// data: or javascript: URL has no business in a link card.
func safeImage(u string) string {
	if strings.HasPrefix(u, "https://") {
		return u
	}
	return ""
}

// highlight cuts text into plain, link, mention and hashtag segments. Links
// are found with the network's own URL rules; mentions and hashtags only mean
// something on X.
func highlight(network, s string) []segment {
	type mark struct {
		start, end int
		kind, href string
	}
	var marks []mark
	for _, sp := range text.ExtractURLs(s) {
		marks = append(marks, mark{sp.Start, sp.End, "link", withScheme(sp.URL)})
	}
	shown := func(m mark) segment {
		sg := segment{Text: s[m.start:m.end], Kind: m.kind, Href: m.href}
		if m.kind == "link" && text.NetworkOf(network) == content.NetworkX {
			if d := xDisplayURL(sg.Text); d != sg.Text {
				sg.Display = d
			}
		}
		return sg
	}
	if text.NetworkOf(network) == content.NetworkX {
		for _, m := range mentionRE.FindAllStringSubmatchIndex(s, -1) {
			marks = append(marks, mark{m[4], m[5], "mention", "https://x.com/" + s[m[4]+1:m[5]]})
		}
		for _, m := range hashtagRE.FindAllStringSubmatchIndex(s, -1) {
			marks = append(marks, mark{m[4], m[5], "hashtag", ""})
		}
	}
	sort.SliceStable(marks, func(i, j int) bool { return marks[i].start < marks[j].start })
	var segs []segment
	pos := 0
	for _, m := range marks {
		if m.start < pos {
			continue // inside a link already marked (a URL's #fragment or @path)
		}
		if m.start > pos {
			segs = append(segs, segment{Text: s[pos:m.start]})
		}
		segs = append(segs, shown(m))
		pos = m.end
	}
	if pos < len(s) {
		segs = append(segs, segment{Text: s[pos:]})
	}
	return segs
}

// xDisplayMax is how many characters X shows of a link, "…" included: about
// the t.co length it counts, so the preview takes the room the post will.
const xDisplayMax = 23

// xDisplayURL is a link as X shows it in a post: no scheme, no "www.", host
// and path cut with "…" past xDisplayMax characters; a query or fragment
// (tracking parameters, mostly) shows only as the "…". The rest stays as
// written: X shows what was typed, not a re-encoded form.
func xDisplayURL(raw string) string {
	d := raw
	if _, rest, ok := strings.Cut(d, "://"); ok {
		d = rest
	}
	if len(d) >= 4 && strings.EqualFold(d[:4], "www.") {
		d = d[4:]
	}
	cut := false
	if i := strings.IndexAny(d, "?#"); i >= 0 {
		d, cut = d[:i], true
	}
	if strings.Count(d, "/") == 1 && strings.HasSuffix(d, "/") {
		d = d[:len(d)-1] // the site's root: just the host
	}
	if r := []rune(d); len(r) > xDisplayMax || (cut && len(r) > xDisplayMax-1) {
		d, cut = string(r[:xDisplayMax-1]), true
	}
	if cut {
		d += "…"
	}
	return d
}

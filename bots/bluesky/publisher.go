package bluesky

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/bots/internal/attach"
	"github.com/fanfarehq/fanfare/bots/media"
	"github.com/fanfarehq/fanfare/content/text"
)

// Card text limits of app.bsky.embed.external are generous (titles of a few
// hundred characters); Bluesky shows two lines, so longer texts are cut.
const (
	maxCardTitle       = 300
	maxCardDescription = 1000
	maxAlt             = 2000
	imageBudget        = 30 * time.Second
	recentWindow       = 100
)

// Publisher publishes to the account. It implements bots.Publisher and
// bots.Verifier.
type Publisher struct {
	c      *Client
	images attach.Images
}

var (
	_ bots.Publisher = (*Publisher)(nil)
	_ bots.Verifier  = (*Publisher)(nil)
)

// PublisherOption configures a Publisher.
type PublisherOption func(*Publisher)

// WithImages sets the fetcher of campaign images (default: media's
// defaults, behind the address guard).
func WithImages(f *media.Fetcher) PublisherOption {
	return func(p *Publisher) { p.images.Fetcher = f }
}

// NewPublisher returns a publisher over c.
func NewPublisher(c *Client, opts ...PublisherOption) *Publisher {
	p := &Publisher{c: c}
	for _, o := range opts {
		o(p)
	}
	p.images = attach.New(p.images.Fetcher, c.log, imageBudget, "bluesky: posting without the image")
	return p
}

// Network returns "bluesky".
func (p *Publisher) Network() string { return Network }

// Publish writes m as a post at RecordKey(m.PostID): the text with its links,
// resolvable @handle mentions and #tags as facets, and m.Link as an external
// embed (a card with m.LinkTitle, m.LinkDescription and m.ImageURL as its
// thumbnail), or, without a link, m.ImageURL as an embedded image. An image
// that cannot be fetched or uploaded leaves the card without thumbnail. A
// text over 300 graphemes is refused without sending.
//
// When the key is already taken (a retry after an ambiguous attempt), the
// record there is the post: it is returned when its text is m.Text, and
// reported as a duplicate otherwise. After an ambiguous failure the key is
// read back once: a record there is the post.
func (p *Publisher) Publish(ctx context.Context, m bots.Message) (bots.Receipt, error) {
	if chk := CheckText(m.Text); !chk.Valid {
		return bots.Receipt{}, &bots.Error{Network: Network, Kind: bots.KindInvalid,
			Message: "unable to create post: the text must be 1 to 300 graphemes and at most 3,000 bytes; it has " + itoa(chk.Length) + " graphemes, " + itoa(chk.Bytes) + " bytes"}
	}
	s, err := p.c.currentSession(ctx)
	if err != nil {
		return bots.Receipt{}, err
	}
	rkey := RecordKey(m.PostID)
	if m.PostID == "" {
		rkey = encodeTID(uint64(p.c.now().UnixMicro()), 0)
	}
	rec := PostRecord{Text: m.Text, CreatedAt: p.c.now().UTC().Format("2006-01-02T15:04:05.000Z"), Facets: p.facets(ctx, m.Text, m.Link)}
	if lang := language(m.Lang); lang != "" {
		rec.Langs = []string{lang}
	}
	rec.Embed = p.embed(ctx, m)

	ref, err := p.c.PutPost(ctx, rkey, rec)
	switch {
	case err == nil:
		p.c.log.InfoContext(ctx, "bluesky: post created", "post_id", m.PostID, "bluesky_uri", ref.URI)
		return p.receipt(s, ref.URI, rkey, p.c.now()), nil
	case xrpcName(err) == errInvalidSwap:
		return p.existing(ctx, s, m, rkey, err)
	case bots.ClassifyError(err) == bots.KindAmbiguous && ctx.Err() == nil:
		if rc, found := p.readBack(ctx, s, m, rkey); found {
			return rc, nil
		}
	}
	return bots.Receipt{}, err
}

// existing answers a put that met a record at the post's key.
func (p *Publisher) existing(ctx context.Context, s Session, m bots.Message, rkey string, putErr error) (bots.Receipt, error) {
	got, found, err := p.c.GetPost(ctx, rkey)
	if err != nil {
		return bots.Receipt{}, err
	}
	if !found {
		// The swap failed but nothing is there: the record was deleted
		// between the two calls. Nothing of ours is on the network.
		return bots.Receipt{}, &bots.Error{Network: Network, Kind: bots.KindNotSent, Message: "unable to create post: the record key was taken and is free again; try again", Err: putErr}
	}
	if got.Value.Text != m.Text {
		return bots.Receipt{}, &bots.Error{Network: Network, Kind: bots.KindDuplicate, Status: 400,
			Message: "unable to create post: this post was already published at " + got.URI + " with another text", Err: putErr}
	}
	p.c.log.InfoContext(ctx, "bluesky: post already published by an earlier attempt", "post_id", m.PostID, "bluesky_uri", got.URI)
	at, _ := time.Parse(time.RFC3339Nano, got.Value.CreatedAt)
	return p.receipt(s, got.URI, rkey, at), nil
}

// readBack looks for the post at its key after an ambiguous failure.
func (p *Publisher) readBack(ctx context.Context, s Session, m bots.Message, rkey string) (bots.Receipt, bool) {
	got, found, err := p.c.GetPost(ctx, rkey)
	if err != nil || !found || got.Value.Text != m.Text {
		return bots.Receipt{}, false
	}
	p.c.log.InfoContext(ctx, "bluesky: the post exists despite the failed answer", "post_id", m.PostID, "bluesky_uri", got.URI)
	at, _ := time.Parse(time.RFC3339Nano, got.Value.CreatedAt)
	return p.receipt(s, got.URI, rkey, at), true
}

func (p *Publisher) receipt(s Session, uri, rkey string, at time.Time) bots.Receipt {
	if at.IsZero() {
		at = p.c.now()
	}
	actor := s.Handle
	if actor == "" {
		actor = s.DID
	}
	return bots.Receipt{ID: uri, URL: "https://bsky.app/profile/" + actor + "/post/" + rkey, PublishedAt: at}
}

// facets marks the links, the mentions whose handle resolves (the others
// stay plain text, as in Bluesky's own app) and the tags of body. A link
// written short, host and path as a person types it, leads to the full link
// when it is link's ("platform.example/p/x" to link with its tags), as
// Bluesky's app shortens links: the 300 graphemes are the reader's.
func (p *Publisher) facets(ctx context.Context, body, link string) []Facet {
	facets := LinkFacets(body)
	if short := text.PlainAddress(link); short != "" {
		for i, f := range facets {
			if strings.TrimSuffix(strings.TrimPrefix(f.Features[0].URI, "https://"), "/") == short {
				facets[i].Features[0].URI = link
			}
		}
		// A host the link extractor does not know (a .example or a new
		// top-level domain) is still the post's link when written short.
		for from := 0; ; {
			i := strings.Index(body[from:], short)
			if i < 0 {
				break
			}
			start, end := from+i, from+i+len(short)
			if !overlaps(facets, start, end) {
				facets = append(facets, Facet{Index: ByteSlice{start, end}, Features: []Feature{{Type: FeatureLink, URI: link}}})
			}
			from = end
		}
	}
	for _, mn := range Mentions(body) {
		if overlaps(facets, mn.Start, mn.End) {
			continue
		}
		did, err := p.c.ResolveHandle(ctx, mn.Handle)
		if err != nil {
			p.c.log.InfoContext(ctx, "bluesky: mention left as text", "handle", mn.Handle, "error", err)
			continue
		}
		facets = append(facets, Facet{Index: ByteSlice{mn.Start, mn.End}, Features: []Feature{{Type: FeatureMention, DID: did}}})
	}
	for _, f := range TagFacets(body) {
		if !overlaps(facets, f.Index.ByteStart, f.Index.ByteEnd) {
			facets = append(facets, f)
		}
	}
	slices.SortFunc(facets, func(a, b Facet) int { return a.Index.ByteStart - b.Index.ByteStart })
	return facets
}

func overlaps(fs []Facet, start, end int) bool {
	return slices.ContainsFunc(fs, func(f Facet) bool { return start < f.Index.ByteEnd && f.Index.ByteStart < end })
}

// embed is the external card for m.Link, or m's image alone.
func (p *Publisher) embed(ctx context.Context, m bots.Message) any {
	var blob *Blob
	var im media.Image
	if m.ImageURL != "" {
		p.images.Attach(ctx, m, MaxThumbBytes, func(ictx context.Context, fetched media.Image) (string, error) {
			b, err := p.c.UploadBlob(ictx, fetched)
			if err != nil {
				return "upload", err
			}
			blob, im = &b, fetched
			return "", nil
		})
	}
	if m.Link != "" {
		title := firstNonEmpty(m.LinkTitle, m.ImageAlt, host(m.Link))
		return External{Type: "app.bsky.embed.external", External: ExternalLink{
			URI: m.Link, Title: cut(title, maxCardTitle), Description: cut(m.LinkDescription, maxCardDescription), Thumb: blob,
		}}
	}
	if blob == nil {
		return nil
	}
	return Images{Type: "app.bsky.embed.images", Images: []Image{{Image: *blob, Alt: cut(m.ImageAlt, maxAlt),
		AspectRatio: &AspectRatio{Width: im.Width, Height: im.Height}}}}
}

// FindRecent searches the account's latest 100 posts (replies and reposts
// left out) created since since for one with this text, matched by
// bots.PostMatcher.
func (p *Publisher) FindRecent(ctx context.Context, text string, since time.Time) (bots.Receipt, bool, error) {
	s, err := p.c.currentSession(ctx)
	if err != nil {
		return bots.Receipt{}, false, err
	}
	posts, err := p.c.AuthorFeed(ctx, recentWindow)
	if err != nil {
		return bots.Receipt{}, false, err
	}
	m := bots.NewPostMatcher(text, since)
	for _, post := range posts {
		t, at := post.textAndTime()
		if m.Match(t, at) {
			return p.receipt(s, post.URI, rkeyOf(post.URI), at), true, nil
		}
	}
	return bots.Receipt{}, false, nil
}

// Engagement reads the posts by at-uri: likes are likeCount, shares
// repostCount + quoteCount, replies replyCount; Bluesky has no impressions.
func (p *Publisher) Engagement(ctx context.Context, ids []string) (map[string]bots.Engagement, error) {
	posts, err := p.c.GetPosts(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bots.Engagement, len(posts))
	for _, post := range posts {
		out[post.URI] = bots.Engagement{Likes: post.LikeCount, Shares: post.RepostCount + post.QuoteCount, Replies: post.ReplyCount}
	}
	return out, nil
}

// Verify checks the session (logging in, or refreshing, as needed).
func (p *Publisher) Verify(ctx context.Context) error {
	_, err := p.c.GetSession(ctx)
	return err
}

func rkeyOf(uri string) string {
	return uri[strings.LastIndexByte(uri, '/')+1:]
}

func host(link string) string {
	if u, err := url.Parse(link); err == nil && u.Host != "" {
		return u.Host
	}
	return link
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n-1])) + "…"
}

// language keeps a BCP 47 tag as Bluesky wants it ("fr", "en-US").
func language(tag string) string {
	tag = strings.TrimSpace(tag)
	if tag == "" || len(tag) > 35 || strings.ContainsAny(tag, " _") {
		return ""
	}
	return tag
}

func itoa(n int) string { return strconv.Itoa(n) }

package x

import (
	"context"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/bots/internal/attach"
	"github.com/fanfarehq/fanfare/bots/media"
)

// recentWindow is how many of the account's latest posts reconcile searches.
const recentWindow = 100

// Publisher publishes to X. It implements bots.Publisher and bots.Verifier.
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

// WithImages sets the fetcher of campaign images (default: a fetcher with
// media's defaults, behind the address guard).
func WithImages(f *media.Fetcher) PublisherOption {
	return func(p *Publisher) { p.images.Fetcher = f }
}

// NewPublisher returns a publisher over c.
func NewPublisher(c *Client, opts ...PublisherOption) *Publisher {
	p := &Publisher{c: c}
	for _, o := range opts {
		o(p)
	}
	p.images = attach.New(p.images.Fetcher, c.log, imageBudget, "x: posting without the image, with the link card")
	return p
}

// Network returns "x".
func (p *Publisher) Network() string { return Network }

// Publish posts m.Text. The link is already in the text on X. With an
// m.ImageURL the image is fetched (address guard, sniffed type, 5 MB),
// uploaded and given m.ImageAlt as alt text, then attached; when any of that
// fails the post goes out without it, and X shows the link's card instead:
// an image is never worth a failed or second post. Only the one CreatePost
// call can create the post.
func (p *Publisher) Publish(ctx context.Context, m bots.Message) (bots.Receipt, error) {
	if strings.TrimSpace(m.Text) == "" {
		return bots.Receipt{}, &bots.Error{Network: Network, Kind: bots.KindInvalid, Message: "unable to create post: the text is empty"}
	}
	var opts []PostOption
	if m.ImageURL != "" {
		if id, ok := p.uploadImage(ctx, m); ok {
			opts = append(opts, WithMedia(id))
		}
	}
	t, err := p.c.CreatePost(ctx, m.Text, opts...)
	if err != nil {
		return bots.Receipt{}, err
	}
	p.c.log.InfoContext(ctx, "x: post created", "post_id", m.PostID, "x_id", t.ID, "with_image", len(opts) > 0)
	return bots.Receipt{ID: t.ID, URL: p.postURL(t.ID), PublishedAt: p.c.now()}, nil
}

// imageBudget bounds the time spent on the image: what is left of the
// publish call's deadline must still let the post itself go out.
const imageBudget = 30 * time.Second

// uploadImage fetches, uploads and describes m's image, and reports whether
// it can be attached. Failures are logged, never returned.
func (p *Publisher) uploadImage(ctx context.Context, m bots.Message) (id string, ok bool) {
	ok = p.images.Attach(ctx, m, MaxImageBytes, func(ictx context.Context, im media.Image) (string, error) {
		up, err := p.c.UploadImage(ictx, im)
		if err != nil {
			return "upload", err
		}
		if alt := strings.TrimSpace(m.ImageAlt); alt != "" {
			if err := p.c.SetAltText(ictx, up.ID, alt); err != nil {
				// The image is still worth attaching without its description.
				p.c.log.WarnContext(ctx, "x: image attached without alt text", "post_id", m.PostID, "media_id", up.ID, "error", err)
			}
		}
		id = up.ID
		return "", nil
	})
	return id, ok
}

// Verify checks the credentials with GET /2/users/me (asked again, not from
// the cache).
func (p *Publisher) Verify(ctx context.Context) error {
	_, err := p.c.fetchMe(ctx)
	return err
}

// postURL links to a post: with the username when known, else X's
// username-less form, which redirects.
func (p *Publisher) postURL(id string) string {
	if u := p.c.cachedUsername(); u != "" {
		return "https://x.com/" + u + "/status/" + id
	}
	return "https://x.com/i/web/status/" + id
}

// FindRecent searches the account's latest 100 posts created since since
// for one with this text, matched by bots.PostMatcher.
func (p *Publisher) FindRecent(ctx context.Context, text string, since time.Time) (bots.Receipt, bool, error) {
	me, err := p.c.Me(ctx)
	if err != nil {
		return bots.Receipt{}, false, err
	}
	posts, err := p.c.RecentPosts(ctx, me.ID, recentWindow)
	if err != nil {
		return bots.Receipt{}, false, err
	}
	m := bots.NewPostMatcher(text, since)
	for _, t := range posts {
		if m.Match(t.Text, t.CreatedAt) {
			return bots.Receipt{ID: t.ID, URL: p.postURL(t.ID), PublishedAt: t.CreatedAt}, true, nil
		}
	}
	return bots.Receipt{}, false, nil
}

// Engagement reads the posts' public metrics: likes are like_count, shares
// retweet_count + quote_count, replies reply_count, impressions
// impression_count.
func (p *Publisher) Engagement(ctx context.Context, ids []string) (map[string]bots.Engagement, error) {
	metrics, err := p.c.LookupMetrics(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bots.Engagement, len(metrics))
	for id, m := range metrics {
		out[id] = bots.Engagement{
			Likes:       m.LikeCount,
			Shares:      m.RetweetCount + m.QuoteCount,
			Replies:     m.ReplyCount,
			Impressions: m.ImpressionCount,
		}
	}
	return out, nil
}

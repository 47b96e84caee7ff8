package x

import (
	"context"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/bots"
)

// recentWindow is how many of the account's latest posts reconcile searches.
const recentWindow = 100

// Publisher publishes to X. It implements bots.Publisher.
type Publisher struct {
	c *Client
}

var _ bots.Publisher = (*Publisher)(nil)

// NewPublisher returns a publisher over c.
func NewPublisher(c *Client) *Publisher { return &Publisher{c: c} }

// Network returns "x".
func (p *Publisher) Network() string { return Network }

// Publish posts m.Text. The link is already in the text on X. m.ImageURL is
// not uploaded: media upload is not implemented, so the post goes out without
// the image (X shows the link's card instead).
func (p *Publisher) Publish(ctx context.Context, m bots.Message) (bots.Receipt, error) {
	if strings.TrimSpace(m.Text) == "" {
		return bots.Receipt{}, &bots.Error{Network: Network, Kind: bots.KindInvalid, Message: "unable to create post: the text is empty"}
	}
	t, err := p.c.CreatePost(ctx, m.Text)
	if err != nil {
		return bots.Receipt{}, err
	}
	p.c.log.InfoContext(ctx, "x: post created", "post_id", m.PostID, "x_id", t.ID)
	return bots.Receipt{ID: t.ID, URL: p.postURL(t.ID), PublishedAt: p.c.now()}, nil
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

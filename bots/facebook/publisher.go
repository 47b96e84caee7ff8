package facebook

import (
	"context"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/bots"
)

// recentWindow is how many of the Page's latest posts reconcile searches.
const recentWindow = 100

// Publisher publishes to the Page. It implements bots.Publisher.
type Publisher struct {
	c *Client
}

var _ bots.Publisher = (*Publisher)(nil)

// NewPublisher returns a publisher over c.
func NewPublisher(c *Client) *Publisher { return &Publisher{c: c} }

// Network returns "facebook".
func (p *Publisher) Network() string { return Network }

// Publish posts m. With an image it is a photo post whose caption is the text
// followed by the link (a photo post has no link preview), unless the text
// already holds the link; otherwise a feed post with message and link.
func (p *Publisher) Publish(ctx context.Context, m bots.Message) (bots.Receipt, error) {
	var id string
	if m.ImageURL != "" {
		caption := m.Text
		if m.Link != "" && !strings.Contains(m.Text, m.Link) {
			caption = strings.TrimRight(m.Text, " \n") + "\n\n" + m.Link
		}
		photo, err := p.c.PublishPhoto(ctx, caption, m.ImageURL)
		if err != nil {
			return bots.Receipt{}, err
		}
		id = photo.PostID
		if id == "" {
			// Older versions answered only the photo id; the post shares it.
			id = p.c.pageID + "_" + photo.ID
		}
	} else {
		var err error
		if id, err = p.c.PublishFeed(ctx, m.Text, m.Link); err != nil {
			return bots.Receipt{}, err
		}
	}
	p.c.log.InfoContext(ctx, "facebook: post created", "post_id", m.PostID, "facebook_id", id)
	return bots.Receipt{ID: id, URL: p.postURL(id), PublishedAt: p.c.now()}, nil
}

// postURL is the post's permalink: https://www.facebook.com/{page}/posts/{post}
// for a "<page>_<post>" id, else https://www.facebook.com/<id>.
func (p *Publisher) postURL(id string) string {
	if page, post, ok := strings.Cut(id, "_"); ok && page != "" && post != "" {
		return "https://www.facebook.com/" + page + "/posts/" + post
	}
	return "https://www.facebook.com/" + id
}

// FindRecent searches the Page's latest 100 posts created since since for
// one with this text, matched by bots.PostMatcher.
func (p *Publisher) FindRecent(ctx context.Context, text string, since time.Time) (bots.Receipt, bool, error) {
	posts, err := p.c.RecentPosts(ctx, recentWindow)
	if err != nil {
		return bots.Receipt{}, false, err
	}
	m := bots.NewPostMatcher(text, since)
	for _, post := range posts {
		if m.Match(post.Message, post.CreatedTime) {
			u := post.PermalinkURL
			if u == "" {
				u = p.postURL(post.ID)
			}
			return bots.Receipt{ID: post.ID, URL: u, PublishedAt: post.CreatedTime}, true, nil
		}
	}
	return bots.Receipt{}, false, nil
}

// Engagement reads the posts' counters: likes are all reactions, shares
// shares.count, replies the comments; Graph gives no impressions here.
func (p *Publisher) Engagement(ctx context.Context, ids []string) (map[string]bots.Engagement, error) {
	counts, err := p.c.Engagement(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bots.Engagement, len(counts))
	for id, e := range counts {
		out[id] = bots.Engagement{Likes: e.Reactions, Shares: e.Shares, Replies: e.Comments}
	}
	return out, nil
}

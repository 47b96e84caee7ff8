package x

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/bots"
)

// Tweet is a post as X returns it. Text carries X's escaping (&amp; &lt;
// &gt;) and t.co links.
type Tweet struct {
	ID            string         `json:"id"`
	Text          string         `json:"text"`
	CreatedAt     time.Time      `json:"created_at,omitzero"`
	PublicMetrics *PublicMetrics `json:"public_metrics,omitempty"`
}

// PublicMetrics are a post's public_metrics.
type PublicMetrics struct {
	RetweetCount    int64 `json:"retweet_count"`
	ReplyCount      int64 `json:"reply_count"`
	LikeCount       int64 `json:"like_count"`
	QuoteCount      int64 `json:"quote_count"`
	BookmarkCount   int64 `json:"bookmark_count"`
	ImpressionCount int64 `json:"impression_count"`
}

// User is the authenticated account.
type User struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Username string `json:"username"`
}

// PostOption adds an optional field to CreatePost.
type PostOption func(*createBody)

type createBody struct {
	Text         string     `json:"text,omitempty"`
	Reply        *replyBody `json:"reply,omitempty"`
	Media        *mediaBody `json:"media,omitempty"`
	QuoteTweetID string     `json:"quote_tweet_id,omitempty"`
}

type replyBody struct {
	InReplyToTweetID string `json:"in_reply_to_tweet_id"`
}

type mediaBody struct {
	MediaIDs []string `json:"media_ids"`
}

// InReplyTo makes the post a reply to the post with this id.
func InReplyTo(id string) PostOption {
	return func(b *createBody) { b.Reply = &replyBody{InReplyToTweetID: id} }
}

// WithMedia attaches already uploaded media (at most 4).
func WithMedia(ids ...string) PostOption {
	return func(b *createBody) { b.Media = &mediaBody{MediaIDs: ids} }
}

// Quote makes the post quote the post with this id.
func Quote(id string) PostOption {
	return func(b *createBody) { b.QuoteTweetID = id }
}

// CreatePost publishes a post.
//
// Specs: https://docs.x.com/x-api/posts/create-post
func (c *Client) CreatePost(ctx context.Context, text string, opts ...PostOption) (Tweet, error) {
	body := createBody{Text: text}
	for _, o := range opts {
		o(&body)
	}
	var out struct {
		Data *Tweet `json:"data"`
	}
	r := request{Op: "create post", Endpoint: "POST /2/tweets", Method: "POST", Path: "/2/tweets", Body: body}
	if err := c.do(ctx, r, &out); err != nil {
		return Tweet{}, err
	}
	if out.Data == nil || out.Data.ID == "" {
		// 2xx without an id: X took the request and we cannot tell the result.
		return Tweet{}, &bots.Error{Network: Network, Kind: bots.KindAmbiguous, Message: "unable to create post: the answer has no post id"}
	}
	return *out.Data, nil
}

// DeletePost deletes one of the account's posts. Deleting a post X does not
// know is not an error.
//
// Specs: https://docs.x.com/x-api/posts/delete-post
func (c *Client) DeletePost(ctx context.Context, id string) error {
	if id == "" || strings.ContainsAny(id, "/?#") {
		return &bots.Error{Network: Network, Kind: bots.KindInvalid, Message: fmt.Sprintf("unable to delete post: invalid id %q", id)}
	}
	var out struct {
		Data struct {
			Deleted bool `json:"deleted"`
		} `json:"data"`
	}
	r := request{Op: "delete post", Endpoint: "DELETE /2/tweets/:id", Method: "DELETE", Path: "/2/tweets/" + url.PathEscape(id)}
	return c.do(ctx, r, &out)
}

// maxLookupIDs is X's limit of ids per lookup.
const maxLookupIDs = 100

// LookupMetrics returns the public metrics of the posts it finds, by id. Ids X
// does not know (deleted, never existed) come back in the answer's errors
// array and are simply absent from the map. Any number of ids may be given:
// they are sent 100 at a time.
//
// Specs: https://docs.x.com/x-api/posts/get-posts-by-ids
func (c *Client) LookupMetrics(ctx context.Context, ids []string) (map[string]PublicMetrics, error) {
	out := make(map[string]PublicMetrics, len(ids))
	for chunk := range slices.Chunk(ids, maxLookupIDs) {
		for _, id := range chunk {
			if _, err := strconv.ParseUint(id, 10, 64); err != nil {
				return nil, &bots.Error{Network: Network, Kind: bots.KindInvalid, Message: fmt.Sprintf("unable to look up posts: invalid id %q", id)}
			}
		}
		var resp struct {
			Data []Tweet `json:"data"`
		}
		q := url.Values{"ids": {strings.Join(chunk, ",")}, "tweet.fields": {"public_metrics"}}
		r := request{Op: "look up posts", Endpoint: "GET /2/tweets", Method: "GET", Path: "/2/tweets", Query: q}
		if err := c.do(ctx, r, &resp); err != nil {
			return nil, err
		}
		for _, t := range resp.Data {
			if t.PublicMetrics != nil {
				out[t.ID] = *t.PublicMetrics
			}
		}
	}
	return out, nil
}

// Me returns the authenticated account. It is asked once and cached: X allows
// only a few calls a day on small tiers.
//
// Specs: https://docs.x.com/x-api/users/get-my-user
func (c *Client) Me(ctx context.Context) (User, error) {
	c.mu.Lock()
	me := c.me
	c.mu.Unlock()
	if me != nil {
		return *me, nil
	}
	return c.fetchMe(ctx)
}

// fetchMe asks GET /2/users/me and caches the answer.
func (c *Client) fetchMe(ctx context.Context) (User, error) {
	var out struct {
		Data *User `json:"data"`
	}
	r := request{Op: "get the account", Endpoint: "GET /2/users/me", Method: "GET", Path: "/2/users/me"}
	if err := c.do(ctx, r, &out); err != nil {
		return User{}, err
	}
	if out.Data == nil || out.Data.ID == "" {
		return User{}, &bots.Error{Network: Network, Kind: bots.KindAmbiguous, Message: "unable to get the account: the answer has no user id"}
	}
	c.mu.Lock()
	c.me = out.Data
	c.mu.Unlock()
	return *out.Data, nil
}

// cachedUsername is the account's username when Me has already been asked.
func (c *Client) cachedUsername() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.me == nil {
		return ""
	}
	return c.me.Username
}

// RecentPosts lists the user's latest posts, newest first, with created_at.
// X serves 5 to 100 per page; limit is clamped into that range and only the
// first page is read.
//
// Specs: https://docs.x.com/x-api/users/get-posts
func (c *Client) RecentPosts(ctx context.Context, userID string, limit int) ([]Tweet, error) {
	if _, err := strconv.ParseUint(userID, 10, 64); err != nil {
		return nil, &bots.Error{Network: Network, Kind: bots.KindInvalid, Message: fmt.Sprintf("unable to list posts: invalid user id %q", userID)}
	}
	n := min(100, max(5, limit))
	var out struct {
		Data []Tweet `json:"data"`
	}
	q := url.Values{"max_results": {strconv.Itoa(n)}, "tweet.fields": {"created_at"}}
	r := request{Op: "list posts", Endpoint: "GET /2/users/:id/tweets", Method: "GET", Path: "/2/users/" + userID + "/tweets", Query: q}
	if err := c.do(ctx, r, &out); err != nil {
		return nil, err
	}
	if limit > 0 && len(out.Data) > limit {
		out.Data = out.Data[:limit]
	}
	return out.Data, nil
}

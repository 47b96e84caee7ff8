package bluesky

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/bots/media"
)

// PostCollection is the collection of posts.
const PostCollection = "app.bsky.feed.post"

// MaxThumbBytes is the largest external embed thumbnail (and embedded
// image) the lexicon allows.
const MaxThumbBytes = 1_000_000

// Blob is a reference to an uploaded blob, as records carry it.
type Blob struct {
	Type     string  `json:"$type"` // "blob"
	Ref      BlobRef `json:"ref"`
	MimeType string  `json:"mimeType"`
	Size     int64   `json:"size"`
}

// BlobRef is a blob's CID link.
type BlobRef struct {
	Link string `json:"$link"`
}

// PostRecord is an app.bsky.feed.post record.
type PostRecord struct {
	Type      string   `json:"$type"`
	Text      string   `json:"text"`
	Facets    []Facet  `json:"facets,omitempty"`
	Embed     any      `json:"embed,omitempty"`
	Langs     []string `json:"langs,omitempty"`
	CreatedAt string   `json:"createdAt"`
}

// External is an app.bsky.embed.external embed.
type External struct {
	Type     string       `json:"$type"` // "app.bsky.embed.external"
	External ExternalLink `json:"external"`
}

// ExternalLink is the card of an external embed.
type ExternalLink struct {
	URI         string `json:"uri"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Thumb       *Blob  `json:"thumb,omitempty"`
}

// Images is an app.bsky.embed.images embed.
type Images struct {
	Type   string  `json:"$type"` // "app.bsky.embed.images"
	Images []Image `json:"images"`
}

// Image is one embedded image.
type Image struct {
	Image       Blob         `json:"image"`
	Alt         string       `json:"alt"`
	AspectRatio *AspectRatio `json:"aspectRatio,omitempty"`
}

// AspectRatio is an image's width and height.
type AspectRatio struct {
	Width  int `json:"width"`
	Height int `json:"height"`
}

// RecordRef is where a record was written.
type RecordRef struct {
	URI string `json:"uri"`
	CID string `json:"cid"`
}

// PutPost writes a post record at rkey only if nothing is there
// (swapRecord null). An existing record makes it fail with InvalidSwap,
// unless it is identical, which the PDS answers with success and no write.
//
// Specs: https://docs.bsky.app/docs/api/com-atproto-repo-put-record
func (c *Client) PutPost(ctx context.Context, rkey string, rec PostRecord) (RecordRef, error) {
	s, err := c.currentSession(ctx)
	if err != nil {
		return RecordRef{}, err
	}
	rec.Type = PostCollection
	body := struct {
		Repo       string     `json:"repo"`
		Collection string     `json:"collection"`
		RKey       string     `json:"rkey"`
		Validate   bool       `json:"validate"`
		Record     PostRecord `json:"record"`
		SwapRecord *string    `json:"swapRecord"` // null: create only
	}{s.DID, PostCollection, rkey, true, rec, nil}
	var out RecordRef
	if err := c.do(ctx, call{op: "create post", nsid: "com.atproto.repo.putRecord", post: true, body: body}, &out); err != nil {
		return RecordRef{}, err
	}
	if out.URI == "" {
		return RecordRef{}, &bots.Error{Network: Network, Kind: bots.KindAmbiguous, Message: "unable to create post: the answer has no uri"}
	}
	return out, nil
}

// StoredPost is a post record as getRecord returns it.
type StoredPost struct {
	URI   string     `json:"uri"`
	CID   string     `json:"cid"`
	Value PostRecord `json:"value"`
}

// GetPost reads the account's post at rkey; found is false when there is
// none.
//
// Specs: https://docs.bsky.app/docs/api/com-atproto-repo-get-record
func (c *Client) GetPost(ctx context.Context, rkey string) (p StoredPost, found bool, err error) {
	s, err := c.currentSession(ctx)
	if err != nil {
		return StoredPost{}, false, err
	}
	q := url.Values{"repo": {s.DID}, "collection": {PostCollection}, "rkey": {rkey}}
	if err := c.do(ctx, call{op: "read post", nsid: "com.atproto.repo.getRecord", query: q}, &p); err != nil {
		if xrpcName(err) == errNotFound {
			return StoredPost{}, false, nil
		}
		return StoredPost{}, false, err
	}
	return p, true, nil
}

// UploadBlob uploads an image and returns the blob to put in a record.
//
// Specs: https://docs.bsky.app/docs/api/com-atproto-repo-upload-blob
func (c *Client) UploadBlob(ctx context.Context, im media.Image) (Blob, error) {
	var out struct {
		Blob Blob `json:"blob"`
	}
	if err := c.do(ctx, call{op: "upload image", nsid: "com.atproto.repo.uploadBlob", post: true, raw: im.Data, rawType: im.Type}, &out); err != nil {
		return Blob{}, err
	}
	if out.Blob.Ref.Link == "" {
		return Blob{}, &bots.Error{Network: Network, Kind: bots.KindAmbiguous, Message: "unable to upload image: the answer has no blob"}
	}
	return out.Blob, nil
}

// ResolveHandle returns the DID of a handle.
//
// Specs: https://docs.bsky.app/docs/api/com-atproto-identity-resolve-handle
func (c *Client) ResolveHandle(ctx context.Context, handle string) (string, error) {
	var out struct {
		DID string `json:"did"`
	}
	q := url.Values{"handle": {handle}}
	if err := c.do(ctx, call{op: "resolve handle", nsid: "com.atproto.identity.resolveHandle", query: q}, &out); err != nil {
		return "", err
	}
	if !strings.HasPrefix(out.DID, "did:") {
		return "", &bots.Error{Network: Network, Kind: bots.KindInvalid, Message: fmt.Sprintf("unable to resolve handle: %q is not a DID", out.DID)}
	}
	return out.DID, nil
}

// FeedPost is a post as the AppView shows it.
type FeedPost struct {
	URI         string                       `json:"uri"`
	CID         string                       `json:"cid"`
	Author      struct{ DID, Handle string } `json:"author"`
	Record      json.RawMessage              `json:"record"`
	LikeCount   int64                        `json:"likeCount"`
	RepostCount int64                        `json:"repostCount"`
	ReplyCount  int64                        `json:"replyCount"`
	QuoteCount  int64                        `json:"quoteCount"`
	IndexedAt   time.Time                    `json:"indexedAt"`
}

// Text and CreatedAt read the post's record.
func (p FeedPost) textAndTime() (string, time.Time) {
	var r PostRecord
	_ = json.Unmarshal(p.Record, &r)
	t, _ := time.Parse(time.RFC3339Nano, r.CreatedAt)
	return r.Text, t
}

// AuthorFeed lists the account's latest posts, newest first, without
// replies; reposts are left out. limit is clamped to 1..100 (one page).
//
// Specs: https://docs.bsky.app/docs/api/app-bsky-feed-get-author-feed
func (c *Client) AuthorFeed(ctx context.Context, limit int) ([]FeedPost, error) {
	s, err := c.currentSession(ctx)
	if err != nil {
		return nil, err
	}
	q := url.Values{"actor": {s.DID}, "filter": {"posts_no_replies"}, "limit": {strconv.Itoa(min(100, max(1, limit)))}}
	var out struct {
		Feed []struct {
			Post   FeedPost        `json:"post"`
			Reason json.RawMessage `json:"reason"`
		} `json:"feed"`
	}
	if err := c.do(ctx, call{op: "list posts", nsid: "app.bsky.feed.getAuthorFeed", query: q}, &out); err != nil {
		return nil, err
	}
	posts := make([]FeedPost, 0, len(out.Feed))
	for _, item := range out.Feed {
		if len(item.Reason) > 0 && string(item.Reason) != "null" {
			continue // a repost
		}
		posts = append(posts, item.Post)
	}
	return posts, nil
}

// maxGetPosts is the most uris getPosts takes at once.
const maxGetPosts = 25

// GetPosts reads posts by at-uri, 25 at a time; uris the AppView does not
// know (deleted posts) are absent.
//
// Specs: https://docs.bsky.app/docs/api/app-bsky-feed-get-posts
func (c *Client) GetPosts(ctx context.Context, uris []string) ([]FeedPost, error) {
	var out []FeedPost
	for i := 0; i < len(uris); i += maxGetPosts {
		chunk := uris[i:min(len(uris), i+maxGetPosts)]
		for _, u := range chunk {
			if !strings.HasPrefix(u, "at://") {
				return nil, &bots.Error{Network: Network, Kind: bots.KindInvalid, Message: fmt.Sprintf("unable to read posts: %q is not an at:// uri", u)}
			}
		}
		var resp struct {
			Posts []FeedPost `json:"posts"`
		}
		if err := c.do(ctx, call{op: "read posts", nsid: "app.bsky.feed.getPosts", query: url.Values{"uris": chunk}}, &resp); err != nil {
			return nil, err
		}
		out = append(out, resp.Posts...)
	}
	return out, nil
}

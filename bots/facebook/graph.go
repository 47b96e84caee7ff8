package facebook

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	fb "github.com/huandu/facebook/v2"

	"github.com/fanfarehq/fanfare/bots"
)

// PagePost is a post on the Page as Graph lists it.
type PagePost struct {
	ID           string    // "<page>_<post>"
	Message      string    // as posted: Graph does not escape it
	CreatedTime  time.Time // Graph's clock
	PermalinkURL string
}

// Photo is the answer to a photo post: the photo object and the Page post
// that shows it.
type Photo struct {
	ID     string
	PostID string
}

// PostEngagement are a post's counters.
type PostEngagement struct {
	Shares    int64
	Reactions int64
	Comments  int64
}

// PublishFeed posts a message, with link as its link preview, on the Page. It
// returns the post id "<page>_<post>".
//
// Specs: https://developers.facebook.com/docs/graph-api/reference/page/feed#publish
func (c *Client) PublishFeed(ctx context.Context, message, link string) (string, error) {
	if strings.TrimSpace(message) == "" && link == "" {
		return "", invalid("publish to feed", "message and link are both empty")
	}
	params := fb.Params{}
	if message != "" {
		params["message"] = message
	}
	if link != "" {
		if !validURL(link) {
			return "", invalid("publish to feed", fmt.Sprintf("link %q is not an http(s) URL", link))
		}
		params["link"] = link
	}
	res, err := c.do(ctx, call{op: "publish to feed", method: fb.POST, path: c.pageID + "/feed", params: params, create: true})
	if err != nil {
		return "", err
	}
	id, _ := res.Get("id").(string)
	if id == "" {
		return "", noID("publish to feed", res)
	}
	return id, nil
}

// PublishPhoto posts the image at imageURL (Graph fetches it) with a caption.
//
// Specs: https://developers.facebook.com/docs/graph-api/reference/page/photos#publish
func (c *Client) PublishPhoto(ctx context.Context, caption, imageURL string) (Photo, error) {
	if !validURL(imageURL) {
		return Photo{}, invalid("publish photo", fmt.Sprintf("image URL %q is not an http(s) URL", imageURL))
	}
	params := fb.Params{"url": imageURL}
	if caption != "" {
		params["caption"] = caption
	}
	res, err := c.do(ctx, call{op: "publish photo", method: fb.POST, path: c.pageID + "/photos", params: params, create: true})
	if err != nil {
		return Photo{}, err
	}
	var p Photo
	p.ID, _ = res.Get("id").(string)
	p.PostID, _ = res.Get("post_id").(string)
	if p.ID == "" && p.PostID == "" {
		return Photo{}, noID("publish photo", res)
	}
	return p, nil
}

// RecentPosts lists the Page's latest posts, newest first (at most 100: one
// page of results).
//
// Specs: https://developers.facebook.com/docs/graph-api/reference/page/feed#read
func (c *Client) RecentPosts(ctx context.Context, limit int) ([]PagePost, error) {
	limit = min(100, max(1, limit))
	params := fb.Params{"fields": "message,created_time,permalink_url", "limit": strconv.Itoa(limit)}
	res, err := c.do(ctx, call{op: "list posts", method: fb.GET, path: c.pageID + "/posts", params: params})
	if err != nil {
		return nil, err
	}
	var out struct {
		Data []struct {
			ID           string `facebook:"id"`
			Message      string `facebook:"message"`
			CreatedTime  string `facebook:"created_time"`
			PermalinkURL string `facebook:"permalink_url"`
		} `facebook:"data"`
	}
	if err := res.Decode(&out); err != nil {
		return nil, &bots.Error{Network: Network, Kind: bots.KindAmbiguous, Message: "unable to list posts: unexpected answer", Err: err}
	}
	posts := make([]PagePost, 0, len(out.Data))
	for _, d := range out.Data {
		p := PagePost{ID: d.ID, Message: d.Message, PermalinkURL: d.PermalinkURL}
		if d.CreatedTime != "" {
			t, err := parseGraphTime(d.CreatedTime)
			if err != nil {
				return nil, &bots.Error{Network: Network, Kind: bots.KindAmbiguous, Message: "unable to list posts: bad created_time " + strconv.Quote(d.CreatedTime), Err: err}
			}
			p.CreatedTime = t
		}
		posts = append(posts, p)
	}
	return posts, nil
}

// parseGraphTime reads Graph's "2026-11-26T10:00:00+0000" (and RFC 3339).
func parseGraphTime(s string) (time.Time, error) {
	t, err := time.Parse("2006-01-02T15:04:05-0700", s)
	if err != nil {
		t, err = time.Parse(time.RFC3339, s)
	}
	return t, err
}

const engagementFields = "shares,reactions.summary(total_count),comments.summary(total_count)"

// maxIDs is Graph's limit of ids per ?ids= request.
const maxIDs = 50

// Engagement reads the posts' counters by id. It asks 50 ids at a time with
// the ?ids= form; Graph refuses that form whole when one id is gone, and then
// each id of the group is asked alone, skipping the missing ones, so that
// deleted posts are simply absent from the map.
//
// Specs: https://developers.facebook.com/docs/graph-api/reference/post#read
// and https://developers.facebook.com/docs/graph-api/overview#multiple-ids
func (c *Client) Engagement(ctx context.Context, postIDs []string) (map[string]PostEngagement, error) {
	out := make(map[string]PostEngagement, len(postIDs))
	for group := range slices.Chunk(postIDs, maxIDs) {
		for _, id := range group {
			if !validPostID(id) {
				return nil, invalid("read engagement", fmt.Sprintf("invalid post id %q", id))
			}
		}
		res, err := c.do(ctx, call{op: "read engagement", method: fb.GET, path: "/",
			params: fb.Params{"ids": strings.Join(group, ","), "fields": engagementFields}})
		if err == nil {
			for _, id := range group {
				if obj, ok := res[id].(map[string]any); ok {
					out[id] = decodeEngagement(fb.Result(obj))
				}
			}
			continue
		}
		if !missingObject(err) {
			return nil, err
		}
		for _, id := range group {
			res, err := c.do(ctx, call{op: "read engagement", method: fb.GET, path: id, params: fb.Params{"fields": engagementFields}})
			if missingObject(err) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out[id] = decodeEngagement(res)
		}
	}
	return out, nil
}

func decodeEngagement(r fb.Result) PostEngagement {
	num := func(field string) int64 {
		var n int64
		if r.DecodeField(field, &n) != nil {
			return 0
		}
		return n
	}
	return PostEngagement{
		Shares:    num("shares.count"),
		Reactions: num("reactions.summary.total_count"),
		Comments:  num("comments.summary.total_count"),
	}
}

// missingObject reports Graph's answer for ids that do not exist (any
// more): 803 for the ?ids= form, 100 (subcode 33) for one object.
func missingObject(err error) bool {
	e, ok := err.(*bots.Error)
	return ok && (e.Code == codeAliasMissing || e.Code == codeInvalidParam && strings.Contains(e.Message, "does not exist"))
}

// DeletePost deletes a post of the Page.
//
// Specs: https://developers.facebook.com/docs/graph-api/reference/post#deleting
func (c *Client) DeletePost(ctx context.Context, postID string) error {
	if !validPostID(postID) {
		return invalid("delete post", fmt.Sprintf("invalid post id %q", postID))
	}
	_, err := c.do(ctx, call{op: "delete post", method: fb.DELETE, path: postID})
	return err
}

func validPostID(id string) bool {
	if id == "" {
		return false
	}
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

func validURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func invalid(op, why string) *bots.Error {
	return &bots.Error{Network: Network, Kind: bots.KindInvalid, Message: "unable to " + op + ": " + why}
}

// noID is a success answer without the id: Graph took the request and we
// cannot tell what became of it.
func noID(op string, res fb.Result) *bots.Error {
	return &bots.Error{Network: Network, Kind: bots.KindAmbiguous, Message: fmt.Sprintf("unable to %s: the answer has no id (%d fields)", op, len(res))}
}

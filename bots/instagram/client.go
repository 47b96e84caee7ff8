// Package instagram publishes single-image posts to an Instagram
// professional account linked to the platform's Facebook Page, through the
// Graph API's content publishing (github.com/huandu/facebook v2.7.2, with
// the Page publisher's plumbing: appsecret_proof, usage headers, Graph error
// classification): create a media container with image_url, caption and
// alt_text (POST /{ig-user-id}/media; Meta fetches the image, which must be a
// public JPEG), wait until its status_code is FINISHED, then publish it
// (POST /{ig-user-id}/media_publish with creation_id). The account's
// publishing limit (GET /{ig-user-id}/content_publishing_limit: 50 posts in
// a moving 24 hours) is read before each post and respected locally.
//
// # At most once
//
// A container is not a post: creating one publishes nothing, so a failed or
// timed-out container creation is "not sent", and an orphan container simply
// expires after 24 hours. Only media_publish makes a post, and it publishes
// one given container at most once: publishing the same container again
// cannot make a second post. So the publisher keeps, per post id, the
// container it made (in memory), and never makes a new container for a post
// while its old one could still become a post:
//
//   - after an ambiguous media_publish (timeout, 5xx, dropped connection) it
//     reads the container's status_code: PUBLISHED means the post exists
//     (found among the account's latest media by caption); otherwise it
//     repeats media_publish with the same container, which either publishes
//     it or fails because it is already published;
//   - a later Publish of the same post (for 23 hours) returns the post it
//     already published, or reuses the container after the same status
//     check; only EXPIRED or ERROR containers, which certainly were not
//     published, are replaced.
//
// After a restart the memory is gone: the post is then "unknown" in the
// queue and reconcile (FindRecent, by caption among the latest media)
// decides, as for the other networks.
package instagram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	fb "github.com/huandu/facebook/v2"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/bots/facebook"
)

// Network is this package's network name.
const Network = "instagram"

// Options configure a Client. IGUserID and AccessToken are required.
type Options struct {
	GraphBaseURL string // default facebook.DefaultGraphBaseURL
	APIVersion   string // default facebook.DefaultAPIVersion
	// IGUserID is the Instagram professional account's id (the
	// instagram_business_account of the Page).
	IGUserID string
	// AccessToken is a token with instagram_basic, instagram_content_publish
	// and pages_read_engagement (a Page token of the linked Page works).
	AccessToken string
	AppSecret   string // optional; when set every call carries appsecret_proof
	HTTPClient  *http.Client
	Now         func() time.Time
	Logger      *slog.Logger
}

// Client calls the Graph API for one Instagram account. It is safe for
// concurrent use.
type Client struct {
	g    *facebook.Graph
	user string
	now  func() time.Time
	log  *slog.Logger
}

// NewClient returns a client, or an error naming the bad option.
func NewClient(opts Options) (*Client, error) {
	if !isDigits(opts.IGUserID) {
		return nil, fmt.Errorf("instagram: option IGUserID %q is missing or not an Instagram user id", opts.IGUserID)
	}
	if opts.AccessToken == "" {
		return nil, errors.New("instagram: option AccessToken is required")
	}
	g, err := facebook.NewGraph(facebook.GraphOptions{
		Network: Network, GraphBaseURL: opts.GraphBaseURL, APIVersion: opts.APIVersion,
		AccessToken: opts.AccessToken, AppSecret: opts.AppSecret, HTTPClient: opts.HTTPClient, Now: opts.Now, Logger: opts.Logger,
	})
	if err != nil {
		return nil, err
	}
	return &Client{g: g, user: opts.IGUserID, now: g.Now, log: g.Logger()}, nil
}

func isDigits(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Instagram's own error codes and subcodes
// (https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/error-codes).
const (
	codeLimit         = 9       // with subcodeLimit: the publishing limit
	subcodeLimit      = 2207042 // reached maximum number of posts
	subcodeSpam       = 2207051 // activity restricted as suspected spam
	subcodeNotReady   = 2207027 // the container is not ready to publish
	codeMediaNotReady = 9007
)

// refine adjusts the Graph classification with Instagram's codes: the
// publishing limit is a rate limit, a spam restriction a block, the negative
// codes (Instagram server errors and download timeouts) are transient, and a
// container not ready yet is "not sent".
func refine(err error, now time.Time) error {
	var e *bots.Error
	var fe *fb.Error
	if !errors.As(err, &e) || !errors.As(err, &fe) {
		return err
	}
	switch {
	case fe.Code == codeLimit && fe.ErrorSubcode == subcodeLimit:
		e.Kind, e.RetryAt = bots.KindRateLimited, now.Add(time.Hour)
	case fe.ErrorSubcode == subcodeSpam:
		e.Kind = bots.KindBlocked
	case fe.Code == codeMediaNotReady || fe.ErrorSubcode == subcodeNotReady:
		e.Kind = bots.KindNotSent
	case fe.Code < 0:
		e.Kind = bots.KindAmbiguous
	}
	return err
}

// CreateContainer creates an image container. Nothing is published.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media
func (c *Client) CreateContainer(ctx context.Context, imageURL, caption, alt string) (string, error) {
	params := fb.Params{"image_url": imageURL}
	if caption != "" {
		params["caption"] = caption
	}
	if alt != "" {
		params["alt_text"] = alt
	}
	res, err := c.g.Do(ctx, facebook.GraphCall{Op: "create media container", Method: fb.POST, Path: c.user + "/media", Params: params})
	if err != nil {
		return "", refine(err, c.now())
	}
	id, _ := res.Get("id").(string)
	if id == "" {
		return "", &bots.Error{Network: Network, Kind: bots.KindNotSent, Message: "unable to create media container: the answer has no id"}
	}
	return id, nil
}

// Container status codes.
const (
	StatusFinished   = "FINISHED"
	StatusInProgress = "IN_PROGRESS"
	StatusPublished  = "PUBLISHED"
	StatusExpired    = "EXPIRED"
	StatusError      = "ERROR"
)

// ContainerStatus reads a container's status_code (and status, the error
// subcode when it is ERROR).
//
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-container
func (c *Client) ContainerStatus(ctx context.Context, id string) (code, detail string, err error) {
	res, err := c.g.Do(ctx, facebook.GraphCall{Op: "read container status", Method: fb.GET, Path: id, Params: fb.Params{"fields": "status_code,status"}})
	if err != nil {
		return "", "", refine(err, c.now())
	}
	code, _ = res.Get("status_code").(string)
	detail, _ = res.Get("status").(string)
	return code, detail, nil
}

// PublishContainer publishes a container and returns the media id.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media_publish
func (c *Client) PublishContainer(ctx context.Context, containerID string) (string, error) {
	res, err := c.g.Do(ctx, facebook.GraphCall{Op: "publish media", Method: fb.POST, Path: c.user + "/media_publish",
		Params: fb.Params{"creation_id": containerID}, Create: true})
	if err != nil {
		return "", refine(err, c.now())
	}
	id, _ := res.Get("id").(string)
	if id == "" {
		return "", &bots.Error{Network: Network, Kind: bots.KindAmbiguous, Message: "unable to publish media: the answer has no media id"}
	}
	return id, nil
}

// Quota is the account's publishing limit usage.
type Quota struct {
	Usage    int
	Total    int
	Duration time.Duration
}

// PublishingLimit reads how many posts the account published in the moving
// window and how many it may.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/content_publishing_limit
func (c *Client) PublishingLimit(ctx context.Context) (Quota, error) {
	res, err := c.g.Do(ctx, facebook.GraphCall{Op: "read publishing limit", Method: fb.GET, Path: c.user + "/content_publishing_limit",
		Params: fb.Params{"fields": "quota_usage,config"}})
	if err != nil {
		return Quota{}, refine(err, c.now())
	}
	var out struct {
		Data []struct {
			QuotaUsage int `facebook:"quota_usage"`
			Config     struct {
				QuotaTotal    int `facebook:"quota_total"`
				QuotaDuration int `facebook:"quota_duration"`
			} `facebook:"config"`
		} `facebook:"data"`
	}
	if err := res.Decode(&out); err != nil || len(out.Data) == 0 {
		return Quota{}, &bots.Error{Network: Network, Kind: bots.KindAmbiguous, Message: "unable to read publishing limit: unexpected answer", Err: err}
	}
	d := out.Data[0]
	return Quota{Usage: d.QuotaUsage, Total: d.Config.QuotaTotal, Duration: time.Duration(d.Config.QuotaDuration) * time.Second}, nil
}

// Media is a published post.
type Media struct {
	ID        string
	Caption   string
	Permalink string
	Timestamp time.Time
	Likes     int64
	Comments  int64
}

func decodeMedia(r fb.Result) (Media, error) {
	var raw struct {
		ID            string `facebook:"id"`
		Caption       string `facebook:"caption"`
		Permalink     string `facebook:"permalink"`
		Timestamp     string `facebook:"timestamp"`
		LikeCount     int64  `facebook:"like_count"`
		CommentsCount int64  `facebook:"comments_count"`
	}
	if err := r.Decode(&raw); err != nil {
		return Media{}, err
	}
	m := Media{ID: raw.ID, Caption: raw.Caption, Permalink: raw.Permalink, Likes: raw.LikeCount, Comments: raw.CommentsCount}
	if raw.Timestamp != "" {
		t, err := time.Parse("2006-01-02T15:04:05-0700", raw.Timestamp)
		if err != nil {
			return Media{}, fmt.Errorf("bad timestamp %q", raw.Timestamp)
		}
		m.Timestamp = t
	}
	return m, nil
}

// GetMedia reads a post; found is false when Instagram does not know it.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/reference/instagram-media
func (c *Client) GetMedia(ctx context.Context, id string) (m Media, found bool, err error) {
	if !isDigits(id) {
		return Media{}, false, &bots.Error{Network: Network, Kind: bots.KindInvalid, Message: fmt.Sprintf("unable to read media: invalid id %q", id)}
	}
	res, err := c.g.Do(ctx, facebook.GraphCall{Op: "read media", Method: fb.GET, Path: id,
		Params: fb.Params{"fields": "id,caption,permalink,timestamp,like_count,comments_count"}})
	if err != nil {
		var e *bots.Error
		if errors.As(err, &e) && e.Code == 100 && strings.Contains(e.Message, "does not exist") {
			return Media{}, false, nil
		}
		return Media{}, false, refine(err, c.now())
	}
	m, err = decodeMedia(res)
	if err != nil {
		return Media{}, false, &bots.Error{Network: Network, Kind: bots.KindAmbiguous, Message: "unable to read media: " + err.Error()}
	}
	return m, true, nil
}

// RecentMedia lists the account's latest posts, newest first (one page, at
// most 100).
//
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media#reading
func (c *Client) RecentMedia(ctx context.Context, limit int) ([]Media, error) {
	res, err := c.g.Do(ctx, facebook.GraphCall{Op: "list media", Method: fb.GET, Path: c.user + "/media",
		Params: fb.Params{"fields": "id,caption,permalink,timestamp", "limit": strconv.Itoa(min(100, max(1, limit)))}})
	if err != nil {
		return nil, refine(err, c.now())
	}
	var out []Media
	var data []fb.Result
	if err := res.DecodeField("data", &data); err != nil {
		return nil, &bots.Error{Network: Network, Kind: bots.KindAmbiguous, Message: "unable to list media: unexpected answer", Err: err}
	}
	for _, d := range data {
		m, err := decodeMedia(d)
		if err != nil {
			return nil, &bots.Error{Network: Network, Kind: bots.KindAmbiguous, Message: "unable to list media: " + err.Error()}
		}
		out = append(out, m)
	}
	return out, nil
}

// Account reads the account's id and username: the credentials check.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user
func (c *Client) Account(ctx context.Context) (username string, err error) {
	res, err := c.g.Do(ctx, facebook.GraphCall{Op: "read account", Method: fb.GET, Path: c.user, Params: fb.Params{"fields": "id,username"}})
	if err != nil {
		return "", refine(err, c.now())
	}
	username, _ = res.Get("username").(string)
	return username, nil
}

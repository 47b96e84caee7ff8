package x

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"unicode/utf8"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/bots/media"
)

// X's media limits for posts.
const (
	// MaxImageBytes is the largest image X takes (5 MB).
	MaxImageBytes = 5 << 20
	// MaxAltText is the longest alt text X takes, in characters.
	MaxAltText = 1000
	// CategoryTweetImage is the media_category of an image for a post.
	CategoryTweetImage = "tweet_image"
)

// Media is an uploaded media object.
type Media struct {
	ID               string `json:"id"`
	MediaKey         string `json:"media_key"`
	Size             int64  `json:"size"`
	ExpiresAfterSecs int64  `json:"expires_after_secs"`
}

// UploadImage uploads a JPEG, PNG or WebP image for a post in one request
// (the simple upload, multipart: media, media_category tweet_image,
// media_type) and returns its media id. X's simple upload takes no GIF (a GIF
// needs the chunked INIT/APPEND/FINALIZE flow and processing, category
// tweet_gif): a GIF is refused here as invalid, without sending.
//
// Specs: https://docs.x.com/x-api/media/upload-media
func (c *Client) UploadImage(ctx context.Context, im media.Image) (Media, error) {
	const op = "upload media"
	switch {
	case im.Type == media.GIF:
		return Media{}, &bots.Error{Network: Network, Kind: bots.KindInvalid, Message: "unable to " + op + ": X's simple upload takes no GIF"}
	case im.Type != media.JPEG && im.Type != media.PNG && im.Type != media.WebP:
		return Media{}, &bots.Error{Network: Network, Kind: bots.KindInvalid, Message: fmt.Sprintf("unable to %s: unsupported type %q", op, im.Type)}
	case len(im.Data) > MaxImageBytes:
		return Media{}, &bots.Error{Network: Network, Kind: bots.KindInvalid, Message: fmt.Sprintf("unable to %s: %d bytes, X takes at most %d", op, len(im.Data), MaxImageBytes)}
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("media_category", CategoryTweetImage)
	_ = mw.WriteField("media_type", im.Type)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="media"; filename=%q`, im.Filename()))
	h.Set("Content-Type", im.Type)
	part, _ := mw.CreatePart(h) // writes to a bytes.Buffer: no error
	part.Write(im.Data)
	mw.Close()

	var out struct {
		Data *Media `json:"data"`
	}
	r := request{Op: op, Endpoint: "POST /2/media/upload", Method: "POST", Path: "/2/media/upload", Raw: buf.Bytes(), RawType: mw.FormDataContentType()}
	if err := c.do(ctx, r, &out); err != nil {
		return Media{}, err
	}
	if out.Data == nil || out.Data.ID == "" {
		return Media{}, &bots.Error{Network: Network, Kind: bots.KindAmbiguous, Message: "unable to " + op + ": the answer has no media id"}
	}
	return *out.Data, nil
}

// SetAltText sets the alt text of uploaded media (cut to MaxAltText
// characters).
//
// Specs: https://docs.x.com/x-api/media/create-media-metadata
func (c *Client) SetAltText(ctx context.Context, mediaID, alt string) error {
	if utf8.RuneCountInString(alt) > MaxAltText {
		alt = string([]rune(alt)[:MaxAltText])
	}
	body := map[string]any{"id": mediaID, "metadata": map[string]any{"alt_text": map[string]string{"text": alt}}}
	r := request{Op: "set alt text", Endpoint: "POST /2/media/metadata", Method: "POST", Path: "/2/media/metadata", Body: body}
	return c.do(ctx, r, nil)
}

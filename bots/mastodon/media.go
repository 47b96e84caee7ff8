package mastodon

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/bots/media"
)

// Attachment is a media attachment. URL is empty while the instance is still
// processing it.
type Attachment struct {
	ID          string  `json:"id"`
	Type        string  `json:"type"`
	URL         *string `json:"url"`
	Description string  `json:"description"`
}

// Processed reports whether the attachment can be attached to a status.
func (a Attachment) Processed() bool { return a.URL != nil && *a.URL != "" }

// UploadMedia uploads an image with its description (alt text, cut to 1,500
// characters). The instance answers 200 when it processed the file at once,
// 202 when it processes it in the background: then WaitProcessed.
//
// Specs: https://docs.joinmastodon.org/methods/media/#v2
func (c *Client) UploadMedia(ctx context.Context, im media.Image, description string) (Attachment, error) {
	const op = "upload media"
	if utf8.RuneCountInString(description) > MaxMediaDescription {
		description = string([]rune(description)[:MaxMediaDescription])
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, im.Filename()))
	h.Set("Content-Type", im.Type)
	part, _ := mw.CreatePart(h) // writes to a bytes.Buffer: no error
	part.Write(im.Data)
	if description != "" {
		_ = mw.WriteField("description", description)
	}
	mw.Close()
	var out Attachment
	r := request{Op: op, Endpoint: "POST /api/v2/media", Method: http.MethodPost, Path: "/api/v2/media", Raw: buf.Bytes(), RawType: mw.FormDataContentType()}
	if _, err := c.do(ctx, r, &out); err != nil {
		return Attachment{}, err
	}
	if out.ID == "" {
		return Attachment{}, &bots.Error{Network: Network, Kind: bots.KindAmbiguous, Message: "unable to " + op + ": the answer has no media id"}
	}
	return out, nil
}

// GetMedia reads an attachment: 206 while it is being processed (the
// attachment comes back without URL), 200 once done.
//
// Specs: https://docs.joinmastodon.org/methods/media/#get
func (c *Client) GetMedia(ctx context.Context, id string) (Attachment, error) {
	if !validID(id) {
		return Attachment{}, invalid("read media", fmt.Sprintf("invalid id %q", id))
	}
	var out Attachment
	r := request{Op: "read media", Endpoint: "GET /api/v1/media/:id", Method: http.MethodGet, Path: "/api/v1/media/" + url.PathEscape(id)}
	res, err := c.do(ctx, r, &out)
	if err != nil {
		return Attachment{}, err
	}
	if res.Status == http.StatusPartialContent {
		out.URL = nil
	}
	return out, nil
}

// WaitProcessed polls an attachment until the instance has processed it,
// waiting 500 ms, then 1 s, 2 s… (at most 5 s) between reads, until ctx ends.
func (c *Client) WaitProcessed(ctx context.Context, a Attachment) (Attachment, error) {
	wait := 500 * time.Millisecond
	for !a.Processed() {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return a, fmt.Errorf("mastodon: media %s still processing: %w", a.ID, ctx.Err())
		case <-t.C:
		}
		var err error
		if a, err = c.GetMedia(ctx, a.ID); err != nil {
			return a, err
		}
		wait = min(2*wait, 5*time.Second)
	}
	return a, nil
}

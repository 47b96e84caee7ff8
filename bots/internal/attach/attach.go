// Package attach is the image step of the publishers that upload campaign
// images themselves (X, Mastodon, Bluesky): fetch the image behind the
// address guard, hand it to the network's upload, the two within a budget,
// and when any of it fails let the post go out without the image. An image
// is never worth a failed or a second post, so failures are logged, never
// returned.
package attach

import (
	"context"
	"log/slog"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/bots/media"
)

// Images is a publisher's image step. Build it with New.
type Images struct {
	// Fetcher fetches the images. A publisher's WithImages sets it before
	// New, which fills in the default.
	Fetcher *media.Fetcher
	log     *slog.Logger
	budget  time.Duration
	warning string
}

// New returns the step of a publisher: images fetched with f (nil: a
// fetcher with media's defaults, behind the address guard), at most budget
// spent on each (less when the publish call's deadline is near: see
// bots.ImageBudget), and warning logged on log when a post goes without its
// image ("mastodon: posting without the image").
func New(f *media.Fetcher, log *slog.Logger, budget time.Duration, warning string) Images {
	if f == nil {
		f = media.NewFetcher(media.FetcherOptions{})
	}
	return Images{Fetcher: f, log: log, budget: budget, warning: warning}
}

// Upload is the network's part of the step: upload the fetched image, and
// whatever must follow before it can be attached, keeping what the post
// needs. A failure names its step ("upload", "processing") for the log.
type Upload func(ctx context.Context, im media.Image) (step string, err error)

// Attach fetches m.ImageURL, reading at most maxBytes (0: the fetcher's
// bound), and runs upload on it. It reports whether upload succeeded; when
// not, the failure is logged with m's post id, the image URL and the step
// that failed.
func (i Images) Attach(ctx context.Context, m bots.Message, maxBytes int64, upload Upload) bool {
	ictx, cancel := context.WithTimeout(ctx, bots.ImageBudget(ctx, i.budget))
	defer cancel()
	step := "fetch"
	im, err := i.Fetcher.Fetch(ictx, m.ImageURL, maxBytes)
	if err == nil {
		step, err = upload(ictx, im)
	}
	if err != nil {
		i.log.WarnContext(ctx, i.warning, "post_id", m.PostID, "image_url", m.ImageURL, "step", step, "error", err)
		return false
	}
	return true
}

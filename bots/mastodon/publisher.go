package mastodon

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/bots/internal/attach"
	"github.com/fanfarehq/fanfare/bots/media"
)

// imageBudget bounds the time spent fetching, uploading and waiting for the
// image: the status itself must still have time to go out.
const imageBudget = 40 * time.Second

// Publisher publishes to the account. It implements bots.Publisher and
// bots.Verifier.
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

// WithImages sets the fetcher of campaign images (default: media's
// defaults, behind the address guard).
func WithImages(f *media.Fetcher) PublisherOption {
	return func(p *Publisher) { p.images.Fetcher = f }
}

// NewPublisher returns a publisher over c.
func NewPublisher(c *Client, opts ...PublisherOption) *Publisher {
	p := &Publisher{c: c}
	for _, o := range opts {
		o(p)
	}
	p.images = attach.New(p.images.Fetcher, c.log, imageBudget, "mastodon: posting without the image")
	return p
}

// Network returns "mastodon".
func (p *Publisher) Network() string { return Network }

// Publish creates a public status with m.Text (the link is in the text:
// Mastodon builds the preview card itself) in m.Lang, with m.ImageURL
// attached when it can be fetched, uploaded and processed in time (else the
// status goes out without it and the instance shows the link's card). A
// text over the instance's limit is refused without sending. The status
// carries the Idempotency-Key of m.PostID: see the package doc.
func (p *Publisher) Publish(ctx context.Context, m bots.Message) (bots.Receipt, error) {
	if strings.TrimSpace(m.Text) == "" {
		return bots.Receipt{}, invalid("create status", "the text is empty")
	}
	limits, err := p.c.Limits(ctx)
	if err != nil {
		p.c.log.WarnContext(ctx, "mastodon: instance limits unknown, checking against the defaults", "error", err)
	}
	if chk := CheckText(m.Text, limits); !chk.Valid {
		return bots.Receipt{}, invalid("create status", "the text counts "+itoa(chk.Length)+" characters, the instance allows "+itoa(chk.Max))
	}
	ns := NewStatus{Status: m.Text, Language: language(m.Lang), IdempotencyKey: IdempotencyKey(m.PostID)}
	if m.ImageURL != "" {
		if id, ok := p.uploadImage(ctx, m, limits); ok {
			ns.MediaIDs = []string{id}
		}
	}
	st, err := p.c.PostStatus(ctx, ns)
	if err != nil {
		return bots.Receipt{}, err
	}
	p.c.log.InfoContext(ctx, "mastodon: status created", "post_id", m.PostID, "mastodon_id", st.ID, "with_image", len(ns.MediaIDs) > 0)
	return receipt(st, p.c.now()), nil
}

func receipt(st Status, now time.Time) bots.Receipt {
	at := st.CreatedAt
	if at.IsZero() {
		at = now
	}
	u := st.URL
	if u == "" {
		u = st.URI
	}
	return bots.Receipt{ID: st.ID, URL: u, PublishedAt: at}
}

// uploadImage fetches, uploads and waits for m's image; failures are logged
// and leave the status without it.
func (p *Publisher) uploadImage(ctx context.Context, m bots.Message, l Limits) (id string, ok bool) {
	ok = p.images.Attach(ctx, m, l.withDefaults().ImageSizeLimit, func(ictx context.Context, im media.Image) (string, error) {
		a, err := p.c.UploadMedia(ictx, im, strings.TrimSpace(m.ImageAlt))
		if err != nil {
			return "upload", err
		}
		if a, err = p.c.WaitProcessed(ictx, a); err != nil {
			return "processing", err
		}
		id = a.ID
		return "", nil
	})
	return id, ok
}

// language keeps a BCP 47 tag's primary language ("fr-CA" → "fr"): Mastodon
// takes ISO 639 codes.
func language(tag string) string {
	primary, _, _ := strings.Cut(strings.TrimSpace(tag), "-")
	primary = strings.ToLower(primary)
	if len(primary) < 2 || len(primary) > 3 {
		return ""
	}
	return primary
}

// recentWindow is how many of the account's statuses reconcile searches: one
// page.
const recentWindow = maxStatusesPage

// FindRecent searches the account's latest 40 statuses (boosts left out)
// created since since for one with this text, after undoing Mastodon's
// HTML (see PlainText), matched by bots.PostMatcher.
func (p *Publisher) FindRecent(ctx context.Context, text string, since time.Time) (bots.Receipt, bool, error) {
	acct, err := p.c.Account(ctx)
	if err != nil {
		return bots.Receipt{}, false, err
	}
	statuses, err := p.c.AccountStatuses(ctx, acct.ID, recentWindow)
	if err != nil {
		return bots.Receipt{}, false, err
	}
	m := bots.NewPostMatcher(text, since)
	for _, st := range statuses {
		if st.Reblog != nil {
			continue
		}
		if m.Match(PlainText(st.Content), st.CreatedAt) {
			return receipt(st, p.c.now()), true, nil
		}
	}
	return bots.Receipt{}, false, nil
}

// Engagement reads each status: likes are favourites_count, shares
// reblogs_count (boosts), replies replies_count; Mastodon has no
// impressions. Statuses the instance no longer knows are absent.
func (p *Publisher) Engagement(ctx context.Context, ids []string) (map[string]bots.Engagement, error) {
	out := make(map[string]bots.Engagement, len(ids))
	for _, id := range ids {
		st, found, err := p.c.GetStatus(ctx, id)
		if err != nil {
			return nil, err
		}
		if found {
			out[id] = bots.Engagement{Likes: st.FavouritesCount, Shares: st.ReblogsCount, Replies: st.RepliesCount}
		}
	}
	return out, nil
}

// Verify checks the token with GET /api/v1/accounts/verify_credentials.
func (p *Publisher) Verify(ctx context.Context) error {
	_, err := p.c.VerifyCredentials(ctx)
	return err
}

func itoa(n int) string { return strconv.Itoa(n) }

package instagram

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fanfarehq/fanfare/bots"
)

const (
	// containerReuse is how long a post's container is reused: containers
	// expire after 24 hours.
	containerReuse = 23 * time.Hour
	recentWindow   = 50
	maxAltText     = 1000
)

// Publisher publishes to the account. It implements bots.Publisher and
// bots.Verifier.
type Publisher struct {
	c *Client

	mu         sync.Mutex
	containers map[string]container // by post id
}

type container struct {
	id       string
	caption  string
	imageURL string
	created  time.Time
	mediaID  string // once published
}

var (
	_ bots.Publisher = (*Publisher)(nil)
	_ bots.Verifier  = (*Publisher)(nil)
)

// NewPublisher returns a publisher over c.
func NewPublisher(c *Client) *Publisher {
	return &Publisher{c: c, containers: map[string]container{}}
}

// Network returns "instagram".
func (p *Publisher) Network() string { return Network }

// Publish posts m.ImageURL with m.Text as caption and m.ImageAlt as alt
// text. A message without an image, or a caption over the limits, is
// refused without sending; so is a post when the publishing limit is spent.
// See the package doc for how a container is made, reused and published at
// most once.
func (p *Publisher) Publish(ctx context.Context, m bots.Message) (bots.Receipt, error) {
	caption := trimCaption(m.Text)
	if m.ImageURL == "" {
		return bots.Receipt{}, invalid("Instagram posts need an image; this post has none")
	}
	if chk := CheckCaption(caption); !chk.Valid {
		return bots.Receipt{}, invalid("the caption is " + chk.Reason)
	}
	if q, err := p.c.PublishingLimit(ctx); err != nil {
		if k := bots.ClassifyError(err); k == bots.KindAuth || k == bots.KindRateLimited {
			return bots.Receipt{}, err
		}
		p.c.log.WarnContext(ctx, "instagram: publishing limit unknown, trying anyway", "error", err)
	} else if q.Total > 0 && q.Usage >= q.Total {
		return bots.Receipt{}, &bots.Error{Network: Network, Kind: bots.KindRateLimited, RetryAt: p.c.now().Add(time.Hour),
			Message: "unable to publish media: the account published " + itoa(q.Usage) + " of its " + itoa(q.Total) + " posts in the last 24 hours (refused without sending)"}
	}

	ct, rc, done, err := p.container(ctx, m, caption)
	if err != nil || done {
		return rc, err
	}
	if err := p.waitFinished(ctx, ct.id); err != nil {
		return bots.Receipt{}, err
	}
	mediaID, err := p.c.PublishContainer(ctx, ct.id)
	if err != nil && bots.ClassifyError(err) == bots.KindAmbiguous {
		mediaID, err = p.afterAmbiguous(ctx, ct, err)
	}
	if err != nil {
		return bots.Receipt{}, err
	}
	// Remembered as published: the same post asked again (a person's retry
	// of an "unknown" post) gets this post back, not a second one.
	ct.mediaID = mediaID
	p.remember(m.PostID, ct)
	return p.receipt(ctx, m, mediaID), nil
}

// container returns the post's container: the remembered one when it can
// still be the post, else a new one. done is true when the remembered
// container turns out to be published already: rc is then the post.
func (p *Publisher) container(ctx context.Context, m bots.Message, caption string) (ct container, rc bots.Receipt, done bool, err error) {
	p.mu.Lock()
	ct, ok := p.containers[m.PostID]
	for id, old := range p.containers {
		if p.c.now().Sub(old.created) >= containerReuse {
			delete(p.containers, id)
		}
	}
	p.mu.Unlock()
	if ok && ct.mediaID != "" && p.c.now().Sub(ct.created) < containerReuse {
		p.c.log.InfoContext(ctx, "instagram: post already published", "post_id", m.PostID, "media_id", ct.mediaID)
		return container{}, p.receipt(ctx, m, ct.mediaID), true, nil
	}
	if ok && m.PostID != "" && p.c.now().Sub(ct.created) < containerReuse {
		code, _, err := p.c.ContainerStatus(ctx, ct.id)
		if err != nil {
			return container{}, bots.Receipt{}, false, err
		}
		switch code {
		case StatusPublished:
			media, found, err := p.findByCaption(ctx, ct.caption)
			if err != nil || !found {
				return container{}, bots.Receipt{}, false, &bots.Error{Network: Network, Kind: bots.KindAmbiguous,
					Message: "unable to publish media: the container was published but the post is not among the latest media yet", Err: err}
			}
			ct.mediaID = media.ID
			p.remember(m.PostID, ct)
			return container{}, p.mediaReceipt(media), true, nil
		case StatusFinished, StatusInProgress:
			if ct.caption == caption && ct.imageURL == m.ImageURL {
				return ct, bots.Receipt{}, false, nil
			}
			// The post was edited since: the old container was never
			// published and never will be; it expires on its own.
		}
	}
	id, err := p.c.CreateContainer(ctx, m.ImageURL, caption, cutRunes(strings.TrimSpace(m.ImageAlt), maxAltText))
	if err != nil {
		if bots.ClassifyError(err) == bots.KindAmbiguous {
			// A container is not a post: nothing public can exist.
			var e *bots.Error
			if errors.As(err, &e) {
				e.Kind = bots.KindNotSent
			}
		}
		return container{}, bots.Receipt{}, false, err
	}
	ct = container{id: id, caption: caption, imageURL: m.ImageURL, created: p.c.now()}
	p.remember(m.PostID, ct)
	return ct, bots.Receipt{}, false, nil
}

// waitFinished polls the container until Instagram has fetched and checked
// the image (FINISHED), every second at first, then up to every 5 s, until
// ctx ends.
func (p *Publisher) waitFinished(ctx context.Context, id string) error {
	wait := time.Second
	for {
		code, detail, err := p.c.ContainerStatus(ctx, id)
		if err != nil {
			return err
		}
		switch code {
		case StatusFinished:
			return nil
		case StatusError:
			return invalid("Instagram could not use the image (container " + id + ": " + detail + ")")
		case StatusExpired:
			return &bots.Error{Network: Network, Kind: bots.KindNotSent, Message: "unable to publish media: container " + id + " expired"}
		case StatusPublished:
			return &bots.Error{Network: Network, Kind: bots.KindAmbiguous, Message: "unable to publish media: container " + id + " is already published"}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return &bots.Error{Network: Network, Kind: bots.KindNotSent, Message: "unable to publish media: container " + id + " still " + code + " when time ran out", Err: ctx.Err()}
		case <-t.C:
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// afterAmbiguous settles a media_publish whose answer was lost: the
// container says whether it was published; if not, publishing the same
// container again is safe (a container is published at most once).
func (p *Publisher) afterAmbiguous(ctx context.Context, ct container, first error) (string, error) {
	if ctx.Err() != nil {
		return "", first
	}
	code, _, err := p.c.ContainerStatus(ctx, ct.id)
	if err != nil {
		return "", first
	}
	if code == StatusPublished {
		media, found, err := p.findByCaption(ctx, ct.caption)
		if err == nil && found {
			return media.ID, nil
		}
		return "", first
	}
	if code != StatusFinished {
		return "", first
	}
	id, err := p.c.PublishContainer(ctx, ct.id)
	if err != nil {
		if code, _, serr := p.c.ContainerStatus(ctx, ct.id); serr == nil && code == StatusPublished {
			if media, found, ferr := p.findByCaption(ctx, ct.caption); ferr == nil && found {
				return media.ID, nil
			}
		}
		return "", first
	}
	return id, nil
}

func (p *Publisher) remember(postID string, ct container) {
	if postID == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.containers[postID] = ct
}

// receipt reads the new post's permalink; a failure there is logged, never
// returned: the post exists.
func (p *Publisher) receipt(ctx context.Context, m bots.Message, mediaID string) bots.Receipt {
	rc := bots.Receipt{ID: mediaID, PublishedAt: p.c.now()}
	media, found, err := p.c.GetMedia(ctx, mediaID)
	if err != nil || !found {
		p.c.log.WarnContext(ctx, "instagram: post published, permalink unknown", "post_id", m.PostID, "media_id", mediaID, "error", err)
	} else {
		rc = p.mediaReceipt(media)
	}
	p.c.log.InfoContext(ctx, "instagram: post published", "post_id", m.PostID, "media_id", mediaID)
	return rc
}

func (p *Publisher) mediaReceipt(m Media) bots.Receipt {
	at := m.Timestamp
	if at.IsZero() {
		at = p.c.now()
	}
	return bots.Receipt{ID: m.ID, URL: m.Permalink, PublishedAt: at}
}

func (p *Publisher) findByCaption(ctx context.Context, caption string) (Media, bool, error) {
	media, err := p.c.RecentMedia(ctx, 25)
	if err != nil {
		return Media{}, false, err
	}
	for _, m := range media {
		if m.Caption == caption {
			return m, true, nil
		}
	}
	return Media{}, false, nil
}

// FindRecent searches the account's latest 50 posts created since since for
// one with this caption, matched by bots.PostMatcher.
func (p *Publisher) FindRecent(ctx context.Context, text string, since time.Time) (bots.Receipt, bool, error) {
	media, err := p.c.RecentMedia(ctx, recentWindow)
	if err != nil {
		return bots.Receipt{}, false, err
	}
	m := bots.NewPostMatcher(trimCaption(text), since)
	for _, md := range media {
		if m.Match(md.Caption, md.Timestamp) {
			return p.mediaReceipt(md), true, nil
		}
	}
	return bots.Receipt{}, false, nil
}

// Engagement reads each post: likes are like_count, replies comments_count;
// shares and impressions need the insights permission and stay 0.
func (p *Publisher) Engagement(ctx context.Context, ids []string) (map[string]bots.Engagement, error) {
	out := make(map[string]bots.Engagement, len(ids))
	for _, id := range ids {
		m, found, err := p.c.GetMedia(ctx, id)
		if err != nil {
			return nil, err
		}
		if found {
			out[id] = bots.Engagement{Likes: m.Likes, Replies: m.Comments}
		}
	}
	return out, nil
}

// Verify checks the token by reading the account.
func (p *Publisher) Verify(ctx context.Context) error {
	_, err := p.c.Account(ctx)
	return err
}

func invalid(why string) *bots.Error {
	return &bots.Error{Network: Network, Kind: bots.KindInvalid, Message: "unable to publish media: " + why}
}

func cutRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

func itoa(n int) string { return strconv.Itoa(n) }

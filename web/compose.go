package web

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/composer"
)

// manualPost is a post a person writes, for one or more networks: the compose
// form and POST /api/v1/posts both come down to it.
type manualPost struct {
	Networks    []string   `json:"networks"`
	Text        string     `json:"text"`
	Link        string     `json:"link,omitempty"`
	ImageURL    string     `json:"image_url,omitempty"`
	Lang        string     `json:"lang,omitempty"`
	Approve     bool       `json:"approve,omitempty"`
	ScheduledAt *time.Time `json:"scheduled_at,omitempty"`
}

// drafts checks the post and makes one draft per channel (the rules are the
// composer's: composer.ManualDrafts).
func (s *Server) drafts(m manualPost, actor string) ([]content.Draft, error) {
	return composer.ManualDrafts(composer.Manual{Networks: m.Networks, Text: m.Text, Link: m.Link, ImageURL: m.ImageURL,
		Lang: m.Lang, ScheduledAt: m.ScheduledAt}, s.opt.EnabledNetworks, "manual:"+randomToken()[:16], actor, s.now())
}

// previewPosts renders drafts as the posts they would become.
func previewPosts(ds []content.Draft) []postView {
	out := make([]postView, len(ds))
	for i, d := range ds {
		out[i] = newPostView(content.Post{Network: d.Network, Kind: d.Kind, Text: d.Text, Link: d.Link,
			ImageURL: d.ImageURL, Lang: d.Lang, State: content.StatePending})
	}
	return out
}

// createManual queues the drafts, places them when a time was given (and
// the networks' limits allow it) and approves them when asked. It stops at
// the first error and returns what it made so far; what was made stays in
// the queue, visible, rather than half undone.
func (s *Server) createManual(ctx context.Context, m manualPost, actor string) ([]content.Post, error) {
	ds, err := s.drafts(m, actor)
	if err != nil {
		return nil, err
	}
	if m.ScheduledAt != nil && s.opt.Slots != nil {
		// A time a person chose is held to each network's limits, as a move
		// in the calendar is, before anything is queued.
		for _, d := range ds {
			p := content.Post{Network: d.Network, Kind: d.Kind, CampaignID: d.CampaignID, NotAfter: d.NotAfter, State: content.StatePending}
			v, err := s.opt.Slots.CheckSlot(ctx, p, *m.ScheduledAt)
			if err != nil {
				return nil, err
			}
			if !v.OK() {
				return nil, &slotRefused{post: p, at: *m.ScheduledAt, verdict: v}
			}
		}
	}
	var out []content.Post
	for _, d := range ds {
		p, _, err := s.opt.Queue.Create(ctx, d)
		if err != nil {
			return out, fmt.Errorf("%s: %w", d.Network, err)
		}
		if m.ScheduledAt != nil {
			if p, err = s.opt.Queue.Edit(ctx, p.ID, content.Edit{ScheduledAt: m.ScheduledAt}, actor); err != nil {
				return append(out, p), fmt.Errorf("%s: %w", d.Network, err)
			}
		}
		if m.Approve && p.State == content.StatePending {
			ap, err := s.opt.Queue.Approve(ctx, p.ID, actor)
			if err != nil && !errors.Is(err, content.ErrWrongState) {
				return append(out, p), fmt.Errorf("%s: %w", d.Network, err)
			}
			if err == nil {
				p = ap
			}
		}
		out = append(out, p)
	}
	return out, nil
}

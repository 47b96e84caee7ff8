package web

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/text"
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

// drafts checks the post and makes one draft per network. On X the link goes
// into the text, as the composer does; on Facebook it is the link preview.
func (s *Server) drafts(m manualPost, actor string) ([]content.Draft, error) {
	if len(m.Networks) == 0 {
		return nil, &content.FieldError{Field: "networks", Message: "choose at least one network"}
	}
	seen := map[string]bool{}
	for _, n := range m.Networks {
		if !slices.Contains(s.opt.EnabledNetworks, n) {
			return nil, &content.FieldError{Field: "networks", Message: fmt.Sprintf("%q is not an enabled network (%s)", n, strings.Join(s.opt.EnabledNetworks, ", "))}
		}
		if seen[n] {
			return nil, &content.FieldError{Field: "networks", Message: fmt.Sprintf("%q is listed twice", n)}
		}
		seen[n] = true
	}
	body := strings.TrimSpace(m.Text)
	if body == "" {
		return nil, &content.FieldError{Field: "text", Message: "is required"}
	}
	if m.Link != "" {
		u, err := url.Parse(m.Link)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, &content.FieldError{Field: "link", Message: "must be an absolute http(s) URL"}
		}
	}
	if m.ImageURL != "" && !strings.HasPrefix(m.ImageURL, "https://") {
		return nil, &content.FieldError{Field: "image_url", Message: "must be an https URL"}
	}
	lang := m.Lang
	if lang == "" {
		lang = "en"
	}
	if len(lang) > 16 {
		return nil, &content.FieldError{Field: "lang", Message: "is not a language tag such as fr or en"}
	}
	if m.ScheduledAt != nil && !m.ScheduledAt.After(s.now()) {
		return nil, &content.FieldError{Field: "scheduled_at", Message: "is in the past"}
	}
	key := "manual:" + randomToken()[:16]
	var ds []content.Draft
	for _, n := range m.Networks {
		d := content.Draft{DedupKey: key, GroupID: key, Kind: content.KindManual, Network: n,
			Text: body, ImageURL: m.ImageURL, Lang: lang, Actor: actor}
		if nw := text.NetworkOf(n); nw == content.NetworkX || nw == content.NetworkMastodon {
			if m.Link != "" && !strings.Contains(body, m.Link) {
				d.Text = body + " " + m.Link
			}
		} else {
			d.Link = m.Link
		}
		res, err := text.Check(n, d.Text)
		if err != nil {
			return nil, &content.FieldError{Field: "networks", Message: err.Error()}
		}
		if !res.Valid {
			return nil, &content.FieldError{Field: "text", Message: fmt.Sprintf("is too long or invalid for %s: %d/%d", n, res.WeightedLength, res.Max)}
		}
		ds = append(ds, d)
	}
	return ds, nil
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

// createManual queues the drafts, places them when a time was given and
// approves them when asked. It stops at the first error and returns what it
// made so far; what was made stays in the queue, visible, rather than half
// undone.
func (s *Server) createManual(ctx context.Context, m manualPost, actor string) ([]content.Post, error) {
	ds, err := s.drafts(m, actor)
	if err != nil {
		return nil, err
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

package composer

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/text"
)

// Manual is a post a person writes for one or more channels (the dashboard's
// compose form and POST /api/v1/posts).
type Manual struct {
	Networks    []string // channels: "x", "x@platform_fr"
	Text        string
	Link        string // optional; absolute http(s)
	ImageURL    string // optional; https
	Lang        string // default "en"
	ScheduledAt *time.Time
}

// ManualDrafts checks a manual post against the channels it may go to
// (enabled) and makes one draft per channel, each with its link where the
// network carries it (text.LinkInText: in the text on X and Mastodon, beside
// it elsewhere) and within the network's rules. key groups the drafts and
// makes their creation idempotent. Errors are *content.FieldError naming the
// field.
func ManualDrafts(m Manual, enabled []string, key, actor string, now time.Time) ([]content.Draft, error) {
	if len(m.Networks) == 0 {
		return nil, &content.FieldError{Field: "networks", Message: "choose at least one network"}
	}
	seen := map[string]bool{}
	for _, n := range m.Networks {
		if !slices.Contains(enabled, n) {
			return nil, &content.FieldError{Field: "networks", Message: fmt.Sprintf("%q is not an enabled network (%s)", n, strings.Join(enabled, ", "))}
		}
		if seen[n] {
			return nil, &content.FieldError{Field: "networks", Message: fmt.Sprintf("%q is listed twice", n)}
		}
		seen[n] = true
		if text.NetworkOf(n) == content.NetworkInstagram && m.ImageURL == "" {
			return nil, &content.FieldError{Field: "image_url", Message: fmt.Sprintf("is required for %s: an Instagram post is an image", n)}
		}
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
	if m.ScheduledAt != nil && !m.ScheduledAt.After(now) {
		return nil, &content.FieldError{Field: "scheduled_at", Message: "is in the past"}
	}
	var ds []content.Draft
	for _, n := range m.Networks {
		d := content.Draft{DedupKey: key, GroupID: key, Kind: content.KindManual, Network: n,
			Text: body, ImageURL: m.ImageURL, Lang: lang, Actor: actor}
		if text.LinkInText(n) {
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

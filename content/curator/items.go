package curator

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/fanfarehq/fanfare/content"
)

// Item is one entry of a fetched feed, as `fanfare feeds fetch` prints it.
type Item struct {
	Title     string
	Link      string
	Published time.Time // zero when the feed does not say
}

// itemJSON is the contract of `fanfare feeds fetch --json`: every field always
// present, published RFC 3339 or null.
type itemJSON struct {
	Title     string     `json:"title"`
	Link      string     `json:"link"`
	Published *time.Time `json:"published"`
}

// MarshalJSON writes {"title","link","published"}.
func (it Item) MarshalJSON() ([]byte, error) {
	j := itemJSON{Title: it.Title, Link: it.Link}
	if !it.Published.IsZero() {
		p := it.Published.UTC()
		j.Published = &p
	}
	return json.Marshal(j)
}

// WriteJSONLines writes one JSON object per item, one per line.
func WriteJSONLines(w io.Writer, items []Item) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, it := range items {
		if err := enc.Encode(it); err != nil {
			return fmt.Errorf("curator: unable to write item: %w", err)
		}
	}
	return nil
}

// FetchOnce fetches and parses one feed without storing anything: it touches
// neither Redis nor the draft sink, so a Curator built with nil for both can
// serve `fanfare feeds fetch`. The error names the problem when the document
// is not a usable feed.
func (c *Curator) FetchOnce(ctx context.Context, feedURL string) ([]Item, error) {
	f, err := NormalizeFeed(content.Feed{URL: feedURL})
	if err != nil {
		return nil, fmt.Errorf("curator: %w", err)
	}
	release, err := c.hosts.acquire(ctx, hostOf(f.URL))
	if err != nil {
		return nil, fmt.Errorf("curator: %s: %w", f.URL, err)
	}
	resp, err := c.get(ctx, f.URL, "", "")
	release()
	if err != nil {
		return nil, fmt.Errorf("curator: %s: %w", f.URL, err)
	}
	parsed, err := c.parse(resp.Body, resp.ContentType)
	if err != nil {
		return nil, fmt.Errorf("curator: %s: %w", f.URL, err)
	}
	base := feedBase(parsed, resp.FinalURL)
	items := make([]Item, 0, len(parsed.Items))
	for _, it := range parsed.Items {
		if it == nil {
			continue
		}
		items = append(items, Item{
			Title:     plainText(it.Title),
			Link:      absoluteHTTP(it.Link, base),
			Published: published(it),
		})
	}
	return items, nil
}

// itemKey identifies an item across fetches: its GUID (only unique within its
// feed, so scoped by the feed), else its link, else a hash of what it says.
func itemKey(feedURL string, it *gofeed.Item, link string) string {
	switch {
	case strings.TrimSpace(it.GUID) != "":
		return "g" + shortHash(feedURL+"\n"+strings.TrimSpace(it.GUID))
	case link != "":
		return "l" + shortHash(link)
	default:
		return "h" + shortHash(it.Title+"\n"+it.Description+"\n"+it.Content)
	}
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}

func published(it *gofeed.Item) time.Time {
	switch {
	case it.PublishedParsed != nil:
		return it.PublishedParsed.UTC()
	case it.UpdatedParsed != nil:
		return it.UpdatedParsed.UTC()
	}
	return time.Time{}
}

// feedBase is what relative item links resolve against: the site's link, else
// the URL the feed was finally fetched from.
func feedBase(f *gofeed.Feed, fetchedFrom string) *url.URL {
	from, _ := url.Parse(fetchedFrom)
	if f != nil && f.Link != "" {
		if u, err := url.Parse(strings.TrimSpace(f.Link)); err == nil {
			if from != nil {
				u = from.ResolveReference(u)
			}
			if u.IsAbs() {
				return u
			}
		}
	}
	return from
}

func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	return strings.ToLower(u.Host)
}

package curator

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/mmcdole/gofeed"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/internal/urlredact"
)

type curateStats struct{ fresh, relevant, drafts int }

// candidate is an item of the document with what curation needs of it.
type candidate struct {
	key       string
	title     string
	link      string
	texts     []string
	links     []string
	published time.Time
}

// curate claims the document's new items and drafts the relevant ones. An item
// whose drafting fails is released, to be tried again at the next fetch.
func (c *Curator) curate(ctx context.Context, feed content.Feed, parsed *gofeed.Feed, fetchedFrom string, now time.Time) (curateStats, error) {
	var st curateStats
	base := feedBase(parsed, fetchedFrom)
	items := parsed.Items
	if len(items) > maxItemsPerDocument {
		items = items[:maxItemsPerDocument]
	}
	cands := make(map[string]candidate, len(items))
	keys := make([]any, 0, len(items))
	for _, it := range items {
		if it == nil {
			continue
		}
		cd := newCandidate(feed.URL, it, base)
		if _, dup := cands[cd.key]; dup {
			continue
		}
		cands[cd.key] = cd
		keys = append(keys, cd.key)
	}
	if len(keys) == 0 {
		return st, nil
	}
	args := append([]any{now.UnixMilli(), c.opts.SeenLimit, c.opts.SeenTTL.Milliseconds()}, keys...)
	fresh, err := claimItemsScript.Run(ctx, c.rdb, []string{feedSeenKey(c.prefix, feed.URL)}, args...).StringSlice()
	if err != nil {
		return st, fmt.Errorf("unable to claim items: %w", err)
	}
	st.fresh = len(fresh)

	source := sourceName(plainText(parsed.Title), feed.URL)
	lang := primaryLang(cmp.Or(feed.Lang, parsed.Language, c.opts.DefaultLang))
	kw := newKeywordMatcher(feed.Keywords)
	var errs []error
	var release []any
	for _, key := range fresh {
		cd := cands[key]
		if c.opts.MaxItemAge > 0 && !cd.published.IsZero() && now.Sub(cd.published) > c.opts.MaxItemAge {
			continue
		}
		campaignID, err := c.matchCampaign(ctx, cd)
		if err != nil {
			errs = append(errs, err)
			release = append(release, key)
			continue
		}
		if campaignID == "" && !kw.match(cd.texts...) {
			continue
		}
		if cd.link == "" {
			// "Worth a read" with nothing to click is not worth a post.
			continue
		}
		st.relevant++
		drafts, err := c.drafts(draftInput{
			key: key, feed: feed, source: source, title: cd.title, link: cd.link,
			lang: lang, campaignID: campaignID,
		}, now)
		if err != nil {
			// The item itself is unusable (a link too long to post, say):
			// retrying cannot help, so it stays seen.
			c.opts.Logger.Warn("curator: item skipped", "feed_url", urlredact.URL(feed.URL), "item_link", cd.link, "error", err)
			continue
		}
		made, err := c.createDrafts(ctx, feed, drafts)
		st.drafts += made
		if err != nil {
			errs = append(errs, fmt.Errorf("item %q: %w", cmp.Or(cd.title, cd.link, key), err))
			release = append(release, key)
		}
	}
	if len(release) > 0 {
		if err := c.rdb.ZRem(ctx, feedSeenKey(c.prefix, feed.URL), release...).Err(); err != nil {
			errs = append(errs, fmt.Errorf("unable to release items for a retry: %w", err))
		}
	}
	return st, errors.Join(errs...)
}

func newCandidate(feedURL string, it *gofeed.Item, base *url.URL) candidate {
	link := absoluteHTTP(it.Link, base)
	title := strings.TrimSpace(plainText(it.Title))
	linkBase := base
	if u, err := url.Parse(link); err == nil && link != "" {
		linkBase = u
	}
	desc, descLinks := textAndLinks(it.Description, linkBase)
	body, bodyLinks := textAndLinks(it.Content, linkBase)
	links := []string{}
	for _, l := range append(append([]string{link}, bodyLinks...), descLinks...) {
		if l != "" && !slices.Contains(links, l) && len(links) < maxLinksPerItem {
			links = append(links, l)
		}
	}
	return candidate{
		key:       itemKey(feedURL, it, link),
		title:     title,
		link:      link,
		texts:     []string{title, desc, body},
		links:     links,
		published: published(it),
	}
}

// matchCampaign returns the id of the campaign the item or its content links
// to, or "".
func (c *Curator) matchCampaign(ctx context.Context, cd candidate) (string, error) {
	if c.matcher == nil {
		return "", nil
	}
	for _, l := range cd.links {
		id, ok, err := c.matcher.MatchURL(ctx, l)
		if err != nil {
			return "", fmt.Errorf("unable to match %s to a campaign: %w", l, err)
		}
		if ok {
			return id, nil
		}
	}
	return "", nil
}

// createDrafts hands an item's drafts to the sink and, for an auto-approved
// feed, approves those it created. It returns how many posts it created.
func (c *Curator) createDrafts(ctx context.Context, feed content.Feed, drafts []content.Draft) (int, error) {
	made := 0
	for _, d := range drafts {
		p, created, err := c.sink.Create(ctx, d)
		if err != nil {
			return made, fmt.Errorf("unable to create the %s draft: %w", d.Network, err)
		}
		if !created {
			continue
		}
		made++
		if ap, ok := c.sink.(approver); ok && feed.AutoApprove && p.State == content.StatePending {
			if _, err := ap.Approve(ctx, p.ID, actor); err != nil {
				return made, fmt.Errorf("unable to auto-approve post %s: %w", p.ID, err)
			}
		}
	}
	return made, nil
}

// sourceName is how a post credits the feed: its title, else its host.
func sourceName(title, feedURL string) string {
	if t := strings.Join(strings.Fields(title), " "); t != "" {
		return t
	}
	return strings.TrimPrefix(hostOf(feedURL), "www.")
}

// plainText is an HTML or plain fragment as one line of postable text: tags
// gone, spaces collapsed, control and non-characters (which X refuses) dropped.
func plainText(s string) string {
	t, _ := textAndLinks(s, nil)
	t = strings.Map(func(r rune) rune {
		if r == '\uFEFF' || r == '\uFFFE' || r == '\uFFFF' || unicode.IsControl(r) && !unicode.IsSpace(r) {
			return -1
		}
		return r
	}, t)
	return strings.Join(strings.Fields(t), " ")
}

package web

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/fanfarehq/fanfare/content"
)

// TestAtomFeed: the public feed is titled with the platform's name, keeps
// one entry per event (the fuller Facebook text), newest first, and leads
// readers to the campaign's public page tagged utm_source=atom; an entry
// whose campaign the tracker no longer knows leads to the post on the
// network, one with a link of its own to that link, re-tagged.
func TestAtomFeed(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.PlatformName = "Ulule" })
	e.camps.put(testCampaign(e.clock.Now()), nil, nil)
	t1 := time.Date(2026, 3, 8, 10, 0, 0, 0, time.UTC)
	t2 := t1.Add(24 * time.Hour)
	e.queue.add(content.Post{GroupID: "42/percent:50", CampaignID: "42", Network: "x", Kind: content.KindMilestone, State: content.StatePublished,
		Text: "50 % ! https://example.org/p", PublishedAt: t1, ExternalURL: "https://x.com/fanfare/status/1"})
	e.queue.add(content.Post{GroupID: "42/percent:50", CampaignID: "42", Network: "facebook", Kind: content.KindMilestone, State: content.StatePublished,
		Text: "Lumière est financé à 50 % <grâce à vous> & merci !", PublishedAt: t1.Add(time.Minute), ExternalURL: "https://facebook.com/1_2"})
	e.queue.add(content.Post{GroupID: "43/launch", CampaignID: "43", Network: "x", Kind: content.KindMilestone, State: content.StatePublished,
		Text: "New: Forge", PublishedAt: t2, ExternalURL: "https://x.com/fanfare/status/2"})
	e.queue.add(content.Post{GroupID: "44/launch", CampaignID: "44", Network: "x", Kind: content.KindMilestone, State: content.StatePending, Text: "not yet"})
	t0 := t1.Add(-24 * time.Hour)
	e.queue.add(content.Post{GroupID: "manual:1", Network: "facebook", Kind: content.KindManual, State: content.StatePublished,
		Text: "Salon ce week-end", Link: "https://example.org/salon?utm_source=facebook&ref=home", PublishedAt: t0, ExternalURL: "https://facebook.com/1_3"})

	b := e.browser() // public: no login
	resp := b.get("/feed.atom")
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
		t.Errorf("content type %q", ct)
	}
	raw, _ := io.ReadAll(resp.Body)
	var f struct {
		XMLName xml.Name
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Links   []struct {
			Rel  string `xml:"rel,attr"`
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Author struct {
			Name string `xml:"name"`
		} `xml:"author"`
		Entries []struct {
			ID        string `xml:"id"`
			Title     string `xml:"title"`
			Updated   string `xml:"updated"`
			Published string `xml:"published"`
			Link      struct {
				Href string `xml:"href,attr"`
			} `xml:"link"`
			Content struct {
				Type string `xml:"type,attr"`
				Body string `xml:",chardata"`
			} `xml:"content"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(raw, &f); err != nil {
		t.Fatalf("not XML: %v\n%s", err, raw)
	}
	if f.XMLName.Space != "http://www.w3.org/2005/Atom" || f.XMLName.Local != "feed" {
		t.Errorf("root %v", f.XMLName)
	}
	if f.ID == "" || f.Title != "Ulule" || f.Author.Name != "Ulule" {
		t.Errorf("feed id %q title %q author %q, want the platform's name", f.ID, f.Title, f.Author.Name)
	}
	if _, err := time.Parse(time.RFC3339, f.Updated); err != nil || f.Updated != t2.Format(time.RFC3339) {
		t.Errorf("feed updated %q, want the newest entry's time", f.Updated)
	}
	self := false
	for _, l := range f.Links {
		self = self || (l.Rel == "self" && l.Href == "https://fanfare.example.org/feed.atom")
	}
	if !self {
		t.Errorf("no rel=self link: %+v", f.Links)
	}
	if len(f.Entries) != 3 {
		t.Fatalf("%d entries, want one per published event (3)", len(f.Entries))
	}
	if f.Entries[0].Link.Href != "https://x.com/fanfare/status/2" {
		t.Errorf("newest first: %q", f.Entries[0].Link.Href)
	}
	second := f.Entries[1]
	if second.Link.Href != "https://example.org/p/lumiere?utm_campaign=fanfare&utm_medium=feed&utm_source=atom" || second.Content.Body != "Lumière est financé à 50 % <grâce à vous> & merci !" || second.Content.Type != "text" {
		t.Errorf("the Facebook text is not the one kept, or the link is not the campaign's tagged page: %+v", second)
	}
	if got := f.Entries[2].Link.Href; got != "https://example.org/salon?ref=home&utm_campaign=fanfare&utm_medium=feed&utm_source=atom" {
		t.Errorf("a manual post's link %q, want its own link re-tagged for the feed", got)
	}
	seen := map[string]bool{}
	for _, en := range f.Entries {
		if !strings.HasPrefix(en.ID, "tag:fanfare.example.org,") || seen[en.ID] {
			t.Errorf("entry id %q", en.ID)
		}
		seen[en.ID] = true
		for _, ts := range []string{en.Updated, en.Published} {
			if _, err := time.Parse(time.RFC3339, ts); err != nil {
				t.Errorf("entry time %q: %v", ts, err)
			}
		}
		if en.Title == "" {
			t.Error("entry without title")
		}
	}

	parsed, err := gofeed.NewParser().ParseString(string(raw))
	if err != nil {
		t.Fatalf("gofeed: %v", err)
	}
	if parsed.FeedType != "atom" || len(parsed.Items) != 3 || !strings.Contains(parsed.Items[1].Link, "utm_source=atom") {
		t.Errorf("gofeed read %s with %d items", parsed.FeedType, len(parsed.Items))
	}

	// Per campaign.
	raw2, _ := io.ReadAll(b.get("/campaigns/42/feed.atom").Body)
	cf, err := gofeed.NewParser().ParseString(string(raw2))
	if err != nil || len(cf.Items) != 1 || cf.Title != "Ulule — Lumière" {
		t.Errorf("campaign feed: %v %+v", err, cf)
	}
	if resp := b.get("/campaigns/nope/feed.atom"); resp.StatusCode != 404 {
		t.Errorf("unknown campaign feed: %d", resp.StatusCode)
	}
}

func TestEntryTitle(t *testing.T) {
	long := strings.Repeat("mot ", 40)
	if got := entryTitle(long); len([]rune(got)) > 91 || !strings.HasSuffix(got, "…") {
		t.Errorf("long title %q", got)
	}
	if got := entryTitle("First line\nsecond"); got != "First line" {
		t.Errorf("%q", got)
	}
}

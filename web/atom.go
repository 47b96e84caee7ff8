package web

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
)

// Atom 1.0 (RFC 4287), only what the feed uses.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomAuthor  `xml:"author"`
	Gen     string      `xml:"generator,omitempty"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomAuthor struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomEntry struct {
	ID        string     `xml:"id"`
	Title     string     `xml:"title"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published"`
	Links     []atomLink `xml:"link"`
	Content   atomText   `xml:"content"`
	Category  []atomCat  `xml:"category,omitempty"`
}

type atomCat struct {
	Term string `xml:"term,attr"`
}

const atomEntries = 50

func (s *Server) atomAll(w http.ResponseWriter, r *http.Request) {
	posts, _, err := s.opt.Queue.List(r.Context(), content.ListOptions{State: content.StatePublished, Limit: 500})
	if err != nil {
		s.log.Error("atom feed", "error", err)
		http.Error(w, "feed unavailable", http.StatusServiceUnavailable)
		return
	}
	s.writeAtom(r.Context(), w, "/feed.atom", s.opt.PlatformName, posts)
}

func (s *Server) atomCampaign(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	c, _, err := s.opt.Campaigns.Get(r.Context(), id)
	if errors.Is(err, campaigns.ErrNotFound) {
		http.Error(w, "campaign not found", http.StatusNotFound)
		return
	}
	if err != nil {
		s.log.Error("atom feed", "campaign_id", id, "error", err)
		http.Error(w, "feed unavailable", http.StatusServiceUnavailable)
		return
	}
	posts, _, err := s.opt.Queue.List(r.Context(), content.ListOptions{State: content.StatePublished, CampaignID: id, Limit: 500})
	if err != nil {
		s.log.Error("atom feed", "campaign_id", id, "error", err)
		http.Error(w, "feed unavailable", http.StatusServiceUnavailable)
		return
	}
	s.writeAtom(r.Context(), w, "/campaigns/"+url.PathEscape(id)+"/feed.atom", s.opt.PlatformName+" — "+c.Title, posts)
}

// announcements keeps one post per event (GroupID), the Facebook one when
// there is one since it carries the fuller text, newest first.
func announcements(posts []content.Post, n int) []content.Post {
	idx := map[string]int{}
	var out []content.Post
	for _, p := range posts {
		if p.State != content.StatePublished {
			continue
		}
		key := p.GroupID
		if key == "" {
			key = "post:" + p.ID
		}
		if i, ok := idx[key]; ok {
			if p.Network == content.NetworkFacebook && out[i].Network != content.NetworkFacebook {
				out[i] = p
			}
			continue
		}
		idx[key] = len(out)
		out = append(out, p)
	}
	// newest first by publication: the listing is by creation.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].PublishedAt.After(out[j-1].PublishedAt); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func (s *Server) writeAtom(ctx context.Context, w http.ResponseWriter, self, title string, posts []content.Post) {
	base := s.publicURL.String()
	host := s.publicURL.Hostname()
	f := atomFeed{
		ID:     base + self,
		Title:  title,
		Links:  []atomLink{{Rel: "self", Type: "application/atom+xml", Href: base + self}, {Rel: "alternate", Href: base + "/"}},
		Author: atomAuthor{Name: s.opt.PlatformName, URI: base + "/"},
		Gen:    "Fanfare",
	}
	var newest time.Time
	campaignURLs := map[string]string{}
	for _, p := range announcements(posts, atomEntries) {
		at := p.PublishedAt
		if at.IsZero() {
			at = p.UpdatedAt
		}
		if at.After(newest) {
			newest = at
		}
		key := p.GroupID
		if key == "" {
			key = p.ID
		}
		href := s.entryLink(ctx, p, campaignURLs)
		e := atomEntry{
			// tag: URIs (RFC 4151) stay the same if the public URL's scheme changes.
			ID:        "tag:" + host + "," + at.UTC().Format("2006-01-02") + ":" + tagSpecific(key),
			Title:     entryTitle(p.Text),
			Updated:   at.UTC().Format(time.RFC3339),
			Published: at.UTC().Format(time.RFC3339),
			Links:     []atomLink{{Rel: "alternate", Href: href}},
			Content:   atomText{Type: "text", Body: p.Text},
		}
		if p.Kind != "" {
			e.Category = append(e.Category, atomCat{Term: string(p.Kind)})
		}
		f.Entries = append(f.Entries, e)
	}
	if newest.IsZero() {
		newest = s.now()
	}
	f.Updated = newest.UTC().Format(time.RFC3339)
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		s.log.Error("atom feed encode", "error", err)
		http.Error(w, "feed unavailable", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = buf.WriteTo(w)
}

// entryLink is where an entry leads a reader: the public page of the
// campaign it is about, tagged utm_source=atom so the platform counts the
// feed's visits; else the post's own link, else the post on the network.
func (s *Server) entryLink(ctx context.Context, p content.Post, cache map[string]string) string {
	link := ""
	if p.CampaignID != "" {
		u, ok := cache[p.CampaignID]
		if !ok {
			u = s.campaign(ctx, p.CampaignID).URL
			cache[p.CampaignID] = u
		}
		link = u
	}
	if link == "" {
		link = p.Link
	}
	if link != "" {
		if tagged, ok := atomTagged(link); ok {
			return tagged
		}
	}
	if p.ExternalURL != "" {
		return p.ExternalURL
	}
	return s.publicURL.String() + "/posts/" + url.PathEscape(p.ID)
}

// atomTagged sets the tracking tag of a link followed from the feed,
// replacing any utm_* the link carried for another channel.
func atomTagged(link string) (string, bool) {
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	q := u.Query()
	for k := range q {
		if strings.HasPrefix(k, "utm_") {
			q.Del(k)
		}
	}
	q.Set("utm_source", "atom")
	q.Set("utm_medium", "feed")
	q.Set("utm_campaign", "fanfare")
	u.RawQuery = q.Encode()
	return u.String(), true
}

// tagSpecific percent-encodes what a tag URI's specific part may not hold.
func tagSpecific(s string) string {
	var b strings.Builder
	for _, seg := range strings.Split(s, "/") {
		if b.Len() > 0 {
			b.WriteByte('/')
		}
		b.WriteString(url.PathEscape(seg))
	}
	return b.String()
}

// entryTitle is the text's first line, cut at a word near 90 characters.
func entryTitle(text string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	if utf8.RuneCountInString(line) <= 90 {
		return line
	}
	r := []rune(line)[:90]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > 40 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}

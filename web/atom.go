package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
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
	s.serveAtom(w, r, "/feed.atom", func(ctx context.Context) (atomDoc, error) {
		posts, _, err := s.opt.Queue.List(ctx, content.ListOptions{State: content.StatePublished, Limit: 500})
		if err != nil {
			return atomDoc{}, err
		}
		return s.buildAtom(ctx, "/feed.atom", s.opt.PlatformName, posts)
	})
}

func (s *Server) atomCampaign(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	self := "/campaigns/" + url.PathEscape(id) + "/feed.atom"
	s.serveAtom(w, r, self, func(ctx context.Context) (atomDoc, error) {
		c, _, err := s.opt.Campaigns.Get(ctx, id)
		if err != nil {
			return atomDoc{}, err
		}
		posts, _, err := s.opt.Queue.List(ctx, content.ListOptions{State: content.StatePublished, CampaignID: id, Limit: 500})
		if err != nil {
			return atomDoc{}, err
		}
		return s.buildAtom(ctx, self, s.opt.PlatformName+" — "+c.Title, posts)
	})
}

// serveAtom answers a feed from the cache (building it when missing or
// older than atomCacheTTL), with ETag and Last-Modified, and 304 to a
// reader that already has this version.
func (s *Server) serveAtom(w http.ResponseWriter, r *http.Request, key string, build func(context.Context) (atomDoc, error)) {
	doc, err := s.atomCache.get(r.Context(), key, s.now(), build)
	if errors.Is(err, campaigns.ErrNotFound) {
		http.Error(w, "campaign not found", http.StatusNotFound)
		return
	}
	if err != nil {
		s.log.Error("atom feed", "feed", key, "error", err)
		http.Error(w, "feed unavailable", http.StatusServiceUnavailable)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/atom+xml; charset=utf-8")
	h.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(atomCacheTTL/time.Second)))
	h.Set("ETag", doc.etag)
	h.Set("Last-Modified", doc.modified.UTC().Format(http.TimeFormat))
	if notModified(r, doc) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(doc.body)
}

// notModified applies RFC 9110's conditional GET: If-None-Match wins when
// present, else If-Modified-Since at one second's precision.
func notModified(r *http.Request, doc atomDoc) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, tag := range strings.Split(inm, ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			if tag == doc.etag || tag == "*" {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		if t, err := http.ParseTime(ims); err == nil && !doc.modified.Truncate(time.Second).After(t) {
			return true
		}
	}
	return false
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

// buildAtom renders a feed; modified is its newest entry's time.
func (s *Server) buildAtom(ctx context.Context, self, title string, posts []content.Post) (atomDoc, error) {
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
		// No entry yet: a fixed date, so that the empty feed has one
		// version (and one ETag) until its first entry.
		newest = time.Unix(0, 0)
	}
	f.Updated = newest.UTC().Format(time.RFC3339)
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return atomDoc{}, fmt.Errorf("web: unable to encode the atom feed: %w", err)
	}
	sum := sha256.Sum256(buf.Bytes())
	return atomDoc{body: buf.Bytes(), etag: `"` + hex.EncodeToString(sum[:16]) + `"`, modified: newest}, nil
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

package fbfake

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// graphTime is Graph's created_time format.
const graphTime = "2006-01-02T15:04:05-0700"

func (s *Server) storeLocked(p Post) string {
	s.nextID++
	p.ID = s.pageID + "_" + strconv.FormatInt(s.nextID, 10)
	p.CreatedTime = p.CreatedTime.UTC().Truncate(1e9)
	s.posts = append(s.posts, p)
	return p.ID
}

func (s *Server) checkPage(w http.ResponseWriter, node, method string) bool {
	if node == s.pageID {
		return true
	}
	writeError(w, http.StatusBadRequest, CodeInvalidParameter, 33,
		"Unsupported "+method+" request. Object with ID '"+node+"' does not exist, cannot be loaded due to missing permissions, or does not support this operation.")
	return false
}

// duplicateLocked reports a message already on the Page.
func (s *Server) duplicateLocked(message string) bool {
	if strings.TrimSpace(message) == "" {
		return false
	}
	return slices.ContainsFunc(s.posts, func(p Post) bool { return p.Message == message })
}

func validURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Specs: https://developers.facebook.com/docs/graph-api/reference/page/feed#publish
func (s *Server) publishFeed(w http.ResponseWriter, r *http.Request, node string) {
	if !s.checkPage(w, node, "post") {
		return
	}
	message, link := r.Form.Get("message"), r.Form.Get("link")
	switch {
	case strings.TrimSpace(message) == "" && link == "":
		writeError(w, http.StatusBadRequest, CodeInvalidParameter, 0, "(#100) Either message or link must be set")
		return
	case link != "" && !validURL(link):
		writeError(w, http.StatusBadRequest, CodeInvalidParameter, 0, "(#100) The parameter link must be a valid URL")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.duplicateLocked(message) {
		writeError(w, http.StatusBadRequest, CodeDuplicate, 0, "(#506) Duplicate status message")
		return
	}
	id := s.storeLocked(Post{Message: message, Link: link, CreatedTime: s.now()})
	writeJSON(w, map[string]any{"id": id})
}

// Specs: https://developers.facebook.com/docs/graph-api/reference/page/photos#publish
func (s *Server) publishPhoto(w http.ResponseWriter, r *http.Request, node string) {
	if !s.checkPage(w, node, "post") {
		return
	}
	imageURL := r.Form.Get("url")
	caption := r.Form.Get("caption")
	if caption == "" {
		caption = r.Form.Get("message")
	}
	if !validURL(imageURL) {
		writeError(w, http.StatusBadRequest, CodeInvalidParameter, 0, "(#100) url should represent a valid URL")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.duplicateLocked(caption) {
		writeError(w, http.StatusBadRequest, CodeDuplicate, 0, "(#506) Duplicate status message")
		return
	}
	s.nextID++
	photoID := strconv.FormatInt(s.nextID, 10)
	id := s.storeLocked(Post{PhotoID: photoID, Message: caption, ImageURL: imageURL, CreatedTime: s.now()})
	writeJSON(w, map[string]any{"id": photoID, "post_id": id})
}

// Specs: https://developers.facebook.com/docs/graph-api/reference/page/feed#read
func (s *Server) listPosts(w http.ResponseWriter, r *http.Request, node string) {
	if !s.checkPage(w, node, "get") {
		return
	}
	limit := 25
	if v := r.Form.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, CodeInvalidParameter, 0, "(#100) limit must be a positive integer")
			return
		}
		limit = min(n, 100)
	}
	fields := fieldList(r.Form.Get("fields"))
	s.mu.Lock()
	defer s.mu.Unlock()
	data := []map[string]any{}
	for i := len(s.posts) - 1; i >= 0 && len(data) < limit; i-- {
		data = append(data, s.postJSON(s.posts[i], fields))
	}
	writeJSON(w, map[string]any{"data": data})
}

// Specs: https://developers.facebook.com/docs/graph-api/reference/post
func (s *Server) getPost(w http.ResponseWriter, r *http.Request, id string) {
	fields := fieldList(r.Form.Get("fields"))
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.findLocked(id)
	if !ok {
		writeError(w, http.StatusBadRequest, CodeInvalidParameter, 33,
			"Unsupported get request. Object with ID '"+id+"' does not exist, cannot be loaded due to missing permissions, or does not support this operation.")
		return
	}
	writeJSON(w, s.postJSON(p, fields))
}

// Specs: https://developers.facebook.com/docs/graph-api/guides/batch (the ids= form)
func (s *Server) getByIDs(w http.ResponseWriter, r *http.Request) {
	ids := strings.Split(r.Form.Get("ids"), ",")
	if len(ids) == 0 || ids[0] == "" {
		writeError(w, http.StatusBadRequest, CodeInvalidParameter, 0, "(#100) Must specify ids")
		return
	}
	if len(ids) > 50 {
		writeError(w, http.StatusBadRequest, CodeInvalidParameter, 0, "(#100) Too many IDs. Maximum: 50. Provided: "+strconv.Itoa(len(ids))+".")
		return
	}
	fields := fieldList(r.Form.Get("fields"))
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]any{}
	var missing []string
	for _, id := range ids {
		p, ok := s.findLocked(id)
		if !ok {
			missing = append(missing, id)
			continue
		}
		out[id] = s.postJSON(p, fields)
	}
	if len(missing) > 0 {
		writeError(w, http.StatusNotFound, CodeAliasesMissing, 0, "(#803) Some of the aliases you requested do not exist: "+strings.Join(missing, ","))
		return
	}
	writeJSON(w, out)
}

func (s *Server) deletePost(w http.ResponseWriter, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.posts, func(p Post) bool { return p.ID == id })
	if i < 0 {
		writeError(w, http.StatusBadRequest, CodeInvalidParameter, 33,
			"Unsupported delete request. Object with ID '"+id+"' does not exist, cannot be loaded due to missing permissions, or does not support this operation.")
		return
	}
	s.posts = slices.Delete(s.posts, i, i+1)
	writeJSON(w, map[string]any{"success": true})
}

func (s *Server) findLocked(id string) (Post, bool) {
	i := slices.IndexFunc(s.posts, func(p Post) bool { return p.ID == id })
	if i < 0 {
		return Post{}, false
	}
	return s.posts[i], true
}

// fieldList splits a fields parameter into its top-level names:
// "shares,reactions.summary(total_count)" → shares, reactions.
func fieldList(v string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i <= len(v); i++ {
		if i < len(v) {
			switch v[i] {
			case '(', '{':
				depth++
				continue
			case ')', '}':
				depth--
				continue
			case ',':
				if depth > 0 {
					continue
				}
			default:
				continue
			}
		}
		name, _, _ := strings.Cut(v[start:i], ".")
		if name = strings.TrimSpace(name); name != "" {
			out = append(out, name)
		}
		start = i + 1
	}
	return out
}

// postJSON renders a post with the requested fields; Graph always adds id and
// leaves out shares when nobody shared.
func (s *Server) postJSON(p Post, fields []string) map[string]any {
	m := map[string]any{"id": p.ID}
	for _, f := range fields {
		switch f {
		case "message":
			if p.Message != "" {
				m["message"] = p.Message
			}
		case "created_time":
			m["created_time"] = p.CreatedTime.Format(graphTime)
		case "permalink_url":
			_, post, _ := strings.Cut(p.ID, "_")
			m["permalink_url"] = "https://www.facebook.com/" + s.pageID + "/posts/" + post
		case "shares":
			if p.Shares > 0 {
				m["shares"] = map[string]any{"count": p.Shares}
			}
		case "reactions":
			m["reactions"] = map[string]any{"data": []any{}, "summary": map[string]any{"total_count": p.Reactions, "viewer_reaction": "NONE"}}
		case "comments":
			m["comments"] = map[string]any{"data": []any{}, "summary": map[string]any{"order": "ranked", "total_count": p.Comments, "can_comment": true}}
		}
	}
	return m
}

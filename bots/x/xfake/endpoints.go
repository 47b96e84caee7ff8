package xfake

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"

	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

type createRequest struct {
	Text  *string `json:"text"`
	Reply *struct {
		InReplyToTweetID string `json:"in_reply_to_tweet_id"`
	} `json:"reply"`
	Media *struct {
		MediaIDs []string `json:"media_ids"`
	} `json:"media"`
	QuoteTweetID string `json:"quote_tweet_id"`
}

// Specs: https://docs.x.com/x-api/posts/create-post
func (s *Server) createPost(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		writeInvalid(w, "body", "Content-Type must be application/json, got "+strconv.Quote(ct))
		return
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	var req createRequest
	if err := dec.Decode(&req); err != nil {
		writeInvalid(w, "body", "invalid JSON body: "+err.Error())
		return
	}
	hasMedia := req.Media != nil && len(req.Media.MediaIDs) > 0
	text := ""
	if req.Text != nil {
		text = *req.Text
	}
	switch {
	case strings.TrimSpace(text) == "" && !hasMedia:
		writeInvalid(w, "text", "text must not be empty when there is no media")
		return
	case weightedLength(text) > s.maxTextLen:
		writeProblem(w, http.StatusBadRequest, "Invalid Request", "https://api.twitter.com/2/problems/invalid-request",
			fmt.Sprintf("Your Tweet text is too long: weighted length %d, max %d.", weightedLength(text), s.maxTextLen))
		return
	case req.Reply != nil && req.Reply.InReplyToTweetID == "":
		writeInvalid(w, "reply.in_reply_to_tweet_id", "reply.in_reply_to_tweet_id must be set")
		return
	case req.Media != nil && len(req.Media.MediaIDs) > 4:
		writeInvalid(w, "media.media_ids", "at most 4 media_ids are allowed")
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if hasMedia {
		for _, id := range req.Media.MediaIDs {
			if m := s.media[id]; m == nil || !m.Uploaded {
				writeInvalid(w, "media.media_ids", "Your media IDs are invalid.")
				return
			}
		}
	}
	for _, p := range s.posts {
		if text != "" && p.Text == text {
			writeProblem(w, http.StatusForbidden, "Forbidden", "about:blank", DuplicateDetail)
			return
		}
	}
	p := Post{Text: text, CreatedAt: s.now().UTC(), QuoteOf: req.QuoteTweetID}
	if req.Reply != nil {
		p.ReplyTo = req.Reply.InReplyToTweetID
	}
	if hasMedia {
		p.MediaIDs = append([]string(nil), req.Media.MediaIDs...)
	}
	id := s.storeLocked(p)
	writeJSON(w, http.StatusCreated, map[string]any{"data": map[string]any{
		"id": id, "text": publicText(text), "edit_history_tweet_ids": []string{id},
	}})
}

func (s *Server) storeLocked(p Post) string {
	s.nextID++
	p.ID = strconv.FormatInt(s.nextID, 10)
	s.posts = append(s.posts, p)
	return p.ID
}

// Specs: https://docs.x.com/x-api/posts/delete-post
func (s *Server) deletePost(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.posts, func(p Post) bool { return p.ID == id })
	if i < 0 {
		// X answers a delete of an unknown post with deleted false.
		writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"deleted": false}})
		return
	}
	s.posts = slices.Delete(s.posts, i, i+1)
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"deleted": true}})
}

// Specs: https://docs.x.com/x-api/posts/get-posts-by-ids
func (s *Server) lookupPosts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	raw := q.Get("ids")
	if raw == "" {
		writeInvalid(w, "ids", "the ids query parameter is required")
		return
	}
	ids := strings.Split(raw, ",")
	if len(ids) > 100 {
		writeInvalid(w, "ids", "at most 100 ids are allowed")
		return
	}
	fields := strings.Split(q.Get("tweet.fields"), ",")
	s.mu.Lock()
	defer s.mu.Unlock()
	var data, errs []map[string]any
	for _, id := range ids {
		i := slices.IndexFunc(s.posts, func(p Post) bool { return p.ID == id })
		if i < 0 {
			errs = append(errs, map[string]any{
				"value": id, "detail": "Could not find tweet with ids: [" + id + "].",
				"title": "Not Found Error", "resource_type": "tweet", "parameter": "ids",
				"resource_id": id, "type": "https://api.twitter.com/2/problems/resource-not-found",
			})
			continue
		}
		data = append(data, postJSON(s.posts[i], fields))
	}
	body := map[string]any{}
	if data != nil {
		body["data"] = data
	}
	if errs != nil {
		body["errors"] = errs
	}
	writeJSON(w, http.StatusOK, body)
}

// Specs: https://docs.x.com/x-api/users/get-my-user
func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"id": UserID, "name": Name, "username": Username}})
}

// Specs: https://docs.x.com/x-api/users/get-posts
func (s *Server) userPosts(w http.ResponseWriter, r *http.Request) {
	if id := r.PathValue("id"); id != UserID {
		writeProblem(w, http.StatusNotFound, "Not Found Error", "https://api.twitter.com/2/problems/resource-not-found", "Could not find user with id: ["+id+"].")
		return
	}
	q := r.URL.Query()
	n := 10
	if v := q.Get("max_results"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 5 || n > 100 {
			writeInvalid(w, "max_results", "The `max_results` query parameter value ["+v+"] is not between 5 and 100")
			return
		}
	}
	fields := strings.Split(q.Get("tweet.fields"), ",")
	s.mu.Lock()
	defer s.mu.Unlock()
	data := []map[string]any{}
	for i := len(s.posts) - 1; i >= 0 && len(data) < n; i-- {
		data = append(data, postJSON(s.posts[i], fields))
	}
	meta := map[string]any{"result_count": len(data)}
	body := map[string]any{"meta": meta}
	if len(data) > 0 {
		body["data"] = data
		meta["newest_id"] = data[0]["id"]
		meta["oldest_id"] = data[len(data)-1]["id"]
	}
	writeJSON(w, http.StatusOK, body)
}

func postJSON(p Post, fields []string) map[string]any {
	m := map[string]any{"id": p.ID, "text": publicText(p.Text), "edit_history_tweet_ids": []string{p.ID}}
	if slices.Contains(fields, "created_at") {
		m["created_at"] = p.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	if slices.Contains(fields, "public_metrics") {
		m["public_metrics"] = p.Metrics
	}
	return m
}

var urlPattern = regexp.MustCompile(`https?://[^\s]+`)

// publicText is the text as X returns it: every link replaced by a t.co
// link, and &, < and > as HTML entities.
func publicText(text string) string {
	text = urlPattern.ReplaceAllStringFunc(text, func(u string) string {
		sum := sha256.Sum256([]byte(u))
		return fmt.Sprintf("https://t.co/%x", sum[:5])
	})
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(text)
}

// weightedLength approximates twitter-text v3 weighting: links weigh 23,
// code points in the light ranges weigh 1, others 2 (emoji sequences are not
// folded, so they count somewhat heavier than on X).
func weightedLength(text string) int {
	n := 0
	text = urlPattern.ReplaceAllStringFunc(text, func(string) string { n += 23; return "" })
	for _, r := range text {
		switch {
		case r <= 4351, 8192 <= r && r <= 8205, 8208 <= r && r <= 8223, 8242 <= r && r <= 8247:
			n++
		default:
			n += 2
		}
	}
	return n
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func writeProblem(w http.ResponseWriter, status int, title, typ, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(map[string]any{"title": title, "type": typ, "status": status, "detail": detail})
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func writeInvalid(w http.ResponseWriter, param, message string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{
		"errors": []map[string]any{{"parameters": map[string]any{param: []string{}}, "message": message}},
		"title":  "Invalid Request",
		"detail": "One or more parameters to your request was invalid.",
		"type":   "https://api.twitter.com/2/problems/invalid-request",
	})
}

package bskyfake

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rivo/uniseg"

	"github.com/fanfarehq/fanfare/bots/internal/fault"
	"github.com/fanfarehq/fanfare/bots/media"
)

const (
	maxBlobBytes  = 5 << 20 // the PDS's default blob limit
	maxThumbBytes = 1_000_000
)

var tidPattern = regexp.MustCompile(`^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$`)

// Specs: https://docs.bsky.app/docs/api/com-atproto-server-create-session
func (s *Server) createSession(w http.ResponseWriter, r *http.Request) {
	var in struct{ Identifier, Password string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Identifier == "" || in.Password == "" {
		writeError(w, http.StatusBadRequest, "InvalidRequest", "Input must have the properties \"identifier\" and \"password\"")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := strings.ToLower(strings.TrimPrefix(in.Identifier, "@"))
	if (id != Handle && id != DID) || in.Password != s.appPassword {
		writeError(w, http.StatusUnauthorized, "AuthenticationRequired", "Invalid identifier or password")
		return
	}
	s.logins++
	fault.WriteJSON(w, http.StatusOK, s.issueLocked())
}

// Specs: https://docs.bsky.app/docs/api/com-atproto-server-refresh-session
func (s *Server) refreshSession(w http.ResponseWriter, r *http.Request) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[tok].used = true // a refresh token is good once
	s.refreshes++
	fault.WriteJSON(w, http.StatusOK, s.issueLocked())
}

// Specs: https://docs.bsky.app/docs/api/com-atproto-server-get-session
func (s *Server) getSession(w http.ResponseWriter, r *http.Request) {
	fault.WriteJSON(w, http.StatusOK, map[string]any{"handle": Handle, "did": DID, "active": true})
}

// Specs: https://docs.bsky.app/docs/api/com-atproto-identity-resolve-handle
func (s *Server) resolveHandle(w http.ResponseWriter, r *http.Request) {
	h := strings.ToLower(r.URL.Query().Get("handle"))
	s.mu.Lock()
	did, ok := s.handles[h]
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusBadRequest, "InvalidRequest", "Unable to resolve handle")
		return
	}
	fault.WriteJSON(w, http.StatusOK, map[string]string{"did": did})
}

// Specs: https://docs.bsky.app/docs/api/com-atproto-repo-upload-blob
func (s *Server) uploadBlob(w http.ResponseWriter, r *http.Request) {
	data, _ := io.ReadAll(io.LimitReader(r.Body, maxBlobBytes+1))
	if len(data) > maxBlobBytes {
		writeError(w, http.StatusRequestEntityTooLarge, "PayloadTooLarge", "request entity too large")
		return
	}
	if len(data) == 0 {
		writeError(w, http.StatusBadRequest, "InvalidRequest", "empty blob")
		return
	}
	mime := r.Header.Get("Content-Type")
	if im, err := media.Check(data); err == nil {
		mime = im.Type // the PDS sniffs the bytes too
	}
	ref := cid(string(data))
	s.mu.Lock()
	s.blobs[ref] = blob{mime: mime, size: len(data)}
	s.mu.Unlock()
	fault.WriteJSON(w, http.StatusOK, map[string]any{"blob": map[string]any{"$type": "blob", "ref": map[string]string{"$link": ref}, "mimeType": mime, "size": len(data)}})
}

type writeInput struct {
	Repo       string          `json:"repo"`
	Collection string          `json:"collection"`
	RKey       string          `json:"rkey"`
	Validate   *bool           `json:"validate"`
	Record     map[string]any  `json:"record"`
	SwapRecord json.RawMessage `json:"swapRecord"`
}

func (s *Server) readWrite(w http.ResponseWriter, r *http.Request) (writeInput, bool) {
	var in writeInput
	if err := json.NewDecoder(io.LimitReader(r.Body, 1_000_000)).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "InvalidRequest", "Invalid JSON: "+err.Error())
		return in, false
	}
	switch {
	case in.Repo != DID && in.Repo != Handle:
		writeError(w, http.StatusUnauthorized, "AuthenticationRequired", "Authentication Required")
		return in, false
	case in.Collection != "app.bsky.feed.post":
		writeError(w, http.StatusBadRequest, "InvalidRequest", "this fake stores app.bsky.feed.post only, got "+in.Collection)
		return in, false
	case in.RKey != "" && !tidPattern.MatchString(in.RKey):
		writeError(w, http.StatusBadRequest, "InvalidRequest", "Invalid record key for app.bsky.feed.post: must be a TID")
		return in, false
	case in.Validate != nil && !*in.Validate:
		writeError(w, http.StatusBadRequest, "InvalidRequest", "Unvalidated writes are not yet supported.")
		return in, false
	}
	if msg := s.validatePost(in.Record); msg != "" {
		writeError(w, http.StatusBadRequest, "InvalidRequest", "Invalid app.bsky.feed.post record: "+msg)
		return in, false
	}
	return in, true
}

// Specs: https://docs.bsky.app/docs/api/com-atproto-repo-put-record
func (s *Server) putRecord(w http.ResponseWriter, r *http.Request) {
	in, ok := s.readWrite(w, r)
	if !ok {
		return
	}
	if in.RKey == "" {
		writeError(w, http.StatusBadRequest, "InvalidRequest", "Input must have the property \"rkey\"")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.records[in.RKey]
	swapNull := string(in.SwapRecord) == "null"
	if cur != nil {
		if reflect.DeepEqual(cur.Value, in.Record) {
			fault.WriteJSON(w, http.StatusOK, map[string]any{"uri": uri(in.RKey), "cid": cur.CID, "validationStatus": "valid"})
			return
		}
		if swapNull || (len(in.SwapRecord) > 0 && strings.Trim(string(in.SwapRecord), `"`) != cur.CID) {
			writeError(w, http.StatusBadRequest, "InvalidSwap", "Record was at "+cur.CID)
			return
		}
	} else if len(in.SwapRecord) > 0 && !swapNull {
		writeError(w, http.StatusBadRequest, "InvalidSwap", "Record was at null")
		return
	}
	c := s.storeLocked(in.RKey, in.Record)
	fault.WriteJSON(w, http.StatusOK, map[string]any{"uri": uri(in.RKey), "cid": c, "commit": map[string]string{"cid": cid(c), "rev": "3l" + in.RKey[2:]}, "validationStatus": "valid"})
}

// Specs: https://docs.bsky.app/docs/api/com-atproto-repo-create-record
// A taken key fails inside the reference PDS's repository layer ("There is
// already a value at key"), which reaches the client as a bare 500.
func (s *Server) createRecord(w http.ResponseWriter, r *http.Request) {
	in, ok := s.readWrite(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.RKey == "" {
		in.RKey = "3l" + strings.ToLower(hexTID(s.now()))
	}
	if s.records[in.RKey] != nil {
		writeError(w, http.StatusInternalServerError, "InternalServerError", "Internal Server Error")
		return
	}
	c := s.storeLocked(in.RKey, in.Record)
	fault.WriteJSON(w, http.StatusOK, map[string]any{"uri": uri(in.RKey), "cid": c, "validationStatus": "valid"})
}

func hexTID(t time.Time) string {
	const alphabet = "234567abcdefghijklmnopqrstuvwxyz"
	v := uint64(t.UnixMicro()) << 10
	b := make([]byte, 11)
	for i := 10; i >= 0; i-- {
		b[i] = alphabet[v&31]
		v >>= 5
	}
	return string(b)
}

func uri(rkey string) string { return "at://" + DID + "/app.bsky.feed.post/" + rkey }

func (s *Server) storeLocked(rkey string, value map[string]any) string {
	c := cid(value)
	text, _ := value["text"].(string)
	if old := s.records[rkey]; old == nil {
		s.order = append(s.order, rkey)
	}
	s.records[rkey] = &Record{RKey: rkey, CID: c, Value: value, Text: text, Indexed: s.now().UTC()}
	return c
}

// validatePost checks a record against app.bsky.feed.post and the blobs it
// references; it returns what is wrong, or "".
func (s *Server) validatePost(rec map[string]any) string {
	if rec["$type"] != "app.bsky.feed.post" {
		return "$type must be app.bsky.feed.post"
	}
	text, ok := rec["text"].(string)
	switch {
	case !ok:
		return "text must be a string"
	case len(text) > 3000:
		return "text must not be longer than 3000 bytes"
	case uniseg.GraphemeClusterCount(text) > 300:
		return "text must not be longer than 300 graphemes"
	}
	created, _ := rec["createdAt"].(string)
	if _, err := time.Parse(time.RFC3339Nano, created); err != nil {
		return "createdAt must be a valid datetime"
	}
	if langs, ok := rec["langs"].([]any); ok && len(langs) > 3 {
		return "langs must not have more than 3 elements"
	}
	if facets, ok := rec["facets"].([]any); ok {
		for _, f := range facets {
			if msg := validateFacet(f, text); msg != "" {
				return msg
			}
		}
	}
	if embed, ok := rec["embed"].(map[string]any); ok {
		return s.validateEmbed(embed)
	}
	return ""
}

func validateFacet(f any, text string) string {
	fm, _ := f.(map[string]any)
	idx, _ := fm["index"].(map[string]any)
	start, ok1 := idx["byteStart"].(float64)
	end, ok2 := idx["byteEnd"].(float64)
	if !ok1 || !ok2 || start < 0 || end <= start || int(end) > len(text) {
		return "facet index out of the text's bytes"
	}
	if !utf8.ValidString(text[int(start):int(end)]) {
		return "facet index splits a character"
	}
	features, _ := fm["features"].([]any)
	if len(features) == 0 {
		return "facet without features"
	}
	for _, feat := range features {
		m, _ := feat.(map[string]any)
		switch m["$type"] {
		case "app.bsky.richtext.facet#link":
			if u, _ := m["uri"].(string); !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
				return "link facet uri must be a URI"
			}
		case "app.bsky.richtext.facet#mention":
			if d, _ := m["did"].(string); !strings.HasPrefix(d, "did:") {
				return "mention facet did must be a DID"
			}
		case "app.bsky.richtext.facet#tag":
			if t, _ := m["tag"].(string); t == "" || len(t) > 640 || strings.HasPrefix(t, "#") {
				return "tag facet tag must be 1 to 640 bytes, without #"
			}
		default:
			return "unknown facet feature type"
		}
	}
	return ""
}

func (s *Server) validateEmbed(embed map[string]any) string {
	switch embed["$type"] {
	case "app.bsky.embed.external":
		ext, _ := embed["external"].(map[string]any)
		u, _ := ext["uri"].(string)
		_, okT := ext["title"].(string)
		_, okD := ext["description"].(string)
		if !strings.HasPrefix(u, "http") || !okT || !okD {
			return "external embed needs uri, title and description"
		}
		if thumb, ok := ext["thumb"].(map[string]any); ok {
			return s.validateBlob(thumb, maxThumbBytes)
		}
	case "app.bsky.embed.images":
		imgs, _ := embed["images"].([]any)
		if len(imgs) == 0 || len(imgs) > 4 {
			return "images embed needs 1 to 4 images"
		}
		for _, im := range imgs {
			m, _ := im.(map[string]any)
			if _, ok := m["alt"].(string); !ok {
				return "image needs alt"
			}
			b, _ := m["image"].(map[string]any)
			if msg := s.validateBlob(b, maxThumbBytes); msg != "" {
				return msg
			}
		}
	default:
		return "unknown embed type"
	}
	return ""
}

func (s *Server) validateBlob(b map[string]any, maxSize int) string {
	ref, _ := b["ref"].(map[string]any)
	link, _ := ref["$link"].(string)
	s.mu.Lock()
	stored, ok := s.blobs[link]
	s.mu.Unlock()
	switch {
	case b["$type"] != "blob" || !ok:
		return "blob not found: " + link
	case !strings.HasPrefix(stored.mime, "image/"):
		return "blob mimeType must be image/*"
	case stored.size > maxSize:
		return "blob too large"
	}
	return ""
}

// Specs: https://docs.bsky.app/docs/api/com-atproto-repo-get-record
func (s *Server) getRecord(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("repo") != DID && q.Get("repo") != Handle {
		writeError(w, http.StatusBadRequest, "InvalidRequest", "Could not find repo: "+q.Get("repo"))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.records[q.Get("rkey")]
	if q.Get("collection") != "app.bsky.feed.post" || rec == nil {
		writeError(w, http.StatusBadRequest, "RecordNotFound", "Could not locate record: "+uri(q.Get("rkey")))
		return
	}
	fault.WriteJSON(w, http.StatusOK, map[string]any{"uri": uri(rec.RKey), "cid": rec.CID, "value": rec.Value})
}

func (s *Server) postView(rec *Record) map[string]any {
	return map[string]any{
		"uri": uri(rec.RKey), "cid": rec.CID, "author": map[string]any{"did": DID, "handle": Handle},
		"record": rec.Value, "likeCount": rec.Likes, "repostCount": rec.Reposts, "replyCount": rec.Replies,
		"quoteCount": rec.Quotes, "indexedAt": rec.Indexed.Format(time.RFC3339Nano),
	}
}

// Specs: https://docs.bsky.app/docs/api/app-bsky-feed-get-author-feed
func (s *Server) getAuthorFeed(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("actor") != DID && q.Get("actor") != Handle {
		writeError(w, http.StatusBadRequest, "InvalidRequest", "Profile not found")
		return
	}
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := parseInt(v)
		if err != nil || n < 1 || n > 100 {
			writeError(w, http.StatusBadRequest, "InvalidRequest", "limit must be 1 to 100")
			return
		}
		limit = n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	feed := []map[string]any{}
	for i := len(s.order) - 1; i >= 0 && len(feed) < limit; i-- { // newest indexed first
		feed = append(feed, map[string]any{"post": s.postView(s.records[s.order[i]])})
	}
	fault.WriteJSON(w, http.StatusOK, map[string]any{"feed": feed})
}

// Specs: https://docs.bsky.app/docs/api/app-bsky-feed-get-posts
func (s *Server) getPosts(w http.ResponseWriter, r *http.Request) {
	uris := r.URL.Query()["uris"]
	if len(uris) == 0 || len(uris) > 25 {
		writeError(w, http.StatusBadRequest, "InvalidRequest", "uris must have 1 to 25 elements")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	posts := []map[string]any{}
	for _, u := range uris {
		rkey, ok := strings.CutPrefix(u, "at://"+DID+"/app.bsky.feed.post/")
		if rec := s.records[rkey]; ok && rec != nil {
			posts = append(posts, s.postView(rec))
		}
	}
	fault.WriteJSON(w, http.StatusOK, map[string]any{"posts": posts})
}

func parseInt(s string) (int, error) {
	var n int
	err := json.Unmarshal([]byte(s), &n)
	return n, err
}

package mastodonfake

import (
	"encoding/json"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rivo/uniseg"

	"github.com/fanfarehq/fanfare/bots/internal/fault"
	"github.com/fanfarehq/fanfare/bots/media"
)

// idempotencyTTL is how long Mastodon remembers an Idempotency-Key.
const idempotencyTTL = time.Hour

func (s *Server) storeLocked(st Status) string {
	s.nextID++
	st.ID = strconv.FormatInt(s.nextID, 10)
	st.CreatedAt = st.CreatedAt.UTC().Truncate(time.Millisecond)
	s.statuses = append(s.statuses, st)
	return st.ID
}

// Specs: https://docs.joinmastodon.org/methods/instance/#v2
func (s *Server) instance(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.noV2Instance {
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	fault.WriteJSON(w, http.StatusOK, map[string]any{
		"domain": "fake.example", "title": "Fake", "version": "4.3.0",
		"configuration": map[string]any{
			"statuses": map[string]any{"max_characters": s.maxChars, "max_media_attachments": 4, "characters_reserved_per_url": 23},
			"media_attachments": map[string]any{
				"supported_mime_types": []string{"image/jpeg", "image/png", "image/gif", "image/webp"},
				"image_size_limit":     s.imageLimit, "image_matrix_limit": 33177600,
			},
		},
	})
}

func accountJSON(base string) map[string]any {
	return map[string]any{"id": AccountID, "username": Username, "acct": Username, "display_name": "Fanfare",
		"url": base + "/@" + Username}
}

// Specs: https://docs.joinmastodon.org/methods/accounts/#verify_credentials
func (s *Server) verifyCredentials(w http.ResponseWriter, r *http.Request) {
	fault.WriteJSON(w, http.StatusOK, accountJSON(s.URL))
}

// readForm reads a JSON or form body into a flat map with list values, as
// Rails does for both encodings.
func readForm(r *http.Request) (map[string][]string, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	out := map[string][]string{}
	if ct == "application/json" {
		var m map[string]any
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&m); err != nil {
			return nil, err
		}
		for k, v := range m {
			switch v := v.(type) {
			case string:
				out[k] = []string{v}
			case []any:
				for _, e := range v {
					s, _ := e.(string)
					out[k] = append(out[k], s)
				}
			case bool:
				out[k] = []string{strconv.FormatBool(v)}
			}
		}
		return out, nil
	}
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	for k, v := range r.PostForm {
		out[strings.TrimSuffix(k, "[]")] = v
	}
	return out, nil
}

var (
	fakeURL  = regexp.MustCompile(`https?://[^\s<>"]+[^\s<>".,;:!?)]`)
	language = regexp.MustCompile(`^[a-z]{2,3}$`)
)

// length is the fake's own count of Mastodon's rule: graphemes, with every
// http(s) URL counting 23.
func length(text string) int {
	n := 0
	text = fakeURL.ReplaceAllStringFunc(text, func(string) string { n += 23; return "" })
	return n + uniseg.GraphemeClusterCount(text)
}

// Specs: https://docs.joinmastodon.org/methods/statuses/#create
func (s *Server) createStatus(w http.ResponseWriter, r *http.Request) {
	form, err := readForm(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Malformed request body")
		return
	}
	first := func(k string) string {
		if v := form[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	text, lang, vis := first("status"), first("language"), first("visibility")
	mediaIDs := form["media_ids"]
	key := r.Header.Get("Idempotency-Key")

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	idemKey := AccountID + ":" + key
	if e, ok := s.idem[idemKey]; key != "" && ok && now.Sub(e.at) < idempotencyTTL {
		for _, st := range s.statuses {
			if st.ID == e.statusID {
				fault.WriteJSON(w, http.StatusOK, s.statusJSON(st))
				return
			}
		}
	}
	switch {
	case strings.TrimSpace(text) == "" && len(mediaIDs) == 0:
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: Text can't be blank")
		return
	case length(text) > s.maxChars:
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: Text character limit of "+strconv.Itoa(s.maxChars)+" exceeded")
		return
	case vis != "" && !slices.Contains([]string{"public", "unlisted", "private", "direct"}, vis):
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: Visibility is not included in the list")
		return
	case lang != "" && !language.MatchString(lang):
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: Language is not a valid ISO 639 code")
		return
	case len(mediaIDs) > 4:
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: Media attachments limit exceeded")
		return
	}
	for _, id := range mediaIDs {
		m := s.media[id]
		switch {
		case m == nil:
			writeError(w, http.StatusUnprocessableEntity, "Validation failed: Media attachments are invalid")
			return
		case m.pending > 0:
			writeError(w, http.StatusUnprocessableEntity, "Cannot attach files that have not finished processing. Try again in a moment!")
			return
		case m.Attached:
			writeError(w, http.StatusUnprocessableEntity, "Validation failed: Media attachments already attached")
			return
		}
	}
	for _, id := range mediaIDs {
		s.media[id].Attached = true
	}
	if vis == "" {
		vis = "public"
	}
	st := Status{Text: text, Language: lang, Visibility: vis, MediaIDs: append([]string(nil), mediaIDs...), CreatedAt: now, IdempotencyKey: key}
	st.ID = s.storeLocked(st)
	if key != "" {
		s.idem[idemKey] = idemEntry{statusID: st.ID, at: now}
	}
	fault.WriteJSON(w, http.StatusOK, s.statusJSON(s.statuses[len(s.statuses)-1]))
}

// Specs: https://docs.joinmastodon.org/methods/statuses/#get
func (s *Server) getStatus(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.statuses {
		if st.ID == id {
			fault.WriteJSON(w, http.StatusOK, s.statusJSON(st))
			return
		}
	}
	writeError(w, http.StatusNotFound, "Record not found")
}

// Specs: https://docs.joinmastodon.org/methods/accounts/#statuses
func (s *Server) accountStatuses(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("id") != AccountID {
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	limit := 20
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "limit must be a positive integer")
			return
		}
		limit = min(n, 40)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for i := len(s.statuses) - 1; i >= 0 && len(out) < limit; i-- {
		out = append(out, s.statusJSON(s.statuses[i]))
	}
	fault.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) statusJSON(st Status) map[string]any {
	attachments := []map[string]any{}
	for _, id := range st.MediaIDs {
		if m := s.media[id]; m != nil {
			attachments = append(attachments, map[string]any{"id": id, "type": "image", "url": s.URL + "/media/" + id, "description": m.Description})
		}
	}
	var lang any
	if st.Language != "" {
		lang = st.Language
	}
	return map[string]any{
		"id": st.ID, "created_at": st.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z"),
		"uri":        s.URL + "/users/" + Username + "/statuses/" + st.ID,
		"url":        s.URL + "/@" + Username + "/" + st.ID,
		"content":    Render(st.Text),
		"visibility": st.Visibility, "language": lang, "sensitive": false, "spoiler_text": "",
		"favourites_count": st.Favourites, "reblogs_count": st.Reblogs, "replies_count": st.Replies,
		"reblog": nil, "media_attachments": attachments, "account": accountJSON(s.URL),
	}
}

// Render is status text as Mastodon renders it in content: escaped,
// paragraphs in <p>, line breaks as <br />, and links with the scheme and
// the tail past 30 characters in invisible spans.
func Render(text string) string {
	var b strings.Builder
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		b.WriteString("<p>")
		lines := strings.Split(para, "\n")
		for i, line := range lines {
			if i > 0 {
				b.WriteString("<br />")
			}
			last := 0
			for _, loc := range fakeURL.FindAllStringIndex(line, -1) {
				b.WriteString(html.EscapeString(line[last:loc[0]]))
				b.WriteString(renderLink(line[loc[0]:loc[1]]))
				last = loc[1]
			}
			b.WriteString(html.EscapeString(line[last:]))
		}
		b.WriteString("</p>")
	}
	return b.String()
}

func renderLink(u string) string {
	scheme, rest, _ := strings.Cut(u, "://")
	visible, tail := rest, ""
	if len(rest) > 30 {
		cut := 30
		for cut > 0 && !utf8.RuneStart(rest[cut]) {
			cut--
		}
		visible, tail = rest[:cut], rest[cut:]
	}
	class := "ellipsis"
	if tail == "" {
		class = ""
	}
	return `<a href="` + html.EscapeString(u) + `" target="_blank" rel="nofollow noopener noreferrer" translate="no">` +
		`<span class="invisible">` + html.EscapeString(scheme) + `://</span><span class="` + class + `">` + html.EscapeString(visible) +
		`</span><span class="invisible">` + html.EscapeString(tail) + `</span></a>`
}

// Specs: https://docs.joinmastodon.org/methods/media/#v2
func (s *Server) uploadMedia(w http.ResponseWriter, r *http.Request) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: File content type is invalid")
		return
	}
	s.mu.Lock()
	limit := s.imageLimit
	s.mu.Unlock()
	mr := multipart.NewReader(r.Body, params["boundary"])
	var data []byte
	description := ""
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, "Malformed multipart body")
			return
		}
		b, _ := io.ReadAll(io.LimitReader(part, int64(limit)+1))
		switch part.FormName() {
		case "file":
			data = b
		case "description":
			description = string(b)
		}
	}
	switch {
	case data == nil:
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: File can't be blank")
		return
	case len(data) > limit:
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: File file size must be less than "+strconv.Itoa(limit)+" Bytes")
		return
	case utf8.RuneCountInString(description) > 1500:
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: Description is too long (maximum is 1500 characters)")
		return
	}
	im, err := media.Check(data)
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: File content type is invalid")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	m := &Media{ID: strconv.FormatInt(s.nextID, 10), Type: im.Type, Size: len(data), Description: description, pending: s.processingPolls}
	s.media[m.ID] = m
	status := http.StatusOK
	if m.pending > 0 {
		status = http.StatusAccepted
	}
	fault.WriteJSON(w, status, s.mediaJSON(m))
}

// Specs: https://docs.joinmastodon.org/methods/media/#get
func (s *Server) getMedia(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.media[r.PathValue("id")]
	if m == nil {
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	if m.pending > 0 {
		m.pending--
		fault.WriteJSON(w, http.StatusPartialContent, s.mediaJSON(&Media{ID: m.ID, Description: m.Description, pending: 1}))
		return
	}
	fault.WriteJSON(w, http.StatusOK, s.mediaJSON(m))
}

func (s *Server) mediaJSON(m *Media) map[string]any {
	var u any
	if m.pending == 0 {
		u = s.URL + "/system/media_attachments/" + m.ID + "/original"
	}
	return map[string]any{"id": m.ID, "type": "image", "url": u, "preview_url": u, "description": m.Description}
}

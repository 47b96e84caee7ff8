package xfake

import (
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/fanfarehq/fanfare/bots/media"
)

// Media limits the fake enforces, as X documents them.
const (
	maxImageBytes = 5 << 20
	maxAltText    = 1000
)

// Media is an uploaded media object.
type Media struct {
	ID       string
	Key      string
	Category string
	Type     string // sniffed from the bytes
	Size     int
	Alt      string
	Uploaded bool
}

// MediaByID returns an uploaded media object.
func (s *Server) MediaByID(id string) (Media, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.media[id]
	if !ok {
		return Media{}, false
	}
	return *m, true
}

// MediaCount is the number of media objects uploaded.
func (s *Server) MediaCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.media)
}

// oneShotTypes are the media_type values the simple upload accepts for
// images (no GIF: GIFs go through the chunked flow).
var oneShotTypes = map[string]bool{
	"image/jpeg": true, "image/png": true, "image/webp": true, "image/bmp": true,
	"image/pjpeg": true, "image/tiff": true,
}

// Specs: https://docs.x.com/x-api/media/upload-media
func (s *Server) uploadMedia(w http.ResponseWriter, r *http.Request) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		writeInvalid(w, "media", "the body must be multipart/form-data, got "+strconv.Quote(r.Header.Get("Content-Type")))
		return
	}
	mr := multipart.NewReader(io.LimitReader(r.Body, maxImageBytes+1<<20), params["boundary"])
	fields := map[string]string{}
	var data []byte
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			writeInvalid(w, "media", "malformed multipart body: "+err.Error())
			return
		}
		b, err := io.ReadAll(io.LimitReader(part, maxImageBytes+1))
		if err != nil {
			writeInvalid(w, "media", "malformed multipart body: "+err.Error())
			return
		}
		if part.FormName() == "media" {
			data = b
		} else {
			fields[part.FormName()] = string(b)
		}
	}
	category, mediaType := fields["media_category"], fields["media_type"]
	switch {
	case data == nil:
		writeInvalid(w, "media", "The `media` field is required.")
		return
	case category != "tweet_image" && category != "dm_image" && category != "subtitles":
		writeInvalid(w, "media_category", "The `media_category` value ["+category+"] is not one of [tweet_image,dm_image,subtitles]")
		return
	case mediaType != "" && !oneShotTypes[mediaType]:
		writeInvalid(w, "media_type", "The `media_type` value ["+mediaType+"] is not supported")
		return
	case len(data) > maxImageBytes:
		writeProblem(w, http.StatusBadRequest, "Invalid Request", "https://api.twitter.com/2/problems/invalid-request", "File size exceeds 5242880 bytes.")
		return
	}
	im, err := media.Check(data)
	if err != nil || !oneShotTypes[im.Type] || (mediaType != "" && mediaType != im.Type) {
		writeProblem(w, http.StatusBadRequest, "Invalid Request", "https://api.twitter.com/2/problems/invalid-request", "media type unrecognized.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	id := strconv.FormatInt(s.nextID, 10)
	m := &Media{ID: id, Key: "3_" + id, Category: category, Type: im.Type, Size: len(data), Uploaded: true}
	s.media[id] = m
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{
		"id": id, "media_key": m.Key, "size": m.Size, "expires_after_secs": 86400,
		"image": map[string]any{"image_type": im.Type, "w": im.Width, "h": im.Height},
	}})
}

// Specs: https://docs.x.com/x-api/media/create-media-metadata
func (s *Server) mediaMetadata(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		writeInvalid(w, "body", "Content-Type must be application/json, got "+strconv.Quote(ct))
		return
	}
	var req struct {
		ID       string `json:"id"`
		Metadata struct {
			AltText *struct {
				Text string `json:"text"`
			} `json:"alt_text"`
		} `json:"metadata"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeInvalid(w, "body", "invalid JSON body: "+err.Error())
		return
	}
	switch {
	case req.ID == "":
		writeInvalid(w, "id", "The `id` field is required.")
		return
	case req.Metadata.AltText != nil && utf8.RuneCountInString(req.Metadata.AltText.Text) > maxAltText:
		writeInvalid(w, "metadata.alt_text.text", "alt_text.text must be at most 1000 characters")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.media[req.ID]
	if m == nil {
		writeProblem(w, http.StatusNotFound, "Not Found Error", "https://api.twitter.com/2/problems/resource-not-found", "Could not find media with id: ["+req.ID+"].")
		return
	}
	if req.Metadata.AltText != nil {
		m.Alt = req.Metadata.AltText.Text
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{
		"id": req.ID, "associated_metadata": map[string]any{"alt_text": map[string]any{"text": m.Alt}},
	}})
}

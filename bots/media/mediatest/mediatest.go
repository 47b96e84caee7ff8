// Package mediatest makes small images of each accepted type and serves them,
// for the tests of the publishers and their fakes.
package mediatest

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

func picture(w, h int) *image.RGBA {
	im := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			im.Set(x, y, color.RGBA{uint8(x * 7), uint8(y * 5), 120, 255})
		}
	}
	return im
}

// PNG returns a w×h PNG.
func PNG(w, h int) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, picture(w, h)); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// JPEG returns a w×h JPEG.
func JPEG(w, h int) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, picture(w, h), nil); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// GIF returns a w×h GIF.
func GIF(w, h int) []byte {
	var b bytes.Buffer
	if err := gif.Encode(&b, picture(w, h), nil); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// WebP returns a lossless WebP header for a w×h image padded to size bytes:
// enough for the checks publishers and fakes make (type and dimensions), not
// a decodable picture.
func WebP(w, h, size int) []byte {
	size = max(size, 30)
	b := make([]byte, size)
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(size-8))
	copy(b[8:], "WEBPVP8L")
	binary.LittleEndian.PutUint32(b[16:], uint32(size-20))
	b[20] = 0x2f
	binary.LittleEndian.PutUint32(b[21:], uint32(w-1)|uint32(h-1)<<14)
	return b
}

// Padded returns a PNG of at least size bytes (a w×h picture followed by
// junk the decoders ignore), for size-limit tests.
func Padded(size int) []byte {
	b := PNG(8, 8)
	if len(b) < size {
		b = append(b, make([]byte, size-len(b))...)
	}
	return b
}

// Server serves images by path; a path it does not know is a 404.
type Server struct {
	URL string

	mu       sync.Mutex
	files    map[string]served
	requests int
}

type served struct {
	body        []byte
	contentType string
}

// NewServer starts an image server that stops when the test ends.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{files: map[string]served{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		f, ok := s.files[r.URL.Path]
		s.requests++
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", f.contentType)
		w.Write(f.body)
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Put serves body at path with the given Content-Type header (which may lie)
// and returns its URL.
func (s *Server) Put(path string, body []byte, contentType string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[path] = served{body: body, contentType: contentType}
	return s.URL + path
}

// Requests counts the requests served.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

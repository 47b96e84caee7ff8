// Package media fetches the images that publishers upload to the networks
// that want the bytes (X, Mastodon, Bluesky), with the checks a URL that
// strangers influence deserves: the request goes through internal/netguard's
// address guard (the same one as feeds), redirects are bounded, the body is
// read up to a size limit and never further, and the type is sniffed from the
// bytes (JPEG, PNG, GIF or WebP), never trusted from the Content-Type header.
// A body that claims a type but does not parse as one is refused too.
package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // DecodeConfig for GIF
	_ "image/jpeg"
	_ "image/png"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/fanfarehq/fanfare/internal/netguard"
)

// The types publishers accept, as sniffed.
const (
	JPEG = "image/jpeg"
	PNG  = "image/png"
	GIF  = "image/gif"
	WebP = "image/webp"
)

// Defaults for FetcherOptions.
const (
	DefaultMaxBytes = 16 << 20 // Mastodon's default image limit, the largest of the networks
	DefaultTimeout  = 20 * time.Second
	maxRedirects    = 5
)

// Errors a fetch can end with, wrapped with the details.
var (
	ErrTooLarge    = errors.New("media: image too large")
	ErrUnsupported = errors.New("media: not a JPEG, PNG, GIF or WebP image")
)

// Image is a fetched image.
type Image struct {
	Data   []byte
	Type   string // one of JPEG, PNG, GIF, WebP: sniffed from Data
	Width  int
	Height int
	URL    string // where it was fetched from (before redirects)
}

// Filename is a name for multipart uploads, with the extension of the type.
func (im Image) Filename() string {
	switch im.Type {
	case JPEG:
		return "image.jpg"
	case PNG:
		return "image.png"
	case GIF:
		return "image.gif"
	case WebP:
		return "image.webp"
	}
	return "image"
}

// FetcherOptions configure a Fetcher; the zero value is usable.
type FetcherOptions struct {
	// HTTPClient fetches the images. Default: a client whose transport refuses
	// the addresses netguard refuses. A caller's client is used as given
	// (tests serve images on 127.0.0.1, which the guard allows anyway).
	HTTPClient *http.Client
	MaxBytes   int64         // upper bound for every fetch; default DefaultMaxBytes
	Timeout    time.Duration // per fetch; default DefaultTimeout
	UserAgent  string        // default "Fanfare image fetcher"
}

// Fetcher fetches images. It is safe for concurrent use.
type Fetcher struct {
	hc        *http.Client
	maxBytes  int64
	timeout   time.Duration
	userAgent string
}

// NewFetcher returns a fetcher.
func NewFetcher(opts FetcherOptions) *Fetcher {
	var hc http.Client
	if opts.HTTPClient != nil {
		hc = *opts.HTTPClient
	} else {
		hc.Transport = netguard.Transport()
	}
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > maxRedirects {
			return fmt.Errorf("stopped after %d redirects", maxRedirects)
		}
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return fmt.Errorf("redirect to a %q URL", req.URL.Scheme)
		}
		return nil
	}
	f := &Fetcher{hc: &hc, maxBytes: opts.MaxBytes, timeout: opts.Timeout, userAgent: opts.UserAgent}
	if f.maxBytes <= 0 {
		f.maxBytes = DefaultMaxBytes
	}
	if f.timeout <= 0 {
		f.timeout = DefaultTimeout
	}
	if f.userAgent == "" {
		f.userAgent = "Fanfare image fetcher"
	}
	return f
}

// Fetch downloads the image at rawURL, reading at most maxBytes (the
// network's limit; 0 or more than the fetcher's own bound means the fetcher's
// bound), and checks that it is a JPEG, PNG, GIF or WebP image. Errors name
// the URL and what is wrong; ErrTooLarge and ErrUnsupported are wrapped.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string, maxBytes int64) (Image, error) {
	if maxBytes <= 0 || maxBytes > f.maxBytes {
		maxBytes = f.maxBytes
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Image{}, fmt.Errorf("media: image URL %q is not an http(s) URL", rawURL)
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return Image{}, fmt.Errorf("media: unable to fetch %s: %w", rawURL, err)
	}
	req.Header.Set("User-Agent", f.userAgent)
	req.Header.Set("Accept", "image/jpeg, image/png, image/gif, image/webp")
	resp, err := f.hc.Do(req)
	if err != nil {
		return Image{}, fmt.Errorf("media: unable to fetch %s: %w", rawURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Image{}, fmt.Errorf("media: unable to fetch %s: HTTP %d", rawURL, resp.StatusCode)
	}
	if resp.ContentLength > maxBytes {
		return Image{}, fmt.Errorf("%w: %s is %d bytes, the limit is %d", ErrTooLarge, rawURL, resp.ContentLength, maxBytes)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return Image{}, fmt.Errorf("media: unable to read %s: %w", rawURL, err)
	}
	if int64(len(data)) > maxBytes {
		return Image{}, fmt.Errorf("%w: %s is over %d bytes", ErrTooLarge, rawURL, maxBytes)
	}
	im, err := Check(data)
	if err != nil {
		return Image{}, fmt.Errorf("%s: %w", rawURL, err)
	}
	im.URL = rawURL
	return im, nil
}

// Sniff returns the image type of data from its first bytes, or "" when it
// is none of JPEG, PNG, GIF and WebP.
func Sniff(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("\xFF\xD8\xFF")):
		return JPEG
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return PNG
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return GIF
	case len(data) >= 12 && string(data[0:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return WebP
	}
	return ""
}

// Check sniffs data and reads its dimensions, refusing what does not parse as
// the sniffed type.
func Check(data []byte) (Image, error) {
	typ := Sniff(data)
	if typ == "" {
		return Image{}, fmt.Errorf("%w (starts with %q)", ErrUnsupported, head(data))
	}
	im := Image{Data: data, Type: typ}
	var err error
	if typ == WebP {
		im.Width, im.Height, err = webpSize(data)
	} else {
		var cfg image.Config
		cfg, _, err = image.DecodeConfig(bytes.NewReader(data))
		im.Width, im.Height = cfg.Width, cfg.Height
	}
	if err != nil {
		return Image{}, fmt.Errorf("%w: looks like %s but does not parse: %v", ErrUnsupported, typ, err)
	}
	if im.Width <= 0 || im.Height <= 0 {
		return Image{}, fmt.Errorf("%w: %s of %dx%d pixels", ErrUnsupported, typ, im.Width, im.Height)
	}
	return im, nil
}

func head(b []byte) string {
	if len(b) > 8 {
		b = b[:8]
	}
	return string(b)
}

// webpSize reads the canvas size of a WebP file from its first chunk (RIFF
// container; VP8, VP8L or VP8X), per the WebP container specification.
func webpSize(b []byte) (w, h int, err error) {
	if len(b) < 30 {
		return 0, 0, errors.New("truncated WebP header")
	}
	if size := binary.LittleEndian.Uint32(b[4:8]); int64(size)+8 > int64(len(b)) {
		return 0, 0, errors.New("RIFF size " + strconv.FormatUint(uint64(size), 10) + " past the end of the data")
	}
	chunk := string(b[12:16])
	p := b[20:]
	switch chunk {
	case "VP8 ": // lossy: frame tag (3), start code 9d 01 2a, then 14-bit sizes
		if p[3] != 0x9d || p[4] != 0x01 || p[5] != 0x2a {
			return 0, 0, errors.New("bad VP8 start code")
		}
		return int(binary.LittleEndian.Uint16(p[6:8]) & 0x3fff), int(binary.LittleEndian.Uint16(p[8:10]) & 0x3fff), nil
	case "VP8L": // lossless: signature 0x2f, then 14-bit width-1 and height-1
		if p[0] != 0x2f {
			return 0, 0, errors.New("bad VP8L signature")
		}
		bits := binary.LittleEndian.Uint32(p[1:5])
		return int(bits&0x3fff) + 1, int(bits>>14&0x3fff) + 1, nil
	case "VP8X": // extended: flags (4), then 24-bit canvas width-1 and height-1
		w := int(p[4]) | int(p[5])<<8 | int(p[6])<<16
		h := int(p[7]) | int(p[8])<<8 | int(p[9])<<16
		return w + 1, h + 1, nil
	}
	return 0, 0, fmt.Errorf("unknown WebP chunk %q", chunk)
}

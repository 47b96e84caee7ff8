package curator

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
)

// Errors naming why a document is not a usable feed.
var (
	ErrEmptyDocument = errors.New("empty document")
	ErrHTMLDocument  = errors.New("document is an HTML page, not a feed (RSS, Atom or JSON Feed)")
	ErrNotAFeed      = errors.New("document is not a feed (RSS, Atom or JSON Feed)")
)

// prologRe finds the XML declaration's encoding, which may sit after a BOM or
// blank lines; only the first bytes are searched.
var prologRe = regexp.MustCompile(`^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']`)

// toUTF8 returns an XML or JSON feed as UTF-8, whatever the server or the
// document claims. gofeed converts only what the XML declaration names and
// trusts it, so a UTF-8 feed that declares ISO-8859-1 comes out as mojibake and
// a Windows-1252 feed that declares nothing fails; miniflux hits the same cases
// (internal/reader/encoding). The rules:
//   - a BOM wins;
//   - bytes that are valid UTF-8 are UTF-8 (a wrong declaration is ignored: no
//     real Latin-1 or Cyrillic text is valid UTF-8 by accident);
//   - otherwise the declared encoding (XML declaration, then Content-Type),
//     skipping a "UTF-8" the bytes just disproved, else Windows-1252 (what
//     browsers assume, a superset of ISO-8859-1).
//
// The XML declaration of the result says UTF-8, so the parser does not convert
// a second time, and characters XML forbids are dropped.
func toUTF8(body []byte, contentType string) ([]byte, error) {
	var enc encoding.Encoding
	switch {
	case bytes.HasPrefix(body, []byte{0xEF, 0xBB, 0xBF}):
		body = body[3:]
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}), bytes.HasPrefix(body, []byte{0xFF, 0xFE}):
		enc = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
	case utf8.Valid(body):
	default:
		enc = declaredEncoding(body, contentType)
	}
	if enc != nil {
		var err error
		body, err = enc.NewDecoder().Bytes(body)
		if err != nil {
			return nil, fmt.Errorf("unable to decode document: %w", err)
		}
	}
	body = bytes.ToValidUTF8(body, []byte("\uFFFD"))
	if !isJSON(body) {
		body = bytes.Map(xmlChar, body)
		if m := prologRe.FindSubmatchIndex(head(body)); m != nil {
			body = append(append(append([]byte(nil), body[:m[2]]...), "UTF-8"...), body[m[3]:]...)
		}
	}
	return body, nil
}

// declaredEncoding picks the encoding of a document that is not UTF-8.
func declaredEncoding(body []byte, contentType string) encoding.Encoding {
	var labels []string
	if m := prologRe.FindSubmatch(head(body)); m != nil {
		labels = append(labels, string(m[1]))
	}
	if _, params, err := mime.ParseMediaType(contentType); err == nil && params["charset"] != "" {
		labels = append(labels, params["charset"])
	}
	for _, l := range labels {
		enc, err := htmlindex.Get(strings.TrimSpace(l))
		if err != nil || enc == encoding.Nop || isUTF8(enc) {
			continue
		}
		return enc
	}
	enc, _, _ := charset.DetermineEncoding(nil, "")
	return enc
}

func isUTF8(enc encoding.Encoding) bool {
	name, err := htmlindex.Name(enc)
	return err == nil && (name == "utf-8" || strings.HasPrefix(name, "utf-16"))
}

func head(b []byte) []byte {
	if len(b) > 1024 {
		return b[:1024]
	}
	return b
}

func isJSON(b []byte) bool {
	t := bytes.TrimLeft(b, " \t\r\n")
	return len(t) > 0 && t[0] == '{'
}

// xmlChar drops the code points XML 1.0 forbids (encoding/xml stops at them).
func xmlChar(r rune) rune {
	if r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF {
		return r
	}
	return -1
}

// parseFeed decodes and parses a fetched document. The error names the problem
// in words a community manager can act on.
func parseFeed(body []byte, contentType string) (*gofeed.Feed, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, ErrEmptyDocument
	}
	utf, err := toUTF8(body, contentType)
	if err != nil {
		return nil, err
	}
	if gofeed.DetectFeedType(bytes.NewReader(head4k(utf))) == gofeed.FeedTypeUnknown {
		if looksLikeHTML(utf, contentType) {
			return nil, ErrHTMLDocument
		}
		return nil, ErrNotAFeed
	}
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(utf))
	if err != nil {
		return nil, fmt.Errorf("unable to parse feed: %w", err)
	}
	return feed, nil
}

func head4k(b []byte) []byte {
	if len(b) > 4096 {
		return b[:4096]
	}
	return b
}

func looksLikeHTML(body []byte, contentType string) bool {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil && (mt == "text/html" || mt == "application/xhtml+xml") {
		return true
	}
	h := strings.ToLower(string(head(body)))
	return strings.Contains(h, "<!doctype html") || strings.Contains(h, "<html")
}

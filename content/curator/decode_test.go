package curator

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
)

// Every file of the gofeed and miniflux test corpora either parses or is
// refused with an error; none panics, and whatever parses is valid UTF-8.
func TestParseFeed_SharedCorpus(t *testing.T) {
	root := sharedFeeds(t)
	var parsed, refused int
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		t.Run(rel, func(t *testing.T) {
			f, err := parseFeed(body, "")
			if err != nil && mustParse(rel) {
				t.Fatalf("a real feed was refused: %v", err)
			}
			if err != nil {
				refused++
				if err.Error() == "" {
					t.Fatal("refused with an empty error message")
				}
				return
			}
			parsed++
			checkUTF8(t, f)
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d documents parsed, %d refused", parsed, refused)
	if parsed < 50 {
		t.Errorf("only %d documents of the corpus parsed: the decode path is refusing real feeds", parsed)
	}
}

// mustParse: the gofeed RSS/Atom cases and miniflux's captured feeds are all
// feeds, malformed ones included; the rest of the corpus mixes in expected
// outputs, HTML and deliberately broken documents.
func mustParse(rel string) bool {
	rel = filepath.ToSlash(rel)
	return strings.HasSuffix(rel, ".xml") &&
		(strings.Contains(rel, "/parser/rss/") || strings.Contains(rel, "/parser/atom/") ||
			strings.Contains(rel, "/extensions/") || strings.Contains(rel, "reader/parser/testdata/"))
}

func checkUTF8(t *testing.T, f *gofeed.Feed) {
	t.Helper()
	if !utf8.ValidString(f.Title) {
		t.Errorf("title is not UTF-8: %q", f.Title)
	}
	for _, it := range f.Items {
		if !utf8.ValidString(it.Title) || !utf8.ValidString(it.Description) {
			t.Errorf("item is not UTF-8: %q", it.Title)
		}
	}
}

// Documents in legacy charsets, or whose declaration lies, decode to the right
// text: a known non-ASCII word from each must come out.
func TestParseFeed_Encodings(t *testing.T) {
	root := filepath.Join(sharedFeeds(t), "miniflux-v2", "internal", "reader")
	tests := []struct {
		file, contentType string
		want              string // in the feed title or an item title/description
	}{
		{"encoding/testdata/iso-8859-1.xml", "", "Café"},
		{"encoding/testdata/iso-8859-1.xml", "application/xml; charset=utf-8", "Café"},
		{"encoding/testdata/windows-1252.xml", "", "Euro €"},
		{"encoding/testdata/windows-1252-incorrect-prolog.xml", "", "Euro €"},
		{"encoding/testdata/utf8.xml", "", "테스트 피드"},
		{"encoding/testdata/utf8-incorrect-prolog.xml", "", "테스트 피드"},
		{"encoding/testdata/utf8-incorrect-prolog.xml", "text/xml; charset=iso-8859-1", "Café"},
		{"encoding/testdata/invalid-prolog.xml", "", "Café"},
		{"encoding/testdata/koi8r.xml", "", "Пример RSS ленты"},
		{"xml/testdata/koi8r.xml", "", "Первая новость"},
		{"xml/testdata/koi8r.xml", "text/xml", "Москва"},
		{"parser/testdata/encoding_WINDOWS-1251.xml", "", "Новый цитатник Рунета"},
		{"parser/testdata/encoding_WINDOWS-1251.xml", "text/xml; charset=windows-1251", "Цитата #17703"},
		{"parser/testdata/encoding_ISO-8859-1.xml", "", "Porträt für 432.500"},
		{"parser/testdata/no_encoding_ISO-8859-1.xml", "", "La criminalité liée surtout à"},
		{"parser/testdata/no_encoding_ISO-8859-1.xml", "application/rss+xml; charset=ISO-8859-1", "La criminalité liée surtout à"},
		{"parser/testdata/urdu_UTF8.xml", "", "اردو"},
		{"parser/testdata/rdf_UTF8.xml", "", "heise online News"},
	}
	for _, tt := range tests {
		t.Run(tt.file+"|"+tt.contentType, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(root, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			f, err := parseFeed(body, tt.contentType)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			all := f.Title + "\n" + f.Description
			for _, it := range f.Items {
				all += "\n" + it.Title + "\n" + it.Description
			}
			if !strings.Contains(all, tt.want) {
				t.Errorf("%q not found; feed title %q, %d items", tt.want, f.Title, len(f.Items))
			}
			if strings.ContainsRune(all, utf8.RuneError) {
				t.Errorf("replacement character in the decoded text: %q", f.Title)
			}
		})
	}
}

func TestParseFeed_Refusals(t *testing.T) {
	tests := []struct {
		name, body, contentType string
		want                    error
		wantMsg                 string
	}{
		{"empty", "", "application/rss+xml", ErrEmptyDocument, ""},
		{"blank", "  \n\t ", "", ErrEmptyDocument, ""},
		{"html page", "<!DOCTYPE html><html><head><title>Blog</title></head><body>hi</body></html>", "text/html; charset=utf-8", ErrHTMLDocument, ""},
		{"html without content type", "<html><body><p>nothing</p></body></html>", "", ErrHTMLDocument, ""},
		{"other xml", `<?xml version="1.0"?><note><to>x</to></note>`, "text/xml", ErrNotAFeed, ""},
		{"plain text", "hello, world", "text/plain", ErrNotAFeed, ""},
		{"broken json", `{"version": "https://jsonfeed.org/version/1.1", "items": [`, "application/feed+json", nil, "unable to parse feed"},
		{"utf-16 html", string([]byte{0xFF, 0xFE, '<', 0, 'h', 0, 't', 0, 'm', 0, 'l', 0, '>', 0}), "", ErrHTMLDocument, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := parseFeed([]byte(tt.body), tt.contentType)
			if err == nil {
				t.Fatalf("parsed as a feed with %d items; want an error", len(f.Items))
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v; want %v", err, tt.want)
			}
			if tt.wantMsg != "" && !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err = %v; want it to say %q", err, tt.wantMsg)
			}
		})
	}
}

func TestToUTF8_RewritesDeclaration(t *testing.T) {
	in := []byte("<?xml version='1.0' encoding='ISO-8859-1'?>\n<rss><channel><title>Caf\xe9\x01</title></channel></rss>")
	out, err := toUTF8(in, "")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte("encoding='UTF-8'")) {
		t.Errorf("declaration not rewritten: %q", out)
	}
	if !bytes.Contains(out, []byte("<title>Café</title>")) {
		t.Errorf("not decoded, or the control character kept: %q", out)
	}
}

// FuzzParseFeed: whatever a server sends, decoding and parsing never panic and
// a parsed feed is valid UTF-8.
func FuzzParseFeed(f *testing.F) {
	f.Add([]byte(rss("Seed", rssItem("1", "Café", "https://a.example/1", "<p>x</p>", t0))), "application/rss+xml")
	f.Add([]byte(`<?xml version="1.0" encoding="KOI8-R"?><rss><channel><title>`+"\xf0\xd2\xc9"+`</title></channel></rss>`), "")
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><title>e</title></entry></feed>`), "application/atom+xml")
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","title":"j","items":[{"id":"1","title":"x"}]}`), "application/feed+json")
	f.Add([]byte("<html><body>no</body></html>"), "text/html")
	f.Add([]byte{0xFE, 0xFF, 0, '<'}, "")
	f.Add([]byte(`<?xml version="1.0" encoding="`), "text/xml; charset=")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		feed, err := parseFeed(body, contentType)
		if err != nil {
			return
		}
		if feed == nil {
			t.Fatal("nil feed without an error")
		}
		for _, it := range feed.Items {
			if it == nil {
				continue
			}
			if !utf8.ValidString(it.Title) {
				t.Fatalf("item title not UTF-8: %q", it.Title)
			}
			// What curation does with an item must not panic either.
			_ = newCandidate("https://feed.example/rss", it, nil)
		}
	})
}

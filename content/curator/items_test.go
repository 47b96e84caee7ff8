package curator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestFetchOnce(t *testing.T) {
	doc := `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>` +
		`<link href="https://site.example/blog/"/>` +
		`<entry><id>1</id><title type="html">Caf&amp;eacute; &lt;b&gt;bold&lt;/b&gt;</title><link href="post-1"/><published>2026-03-09T10:00:00+01:00</published></entry>` +
		`<entry><id>2</id><title>Undated</title><link href="https://other.example/2"/></entry></feed>`
	var gotUA string
	u := serve(t, func(w http.ResponseWriter, r *http.Request) {
		gotUA = r.Header.Get("User-Agent")
		io.WriteString(w, doc)
	})
	c := NewCurator(nil, "", Options{UserAgent: "Fanfare/1.2 (+https://fans.example)", Logger: testLogger(t)}, nil, nil)
	items, err := c.FetchOnce(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	if gotUA != "Fanfare/1.2 (+https://fans.example)" {
		t.Errorf("User-Agent %q", gotUA)
	}
	want := []Item{
		{Title: "Café bold", Link: "https://site.example/blog/post-1", Published: time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)},
		{Title: "Undated", Link: "https://other.example/2"},
	}
	if len(items) != len(want) {
		t.Fatalf("items = %+v", items)
	}
	for i := range want {
		if items[i].Title != want[i].Title || items[i].Link != want[i].Link || !items[i].Published.Equal(want[i].Published) {
			t.Errorf("item %d = %+v; want %+v", i, items[i], want[i])
		}
	}

	var buf bytes.Buffer
	if err := WriteJSONLines(&buf, items); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("output %q", buf.String())
	}
	wantLines := []string{
		`{"title":"Café bold","link":"https://site.example/blog/post-1","published":"2026-03-09T09:00:00Z"}`,
		`{"title":"Undated","link":"https://other.example/2","published":null}`,
	}
	for i, l := range lines {
		if l != wantLines[i] {
			t.Errorf("line %d = %s; want %s", i, l, wantLines[i])
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil || len(m) != 3 {
			t.Errorf("line %d is not a 3-key object: %v %v", i, m, err)
		}
	}
}

func TestFetchOnce_NotAFeed(t *testing.T) {
	c := NewCurator(nil, "", Options{Logger: testLogger(t)}, nil, nil)
	html := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html><body>hello</body></html>")
	})
	_, err := c.FetchOnce(context.Background(), html)
	if !errors.Is(err, ErrHTMLDocument) || !strings.Contains(err.Error(), html) {
		t.Errorf("err = %v; want ErrHTMLDocument naming the URL", err)
	}
	gone := serve(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusGone) })
	if _, err := c.FetchOnce(context.Background(), gone); err == nil || !strings.Contains(err.Error(), "410 Gone") {
		t.Errorf("err = %v; want the HTTP status", err)
	}
	if _, err := c.FetchOnce(context.Background(), "file:///etc/passwd"); err == nil || !strings.Contains(err.Error(), "url") {
		t.Errorf("err = %v; want a URL error", err)
	}
}

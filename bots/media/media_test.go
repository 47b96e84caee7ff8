package media

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fanfarehq/fanfare/bots/media/mediatest"
	"github.com/fanfarehq/fanfare/internal/netguard"
)

func TestFetch(t *testing.T) {
	srv := mediatest.NewServer(t)
	f := NewFetcher(FetcherOptions{})
	ctx := context.Background()
	tests := []struct {
		name    string
		body    []byte
		ctype   string
		max     int64
		typ     string
		w, h    int
		wantErr error
		msg     string
	}{
		{name: "png", body: mediatest.PNG(40, 30), ctype: "image/png", typ: PNG, w: 40, h: 30},
		{name: "jpeg served as octet-stream", body: mediatest.JPEG(20, 10), ctype: "application/octet-stream", typ: JPEG, w: 20, h: 10},
		{name: "gif", body: mediatest.GIF(5, 6), ctype: "image/gif", typ: GIF, w: 5, h: 6},
		{name: "webp", body: mediatest.WebP(1200, 630, 200), ctype: "image/webp", typ: WebP, w: 1200, h: 630},
		{name: "html claiming to be png", body: []byte("<html>hi</html>"), ctype: "image/png", wantErr: ErrUnsupported, msg: "<html>hi"},
		{name: "svg", body: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), ctype: "image/svg+xml", wantErr: ErrUnsupported},
		{name: "truncated png", body: mediatest.PNG(40, 30)[:20], ctype: "image/png", wantErr: ErrUnsupported, msg: "does not parse"},
		{name: "too large", body: mediatest.Padded(5000), ctype: "image/png", max: 4000, wantErr: ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := srv.Put("/"+strings.ReplaceAll(tt.name, " ", "-"), tt.body, tt.ctype)
			im, err := f.Fetch(ctx, u, tt.max)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.msg) || !strings.Contains(err.Error(), u) {
					t.Fatalf("err = %v, want %v naming %q and the URL", err, tt.wantErr, tt.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if im.Type != tt.typ || im.Width != tt.w || im.Height != tt.h || len(im.Data) != len(tt.body) || im.URL != u {
				t.Errorf("got %s %dx%d (%d bytes), want %s %dx%d", im.Type, im.Width, im.Height, len(im.Data), tt.typ, tt.w, tt.h)
			}
		})
	}
	if _, err := f.Fetch(ctx, srv.URL+"/missing", 0); err == nil || !strings.Contains(err.Error(), "HTTP 404") {
		t.Errorf("missing: %v", err)
	}
	for _, u := range []string{"ftp://example.com/a.png", "not a url", "/relative.png"} {
		if _, err := f.Fetch(ctx, u, 0); err == nil || !strings.Contains(err.Error(), "not an http(s) URL") {
			t.Errorf("%s: %v", u, err)
		}
	}
}

func TestFetchGuarded(t *testing.T) {
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
	}))
	defer redirect.Close()
	f := NewFetcher(FetcherOptions{})
	for _, u := range []string{redirect.URL + "/img.png", "http://169.254.169.254/img.png"} {
		if _, err := f.Fetch(context.Background(), u, 0); !errors.Is(err, netguard.ErrForbiddenAddress) {
			t.Errorf("%s: err = %v, want the address guard", u, err)
		}
	}
}

func TestSniffIgnoresTooShortInput(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("RIFF"), []byte("\xFF\xD8"), []byte("GIF8")} {
		if got := Sniff(b); got != "" {
			t.Errorf("Sniff(%q) = %q", b, got)
		}
	}
	if _, _, err := webpSize([]byte("RIFF\xff\xff\xff\x00WEBPVP8L")); err == nil {
		t.Error("truncated WebP accepted")
	}
}

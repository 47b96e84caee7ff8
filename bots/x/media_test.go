package x

import (
	"context"
	"net/http"
	"testing"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/bots/internal/nettest"
	"github.com/fanfarehq/fanfare/bots/media"
	"github.com/fanfarehq/fanfare/bots/media/mediatest"
	"github.com/fanfarehq/fanfare/bots/x/xfake"
)

// TestPublishWithImage: the campaign image is fetched, uploaded with the
// simple upload, described, and attached; whatever goes wrong on the image's
// way, exactly one post goes out, with the link card instead.
func TestPublishWithImage(t *testing.T) {
	images := mediatest.NewServer(t)
	png := images.Put("/cover.png", mediatest.PNG(120, 63), "image/png")
	webp := images.Put("/cover.webp", mediatest.WebP(1200, 630, 500), "application/octet-stream")
	gif := images.Put("/cover.gif", mediatest.GIF(10, 10), "image/gif")
	html := images.Put("/cover.jpg", []byte("<html>not an image</html>"), "image/jpeg")
	huge := images.Put("/huge.png", mediatest.Padded(MaxImageBytes+1), "image/png")

	tests := []struct {
		name     string
		imageURL string
		setup    func(*xfake.Server)
		attached bool
		wantAlt  string
		requests int // to X: upload, metadata, post
	}{
		{name: "png with alt text", imageURL: png, attached: true, wantAlt: "Jardins & Cie", requests: 3},
		{name: "webp served as octet-stream", imageURL: webp, attached: true, wantAlt: "Jardins & Cie", requests: 3},
		{name: "gif: not for the simple upload", imageURL: gif, requests: 1},
		{name: "not an image", imageURL: html, requests: 1},
		{name: "over 5 MB", imageURL: huge, requests: 1},
		{name: "image missing", imageURL: images.URL + "/gone.png", requests: 1},
		{name: "upload fails with 503", imageURL: png,
			setup:    func(s *xfake.Server) { s.FailNext(503, `{"title":"Service Unavailable","status":503}`, nil) },
			requests: 2},
		{name: "upload rate limited", imageURL: png,
			setup:    func(s *xfake.Server) { s.FailNext(429, `{"title":"Too Many Requests","status":429}`, nil) },
			requests: 2},
		{name: "upload answers without a media id", imageURL: png,
			setup:    func(s *xfake.Server) { s.FailNext(200, `{"data":{}}`, nil) },
			requests: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := xfake.NewServer(t, testCreds)
			if tt.setup != nil {
				tt.setup(srv)
			}
			p := NewPublisher(newTestClient(t, srv.URL), WithImages(nettest.Images()))
			rc, err := p.Publish(context.Background(), bots.Message{PostID: "p1", Text: "Jardins & Cie est financé ! https://fanfare.example/c/7",
				ImageURL: tt.imageURL, ImageAlt: "Jardins & Cie"})
			if err != nil {
				t.Fatalf("Publish: %v", err)
			}
			posts := srv.Posts()
			if len(posts) != 1 || posts[0].ID != rc.ID {
				t.Fatalf("fake holds %+v, want exactly the one post", posts)
			}
			if got := len(posts[0].MediaIDs) == 1; got != tt.attached {
				t.Fatalf("attached = %v, want %v (%+v)", got, tt.attached, posts[0])
			}
			if tt.attached {
				m, ok := srv.MediaByID(posts[0].MediaIDs[0])
				if !ok || m.Alt != tt.wantAlt || m.Category != "tweet_image" {
					t.Errorf("media %+v", m)
				}
			}
			if got := srv.Requests(); got != tt.requests {
				t.Errorf("%d requests reached X, want %d", got, tt.requests)
			}
		})
	}
}

// TestMediaClient: the upload and metadata calls, and what the fake refuses.
func TestMediaClient(t *testing.T) {
	images := mediatest.NewServer(t)
	png := images.Put("/cover.png", mediatest.PNG(20, 20), "image/png")
	srv := xfake.NewServer(t, testCreds)
	c := newTestClient(t, srv.URL)
	im, err := media.NewFetcher(media.FetcherOptions{HTTPClient: http.DefaultClient}).Fetch(context.Background(), png, 0)
	if err != nil {
		t.Fatal(err)
	}
	up, err := c.UploadImage(context.Background(), im)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetAltText(context.Background(), "999", "x"); bots.ClassifyError(err) != bots.KindInvalid {
		t.Errorf("alt text for unknown media: %v", err)
	}
	long := make([]rune, 1500)
	for i := range long {
		long[i] = 'é'
	}
	if err := c.SetAltText(context.Background(), up.ID, string(long)); err != nil {
		t.Fatalf("long alt text not cut: %v", err)
	}
	if m, _ := srv.MediaByID(up.ID); len([]rune(m.Alt)) != MaxAltText {
		t.Errorf("alt text of %d characters", len([]rune(m.Alt)))
	}
	if _, err := c.CreatePost(context.Background(), "with unknown media", WithMedia("123")); bots.ClassifyError(err) != bots.KindInvalid {
		t.Errorf("unknown media id: %v", err)
	}
	if _, err := c.UploadImage(context.Background(), media.Image{Type: media.GIF, Data: mediatest.GIF(2, 2)}); bots.ClassifyError(err) != bots.KindInvalid || srv.Requests() != 4 {
		t.Errorf("GIF: %v (requests %d)", err, srv.Requests())
	}
}

func TestVerify(t *testing.T) {
	srv := xfake.NewServer(t, testCreds)
	p := NewPublisher(newTestClient(t, srv.URL))
	if err := p.Verify(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv.RevokeToken(true)
	if err := p.Verify(context.Background()); bots.ClassifyError(err) != bots.KindAuth {
		t.Errorf("revoked: %v", err)
	}
}

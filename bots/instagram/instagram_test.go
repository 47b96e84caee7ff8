package instagram

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/bots/instagram/igfake"
	"github.com/fanfarehq/fanfare/bots/internal/nettest"
	"github.com/fanfarehq/fanfare/bots/media/mediatest"
)

func newTestPublisher(t *testing.T, srv *igfake.Server, edit ...func(*Options)) *Publisher {
	t.Helper()
	return NewPublisher(nettest.New(t, NewClient, Options{GraphBaseURL: srv.URL, IGUserID: igfake.UserID, AccessToken: "ig-token", AppSecret: "secret",
		HTTPClient: &http.Client{Timeout: 2 * time.Second}, Logger: slog.New(slog.DiscardHandler)}, edit...))
}

func TestCheckCaption(t *testing.T) {
	if c := CheckCaption(strings.Repeat("a", 2200)); !c.Valid {
		t.Errorf("2200: %+v", c)
	}
	if c := CheckCaption(strings.Repeat("😀", 1101)); c.Valid || c.Length != 2202 {
		t.Errorf("emoji count 2: %+v", c)
	}
	if c := CheckCaption(strings.Repeat("#tag ", 31)); c.Valid || c.Hashtags != 31 {
		t.Errorf("31 hashtags: %+v", c)
	}
	if c := CheckCaption(strings.Repeat("@user ", 21)); c.Valid || c.Mentions != 21 {
		t.Errorf("21 mentions: %+v", c)
	}
	if c := CheckCaption("Lien en bio ! #bd #2026 https://fanfare.example/c/1"); !c.Valid || c.Hashtags != 1 || !c.HasLinks {
		t.Errorf("%+v", c)
	}
}

func TestPublish(t *testing.T) {
	images := mediatest.NewServer(t)
	jpeg := images.Put("/cover.jpg", mediatest.JPEG(64, 64), "image/jpeg")
	png := images.Put("/cover.png", mediatest.PNG(64, 64), "image/png")
	srv := igfake.NewServer(t, "ig-token", "secret")
	srv.SetProcessing(2)
	p := newTestPublisher(t, srv)
	ctx := context.Background()
	caption := "Jardins & Cie est financé ! Lien en bio. #jardin"
	rc, err := p.Publish(ctx, bots.Message{PostID: "p1", Text: caption, ImageURL: jpeg, ImageAlt: "Affiche"})
	if err != nil {
		t.Fatal(err)
	}
	media := srv.Media()
	if len(media) != 1 || media[0].ID != rc.ID || media[0].Caption != caption || media[0].Alt != "Affiche" || !strings.HasPrefix(rc.URL, "https://www.instagram.com/p/") {
		t.Fatalf("media %+v receipt %+v", media, rc)
	}
	found, ok, err := p.FindRecent(ctx, caption, time.Now().Add(-time.Minute))
	if err != nil || !ok || found.ID != rc.ID {
		t.Errorf("FindRecent %+v %v %v", found, ok, err)
	}
	srv.SetCounts(rc.ID, 7, 2)
	if eng, err := p.Engagement(ctx, []string{rc.ID, "999"}); err != nil || eng[rc.ID] != (bots.Engagement{Likes: 7, Replies: 2}) || len(eng) != 1 {
		t.Errorf("Engagement %+v %v", eng, err)
	}
	// Refused without sending: no image, a caption over the rules.
	before := srv.Requests()
	if _, err := p.Publish(ctx, bots.Message{PostID: "p2", Text: "no image"}); bots.ClassifyError(err) != bots.KindInvalid {
		t.Errorf("no image: %v", err)
	}
	if _, err := p.Publish(ctx, bots.Message{PostID: "p3", Text: strings.Repeat("#a ", 31), ImageURL: jpeg}); bots.ClassifyError(err) != bots.KindInvalid {
		t.Errorf("31 hashtags: %v", err)
	}
	if srv.Requests() != before {
		t.Errorf("%d requests for refused posts", srv.Requests()-before)
	}
	// Meta takes only JPEG.
	if _, err := p.Publish(ctx, bots.Message{PostID: "p4", Text: "png", ImageURL: png}); bots.ClassifyError(err) != bots.KindInvalid || !strings.Contains(err.Error(), "JPEG") {
		t.Errorf("png: %v", err)
	}
	if err := p.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	srv.RevokeToken(true)
	if _, err := p.Publish(ctx, bots.Message{PostID: "p5", Text: "x", ImageURL: jpeg}); bots.ClassifyError(err) != bots.KindAuth {
		t.Errorf("revoked: %v", err)
	}
}

// TestPublishAtMostOnce: whatever happens after media_publish was sent, one
// post exists, and a retry of the same post neither makes a second container
// post nor fails.
func TestPublishAtMostOnce(t *testing.T) {
	images := mediatest.NewServer(t)
	jpeg := images.Put("/cover.jpg", mediatest.JPEG(32, 32), "image/jpeg")
	tests := append(nettest.LostAnswers("POST media_publish", 500), nettest.LostAnswer{Name: "transient error before publishing",
		Inject: func(f nettest.Faults) {
			f.(*igfake.Server).FailNext("POST media_publish", 500, 2, 0, "Service temporarily unavailable")
		}, HTTPClient: &http.Client{Timeout: 2 * time.Second}})
	for _, tt := range tests {
		t.Run(tt.Name, func(t *testing.T) {
			srv := igfake.NewServer(t, "ig-token", "secret")
			srv.SetProcessing(0)
			p := newTestPublisher(t, srv, func(o *Options) { o.HTTPClient = tt.HTTPClient })
			tt.Inject(srv)
			m := bots.Message{PostID: "post-1", Text: "Financé ! Lien en bio.", ImageURL: jpeg}
			rc1, err := p.Publish(context.Background(), m)
			if err != nil && bots.ClassifyError(err) != bots.KindAmbiguous {
				t.Fatalf("first attempt: %v", err)
			}
			rc2, err := p.Publish(context.Background(), m)
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			if media := srv.Media(); len(media) != 1 || media[0].ID != rc2.ID || (rc1.ID != "" && rc1.ID != rc2.ID) {
				t.Fatalf("media %+v, receipts %+v %+v", media, rc1, rc2)
			}
			if srv.Containers() != 1 {
				t.Errorf("%d containers, want the one reused", srv.Containers())
			}
		})
	}
}

func TestPublishingLimit(t *testing.T) {
	images := mediatest.NewServer(t)
	jpeg := images.Put("/cover.jpg", mediatest.JPEG(16, 16), "image/jpeg")
	srv := igfake.NewServer(t, "ig-token", "secret")
	srv.SetQuota(2)
	srv.AddMedia("earlier 1", time.Time{})
	srv.AddMedia("earlier 2", time.Time{})
	p := newTestPublisher(t, srv)
	_, err := p.Publish(context.Background(), bots.Message{PostID: "p", Text: "third", ImageURL: jpeg})
	var be *bots.Error
	if bots.ClassifyError(err) != bots.KindRateLimited || !strings.Contains(err.Error(), "without sending") || srv.Containers() != 0 {
		t.Errorf("limit spent: %v (containers %d)", err, srv.Containers())
	}
	_ = be
	// The limit reported by media_publish itself is a rate limit too.
	srv.SetQuota(50)
	srv.FailNext("POST media_publish", 400, 9, 2207042, "You reached maximum number of posts that is allowed to be published by Content Publishing API.")
	_, err = p.Publish(context.Background(), bots.Message{PostID: "q", Text: "fourth", ImageURL: jpeg})
	if bots.ClassifyError(err) != bots.KindRateLimited {
		t.Errorf("2207042: %v", err)
	}
	if _, err := NewClient(Options{IGUserID: "abc", AccessToken: "t"}); err == nil || !strings.HasPrefix(err.Error(), "instagram: option IGUserID") {
		t.Errorf("bad user id: %v", err)
	}
}

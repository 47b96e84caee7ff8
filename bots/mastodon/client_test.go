package mastodon

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/bots/internal/nettest"
	"github.com/fanfarehq/fanfare/bots/mastodon/mastodonfake"
	"github.com/fanfarehq/fanfare/bots/media"
	"github.com/fanfarehq/fanfare/bots/media/mediatest"
)

const testToken = "mastodon-token"

func newTestPublisher(t *testing.T, baseURL string, edit ...func(*Options)) *Publisher {
	t.Helper()
	c := nettest.New(t, NewClient, Options{BaseURL: baseURL, AccessToken: testToken,
		HTTPClient: &http.Client{Timeout: 2 * time.Second}, Logger: slog.New(slog.DiscardHandler)}, edit...)
	return NewPublisher(c, WithImages(nettest.Images()))
}

func TestNewClientOptions(t *testing.T) {
	for _, o := range []Options{{AccessToken: "t"}, {BaseURL: "ftp://x", AccessToken: "t"}, {BaseURL: "https://m.example"}} {
		if _, err := NewClient(o); err == nil || !strings.HasPrefix(err.Error(), "mastodon: option ") {
			t.Errorf("%+v: err = %v", o, err)
		}
	}
}

func TestPublishAndFindRecent(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	srv := mastodonfake.NewServer(t, testToken)
	srv.SetClock(clock)
	p := newTestPublisher(t, srv.URL, func(o *Options) { o.Now = clock })
	ctx := context.Background()
	text := "Tom & Jerry's <film> est financé à 100 % !\n\nÀ voir : https://fanfare.example/c/42?utm_source=mastodon&utm_campaign=fanfare #crowdfunding"
	rc, err := p.Publish(ctx, bots.Message{PostID: "01JD0000000000000000000001", Text: text, Lang: "fr-FR"})
	if err != nil {
		t.Fatal(err)
	}
	sts := srv.Statuses()
	if len(sts) != 1 || sts[0].ID != rc.ID || sts[0].Text != text || sts[0].Language != "fr" || sts[0].Visibility != "public" {
		t.Fatalf("fake holds %+v", sts)
	}
	if sts[0].IdempotencyKey != IdempotencyKey("01JD0000000000000000000001") || !strings.HasPrefix(sts[0].IdempotencyKey, "fanfare-") {
		t.Errorf("idempotency key %q", sts[0].IdempotencyKey)
	}
	if !strings.HasSuffix(rc.URL, "/@"+mastodonfake.Username+"/"+rc.ID) || !rc.PublishedAt.Equal(now) {
		t.Errorf("receipt %+v", rc)
	}
	srv.AddStatus("Tom & Jerry's <film> est financé à 50 % !", now.Add(-time.Minute))
	found, ok, err := p.FindRecent(ctx, text, now.Add(-time.Minute))
	if err != nil || !ok || found.ID != rc.ID {
		t.Fatalf("FindRecent = %+v, %v, %v", found, ok, err)
	}
	if _, ok, err := p.FindRecent(ctx, "Tom & Jerry's <film> est financé à 75 % !", now.Add(-time.Hour)); err != nil || ok {
		t.Errorf("found a status never made: %v %v", ok, err)
	}
	if _, ok, _ := p.FindRecent(ctx, text, now.Add(time.Hour)); ok {
		t.Error("found a status older than since")
	}
}

// TestRetryAfterAmbiguousMakesNoSecondCopy: whatever went wrong after the
// instance created the status, publishing the same post again answers the
// first status, thanks to the Idempotency-Key.
func TestRetryAfterAmbiguousMakesNoSecondCopy(t *testing.T) {
	for _, tt := range nettest.LostAnswers("POST /api/v1/statuses", 502) {
		t.Run(tt.Name, func(t *testing.T) {
			srv := mastodonfake.NewServer(t, testToken)
			p := newTestPublisher(t, srv.URL, func(o *Options) { o.HTTPClient = tt.HTTPClient })
			tt.Inject(srv)
			m := bots.Message{PostID: "post-7", Text: "Jardins & Cie est financé ! https://fanfare.example/c/7"}
			_, err := p.Publish(context.Background(), m)
			if bots.ClassifyError(err) != bots.KindAmbiguous {
				t.Fatalf("first attempt: %v, want ambiguous", err)
			}
			if n := len(srv.Statuses()); n != 1 {
				t.Fatalf("%d statuses after the first attempt, want 1", n)
			}
			rc, err := p.Publish(context.Background(), m)
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			sts := srv.Statuses()
			if len(sts) != 1 || sts[0].ID != rc.ID {
				t.Fatalf("after the retry the fake holds %+v, want the one status %s", sts, rc.ID)
			}
			// Another post with the same words is another status.
			if _, err := p.Publish(context.Background(), bots.Message{PostID: "post-8", Text: m.Text}); err != nil || len(srv.Statuses()) != 2 {
				t.Errorf("other post: %v, %d statuses", err, len(srv.Statuses()))
			}
		})
	}
}

func TestPublishErrors(t *testing.T) {
	reset := time.Now().Add(4 * time.Minute).UTC().Truncate(time.Millisecond)
	tests := []struct {
		name     string
		setup    func(*mastodonfake.Server)
		text     string
		kind     bots.ErrorKind
		status   int
		msg      string
		retryAt  time.Time
		statuses int
	}{
		{name: "revoked token", setup: func(s *mastodonfake.Server) { s.RevokeToken(true) }, kind: bots.KindAuth, status: 401, msg: "revoked"},
		{name: "missing scope", setup: func(s *mastodonfake.Server) {
			s.FailNext("POST /api/v1/statuses", 403, `{"error":"This action is outside the authorized scopes"}`, nil)
		}, kind: bots.KindAuth, status: 403, msg: "outside the authorized scopes"},
		{name: "account suspended", setup: func(s *mastodonfake.Server) {
			s.FailNext("POST /api/v1/statuses", 410, `{"error":"Your account has been suspended"}`, nil)
		}, kind: bots.KindAuth, status: 410},
		{name: "rate limited", setup: func(s *mastodonfake.Server) {
			s.FailNext("POST /api/v1/statuses", 429, `{"error":"Too many requests"}`, map[string]string{
				"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset.Format("2006-01-02T15:04:05.000Z")})
		}, kind: bots.KindRateLimited, status: 429, retryAt: reset},
		{name: "too long for the instance: refused without sending",
			setup: func(s *mastodonfake.Server) { s.SetMaxCharacters(30) },
			text:  "Ce texte dépasse la limite de trente caractères de l'instance.", kind: bots.KindInvalid, msg: "allows 30"},
		{name: "validation failed", setup: func(s *mastodonfake.Server) {
			s.FailNext("POST /api/v1/statuses", 422, `{"error":"Validation failed: Text character limit of 500 exceeded"}`, nil)
		}, kind: bots.KindInvalid, status: 422, msg: "character limit"},
		{name: "503 HTML", setup: func(s *mastodonfake.Server) {
			s.FailNext("POST /api/v1/statuses", 503, "<html>Service Unavailable</html>", map[string]string{"Content-Type": "text/html"})
		}, kind: bots.KindAmbiguous, status: 503, msg: "<html>"},
		{name: "200 without an id", setup: func(s *mastodonfake.Server) {
			s.FailNext("POST /api/v1/statuses", 200, `{}`, nil)
		}, kind: bots.KindAmbiguous, msg: "no status id"},
		{name: "502 after the create", setup: func(s *mastodonfake.Server) { s.FailAfter("POST /api/v1/statuses", 502) },
			kind: bots.KindAmbiguous, status: 502, statuses: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mastodonfake.NewServer(t, testToken)
			tt.setup(srv)
			p := newTestPublisher(t, srv.URL)
			text := tt.text
			if text == "" {
				text = "status for " + tt.name
			}
			_, err := p.Publish(context.Background(), bots.Message{PostID: tt.name, Text: text})
			be := nettest.AsError(t, err)
			if be.Kind != tt.kind || be.Status != tt.status || !strings.Contains(be.Message, tt.msg) || !strings.HasPrefix(be.Error(), "mastodon: ") {
				t.Errorf("got %v (kind %s status %d), want %s %d %q", err, be.Kind, be.Status, tt.kind, tt.status, tt.msg)
			}
			if !tt.retryAt.IsZero() && !be.RetryAt.Equal(tt.retryAt) {
				t.Errorf("RetryAt %v, want %v", be.RetryAt, tt.retryAt)
			}
			if n := len(srv.Statuses()); n != tt.statuses {
				t.Errorf("%d statuses, want %d", n, tt.statuses)
			}
		})
	}
}

func TestConnectionRefusedIsNotSent(t *testing.T) {
	p := newTestPublisher(t, nettest.ClosedURL(t))
	_, err := p.Publish(context.Background(), bots.Message{PostID: "p", Text: "hello"})
	if k := bots.ClassifyError(err); k != bots.KindNotSent {
		t.Errorf("kind %s (%v), want not_sent", k, err)
	}
}

// TestRateLimitRespected: once the headers say the window is spent, the
// client refuses without sending, and the fake never sees a violation.
func TestRateLimitRespected(t *testing.T) {
	srv := mastodonfake.NewServer(t, testToken)
	srv.SetRateLimit(2, 5*time.Minute)
	p := newTestPublisher(t, srv.URL)
	ctx := context.Background()
	for i := range 2 {
		if _, err := p.Publish(ctx, bots.Message{PostID: "p" + string(rune('a'+i)), Text: "status " + string(rune('a'+i))}); err != nil {
			t.Fatalf("status %d: %v", i, err)
		}
	}
	_, err := p.Publish(ctx, bots.Message{PostID: "pc", Text: "status c"})
	be := nettest.AsError(t, err)
	if be.Kind != bots.KindRateLimited || be.RetryAt.Before(time.Now().Add(4*time.Minute)) || !strings.Contains(be.Message, "without sending") {
		t.Errorf("third status: %v (retry %v)", err, be.RetryAt)
	}
	if srv.Violations() != 0 || len(srv.Statuses()) != 2 {
		t.Errorf("violations %d statuses %d", srv.Violations(), len(srv.Statuses()))
	}
}

func TestPublishWithImage(t *testing.T) {
	images := mediatest.NewServer(t)
	png := images.Put("/cover.png", mediatest.PNG(64, 32), "image/png")
	big := images.Put("/big.png", mediatest.Padded(3000), "image/png")
	tests := []struct {
		name     string
		imageURL string
		setup    func(*mastodonfake.Server)
		timeout  time.Duration
		attached bool
	}{
		{name: "processed at once", imageURL: png, attached: true},
		{name: "processed in the background", imageURL: png, setup: func(s *mastodonfake.Server) { s.SetProcessing(2) }, attached: true},
		{name: "still processing when the budget ends", imageURL: png, setup: func(s *mastodonfake.Server) { s.SetProcessing(1000) }, timeout: 2 * time.Second},
		{name: "over the instance's image limit", imageURL: big, setup: func(s *mastodonfake.Server) { s.SetImageLimit(2000) }},
		{name: "upload refused", imageURL: png, setup: func(s *mastodonfake.Server) {
			s.FailNext("POST /api/v2/media", 422, `{"error":"Validation failed: File content type is invalid"}`, nil)
		}},
		{name: "upload 500", imageURL: png, setup: func(s *mastodonfake.Server) { s.FailAfter("POST /api/v2/media", 500) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mastodonfake.NewServer(t, testToken)
			if tt.setup != nil {
				tt.setup(srv)
			}
			p := newTestPublisher(t, srv.URL)
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			_, err := p.Publish(ctx, bots.Message{PostID: "p", Text: "Financé ! https://fanfare.example/c/1", ImageURL: tt.imageURL, ImageAlt: "Affiche du projet"})
			if err != nil {
				t.Fatal(err)
			}
			sts := srv.Statuses()
			if len(sts) != 1 {
				t.Fatalf("%d statuses, want 1", len(sts))
			}
			if got := len(sts[0].MediaIDs) == 1; got != tt.attached {
				t.Fatalf("attached = %v, want %v", got, tt.attached)
			}
			if tt.attached {
				if m, _ := srv.MediaByID(sts[0].MediaIDs[0]); m.Description != "Affiche du projet" || m.Type != media.PNG {
					t.Errorf("media %+v", m)
				}
			}
		})
	}
}

func TestEngagementAndVerify(t *testing.T) {
	srv := mastodonfake.NewServer(t, testToken)
	p := newTestPublisher(t, srv.URL)
	ctx := context.Background()
	rc, err := p.Publish(ctx, bots.Message{PostID: "p", Text: "metrics"})
	if err != nil {
		t.Fatal(err)
	}
	srv.SetCounts(rc.ID, 12, 3, 4)
	got, err := p.Engagement(ctx, []string{rc.ID, "999"})
	if err != nil {
		t.Fatal(err)
	}
	if want := (bots.Engagement{Likes: 12, Shares: 3, Replies: 4}); len(got) != 1 || got[rc.ID] != want {
		t.Errorf("Engagement = %+v", got)
	}
	if _, err := p.Engagement(ctx, []string{"../x"}); bots.ClassifyError(err) != bots.KindInvalid {
		t.Errorf("bad id: %v", err)
	}
	if err := p.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	srv.RevokeToken(true)
	if err := p.Verify(ctx); bots.ClassifyError(err) != bots.KindAuth {
		t.Errorf("revoked: %v", err)
	}
}

func TestLimits(t *testing.T) {
	srv := mastodonfake.NewServer(t, testToken)
	srv.SetMaxCharacters(1000)
	p := newTestPublisher(t, srv.URL)
	l, err := p.c.Limits(context.Background())
	if err != nil || l.MaxCharacters != 1000 || l.CharactersReservedPerURL != 23 || l.ImageSizeLimit != 16<<20 {
		t.Errorf("limits %+v, %v", l, err)
	}
	old := mastodonfake.NewServer(t, testToken)
	old.RemoveV2Instance()
	p = newTestPublisher(t, old.URL)
	if l, err := p.c.Limits(context.Background()); err != nil || l != DefaultLimits {
		t.Errorf("without v2: %+v, %v", l, err)
	}
}

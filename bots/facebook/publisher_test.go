package facebook

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/bots/facebook/fbfake"
)

func TestPublishPhotoVersusFeed(t *testing.T) {
	clock := newClock()
	srv := fbfake.NewServer(t, testPage, testToken, testAppSecret)
	srv.SetClock(clock.now)
	p := NewPublisher(newTestClient(t, srv.URL, func(o *Options) { o.Now = clock.now }))
	ctx := context.Background()
	if p.Network() != "facebook" {
		t.Errorf("Network() = %q", p.Network())
	}
	tests := []struct {
		name    string
		m       bots.Message
		photo   bool
		message string
		link    string
	}{
		{"feed", bots.Message{Text: "Launch day!", Link: "https://fanfare.example/c/1"}, false, "Launch day!", "https://fanfare.example/c/1"},
		{"photo gets the link in its caption", bots.Message{Text: "Funded!", Link: "https://fanfare.example/c/2", ImageURL: "https://cdn.example/2.jpg"},
			true, "Funded!\n\nhttps://fanfare.example/c/2", ""},
		{"photo whose text has the link", bots.Message{Text: "See https://fanfare.example/c/3 now", Link: "https://fanfare.example/c/3", ImageURL: "https://cdn.example/3.jpg"},
			true, "See https://fanfare.example/c/3 now", ""},
	}
	for _, tt := range tests {
		rc, err := p.Publish(ctx, tt.m)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		posts := srv.Posts()
		got := posts[len(posts)-1]
		if got.ID != rc.ID || (got.PhotoID != "") != tt.photo || got.Message != tt.message || got.Link != tt.link {
			t.Errorf("%s: receipt %+v, fake holds %+v", tt.name, rc, got)
		}
		if tt.photo && got.ImageURL != tt.m.ImageURL {
			t.Errorf("%s: image %q", tt.name, got.ImageURL)
		}
		_, post, _ := cutID(rc.ID)
		if rc.URL != "https://www.facebook.com/"+testPage+"/posts/"+post || !rc.PublishedAt.Equal(clock.now()) {
			t.Errorf("%s: receipt %+v", tt.name, rc)
		}
	}
}

func cutID(id string) (page, post string, ok bool) { return strings.Cut(id, "_") }

func TestFindRecent(t *testing.T) {
	clock := newClock()
	srv := fbfake.NewServer(t, testPage, testToken, testAppSecret)
	srv.SetClock(clock.now)
	p := NewPublisher(newTestClient(t, srv.URL, func(o *Options) { o.Now = clock.now }))
	ctx := context.Background()

	srv.AddPost("Jardins & Cie est financé ! https://fanfare.example/c/7", clock.now().Add(-5*time.Hour))
	start := clock.now()
	srv.DropNext()
	text := "Jardins & Cie est financé à 200 % !"
	_, err := p.Publish(ctx, bots.Message{Text: text, Link: "https://fanfare.example/c/7", ImageURL: "https://cdn.example/7.jpg"})
	if bots.ClassifyError(err) != bots.KindAmbiguous {
		t.Fatalf("Publish: %v, want ambiguous", err)
	}
	srv.AddPost("Another campaign is at 50 %", time.Time{})

	tests := []struct {
		name  string
		text  string
		since time.Time
		found bool
	}{
		{"photo caption with the link appended", text, start, true},
		{"white space differs", "Jardins &  Cie est financé\nà 200 % !", start, true},
		{"other text", "Jardins & Cie est financé à 300 % !", start, false},
		{"matching but before since", "Jardins & Cie est financé ! https://fanfare.example/c/7", start, false},
		{"matching and since earlier", "Jardins & Cie est financé ! https://fanfare.example/c/7", start.Add(-6 * time.Hour), true},
	}
	for _, tt := range tests {
		rc, ok, err := p.FindRecent(ctx, tt.text, tt.since)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if ok != tt.found {
			t.Errorf("%s: found = %v, want %v (%+v)", tt.name, ok, tt.found, rc)
			continue
		}
		if ok {
			_, post, _ := cutID(rc.ID)
			if rc.URL != "https://www.facebook.com/"+testPage+"/posts/"+post || rc.PublishedAt.IsZero() {
				t.Errorf("%s: receipt %+v", tt.name, rc)
			}
		}
	}
	rc, _, _ := p.FindRecent(ctx, text, start)
	if posts := srv.Posts(); rc.ID != posts[1].ID {
		t.Errorf("found %s, want the dropped post %s", rc.ID, posts[1].ID)
	}
}

func TestPublisherEngagement(t *testing.T) {
	srv := fbfake.NewServer(t, testPage, testToken, testAppSecret)
	p := NewPublisher(newTestClient(t, srv.URL))
	ctx := context.Background()
	rc, err := p.Publish(ctx, bots.Message{Text: "metrics please"})
	if err != nil {
		t.Fatal(err)
	}
	srv.SetEngagement(rc.ID, 3, 40, 5)
	got, err := p.Engagement(ctx, []string{rc.ID, testPage + "_999"})
	if err != nil {
		t.Fatal(err)
	}
	want := bots.Engagement{Likes: 40, Shares: 3, Replies: 5}
	if len(got) != 1 || got[rc.ID] != want {
		t.Errorf("Engagement = %+v, want {%s: %+v}", got, rc.ID, want)
	}
}

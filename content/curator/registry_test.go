package curator

import (
	"context"
	"errors"
	"testing"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/internal/redistest"
)

func TestRegistry_AddListRemove(t *testing.T) {
	ctx := context.Background()
	r := NewRegistry(redistest.Client(t), "fanfare")
	f := content.Feed{URL: " https://b.example/rss ", Keywords: []string{" art ", ""}, Lang: "FR", Networks: []string{"X", "x"}}
	if err := r.Add(ctx, f); err != nil {
		t.Fatal(err)
	}
	if err := r.Add(ctx, content.Feed{URL: "https://a.example/atom", AutoApprove: true}); err != nil {
		t.Fatal(err)
	}
	got, err := r.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].URL != "https://a.example/atom" || got[1].URL != "https://b.example/rss" {
		t.Fatalf("list = %+v", got)
	}
	b := got[1]
	if b.Lang != "fr" || len(b.Keywords) != 1 || b.Keywords[0] != "art" || len(b.Networks) != 1 || b.Networks[0] != "x" || b.FromConfig {
		t.Errorf("stored feed = %+v", b.Feed)
	}
	if !got[0].AutoApprove || got[0].LastStatus != "" || !got[0].LastFetch.IsZero() {
		t.Errorf("new feed = %+v", got[0])
	}
	// Adding again updates.
	if err := r.Add(ctx, content.Feed{URL: "https://b.example/rss", Keywords: []string{"music"}}); err != nil {
		t.Fatal(err)
	}
	if s, _ := r.Get(ctx, "https://b.example/rss"); len(s.Keywords) != 1 || s.Keywords[0] != "music" {
		t.Errorf("after update = %+v", s.Feed)
	}
	if err := r.Remove(ctx, "https://b.example/rss"); err != nil {
		t.Fatal(err)
	}
	if err := r.Remove(ctx, "https://b.example/rss"); !errors.Is(err, content.ErrFeedNotFound) {
		t.Errorf("second remove: %v; want content.ErrFeedNotFound", err)
	}
	if _, err := r.Get(ctx, "https://b.example/rss"); !errors.Is(err, content.ErrFeedNotFound) {
		t.Errorf("get removed: %v", err)
	}
	if got, _ := r.List(ctx); len(got) != 1 {
		t.Errorf("list after remove = %+v", got)
	}
}

func TestRegistry_Validation(t *testing.T) {
	r := NewRegistry(redistest.Client(t), "fanfare")
	tests := []struct {
		name  string
		feed  content.Feed
		field string
	}{
		{"no url", content.Feed{}, "url"},
		{"relative url", content.Feed{URL: "/rss"}, "url"},
		{"ftp url", content.Feed{URL: "ftp://a.example/rss"}, "url"},
		{"bad schedule", content.Feed{URL: "https://a.example/", Schedule: "every hour"}, "schedule"},
		{"bad network", content.Feed{URL: "https://a.example/", Networks: []string{"myspace"}}, "networks"},
		{"bad lang", content.Feed{URL: "https://a.example/", Lang: "french!"}, "lang"},
		{"punctuation keyword", content.Feed{URL: "https://a.example/", Keywords: []string{"!!!"}}, "keywords"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := r.Add(context.Background(), tt.feed)
			var fe *content.FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Fatalf("err = %v; want a FieldError on %q", err, tt.field)
			}
		})
	}
	for _, ok := range []content.Feed{
		{URL: "https://a.example/", Schedule: "CRON_TZ=Europe/Paris 0 8 * * *"},
		{URL: "https://a.example/", Schedule: "@every 30m", Lang: "en-GB", Keywords: []string{"*"}},
	} {
		if err := r.Add(context.Background(), ok); err != nil {
			t.Errorf("%+v refused: %v", ok, err)
		}
	}
}

func TestRegistry_SyncConfig(t *testing.T) {
	ctx := context.Background()
	r := NewRegistry(redistest.Client(t), "fanfare")
	if err := r.Add(ctx, content.Feed{URL: "https://runtime.example/rss"}); err != nil {
		t.Fatal(err)
	}
	cfg := []content.Feed{{URL: "https://one.example/rss"}, {URL: "https://two.example/rss"}}
	if err := r.SyncConfig(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if err := r.Remove(ctx, "https://one.example/rss"); !errors.Is(err, content.ErrFeedFromConfig) {
		t.Errorf("remove config feed: %v; want content.ErrFeedFromConfig", err)
	}
	if err := r.Add(ctx, content.Feed{URL: "https://two.example/rss", Keywords: []string{"x"}}); !errors.Is(err, content.ErrFeedFromConfig) {
		t.Errorf("add over config feed: %v; want content.ErrFeedFromConfig", err)
	}
	// The file drops "two": it goes, the run-time feed stays.
	if err := r.SyncConfig(ctx, cfg[:1]); err != nil {
		t.Fatal(err)
	}
	got, err := r.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, f := range got {
		urls = append(urls, f.URL)
	}
	if len(got) != 2 || got[0].URL != "https://one.example/rss" || !got[0].FromConfig ||
		got[1].URL != "https://runtime.example/rss" || got[1].FromConfig {
		t.Errorf("after resync: %v", urls)
	}
	var fe *content.FieldError
	if err := r.SyncConfig(ctx, []content.Feed{{URL: "nope"}}); !errors.As(err, &fe) {
		t.Errorf("bad config feed: %v", err)
	}
}

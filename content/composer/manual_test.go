package composer

import (
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/content"
)

func TestManualDrafts(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	past := now.Add(-time.Minute)
	enabled := []string{"x@platform_fr", "facebook", "instagram", "mastodon", "bluesky"}
	const link = "https://platform.example/p/1"
	for _, tt := range []struct {
		name      string
		m         Manual
		wantField string
		check     func(t *testing.T, ds []content.Draft)
	}{
		{"link where each network carries it", Manual{Networks: []string{"x@platform_fr", "facebook", "mastodon", "bluesky"}, Text: "Bonjour", Link: link, Lang: "fr"}, "",
			func(t *testing.T, ds []content.Draft) {
				for _, d := range ds {
					inText := strings.Contains(d.Text, link)
					if want := d.Network == "x@platform_fr" || d.Network == "mastodon"; inText != want || (!want && d.Link != link) {
						t.Errorf("%s: text %q link %q", d.Network, d.Text, d.Link)
					}
					if d.Kind != content.KindManual || d.DedupKey != "k" || d.Actor != "alice" || d.Lang != "fr" {
						t.Errorf("%s: draft %+v", d.Network, d)
					}
				}
			}},
		{"no network", Manual{Text: "x"}, "networks", nil},
		{"not enabled", Manual{Networks: []string{"x"}, Text: "x"}, "networks", nil},
		{"twice", Manual{Networks: []string{"facebook", "facebook"}, Text: "x"}, "networks", nil},
		{"instagram without an image", Manual{Networks: []string{"instagram"}, Text: "x"}, "image_url", nil},
		{"instagram with one", Manual{Networks: []string{"instagram"}, Text: "x", ImageURL: "https://platform.example/i.jpg"}, "", nil},
		{"empty text", Manual{Networks: []string{"facebook"}, Text: "  "}, "text", nil},
		{"relative link", Manual{Networks: []string{"facebook"}, Text: "x", Link: "/p/1"}, "link", nil},
		{"http image", Manual{Networks: []string{"facebook"}, Text: "x", ImageURL: "http://a.example/i.jpg"}, "image_url", nil},
		{"in the past", Manual{Networks: []string{"facebook"}, Text: "x", ScheduledAt: &past}, "scheduled_at", nil},
		{"too long for Bluesky", Manual{Networks: []string{"bluesky"}, Text: strings.Repeat("é", 301)}, "text", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := ManualDrafts(tt.m, enabled, "k", "alice", now)
			if tt.wantField != "" {
				fe, ok := err.(*content.FieldError)
				if !ok || fe.Field != tt.wantField {
					t.Fatalf("err = %v, want a FieldError on %s", err, tt.wantField)
				}
				return
			}
			if err != nil || len(ds) != len(tt.m.Networks) {
				t.Fatalf("ManualDrafts = %d drafts, %v", len(ds), err)
			}
			if tt.check != nil {
				tt.check(t, ds)
			}
		})
	}
}

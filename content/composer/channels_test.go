package composer

import (
	"strings"
	"testing"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/text"
)

// TestComposeChannels: one post per channel whose route takes the campaign,
// each within its network's rules, with the network's way of linking and
// the campaign's image where the network shows one.
func TestComposeChannels(t *testing.T) {
	channels := []string{"x@platform_fr", "x@platform_en", "facebook", "instagram", "mastodon", "bluesky"}
	c := newTestComposer(t, Options{
		Networks: channels,
		Routes: map[string]content.Route{
			"x@platform_fr": {Langs: []string{"fr"}},
			"x@platform_en": {Langs: []string{"en"}},
		},
	})
	for _, tt := range []struct {
		lang, image string
		want        []string
	}{
		{"fr", "https://fund.example.com/img/jardin.jpg", []string{"x@platform_fr", "facebook", "instagram", "mastodon", "bluesky"}},
		{"en", "https://fund.example.com/img/jardin.jpg", []string{"x@platform_en", "facebook", "instagram", "mastodon", "bluesky"}},
		{"fr", "", []string{"x@platform_fr", "facebook", "mastodon", "bluesky"}}, // no image: no Instagram post
	} {
		camp := testCampaign(tt.lang)
		camp.ImageURL = tt.image
		drafts, err := c.Compose(campaigns.Event{ID: "e1", Campaign: camp, Milestone: "percent:50", FiredAt: testDeadline.Add(-72 * 3600e9)})
		if err != nil {
			t.Fatalf("Compose(%s): %v", tt.lang, err)
		}
		var got []string
		for _, d := range drafts {
			got = append(got, d.Network)
			network := text.NetworkOf(d.Network)
			if err := text.Validate(d.Network, d.Text); err != nil {
				t.Errorf("%s %s: %v: %q", tt.lang, d.Network, err, d.Text)
			}
			assertLink(t, d.Link, network, "percent:50")
			inText := strings.Contains(d.Text, "https://")
			switch network {
			case "x", "mastodon":
				if !inText {
					t.Errorf("%s: the link is not in the text: %q", d.Network, d.Text)
				}
			case "facebook":
				if inText {
					t.Errorf("%s: a link in the text where the card carries it: %q", d.Network, d.Text)
				}
			case "bluesky":
				if inText || !strings.Contains(d.Text, "fund.example.com/p/jardin") {
					t.Errorf("bluesky: want the link written short, got %q", d.Text)
				}
			case "instagram":
				if inText || !strings.Contains(d.Text, "fund.example.com/p/jardin") {
					t.Errorf("instagram: want the campaign's address written plainly, got %q", d.Text)
				}
			}
			wantImage := tt.image
			if network == "facebook" {
				wantImage = "" // the link card shows it
			}
			if d.ImageURL != wantImage || (wantImage != "" && d.ImageAlt != "Le Jardin Suspendu") {
				t.Errorf("%s: image %q alt %q, want %q with the title", d.Network, d.ImageURL, d.ImageAlt, wantImage)
			}
			if tt.lang == "fr" && network == "instagram" && !strings.Contains(d.Text, "Pour soutenir le projet\u00a0:") {
				t.Errorf("instagram caption in French without its typography: %q", d.Text)
			}
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("Compose(%s, image %q) channels = %v, want %v", tt.lang, tt.image, got, tt.want)
		}
	}
}

// TestRouteTakes: languages and categories, empty lists take all.
func TestRouteTakes(t *testing.T) {
	for _, tt := range []struct {
		r         content.Route
		lang, cat string
		want      bool
	}{
		{content.Route{}, "fr", "", true},
		{content.Route{Langs: []string{"fr"}}, "fr", "jeux", true},
		{content.Route{Langs: []string{"fr"}}, "en", "jeux", false},
		{content.Route{Categories: []string{"jeux"}}, "en", "Jeux", true},
		{content.Route{Categories: []string{"jeux"}}, "en", "film", false},
		{content.Route{Langs: []string{"fr"}, Categories: []string{"jeux"}}, "fr", "film", false},
	} {
		if got := tt.r.Takes(tt.lang, tt.cat); got != tt.want {
			t.Errorf("%+v.Takes(%s, %s) = %v, want %v", tt.r, tt.lang, tt.cat, got, tt.want)
		}
	}
}

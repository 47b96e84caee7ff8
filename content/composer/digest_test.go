package composer

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/text"
)

func digestMembers(lang string, n int) []DigestMember {
	out := make([]DigestMember, n)
	for i := range out {
		c := testCampaign(lang)
		c.ID = fmt.Sprintf("camp-%d", i)
		c.Title = fmt.Sprintf("Project number %d", i)
		c.Creator.XHandle = fmt.Sprintf("maker%d", i)
		out[i] = DigestMember{Campaign: c}
	}
	return out
}

func TestRenderDigest(t *testing.T) {
	c := newTestComposer(t, Options{PublicURL: "https://fanfare.example/"})
	for _, tt := range []struct {
		network, lang, family string
		n                     int
		wantHead              string
		wantMore              bool
	}{
		{content.NetworkX, "en", DigestFunded, 1, "Funded today", false},
		{content.NetworkX, "en", DigestFunded, 30, "Funded today", true},
		{content.NetworkX, "fr", DigestEnding, 30, "Dernières heures pour 30 campagnes", true},
		{content.NetworkFacebook, "en", DigestProgress, 3, "On the move today", false},
		{content.NetworkFacebook, "fr", DigestLaunch, 45, "Nouveaux sur la plateforme aujourd'hui", true},
	} {
		name := fmt.Sprintf("%s/%s/%s/%d", tt.network, tt.lang, tt.family, tt.n)
		members := digestMembers(tt.lang, tt.n)
		r, err := c.RenderDigest(tt.network, tt.lang, tt.family, "01DIGEST", members, testLaunch)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if res, _ := text.Check(tt.network, r.Text); !res.Valid {
			t.Errorf("%s: text not valid (%d/%d): %q", name, res.WeightedLength, res.Max, r.Text)
		}
		if !strings.Contains(r.Text, tt.wantHead) || !strings.Contains(r.Text, "Project number 0") {
			t.Errorf("%s: %q lacks the head %q or the first campaign", name, r.Text, tt.wantHead)
		}
		named := 0
		for i := range members {
			if strings.Contains(r.Text, fmt.Sprintf("Project number %d", i)) {
				named++
			}
		}
		more := fmt.Sprintf("%d more", tt.n-named)
		if tt.lang == "fr" {
			more = fmt.Sprintf("%d autres", tt.n-named)
		}
		if got := strings.Contains(r.Text, more); got != tt.wantMore {
			t.Errorf("%s: names %d of %d campaigns; says %q: %v, want %v: %q", name, named, tt.n, more, got, tt.wantMore, r.Text)
		}
		if tt.network == content.NetworkX {
			// As many as fit: one more campaign would not.
			if named < tt.n && named < 3 {
				t.Errorf("%s: only %d campaigns named in %q", name, named, r.Text)
			}
			if !strings.Contains(r.Text, "@maker0") {
				t.Errorf("%s: the first creator is not credited: %q", name, r.Text)
			}
		} else if named > maxDigestItems {
			t.Errorf("%s: %d campaigns named, more than %d", name, named, maxDigestItems)
		}
		if !strings.HasPrefix(r.Link, "https://fanfare.example/digests/01DIGEST?") || !strings.Contains(r.Link, "utm_source="+tt.network) {
			t.Errorf("%s: link %q", name, r.Link)
		}
		if tt.network == content.NetworkX && !strings.Contains(r.Text, r.Link) {
			t.Errorf("%s: the X text %q does not carry the link", name, r.Text)
		}
		if !strings.HasPrefix(r.Variant, "digest/v") {
			t.Errorf("%s: variant %q", name, r.Variant)
		}
	}
	if _, err := newTestComposer(t, Options{}).RenderDigest(content.NetworkX, "en", DigestFunded, "01D", digestMembers("en", 2), testLaunch); err == nil {
		t.Error("a digest rendered without a public URL to link to")
	}
}

func TestDigestFamily(t *testing.T) {
	for m, want := range map[string]string{
		"percent:100": DigestFunded, "percent:150": DigestFunded, "ended:successful": DigestFunded,
		"percent:50": DigestProgress, "backers:1000": DigestProgress, "stretch:0": DigestProgress,
		"ending:24h": DigestEnding, "ending:72h": DigestEnding, "launch": DigestLaunch,
	} {
		if got, err := DigestFamily(m); err != nil || got != want {
			t.Errorf("DigestFamily(%s) = %q, %v; want %q", m, got, err, want)
		}
	}
	if _, err := DigestFamily("story"); err == nil {
		t.Error("DigestFamily(story): no error")
	}
}

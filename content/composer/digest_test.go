package composer

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/text"
)

func digestMembers(lang, family string, n int) []DigestMember {
	out := make([]DigestMember, n)
	for i := range out {
		c := testCampaign(lang)
		c.ID = fmt.Sprintf("camp-%d", i)
		c.Title = fmt.Sprintf("Project number %d", i)
		c.Creator.XHandle = fmt.Sprintf("maker%d", i)
		out[i] = DigestMember{Campaign: c, Family: family}
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
		{content.NetworkX, "en", DigestFunded, 1, "Funded today: ", false},
		{content.NetworkX, "en", DigestFunded, 30, "Funded today: ", true},
		{content.NetworkX, "fr", DigestEnding, 30, "Bientôt la fin\u00a0: ", true},
		{content.NetworkFacebook, "en", DigestProgress, 3, "On the move: ", false},
		{content.NetworkFacebook, "fr", DigestLaunch, 45, "Nouveaux sur la plateforme\u00a0: ", true},
		{content.NetworkFacebook, "fr", DigestEnding, 4, "Derniers jours pour 4 campagnes\u00a0: ", false},
	} {
		name := fmt.Sprintf("%s/%s/%s/%d", tt.network, tt.lang, tt.family, tt.n)
		members := digestMembers(tt.lang, tt.family, tt.n)
		r, err := c.RenderDigest(tt.network, tt.lang, "01DIGEST", members, testLaunch)
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
	if _, err := newTestComposer(t, Options{}).RenderDigest(content.NetworkX, "en", "01D", digestMembers("en", DigestFunded, 2), testLaunch); err == nil {
		t.Error("a digest rendered without a public URL to link to")
	}
}

// TestRenderDigestSections: a digest of several families names the most
// urgent sections first, each under its head, and counts the rest after them.
func TestRenderDigestSections(t *testing.T) {
	c := newTestComposer(t, Options{PublicURL: "https://fanfare.example.org/"})
	var members []DigestMember
	for i, fam := range []string{DigestProgress, DigestLaunch, DigestFunded, DigestEnding, DigestProgress, DigestFunded} {
		m := digestMembers("en", fam, i+1)[i]
		members = append(members, m)
	}
	r, err := c.RenderDigest(content.NetworkFacebook, "en", "01DIGEST", members, testLaunch)
	if err != nil {
		t.Fatal(err)
	}
	want := "Funded today: Project number 2 by Atelier Lumen and Project number 5 by Atelier Lumen.\n" +
		"Last days for 1 campaign: Project number 3 by Atelier Lumen.\n" +
		"New on the platform: Project number 1 by Atelier Lumen.\n" +
		"On the move: Project number 0 by Atelier Lumen and Project number 4 by Atelier Lumen."
	if !strings.Contains(r.Text, want) {
		t.Errorf("Facebook digest:\n%s\nwant it to contain:\n%s", r.Text, want)
	}
	x, err := c.RenderDigest(content.NetworkX, "en", "01DIGEST", append(members, digestMembers("en", DigestLaunch, 40)[6:]...), testLaunch)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(strings.TrimPrefix(x.Text, "🎉 "), "Funded today: Project number 2 by @maker2 and Project number 5 by @maker5 · Ending soon: ") ||
		!strings.Contains(x.Text, " more https://fanfare.example.org/digests/01DIGEST?") {
		t.Errorf("X digest: %q", x.Text)
	}
	if _, err := c.RenderDigest(content.NetworkX, "en", "01D", []DigestMember{{Campaign: testCampaign("en"), Family: "party"}}, testLaunch); err == nil {
		t.Error("a member of an unknown family was rendered")
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

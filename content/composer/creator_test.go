package composer

import (
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/text"
	"github.com/fanfarehq/fanfare/internal/twittertextjs"
)

// hostileCampaign holds, in every field a creator writes, what would act on
// the networks if it reached a post as markup.
func hostileCampaign(lang string) campaigns.Campaign {
	c := testCampaign(lang)
	c.Title = "Free\nstuff \u202eevil\u202c @jack #win $TSLA evil.com"
	c.Creator = campaigns.Creator{Name: "@jack @elonmusk", XHandle: "not a handle"}
	c.StretchGoals = []campaigns.StretchGoal{{Amount: 250_000, Title: "#free @support https://phish.example.com/x"}}
	c.Description = "Follow @jack.\nVisit www.evil.co.uk/win?x=1 and #giveaway $DOGE."
	return c
}

// TestCreatorTextIsData: whatever a creator writes in a title, a name, a
// stretch goal or a description, no post mentions, tags or links anyone
// because of it (proved with the official twitter-text extractors), and
// none carries its line breaks or bidi overrides.
func TestCreatorTextIsData(t *testing.T) {
	c := newTestComposer(t, Options{})
	var texts []string
	for _, lang := range []string{"fr", "en"} {
		camp := hostileCampaign(lang)
		for _, m := range []string{"launch", "percent:50", "percent:100", "backers:1000", "stretch:0", "ending:24h", "ended:successful", "story"} {
			ms, err := parseMilestone(m)
			if err != nil {
				t.Fatal(err)
			}
			for _, network := range c.Networks() {
				f, _ := c.set.file(lang, network, ms.family)
				for i := range f.variants {
					r, err := c.renderVariant(f, i, ms, network, lang, camp, testDeadline.Add(-24*time.Hour), nil)
					if err != nil {
						t.Fatalf("%s %s %s v%d: %v", lang, network, m, i+1, err)
					}
					if strings.ContainsAny(r.Text, "\u202e\u202c") || strings.Contains(r.Text, "Free\nstuff") || strings.Contains(r.Text, "jack.\nVisit") {
						t.Errorf("%s %s %s v%d: creator text kept its controls: %q", lang, network, m, i+1, r.Text)
					}
					if network == content.NetworkX && !strings.Contains(r.Text, "@\u2060jack @\u2060elonmusk") {
						t.Errorf("%s %s v%d: without a valid handle the credit is the (inert) name: %q", lang, m, i+1, r.Text)
					}
					texts = append(texts, r.Text)
				}
			}
		}
	}
	res := twittertextjs.Parse(t, texts)
	for i, r := range res {
		var urls []string
		for _, u := range r.URLs {
			if !strings.HasPrefix(u.Text, "https://fund.example.com/p/jardin") {
				urls = append(urls, u.Text)
			}
		}
		var tags []string
		for _, h := range r.Hashtags {
			if h.Text != "JeuDeSociété" && h.Text != "Lyon" {
				tags = append(tags, h.Text)
			}
		}
		if len(r.Mentions)+len(tags)+len(r.Cashtags)+len(urls) > 0 {
			t.Errorf("%q: mentions %v, hashtags %v, cashtags %v, URLs %v", texts[i], r.Mentions, tags, r.Cashtags, urls)
		}
	}
	t.Logf("%d posts from hostile creator text: no mention, hashtag, cashtag or link from it", len(texts))
}

// TestNoCreatorNoCredit: a campaign without a creator name gets posts
// without a credit, never "Unknown creator" nor a dangling "by".
func TestNoCreatorNoCredit(t *testing.T) {
	c := newTestComposer(t, Options{})
	for _, lang := range []string{"fr", "en"} {
		camp := testCampaign(lang)
		camp.Creator = campaigns.Creator{}
		for _, m := range []campaigns.Milestone{"launch", "percent:50", "backers:1000", "stretch:0", "ending:72h", "ended:successful"} {
			ds, err := c.Compose(campaigns.Event{ID: "e", Campaign: camp, Milestone: m})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				low := strings.ToLower(d.Text)
				for _, bad := range []string{"unknown", "inconnu", " by .", " by !", " par .", "par\u00a0:", "by:", "()", "  "} {
					if strings.Contains(low, bad) {
						t.Errorf("%s %s %s: %q holds %q", lang, d.Network, m, d.Text, bad)
					}
				}
			}
		}
	}
}

// TestOverrideWithoutMarks: an operator's template that knows nothing of
// marks (no optional, the title as a field, even cut short by printf) still
// gives posts that fit, with the credit and the link whole and no mark.
func TestOverrideWithoutMarks(t *testing.T) {
	dir := t.TempDir()
	writeTemplate(t, dir, "fr/x/percent.tmpl", `{{define "v1"}}MAISON {{percent .N}} pour {{.Campaign.Title}} par {{mention}} !{{end}}`+
		`{{define "v2"}}Court : {{printf "%.30s" .Campaign.Title}}, {{money .Campaign.Pledged}} !{{end}}`)
	c := newTestComposer(t, Options{TemplateDir: dir})
	camp := testCampaign("fr")
	camp.Title = strings.Repeat("Très long titre ", 31)
	f, _ := c.set.file("fr", content.NetworkX, FamilyPercent)
	ms, _ := parseMilestone("percent:50")
	for i := range f.variants {
		r, err := c.renderVariant(f, i, ms, content.NetworkX, "fr", camp, testLaunch, nil)
		if err != nil {
			t.Fatalf("v%d: %v", i+1, err)
		}
		if err := text.Validate(content.NetworkX, r.Text); err != nil || text.HasMarks(r.Text) || !strings.Contains(r.Text, r.Link) {
			t.Errorf("v%d: %q (%v)", i+1, r.Text, err)
		}
	}
	r, _ := c.renderVariant(f, 0, ms, content.NetworkX, "fr", camp, testLaunch, nil)
	if !strings.HasPrefix(r.Text, "MAISON 50\u00a0% pour Très long titre") || !strings.Contains(r.Text, "… par @atelierlumen\u202f!") {
		t.Errorf("v1: %q", r.Text)
	}
}

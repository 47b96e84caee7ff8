package composer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/text"
)

var (
	testLaunch   = time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
	testDeadline = testLaunch.Add(30 * 24 * time.Hour)
)

func testCampaign(lang string) campaigns.Campaign {
	return campaigns.Campaign{
		ID:         "jardin-42",
		Title:      "Le Jardin Suspendu",
		URL:        "https://fund.example.com/p/jardin?ref=home",
		Lang:       lang,
		Currency:   "EUR",
		Goal:       125_000,
		Pledged:    62_550,
		Backers:    1000,
		LaunchedAt: testLaunch,
		Deadline:   testDeadline,
		State:      campaigns.StateLive,
		Creator:    campaigns.Creator{Name: "Atelier Lumen", XHandle: "atelierlumen"},
		Description: "Un jardin vertical pour les balcons de ville. Chaque module accueille douze plantes. " +
			"Montage en dix minutes, sans outil.",
		StretchGoals: []campaigns.StretchGoal{{Amount: 250_000, Title: "Bac à compost"}},
		Tags:         []string{"jeu de société", "Lyon"},
	}
}

func newTestComposer(t testing.TB, o Options) *Composer {
	t.Helper()
	if o.Now == nil {
		o.Now = func() time.Time { return testDeadline.Add(-72 * time.Hour) }
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	c, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// assertLink checks that a link is the campaign URL with its own query kept
// and the four UTM parameters set.
func assertLink(t *testing.T, link, network, milestone string) {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatalf("link %q: %v", link, err)
	}
	if u.Host != "fund.example.com" || u.Path != "/p/jardin" {
		t.Errorf("link %q is not the campaign URL", link)
	}
	q := u.Query()
	for k, want := range map[string]string{
		"ref": "home", "utm_source": network, "utm_medium": "social",
		"utm_campaign": "jardin-42", "utm_content": milestone,
	} {
		if got := q.Get(k); got != want {
			t.Errorf("link %q: %s = %q, want %q", link, k, got, want)
		}
	}
}

// TestComposeFamilies renders every variant of every family in French and
// English for both networks and checks what each must say.
func TestComposeFamilies(t *testing.T) {
	tests := []struct {
		lang, milestone string
		want            []string // in every variant, on both networks
	}{
		{"fr", "launch", []string{"1\u00a0250\u00a0€"}},
		{"fr", "percent:50", []string{"50\u00a0%"}},
		{"fr", "percent:100", []string{"100\u00a0%"}},
		{"fr", "backers:1000", []string{"1\u00a0000 contributeurs"}},
		{"fr", "stretch:0", []string{"2\u00a0500\u00a0€", "Bac à compost"}},
		{"fr", "ending:72h", []string{"lus que 3 jours"}},
		{"fr", "ending:24h", []string{"lus que 24 heures"}},
		{"fr", "ended:successful", []string{"625,50\u00a0€"}},
		{"en", "launch", []string{"€1,250"}},
		{"en", "percent:50", []string{"50%"}},
		{"en", "percent:100", []string{"100%"}},
		{"en", "backers:1000", []string{"1,000 backers"}},
		{"en", "stretch:0", []string{"€2,500", "Bac à compost"}},
		{"en", "ending:72h", []string{"3 days left"}},
		{"en", "ending:24h", []string{"24 hours left"}},
		{"en", "ended:successful", []string{"€625.50"}},
	}
	c := newTestComposer(t, Options{})
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.milestone, func(t *testing.T) {
			camp := testCampaign(tt.lang)
			ms, err := parseMilestone(tt.milestone)
			if err != nil {
				t.Fatal(err)
			}
			// Fired on time: a minute after the window opened.
			at := testLaunch.Add(time.Minute)
			if ms.family == FamilyEnding {
				at = testDeadline.Add(-time.Duration(ms.n)*time.Hour + time.Minute)
			}
			for _, network := range []string{content.NetworkX, content.NetworkFacebook} {
				f, ok := c.set.file(tt.lang, network, ms.family)
				if !ok || f.key.lang != tt.lang {
					t.Fatalf("no %s template for %s/%s", tt.lang, network, ms.family)
				}
				if len(f.variants) < 3 {
					t.Errorf("%s has %d variants, want at least 3", f.name, len(f.variants))
				}
				for i, v := range f.variants {
					r, err := c.renderVariant(f, i, ms, network, tt.lang, camp, at, nil)
					if err != nil {
						t.Fatalf("%s %s: %v", f.name, v, err)
					}
					for _, w := range append([]string{"Le Jardin Suspendu"}, tt.want...) {
						if !strings.Contains(r.Text, w) {
							t.Errorf("%s %s: %q does not contain %q", f.name, v, r.Text, w)
						}
					}
					wantMention := "Atelier Lumen"
					if network == content.NetworkX {
						wantMention = "@atelierlumen"
					}
					if !strings.Contains(r.Text, wantMention) {
						t.Errorf("%s %s: %q does not mention %q", f.name, v, r.Text, wantMention)
					}
					assertLink(t, r.Link, network, tt.milestone)
					if network == content.NetworkX {
						if !strings.Contains(r.Text, r.Link) {
							t.Errorf("%s %s: X text %q lacks the link %s", f.name, v, r.Text, r.Link)
						}
					} else if strings.Contains(r.Text, "http") {
						t.Errorf("%s %s: Facebook text %q carries a link; it belongs in Draft.Link", f.name, v, r.Text)
					}
					if !strings.Contains(r.Text, "#JeuDeSociété #Lyon") {
						t.Errorf("%s %s: %q lacks the hashtags", f.name, v, r.Text)
					}
					if err := text.Validate(network, r.Text); err != nil {
						t.Errorf("%s %s: %q is not valid on %s: %v", f.name, v, r.Text, network, err)
					}
					if r.Lang != tt.lang || r.Variant != ms.family+"/"+v {
						t.Errorf("%s %s: lang %q variant %q", f.name, v, r.Lang, r.Variant)
					}
				}
			}
		})
	}
}

func TestComposeDrafts(t *testing.T) {
	c := newTestComposer(t, Options{})
	camp := testCampaign("fr")
	tests := []struct {
		milestone    string
		wantPriority int
		wantNotAfter time.Time
	}{
		// Freshness after it fired (an hour after launch), never past the
		// deadline; ending posts stay true until it, a thank-you is judged
		// from when it fired.
		{"launch", 4, testLaunch.Add(49 * time.Hour)},
		{"percent:25", 6, testLaunch.Add(25 * time.Hour)},
		{"percent:100", 2, testLaunch.Add(25 * time.Hour)},
		{"backers:10", 7, testLaunch.Add(25 * time.Hour)},
		{"stretch:0", 5, testLaunch.Add(25 * time.Hour)},
		{"ending:72h", 3, testDeadline},
		{"ending:24h", 1, testDeadline},
		{"ended:successful", 0, testLaunch.Add(49 * time.Hour)},
	}
	for _, tt := range tests {
		ev := campaigns.Event{
			ID:        campaigns.EventID(camp.ID, campaigns.Milestone(tt.milestone)),
			Campaign:  camp,
			Milestone: campaigns.Milestone(tt.milestone),
			FiredAt:   testLaunch.Add(time.Hour),
		}
		drafts, err := c.Compose(ev)
		if err != nil {
			t.Fatalf("Compose(%s): %v", tt.milestone, err)
		}
		if len(drafts) != 2 || drafts[0].Network != content.NetworkX || drafts[1].Network != content.NetworkFacebook {
			t.Fatalf("Compose(%s) gave %d drafts, want x then facebook", tt.milestone, len(drafts))
		}
		for _, d := range drafts {
			if d.DedupKey != ev.ID || d.GroupID != ev.ID || d.Kind != content.KindMilestone ||
				d.CampaignID != camp.ID || d.Milestone != tt.milestone || d.Lang != "fr" ||
				!strings.HasPrefix(d.Variant, strings.SplitN(tt.milestone, ":", 2)[0]+"/v") || d.Actor == "" {
				t.Errorf("Compose(%s) %s draft: %+v", tt.milestone, d.Network, d)
			}
			if d.Priority != tt.wantPriority {
				t.Errorf("Compose(%s) priority %d, want %d", tt.milestone, d.Priority, tt.wantPriority)
			}
			if !d.NotAfter.Equal(tt.wantNotAfter) {
				t.Errorf("Compose(%s) not_after %s, want %s", tt.milestone, d.NotAfter, tt.wantNotAfter)
			}
			assertLink(t, d.Link, d.Network, tt.milestone)
		}
		again, err := c.Compose(ev)
		if err != nil || fmt.Sprint(again) != fmt.Sprint(drafts) {
			t.Errorf("Compose(%s) is not deterministic", tt.milestone)
		}
	}
}

func TestComposeRejectsBadEvents(t *testing.T) {
	c := newTestComposer(t, Options{})
	camp := testCampaign("en")
	noURL := camp
	noURL.URL = "not a url"
	tests := []struct {
		milestone string
		camp      campaigns.Campaign
		wantErr   string
	}{
		{"percent:abc", camp, `"abc" is not a valid number`},
		{"percent:0", camp, "not a valid number"},
		{"weekly", camp, `unknown milestone family "weekly"`},
		{"ending:soon", camp, "not a time left such as 24h"},
		{"ending:90m", camp, "not a whole number of hours"},
		{"percent:050", camp, "write it percent:50"},
		{"ended:failed", camp, "only ended:successful"},
		{"stretch:3", camp, "has no stretch goal 3"},
		{"story", camp, "stories are not milestone events"},
		{"launch", noURL, "not an absolute http(s) URL"},
	}
	for _, tt := range tests {
		_, err := c.Compose(campaigns.Event{ID: "e", Campaign: tt.camp, Milestone: campaigns.Milestone(tt.milestone)})
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("Compose(%s) error = %v, want it to contain %q", tt.milestone, err, tt.wantErr)
		}
	}
}

func TestPriorityOverride(t *testing.T) {
	c := newTestComposer(t, Options{Priority: map[string]int{"percent:50": 1, "backers": 3, "default": 20}})
	for kind, want := range map[string]int{
		"percent:50": 1, "percent:25": 6, "backers:10": 3, "ended:successful": 0, "story": 8, "nonsense": 20,
	} {
		if got := c.Priority(kind); got != want {
			t.Errorf("Priority(%s) = %d, want %d", kind, got, want)
		}
	}
}

func TestVariantsRotate(t *testing.T) {
	c := newTestComposer(t, Options{})
	variant := func(id, milestone string) string {
		camp := testCampaign("fr")
		camp.ID = id
		ds, err := c.Compose(campaigns.Event{ID: id + "/" + milestone, Campaign: camp, Milestone: campaigns.Milestone(milestone)})
		if err != nil {
			t.Fatal(err)
		}
		return ds[0].Variant
	}
	sequences := [][]string{
		{"percent:25", "percent:50", "percent:75", "percent:100", "percent:150", "percent:200", "percent:300"},
		{"backers:10", "backers:50", "backers:100", "backers:250", "backers:500", "backers:1000"},
		{"ending:72h", "ending:24h"},
	}
	spread := map[string]bool{}
	for i := range 20 {
		id := fmt.Sprintf("campaign-%d", i)
		for _, seq := range sequences {
			prev := ""
			for _, m := range seq {
				v := variant(id, m)
				if v == prev {
					t.Errorf("%s: %s repeats variant %s of the milestone before it", id, m, v)
				}
				prev = v
			}
		}
		spread[variant(id, "percent:50")] = true
	}
	if len(spread) < 3 {
		t.Errorf("percent:50 used %d variants across 20 campaigns, want all 3: %v", len(spread), spread)
	}
}

func TestUnknownLanguageFallsBackToEnglish(t *testing.T) {
	var logs bytes.Buffer
	c := newTestComposer(t, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	for _, lang := range []string{"de", "de", "??"} {
		camp := testCampaign(lang)
		ds, err := c.Compose(campaigns.Event{ID: "e", Campaign: camp, Milestone: "launch"})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if d.Lang != "en" || !strings.Contains(d.Text, "€1,250") {
				t.Errorf("lang %q: got %s %q, want English", lang, d.Lang, d.Text)
			}
		}
	}
	if n := strings.Count(logs.String(), "lang=de"); n != 1 {
		t.Errorf("fallback for de logged %d times, want once:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "lang=??") {
		t.Errorf("fallback for ?? not logged:\n%s", logs.String())
	}
	ds, err := c.Compose(campaigns.Event{ID: "e", Campaign: testCampaign("fr-CA"), Milestone: "launch"})
	if err != nil || ds[0].Lang != "fr" {
		t.Errorf("fr-CA must use the French templates, got %+v, %v", ds, err)
	}
}

func writeTemplate(t testing.TB, dir, rel, text string) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTemplateOverride(t *testing.T) {
	dir := t.TempDir()
	writeTemplate(t, dir, "fr/x/percent.tmpl", `{{define "v1"}}MAISON {{percent .N}} pour {{.Campaign.Title}}{{end}}`)
	writeTemplate(t, dir, "README.md", "not a template")
	c := newTestComposer(t, Options{TemplateDir: dir})
	ds, err := c.Compose(campaigns.Event{ID: "e", Campaign: testCampaign("fr"), Milestone: "percent:50"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ds[0].Text, "MAISON 50\u00a0% pour Le Jardin Suspendu https://fund.example.com/") || ds[0].Variant != "percent/v1" {
		t.Errorf("override not used on X: %q (%s)", ds[0].Text, ds[0].Variant)
	}
	if strings.Contains(ds[1].Text, "MAISON") {
		t.Errorf("override of fr/x leaked into Facebook: %q", ds[1].Text)
	}
	en, err := c.Compose(campaigns.Event{ID: "e", Campaign: testCampaign("en"), Milestone: "percent:50"})
	if err != nil || strings.Contains(en[0].Text, "MAISON") {
		t.Errorf("override of fr/x leaked into English: %v %v", en, err)
	}

	// An override may add a language; what it lacks comes from English.
	writeTemplate(t, dir, "de/x/launch.tmpl", `{{define "v1"}}Neu: {{.Campaign.Title}}{{end}}`)
	c = newTestComposer(t, Options{TemplateDir: dir})
	de, err := c.Compose(campaigns.Event{ID: "e", Campaign: testCampaign("de"), Milestone: "launch"})
	if err != nil || !strings.HasPrefix(de[0].Text, "Neu: Le Jardin Suspendu") || de[0].Lang != "de" || de[1].Lang != "en" {
		t.Errorf("added language: %+v, %v", de, err)
	}
}

func TestBrokenOverrideFailsNew(t *testing.T) {
	tests := []struct {
		name, rel, text string
		want            []string
	}{
		{"parse error", "fr/x/percent.tmpl", "{{define \"v1\"}}\nok\n{{if}}{{end}}", []string{"fr/x/percent.tmpl:3"}},
		{"unclosed action", "en/facebook/ending.tmpl", "{{define \"v1\"}}\n\n\n{{.Campaign.Title{{end}}", []string{"en/facebook/ending.tmpl:4"}},
		{"unknown function", "fr/x/launch.tmpl", "{{define \"v1\"}}\n{{moneyy .Campaign.Goal}}{{end}}", []string{"fr/x/launch.tmpl:2", "moneyy"}},
		{"unknown field", "fr/facebook/backers.tmpl", "{{define \"v1\"}}ok\n\n{{.Campaign.Nope}}{{end}}", []string{"fr/facebook/backers.tmpl:3", "Nope"}},
		{"bad index", "en/x/stretch.tmpl", "{{define \"v1\"}}{{index .Campaign.StretchGoals 7}}{{end}}", []string{"en/x/stretch.tmpl:1", "index out of range"}},
		{"optional field assumed", "fr/x/story.tmpl", "{{define \"v1\"}}x\n{{slice .Campaign.Tags 1}}{{end}}", []string{"fr/x/story.tmpl:2"}},
		{"no variant", "fr/x/ended.tmpl", "{{define \"one\"}}x{{end}}", []string{"fr/x/ended.tmpl:1", "defines no variant"}},
		{"empty variant", "fr/x/ended.tmpl", "\n{{define \"v1\"}}  {{end}}", []string{"fr/x/ended.tmpl:2", "renders no text"}},
		{"tail too long", "en/x/launch.tmpl", "{{define \"v1\"}}hi{{end}}{{define \"tail\"}}{{range 300}}x{{end}}{{end}}", []string{"en/x/launch.tmpl:1"}},
		{"runaway", "en/x/launch.tmpl", "{{define \"v1\"}}{{range 100000}}xxxxxxxxxx{{end}}{{end}}", []string{"en/x/launch.tmpl:1", "renders more than"}},
		{"unknown family", "fr/x/percentage.tmpl", "{{define \"v1\"}}x{{end}}", []string{"fr/x/percentage.tmpl", `unknown family "percentage"`}},
		{"unknown network", "fr/myspace/percent.tmpl", "{{define \"v1\"}}x{{end}}", []string{"fr/myspace/percent.tmpl", "unknown network"}},
		{"flat file", "percent.tmpl", "{{define \"v1\"}}x{{end}}", []string{"percent.tmpl", "<lang>/<network>/<family>.tmpl"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTemplate(t, dir, tt.rel, tt.text)
			_, err := New(Options{TemplateDir: dir, Logger: slog.New(slog.DiscardHandler)})
			if err == nil {
				t.Fatal("New accepted a broken template")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if !strings.Contains(err.Error(), dir) {
				t.Errorf("error %q does not name the override file under %s", err, dir)
			}
		})
	}
	if _, err := New(Options{TemplateDir: filepath.Join(t.TempDir(), "missing")}); err == nil {
		t.Error("New accepted a missing template dir")
	}
	if _, err := New(Options{Priority: map[string]int{"percent:fifty": 1}}); err == nil || !strings.Contains(err.Error(), "percent:fifty") {
		t.Errorf("New with a bad priority key: %v", err)
	}
	if _, err := New(Options{Networks: []string{"myspace"}}); err == nil || !strings.Contains(err.Error(), "myspace") {
		t.Errorf("New with an unknown network: %v", err)
	}
}

func TestRender(t *testing.T) {
	c := newTestComposer(t, Options{})
	for _, lang := range []string{"fr", "en"} {
		for _, network := range c.Networks() {
			r, err := c.Render("story", network, testCampaign(lang), nil)
			if err != nil {
				t.Fatalf("Render story %s/%s: %v", lang, network, err)
			}
			if r.Lang != lang || !strings.HasPrefix(r.Variant, "story/v") || !strings.Contains(r.Text, "Le Jardin Suspendu") {
				t.Errorf("Render story %s/%s = %+v", lang, network, r)
			}
			assertLink(t, r.Link, network, "story")
			if err := text.Validate(network, r.Text); err != nil {
				t.Errorf("Render story %s/%s: %v", lang, network, err)
			}
		}
	}
	if _, err := c.Render("story", "mastodon", testCampaign("fr"), nil); err == nil {
		t.Error("Render accepted an unknown network")
	}
	if _, err := c.Render("bogus", "x", testCampaign("fr"), nil); err == nil {
		t.Error("Render accepted an unknown kind")
	}
}

// TestLongTitleFitsX: a title at the validation limit still gives a valid
// post: the hashtags go first, then the optional sentence, then the title is
// cut at a word with an ellipsis inside its quotes; the credit, the link and
// the milestone stay whole.
func TestLongTitleFitsX(t *testing.T) {
	c := newTestComposer(t, Options{})
	camp := testCampaign("fr")
	camp.Title = strings.Repeat("Très long titre ", 31)
	for _, m := range []string{"percent:25", "percent:50", "percent:75", "percent:100"} {
		ds, err := c.Compose(campaigns.Event{ID: "e", Campaign: camp, Milestone: campaigns.Milestone(m)})
		if err != nil {
			t.Fatal(err)
		}
		x := ds[0].Text
		if err := text.Validate("x", x); err != nil {
			t.Errorf("%s: X text invalid: %v: %q", m, err, x)
		}
		pct := strings.TrimPrefix(m, "percent:") + "\u00a0%"
		for _, want := range []string{"@atelierlumen", ds[0].Link, "…\u00a0»", pct} {
			if !strings.Contains(x, want) {
				t.Errorf("%s: %q lacks %q", m, x, want)
			}
		}
		if strings.Contains(x, "#") {
			t.Errorf("%s: %q kept a hashtag while cutting the title", m, x)
		}
		if fb := ds[1].Text; !strings.Contains(fb, camp.Title[:40]) || !strings.Contains(fb, "#JeuDeSociété #Lyon") {
			t.Errorf("%s: Facebook has room for it all, got %q", m, fb)
		}
	}
}

type recordingSink struct {
	drafts []content.Draft
	seen   map[string]bool
	fail   string // network whose Create fails
}

func (s *recordingSink) Create(_ context.Context, d content.Draft) (content.Post, bool, error) {
	if d.Network == s.fail {
		return content.Post{}, false, errors.New("queue down")
	}
	key := d.DedupKey + "|" + d.Network
	if s.seen[key] {
		return content.Post{ID: key}, false, nil
	}
	s.seen[key] = true
	s.drafts = append(s.drafts, d)
	return content.Post{ID: key}, true, nil
}

func TestHandle(t *testing.T) {
	c := newTestComposer(t, Options{})
	ev := campaigns.Event{ID: "jardin-42/percent:50", Campaign: testCampaign("fr"), Milestone: "percent:50"}
	sink := &recordingSink{seen: map[string]bool{}}
	for range 2 { // a re-delivered event
		if err := c.Handle(context.Background(), ev, sink); err != nil {
			t.Fatal(err)
		}
	}
	if len(sink.drafts) != 2 {
		t.Fatalf("sink got %d drafts, want 2", len(sink.drafts))
	}

	sink = &recordingSink{seen: map[string]bool{}, fail: content.NetworkX}
	err := c.Handle(context.Background(), ev, sink)
	if err == nil || !strings.Contains(err.Error(), "queue down") || !strings.Contains(err.Error(), "x draft") {
		t.Errorf("Handle error = %v, want the X failure", err)
	}
	if len(sink.drafts) != 1 || sink.drafts[0].Network != content.NetworkFacebook {
		t.Errorf("a failing network must not stop the others: %+v", sink.drafts)
	}
	if err := c.Handle(context.Background(), campaigns.Event{ID: "e", Milestone: "percent:x"}, sink); err == nil {
		t.Error("Handle accepted a bad milestone")
	}
}

func TestNetworksOption(t *testing.T) {
	c := newTestComposer(t, Options{Networks: []string{content.NetworkFacebook}})
	ds, err := c.Compose(campaigns.Event{ID: "e", Campaign: testCampaign("fr"), Milestone: "launch"})
	if err != nil || len(ds) != 1 || ds[0].Network != content.NetworkFacebook {
		t.Errorf("Networks facebook only: %+v, %v", ds, err)
	}
}

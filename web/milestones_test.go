package web

import (
	"strings"
	"testing"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
)

func TestMilestoneLabel(t *testing.T) {
	goals := []campaigns.StretchGoal{{Amount: 2_500_000, Title: "Bac à compost"}, {Amount: 5_000_000, Title: " "}}
	tests := []struct {
		raw, en, fr string
	}{
		{"launch", "launch", "lancement"},
		{"story", "creator story", "portrait de créateur"},
		{"percent:200", "200% funded", "financé à 200\u00a0%"},
		{"percent:1500", "1,500% funded", "financé à 1\u00a0500\u00a0%"},
		{"backers:1000", "1,000 backers", "1\u00a0000 contributeurs"},
		{"backers:1", "1 backer", "1 contributeur"},
		{"stretch:0", "stretch goal: Bac à compost", "objectif bonus\u00a0: Bac à compost"},
		{"stretch:1", "stretch goal 2", "objectif bonus 2"}, // a blank title
		{"stretch:7", "stretch goal 8", "objectif bonus 8"}, // not in the campaign (any more)
		{"ending:24h", "24 hours left", "encore 24 heures"},
		{"ending:72h", "72 hours left", "encore 72 heures"},
		{"ending:1h", "1 hour left", "encore 1 heure"},
		{"ending:30m", "30 minutes left", "encore 30 minutes"},
		{"ended:successful", "Funded!", "Objectif atteint\u00a0!"},
		// Names this code cannot read show as they are.
		{"ended:failed", "ended:failed", "ended:failed"},
		{"percent:0", "percent:0", "percent:0"},
		{"percent:x", "percent:x", "percent:x"},
		{"stretch:-1", "stretch:-1", "stretch:-1"},
		{"ending:soon", "ending:soon", "ending:soon"},
		{"launch:2", "launch:2", "launch:2"},
		{"percent:050", "percent:050", "percent:050"}, // not as the rules write it
		{"anniversary", "anniversary", "anniversary"},
	}
	en, fr := newLocale("en"), newLocale("fr")
	for _, tt := range tests {
		if got := en.MilestoneLabel(tt.raw, goals); got != tt.en {
			t.Errorf("en %q: %q, want %q", tt.raw, got, tt.en)
		}
		if got := fr.MilestoneLabel(tt.raw, goals); got != tt.fr {
			t.Errorf("fr %q: %q, want %q", tt.raw, got, tt.fr)
		}
	}
	// Without the campaign, stretch goals are numbered from 1.
	if got := en.MilestoneLabel("stretch:0", nil); got != "stretch goal 1" {
		t.Errorf("stretch:0 without goals: %q", got)
	}
}

// TestMilestoneLabelsOnPages: the queue's group headings, the campaign's
// milestone table and the post page say milestones in words, in the page's
// language, and keep the raw name for whoever writes auto-approve rules.
func TestMilestoneLabelsOnPages(t *testing.T) {
	e := newEnv(t, nil)
	c := testCampaign(e.clock.Now())
	c.StretchGoals = []campaigns.StretchGoal{{Amount: 1_500_000, Title: "Bac à compost"}}
	e.camps.put(c, []campaigns.FiredMilestone{
		{Milestone: "percent:200", At: e.clock.Now(), Posted: true},
		{Milestone: "stretch:0", At: e.clock.Now(), Posted: true},
		{Milestone: "ended:successful", At: e.clock.Now(), Posted: true},
	}, nil)
	milestonePair(t, e.queue, "42", "percent:200")
	sx, _ := milestonePair(t, e.queue, "42", "stretch:0")
	milestonePair(t, e.queue, "43", "backers:1000") // campaign 43 is not tracked
	milestonePair(t, e.queue, "43", "stretch:1")
	milestonePair(t, e.queue, "42", "ended:successful")

	b := e.login("alice")
	heading := func(lang, group string) (label, raw string) {
		t.Helper()
		h := b.page("/?lang=" + lang).Find(`section.group[data-group="` + group + `"] h2 .milestone`)
		if h.Length() != 1 {
			t.Fatalf("%s: group %s has no milestone label", lang, group)
		}
		return h.Text(), h.AttrOr("data-milestone", "")
	}
	for _, tt := range []struct{ lang, group, want string }{
		{"en", "42/percent:200", "200% funded"},
		{"fr", "42/percent:200", "financé à 200\u00a0%"},
		{"en", "43/backers:1000", "1,000 backers"},
		{"fr", "43/backers:1000", "1\u00a0000 contributeurs"},
		{"en", "42/stretch:0", "stretch goal: Bac à compost"},
		{"en", "43/stretch:1", "stretch goal 2"},
		{"en", "42/ended:successful", "Funded!"},
		{"fr", "42/ended:successful", "Objectif atteint\u00a0!"},
	} {
		label, raw := heading(tt.lang, tt.group)
		if label != tt.want {
			t.Errorf("%s %s: heading %q, want %q", tt.lang, tt.group, label, tt.want)
		}
		if wantRaw := tt.group[strings.Index(tt.group, "/")+1:]; raw != wantRaw {
			t.Errorf("%s %s: raw name %q, want %q", tt.lang, tt.group, raw, wantRaw)
		}
	}

	rows := b.page("/campaigns/42?lang=en").Find("table.milestones tbody tr")
	for i, want := range [][2]string{{"200% funded", "percent:200"}, {"stretch goal: Bac à compost", "stretch:0"}, {"Funded!", "ended:successful"}} {
		td := rows.Eq(i).Find("td").First()
		if got := td.Find(".milestone").Text(); got != want[0] {
			t.Errorf("milestone row %d: %q, want %q", i, got, want[0])
		}
		if got := td.Find(".raw").Text(); got != want[1] {
			t.Errorf("milestone row %d: raw %q, want %q", i, got, want[1])
		}
	}
	if got := b.page("/campaigns/42?lang=fr").Find("table.milestones tbody tr").First().Find(".milestone").Text(); got != "financé à 200\u00a0%" {
		t.Errorf("fr milestone row %q", got)
	}

	dd := b.page("/posts/" + sx.ID + "?lang=en").Find("dl.facts dd").Eq(1)
	if dd.Find(".milestone").Text() != "stretch goal: Bac à compost" || dd.Find(".raw").Text() != "stretch:0" {
		t.Errorf("post page kind %q", dd.Text())
	}

	// Milestones sort as a campaign lives them, not as text.
	for _, tt := range []struct{ a, b string }{{"percent:50", "percent:100"}, {"percent:300", "backers:10"}, {"ending:72h", "ending:24h"},
		{"launch", "percent:25"}, {"backers:10", "backers:100"}, {"stretch:1", "stretch:10"}, {"ending:24h", "ended:successful"}} {
		if compareMilestones(tt.a, tt.b) >= 0 || compareMilestones(tt.b, tt.a) <= 0 {
			t.Errorf("%s should come before %s", tt.a, tt.b)
		}
	}

	// A manual post's group is named by its kind, as before.
	e.queue.Create(t.Context(), content.Draft{DedupKey: "m", GroupID: "m", Kind: content.KindManual, Network: "x", Text: "hello"})
	if got := b.page("/?lang=en").Find(`section.group[data-group="m"] h2`).Text(); got != "manual post" {
		t.Errorf("manual group heading %q", got)
	}
}

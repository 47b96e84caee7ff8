package composer

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content/text"
)

// FuzzTemplateOverride: whatever an operator drops in the override folder,
// New does not panic; it either names the file in its error or gives a
// composer whose posts are valid.
func FuzzTemplateOverride(f *testing.F) {
	for _, seed := range []string{
		`{{define "v1"}}{{percent .N}} pour {{.Campaign.Title}}{{end}}`,
		`{{define "v1"}}{{money .Campaign.Pledged}} {{mention}} {{link}} {{hashtags}}{{end}}{{define "v2"}}{{timeLeft}}{{end}}`,
		`{{define "v1"}}{{excerpt .Campaign.Description -3}}{{end}}`,
		`{{define "v1"}}{{index .Campaign.Tags 9}}{{end}}`,
		`{{define "v1"}}{{template "v1" .}}{{end}}`,
		`{{define "v1"}}x{{end}}{{define "tail"}}{{link}}{{link}}{{link}}{{link}}{{link}}{{link}}{{link}}{{link}}{{link}}{{link}}{{link}}{{link}}{{link}}{{end}}`,
		`{{define "v1"}}{{.Extra.nope}}{{end}}`,
		`{{define "v1"}}{{optional}}{{printf "%.3s" .Campaign.Title}}{{creator}}{{endoptional}}{{endoptional}}{{end}}`,
		`{{define "v1"}}{{with creator}}par {{.}}{{end}} « {{.Campaign.Title}} » : {{count .Campaign.Backers "un" "des"}} !{{end}}`,
		`{{define "v1"}}{{call .Campaign.Percent}}{{end}}`,
		`{{define "v1"}}` + strings.Repeat("é", 400) + `{{end}}`,
		`{{define "v1"}}{{"\uFFFE"}}{{end}}`,
		`{{define "v1"}}`,
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, tmpl string) {
		dir := t.TempDir()
		path := writeTemplate(t, dir, "fr/x/percent.tmpl", tmpl)
		c, err := New(Options{TemplateDir: dir, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error does not name %s: %v", path, err)
			}
			return
		}
		camp := testCampaign("fr")
		for _, m := range []campaigns.Milestone{"percent:25", "percent:50", "percent:75"} {
			ds, err := c.Compose(campaigns.Event{ID: "e", Campaign: camp, Milestone: m})
			if err != nil {
				if !strings.Contains(err.Error(), path) {
					t.Fatalf("Compose error does not name %s: %v", path, err)
				}
				continue
			}
			for _, d := range ds {
				if err := text.Validate(d.Network, d.Text); err != nil {
					t.Fatalf("%s text %q invalid: %v", d.Network, d.Text, err)
				}
				if text.HasMarks(d.Text) {
					t.Fatalf("%s text %q carries marks", d.Network, d.Text)
				}
			}
		}
	})
}

// BenchmarkCompose: milestone events to drafts, both networks.
func BenchmarkCompose(b *testing.B) {
	c := newTestComposer(b, Options{})
	milestones := []campaigns.Milestone{"launch", "percent:25", "percent:50", "percent:100", "backers:100",
		"backers:1000", "stretch:0", "ending:72h", "ending:24h", "ended:successful"}
	events := make([]campaigns.Event, 10_000)
	for i := range events {
		camp := testCampaign([]string{"fr", "en"}[i%2])
		camp.ID = "c" + strings.Repeat("x", i%7) + string(rune('a'+i%26))
		m := milestones[i%len(milestones)]
		events[i] = campaigns.Event{ID: campaigns.EventID(camp.ID, m), Campaign: camp, Milestone: m, FiredAt: testLaunch}
	}
	b.ResetTimer()
	drafts := 0
	for b.Loop() {
		for _, ev := range events {
			ds, err := c.Compose(ev)
			if err != nil {
				b.Fatal(err)
			}
			drafts += len(ds)
		}
	}
	b.ReportMetric(float64(drafts)/b.Elapsed().Seconds(), "drafts/s")
}

package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
)

type fakeSources struct{ health []campaigns.SourceHealth }

func (f *fakeSources) SourceHealth(context.Context) ([]campaigns.SourceHealth, error) {
	return f.health, nil
}

// A poll that rejects every record shows on every page with its reason; the
// API lists every source, the import included.
func TestSourceHealthBannerAndAPI(t *testing.T) {
	src := &fakeSources{}
	e := newEnv(t, func(o *Options) { o.Sources = src })
	now := e.clock.Now()
	src.health = []campaigns.SourceHealth{
		{Source: "import", Failing: true, FailingSince: now.Add(-2 * time.Hour), LastError: "every record was rejected (3)"},
		{Source: "poll", Failing: true, FailingSince: now.Add(-30 * time.Minute), LastSuccessAt: now.Add(-31 * time.Minute),
			LastError: `every record was rejected (16); first: page 1 record 0: pledged: "amount_raised" matches nothing in this record (mapping.pledged)`,
			LastRun:   campaigns.SourceRun{At: now, Records: 16, Rejected: 16}},
		{Source: "webhook", LastSuccessAt: now.Add(-time.Minute), LastRun: campaigns.SourceRun{At: now.Add(-time.Minute), Records: 6, Accepted: 5, Rejected: 1}},
	}
	b := e.login("alice")
	for _, path := range []string{"/", "/campaigns", "/audit"} {
		banner := b.page(path + "?lang=en").Find(".banner.source-failing")
		if banner.Length() != 1 || banner.AttrOr("data-source", "") != "poll" ||
			!strings.Contains(banner.Text(), "amount_raised") || !strings.Contains(banner.Text(), "platform listing (poll)") ||
			!strings.Contains(banner.Text(), "last success") {
			t.Errorf("%s: banner %q (%d)", path, banner.Text(), banner.Length())
		}
	}
	if fr := b.page("/?lang=fr").Find(".banner.source-failing").Text(); !strings.Contains(fr, "en échec depuis") {
		t.Errorf("French banner %q", fr)
	}
	var list List[campaigns.SourceHealth]
	if st, _ := e.api("GET", "/api/v1/sources", "", &list); st != 200 || list.Total != 3 || list.Items[1].LastRun.Rejected != 16 || list.Items[2].Failing {
		t.Errorf("GET /api/v1/sources = %d %+v", st, list)
	}
	src.health = src.health[2:]
	if b.page("/").Find(".banner.source-failing").Length() != 0 {
		t.Error("banner shown with no failing source")
	}
}

// A campaign Fanfare closed says why on its page.
func TestClosedCampaignNote(t *testing.T) {
	e := newEnv(t, nil)
	c := testCampaign(e.clock.Now())
	c.State = campaigns.StateEnded
	c.ClosedNote = "Closed by Fanfare on 2026-03-14 10:00 UTC: still live 72h after its deadline (2026-03-11 23:59 UTC) with no final state from the platform; nothing was posted."
	e.camps.put(c, nil, nil)
	doc := e.login("alice").page("/campaigns/42?lang=en")
	if note := doc.Find(".closed-note").Text(); note != c.ClosedNote {
		t.Errorf("note = %q", note)
	}
	if badge := doc.Find("h1 .badge").Text(); badge != "closed" {
		t.Errorf("state badge = %q", badge)
	}
}

package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
)

// TestCoversOnTheQueue: a merged post names its campaign once with each
// milestone it tells; a digest names its first campaigns and how many more,
// and the campaign filter finds it under each of them.
func TestCoversOnTheQueue(t *testing.T) {
	e := newEnv(t, nil)
	e.camps.put(campaigns.Campaign{ID: "lumiere", Title: "Lumière", Lang: "fr"}, nil, nil)
	merged := e.queue.add(content.Post{Kind: content.KindMilestone, Network: "x", Lang: "fr", State: content.StatePending,
		CampaignID: "lumiere", Milestone: "percent:50", Text: "« Lumière » : 50 % de l'objectif et 50 contributeurs !",
		Covers: []content.Cover{{CampaignID: "lumiere", Milestone: "percent:50"}, {CampaignID: "lumiere", Milestone: "backers:50"}}})
	var covers []content.Cover
	for i := range 9 {
		id := fmt.Sprintf("c%d", i)
		e.camps.put(campaigns.Campaign{ID: id, Title: fmt.Sprintf("Projet %d", i), Lang: "fr"}, nil, nil)
		covers = append(covers, content.Cover{CampaignID: id, Milestone: "percent:100"})
	}
	digest := e.queue.add(content.Post{Kind: content.KindDigest, Network: "x", Lang: "fr", State: content.StatePending,
		Milestone: "percent:100", Text: "Financés aujourd'hui : « Projet 0 », « Projet 1 » et 7 autres https://fanfare.example.org/digests/p1",
		Covers: covers})

	b := e.login("alice")
	doc := b.page("/?lang=fr")
	card := norm(doc.Find("#post-" + merged.ID).Text())
	if !strings.Contains(card, "Lumière · financé à 50 %, 50 contributeurs") {
		t.Errorf("merged card: %q", card)
	}
	dcard := norm(doc.Find("#post-" + digest.ID).Text())
	if !strings.Contains(dcard, "Projet 0 · financé à 100 %") || !strings.Contains(dcard, "Projet 5") || strings.Contains(dcard, "Projet 6") ||
		!strings.Contains(dcard, "et 3 autres campagnes") {
		t.Errorf("digest card: %q", dcard)
	}
	for _, id := range []string{"c0", "c8"} {
		doc := b.page("/?lang=fr&campaign=" + id)
		if doc.Find("#post-"+digest.ID).Length() != 1 || doc.Find("#post-"+merged.ID).Length() != 0 {
			t.Errorf("campaign filter %s does not show the digest alone", id)
		}
	}
}

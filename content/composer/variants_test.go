package composer

import (
	"slices"
	"testing"

	"github.com/fanfarehq/fanfare/campaigns"
)

// lastVariant always picks the last variant and remembers what it was asked.
type lastVariant struct {
	asked [][3]string
	seeds []uint64
}

func (l *lastVariant) Choose(network, lang, family string, variants []string, seed uint64) int {
	l.asked = append(l.asked, [3]string{network, lang, family})
	l.seeds = append(l.seeds, seed)
	return len(variants) - 1
}

func TestVariantChooserPicksTheTemplateVariant(t *testing.T) {
	ch := &lastVariant{}
	c := newTestComposer(t, Options{Variants: ch})
	ev := campaigns.Event{ID: "e1", Campaign: testCampaign("fr"), Milestone: "percent:50"}
	ds, err := c.Compose(ev)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		f, _ := c.set.file("fr", d.Network, "percent")
		if want := "percent/" + f.variants[len(f.variants)-1]; d.Variant != want {
			t.Errorf("%s: variant %s, want %s", d.Network, d.Variant, want)
		}
	}
	if !slices.Contains(ch.asked, [3]string{"x", "fr", "percent"}) {
		t.Errorf("asked %v", ch.asked)
	}
	again, _ := c.Compose(ev)
	if again[0].Text != ds[0].Text || ch.seeds[0] != ch.seeds[len(ds)] {
		t.Error("the same event is not drawn with the same seed")
	}
}

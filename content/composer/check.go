package composer

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
)

// sampleMilestones is one milestone per family, rendered by New's check.
var sampleMilestones = map[string]string{
	FamilyLaunch:  "launch",
	FamilyPercent: "percent:50",
	FamilyBackers: "backers:1000",
	FamilyStretch: "stretch:1",
	FamilyEnding:  "ending:24h",
	FamilyEnded:   "ended:successful",
	FamilyStory:   "story",
}

// sampleCampaigns returns a full, a bare and an awkward campaign in a
// language: templates must render them all, whatever optional field
// (handle, tags, description, image, the creator itself) they lean on, and
// whatever a title holds (a colon, a question mark, an @).
func sampleCampaigns(lang string) []campaigns.Campaign {
	launched := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	full := campaigns.Campaign{
		ID:         "sample-" + lang,
		Title:      "Tiny Forest Kit",
		URL:        "https://fanfare.example/p/tiny-forest?ref=home",
		Lang:       lang,
		Currency:   "USD",
		Goal:       2_000_000,
		Pledged:    1_250_050,
		Backers:    1000,
		LaunchedAt: launched,
		Deadline:   launched.Add(30 * 24 * time.Hour),
		State:      campaigns.StateLive,
		Creator:    campaigns.Creator{Name: "Green Hands", XHandle: "greenhands", FacebookPage: "greenhands"},
		ImageURL:   "https://fanfare.example/img/tiny-forest.jpg",
		Description: "A kit to grow a forest of thirty native trees on a city plot. " +
			"Soil tests, saplings and a planting guide are in the box. Plant in autumn, enjoy for decades.",
		StretchGoals: []campaigns.StretchGoal{{Amount: 3_000_000, Title: "Seed library"}, {Amount: 5_000_000, Title: "School kits"}},
		Tags:         []string{"environment", "city gardening", "DIY"},
	}
	if lang == "fr" {
		full.Title = "Le Jardin Suspendu"
		full.Currency = "EUR"
		full.Creator = campaigns.Creator{Name: "Atelier Lumen", XHandle: "atelierlumen", FacebookPage: "atelierlumen"}
		full.Description = "Un jardin vertical pour les balcons de ville, en bois local et sans plastique. " +
			"Chaque module accueille douze plantes. Montage en dix minutes, sans outil."
		full.StretchGoals = []campaigns.StretchGoal{{Amount: 3_000_000, Title: "Bac à compost"}, {Amount: 5_000_000, Title: "Version XXL"}}
		full.Tags = []string{"jeu de société", "Lyon", "écologie"}
	}
	bare := full
	bare.ID += "-bare"
	bare.Creator = campaigns.Creator{Name: full.Creator.Name}
	bare.Tags, bare.Description, bare.ImageURL = nil, "", ""
	bare.Pledged, bare.Backers = 0, 0
	awkward := full
	awkward.ID += "-awkward"
	awkward.Title = "Why not? The @fanfare edition: 2nd run!"
	if lang == "fr" {
		awkward.Title = "Pourquoi pas ? L'édition @fanfare : 2e tirage !"
	}
	awkward.Creator = campaigns.Creator{}
	awkward.Backers = 1
	return []campaigns.Campaign{full, bare, awkward}
}

// check renders every variant of every file against the sample campaigns of
// its language, through the same path as a real post (length rules
// included), so that New fails on anything that would fail later.
func (c *Composer) check() error {
	var errs []error
	keys := slices.SortedFunc(maps.Keys(c.set.files), func(a, b fileKey) int { return strings.Compare(a.path(), b.path()) })
	for _, k := range keys {
		// A file is checked for every enabled network that writes with it:
		// its own, and the networks that borrow it (templateBase).
		for _, network := range c.families() {
			if k.network != network && (c.set.has(k.lang, network, k.family) || templateBase[network] != k.network) {
				continue
			}
			f := c.set.files[k]
			switch k.family {
			case FamilyMerged, FamilyDigest:
				if err := c.checkBundleFile(f, network); err != nil {
					errs = append(errs, fmt.Errorf("composer: %s: %w", network, err))
				}
				continue
			}
			ms, err := parseMilestone(sampleMilestones[k.family])
			if err != nil {
				return err // a bug in sampleMilestones
			}
			if err := c.checkFile(f, network, ms); err != nil {
				errs = append(errs, fmt.Errorf("composer: %s: %w", network, err))
			}
		}
	}
	return errors.Join(errs...)
}

// checkFile reports the first failure of a file, one error per file.
func (c *Composer) checkFile(f *tmplFile, network string, ms milestone) error {
	for _, camp := range sampleCampaigns(f.key.lang) {
		at := camp.Deadline.Add(-24 * time.Hour)
		for i := range f.variants {
			if _, err := c.renderVariant(f, i, ms, network, f.key.lang, camp, at, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkBundleFile renders a merged or digest template the way posts use it:
// every variant, with the sample campaigns of its language (a merged post of
// each pair of milestone families; a digest of each family, of one campaign
// and of many).
func (c *Composer) checkBundleFile(f *tmplFile, network string) error {
	samples := sampleCampaigns(f.key.lang)
	for _, camp := range samples {
		at := camp.Deadline.Add(-24 * time.Hour)
		if f.key.family == FamilyDigest {
			// One campaign; one section of many; every section.
			var sets [][]DigestMember
			for _, fam := range DigestFamilies {
				one := []DigestMember{{Campaign: samples[0], Family: fam}}
				var many, mixed []DigestMember
				for i := range 12 {
					m := samples[i%len(samples)]
					m.ID = fmt.Sprintf("%s-%d", m.ID, i)
					many = append(many, DigestMember{Campaign: m, Family: fam})
					mixed = append(mixed, DigestMember{Campaign: m, Family: DigestFamilies[i%len(DigestFamilies)]})
				}
				sets = append(sets, one, many, mixed)
			}
			for _, members := range sets {
				for vi := range f.variants {
					id := fmt.Sprintf("01SAMPLE%d", vi)
					for digestVariant(id, len(f.variants)) != vi {
						id += "x"
					}
					if _, err := c.renderDigest(f, network, f.key.lang, id, "https://fanfare.example/digests/"+id, members, at); err != nil {
						return fmt.Errorf("template %s: %w", f.name, err)
					}
				}
			}
			continue
		}
		fams := []string{"launch", "percent:50", "backers:1000", "stretch:1", "ending:24h", "ended:successful"}
		for i, a := range fams {
			for _, b := range fams[i+1:] {
				covers := []content.Cover{{CampaignID: camp.ID, Milestone: a}, {CampaignID: camp.ID, Milestone: b}}
				facts, err := c.facts(covers, camp.ID)
				if err != nil {
					return err
				}
				if len(facts) < 2 {
					continue // one makes the other stale: not a merged post
				}
				said, err := c.sayFacts(f, facts, network, f.key.lang, camp, at)
				if err != nil {
					return fmt.Errorf("template %s: %w", f.name, err)
				}
				for vi := range f.variants {
					if _, err := c.renderVariant(f, vi, facts[0], network, f.key.lang, camp, at, map[string]any{"Facts": said}); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

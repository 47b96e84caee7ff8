package mapping

import (
	"slices"
	"strings"

	"github.com/fanfarehq/fanfare/campaigns"
)

// Ulule reads Ulule API project records (GET /v1/search/projects, items under
// "projects"): amounts in major units (amount_raised, goal), supporters_count,
// date_start and date_end, lang, currency, absolute_url, a name that is text
// or an object of translations, owner.name. Ulule gives no state the poller
// can trust, so the state is derived from the deadline and the goal. Records
// without an image or a subtitle are fine.
var Ulule = Mapping{
	ID: "id", Title: "name", URL: "absolute_url", Lang: "lang", Currency: "currency",
	Goal: "goal", Pledged: "amount_raised", Backers: "supporters_count",
	LaunchedAt: "date_start", Deadline: "date_end",
	CreatorName: "owner.name", ImageURL: "image", Description: "subtitle",
	Money:    MoneyMajor,
	Defaults: map[string]string{"image_url": "", "description": ""},
}

// Kickstarter reads Kickstarter project objects, as its site's JSON and the
// public scrapes of it have them (JSON, JSON lines with each project under
// "data", or CSV with the nested objects as JSON cells): pledged and goal as
// decimals in major units, backers_count, deadline and launched_at in unix
// seconds, state (suspended reads as canceled; submitted and started, not yet
// launched, are skipped), urls.web.project (else the URL is made from the
// id), creator.name, category.name. Kickstarter records carry no language:
// "en".
var Kickstarter = Mapping{
	ID: "id", Title: "name", URL: "urls.web.project", Currency: "currency",
	Goal: "goal", Pledged: "pledged", Backers: "backers_count",
	LaunchedAt: "launched_at", Deadline: "deadline", State: "state",
	CreatorName: "creator.name", ImageURL: "photo.full", Description: "blurb", Category: "category.name",
	Money:       MoneyMajor,
	States:      map[string]campaigns.State{"suspended": campaigns.StateCanceled, "cancelled": campaigns.StateCanceled},
	SkipStates:  []string{"submitted", "started"},
	URLTemplate: "https://www.kickstarter.com/projects/{id}",
	DefaultLang: "en",
	Defaults:    map[string]string{"image_url": "", "description": "", "category": "", "creator_name": ""},
}

// KickstarterDataset reads the columns of the public Kickstarter project
// datasets (ks-projects-201612 and -201801: ID, name, category,
// main_category, currency, deadline, goal, launched, pledged, state, backers,
// country, usd pledged, …). Amounts are in the project's currency, major
// units; deadline is a date (the end of that day) or a time, launched a time.
// The datasets have no URL, language or creator: the URL is made from the id
// (Kickstarter redirects numeric ids), the language is "en", and posts leave
// the credit out. State "suspended" reads as canceled; rows whose state is
// "undefined" are skipped.
var KickstarterDataset = Mapping{
	ID: "ID", Title: "name", Category: "main_category", Currency: "currency",
	Deadline: "deadline", Goal: "goal", LaunchedAt: "launched", Pledged: "pledged",
	State: "state", Backers: "backers",
	Money:       MoneyMajor,
	States:      map[string]campaigns.State{"suspended": campaigns.StateCanceled},
	SkipStates:  []string{"undefined"},
	URLTemplate: "https://www.kickstarter.com/projects/{id}",
	DefaultLang: "en",
}

// Presets are the mappings a config may name (campaigns.poll.preset,
// campaigns.import.preset, --preset).
var presets = map[string]*Mapping{
	"ulule":               &Ulule,
	"kickstarter":         &Kickstarter,
	"kickstarter-dataset": &KickstarterDataset,
}

// PresetNames lists the presets, for messages and flags.
func PresetNames() []string {
	names := make([]string, 0, len(presets))
	for n := range presets {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Preset returns a copy of a named preset (any case), which the caller may
// change freely.
func Preset(name string) (Mapping, bool) {
	m, ok := presets[strings.ToLower(name)]
	if !ok {
		return Mapping{}, false
	}
	return m.clone(), true
}

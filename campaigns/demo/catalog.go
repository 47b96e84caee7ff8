package demo

import (
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
)

// spec is one demo campaign. Times are in simulated time (played Speed times
// faster than real time) unless closing is set.
type spec struct {
	slug        string
	title       string
	lang        string
	currency    string
	category    string
	description string
	tags        []string
	creator     campaigns.Creator
	goal        int64   // minor units
	final       float64 // pledged at the deadline, as a multiple of goal
	avgPledge   int64   // minor units per backer
	launch      float64 // simulated days from the demo's start; negative: already live
	days        float64 // simulated duration
	stretch     []campaigns.StretchGoal
	// refundAt, when set, is the progress (0..1) at which refundPct percent
	// of the goal is refunded: the one dip the tracker must not re-fire on.
	refundAt  float64
	refundPct int64
	// closing, when set, pins the deadline to this much real time after the
	// start, so the tracker's own clock crosses "72 hours left" or "24 hours
	// left" a few seconds into the demo. Such a campaign launched days ago in
	// real time; its pledges still move at demo speed, up to closingCap of
	// its run, so the dashboard shows it alive.
	closing    time.Duration
	closingP0  float64 // progress when the demo starts
	closingCap float64 // progress it stops at until the real deadline
}

// catalog is the demo's cast: French and English campaigns across film,
// comics, music, design and games, picked so that within about a minute of
// the start every kind of milestone fires somewhere.
var catalog = []spec{
	{
		slug: "ombres-du-marais", title: "Les Ombres du Marais — un documentaire sur les marais poitevins",
		lang: "fr", currency: "EUR", category: "film", tags: []string{"documentaire", "nature"},
		description: "Trois saisons en barque avec les derniers maraîchins : un film de 70 minutes tourné en 16 mm.",
		creator:     campaigns.Creator{Name: "Studio Héron", XHandle: "@studioheron", FacebookPage: "studioheron"},
		goal:        1_500_000, final: 1.7, avgPledge: 4_500, launch: -1, days: 12,
		stretch: []campaigns.StretchGoal{{Amount: 2_000_000, Title: "Sous-titres en anglais et en allemand"}, {Amount: 2_400_000, Title: "Bande originale en vinyle"}},
	},
	{
		slug: "dernier-phare", title: "Le Dernier Phare, tome 1",
		lang: "fr", currency: "EUR", category: "comics", tags: []string{"bd", "aventure"},
		description: "Une bande dessinée de 64 pages en couleurs directes : la gardienne du dernier phare d'Ouessant contre la tempête du siècle.",
		creator:     campaigns.Creator{Name: "Maëlle Quéré", XHandle: "@maellequere", FacebookPage: "maellequere.bd"},
		goal:        800_000, final: 3.1, avgPledge: 3_500, launch: 0.4, days: 20,
		stretch: []campaigns.StretchGoal{{Amount: 1_200_000, Title: "Ex-libris signé"}, {Amount: 2_000_000, Title: "Cahier graphique de 16 pages"}},
	},
	{
		slug: "northbound-tapes", title: "Northbound Tapes: a folk album recorded on the road",
		lang: "en", currency: "GBP", category: "music", tags: []string{"folk", "vinyl"},
		description: "Ten songs recorded in ten towns between Leeds and Inverness, pressed on 180 g vinyl.",
		creator:     campaigns.Creator{Name: "The Halyard Band", XHandle: "@halyardband"},
		goal:        500_000, final: 0.45, avgPledge: 2_500, launch: 0.2, days: 8,
	},
	{
		slug: "loam-lamp", title: "Loam: a desk lamp turned from recycled clay",
		lang: "en", currency: "USD", category: "design", tags: []string{"lighting", "ceramics"},
		description: "A warm 2700 K lamp whose body is thrown from clay reclaimed from studio offcuts.",
		creator:     campaigns.Creator{Name: "Oda Lindqvist", XHandle: "@odamakes", FacebookPage: "odalindqvistdesign"},
		goal:        3_000_000, final: 2.4, avgPledge: 9_000, launch: 0.6, days: 14,
		stretch: []campaigns.StretchGoal{{Amount: 5_000_000, Title: "Walnut base option"}},
	},
	{
		slug: "dice-of-ys", title: "Dice of Ys — a cooperative dice-building game",
		lang: "en", currency: "USD", category: "games", tags: []string{"board game", "cooperative"},
		description: "Two to five sailors race the rising sea to save the drowned city of Ys. 45 minutes, ages 10+.",
		creator:     campaigns.Creator{Name: "Tidewater Games", XHandle: "@tidewatergames", FacebookPage: "tidewatergames"},
		goal:        2_500_000, final: 5.0, avgPledge: 6_500, launch: -2, days: 25,
		stretch: []campaigns.StretchGoal{{Amount: 5_000_000, Title: "Metal coins"}, {Amount: 7_500_000, Title: "Solo mode"}, {Amount: 10_000_000, Title: "The Lighthouse expansion"}},
	},
	{
		slug: "fabrique-a-sons", title: "La Fabrique à Sons : des instruments pour les écoles",
		lang: "fr", currency: "EUR", category: "music", tags: []string{"éducation", "enfants"},
		description: "Cent kits de percussions fabriqués à Lyon pour les écoles maternelles du Rhône.",
		creator:     campaigns.Creator{Name: "Association La Fabrique à Sons", FacebookPage: "lafabriqueasons"},
		goal:        600_000, final: 1.15, avgPledge: 3_000, launch: 0.1, days: 9,
		refundAt: 0.5, refundPct: 4,
	},
	{
		slug: "ceramique-nomade", title: "Atelier Céramique Nomade",
		lang: "fr", currency: "EUR", category: "design", tags: []string{"céramique", "artisanat"},
		description: "Un four à bois mobile pour porter la céramique dans les villages de la Drôme.",
		creator:     campaigns.Creator{Name: "Inès Barthe", XHandle: "@inesbarthe"},
		goal:        1_200_000, final: 1.25, avgPledge: 5_000, days: 30,
		closing: 72*time.Hour + 40*time.Second, closingP0: 0.86, closingCap: 0.93,
	},
	{
		slug: "pixel-harbour", title: "Pixel Harbour: a cozy fishing-village game",
		lang: "en", currency: "CAD", category: "games", tags: []string{"video game", "cozy"},
		description: "Run a harbour, befriend the fishers, restore the lighthouse. PC, Mac and Switch.",
		creator:     campaigns.Creator{Name: "Little Lantern Studio", XHandle: "@littlelantern", FacebookPage: "littlelanternstudio"},
		goal:        4_000_000, final: 1.6, avgPledge: 3_200, days: 35,
		closing: 24*time.Hour + 50*time.Second, closingP0: 0.9, closingCap: 0.96,
	},
}

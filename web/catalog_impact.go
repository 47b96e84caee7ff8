package web

import "maps"

// impactCatalog is the Impact page's strings (issue 13), merged into the
// catalogue at start-up: kept apart so that the page's text is in one place.
// French uses narrow no-break spaces (U+202F) before ; : ! ? and %.
var impactCatalog = map[string]map[string]string{
	"en": {
		"nav.impact":        "Impact",
		"impact.title":      "Impact: which posts bring backers",
		"impact.window|one": "Posts published in the last %s day.", "impact.window|other": "Posts published in the last %s days.",
		"impact.how":             "Clicks come from each post's short link (robots and link previews left out). The lift is estimated: new backers per hour in the 24 h after the post against the campaign's own rate the day before and against comparable campaigns (same category, same stage, no post), with a 95 % interval. It is never a certainty.",
		"impact.per_family":      "Which milestone family works best",
		"impact.per_variant":     "Which template variant works best",
		"impact.per_post":        "Posts",
		"impact.chart_families":  "Clicks per post by milestone family",
		"impact.chart_variants":  "Clicks per post by template variant",
		"impact.chart_caption":   "Clicks per post; ★ works best on its network (3 posts or more).",
		"impact.family":          "Milestone family",
		"impact.variant":         "Variant",
		"impact.network":         "Network",
		"impact.posts":           "Posts",
		"impact.clicks":          "Clicks",
		"impact.clicks_per_post": "Clicks per post",
		"impact.visitors":        "Unique visitors (estimated)",
		"impact.attributed":      "Pledges attributed by the platform",
		"impact.lift":            "Estimated lift (24 h, 95 % interval)",
		"impact.lift_value":      "%s %% (%s to %s %%)",
		"impact.no_lift":         "not enough data",
		"impact.no_data":         "No published post in this period yet.",
		"impact.works_best":      "works best",
		"impact.post":            "Post",
		"impact.merged":          "several milestones",
		"impact.bandit_title":    "What new posts will say",
		"impact.bandit_how":      "Each new post's variant is drawn by Thompson sampling on clicks per post (per impression where the network counts them): the better a variant does, the more often it is written. New variants start even. Pin a variant to write it every time.",
		"impact.share":           "Share of new posts",
		"impact.percent":         "%s %%",
		"impact.pin":             "Pin",
		"impact.pin_this":        "Always write this one",
		"impact.unpin":           "Let the sampling choose",
		"impact.pinned":          "pinned: %s",
		"impact.bad_pin":         "This variant cannot be pinned: reload the page and try again.",
	},
	"fr": {
		"nav.impact":        "Retombées",
		"impact.title":      "Retombées\u202f: quelles publications amènent des contributeurs",
		"impact.window|one": "Publications parues depuis %s jour.", "impact.window|other": "Publications parues ces %s derniers jours.",
		"impact.how":             "Les clics viennent du lien court de chaque publication (automates et aperçus de liens exclus). La hausse est estimée\u202f: nouveaux contributeurs par heure dans les 24\u202fh qui suivent la publication, comparés au rythme de la campagne la veille et à celui de campagnes comparables (même catégorie, même étape, sans publication), avec un intervalle à 95\u202f%. Ce n’est jamais une certitude.",
		"impact.per_family":      "Quelle famille de paliers marche le mieux",
		"impact.per_variant":     "Quelle variante de modèle marche le mieux",
		"impact.per_post":        "Publications",
		"impact.chart_families":  "Clics par publication, par famille de paliers",
		"impact.chart_variants":  "Clics par publication, par variante de modèle",
		"impact.chart_caption":   "Clics par publication\u202f; ★ marche le mieux sur son réseau (3 publications ou plus).",
		"impact.family":          "Famille de paliers",
		"impact.variant":         "Variante",
		"impact.network":         "Réseau",
		"impact.posts":           "Publications",
		"impact.clicks":          "Clics",
		"impact.clicks_per_post": "Clics par publication",
		"impact.visitors":        "Visiteurs uniques (estimation)",
		"impact.attributed":      "Contributions attribuées par la plateforme",
		"impact.lift":            "Hausse estimée (24\u202fh, intervalle à 95\u202f%)",
		"impact.lift_value":      "%s\u202f%% (de %s à %s\u202f%%)",
		"impact.no_lift":         "données insuffisantes",
		"impact.no_data":         "Aucune publication parue sur cette période pour l’instant.",
		"impact.works_best":      "marche le mieux",
		"impact.post":            "Publication",
		"impact.merged":          "plusieurs paliers",
		"impact.bandit_title":    "Ce que diront les prochaines publications",
		"impact.bandit_how":      "La variante de chaque nouvelle publication est tirée au sort selon ses chances d’être la meilleure, au vu des clics par publication (par affichage quand le réseau les compte)\u202f: plus une variante réussit, plus elle est écrite souvent. Les nouvelles variantes partent à égalité. Épinglez une variante pour l’écrire à chaque fois.",
		"impact.share":           "Part des nouvelles publications",
		"impact.percent":         "%s\u202f%%",
		"impact.pin":             "Épingler",
		"impact.pin_this":        "Toujours écrire celle-ci",
		"impact.unpin":           "Laisser l’échantillonnage choisir",
		"impact.pinned":          "épinglée\u202f: %s",
		"impact.bad_pin":         "Impossible d’épingler cette variante\u202f: rechargez la page et réessayez.",
	},
}

func init() {
	for lang, msgs := range impactCatalog {
		maps.Copy(catalog[lang], msgs)
	}
}

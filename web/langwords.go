package web

import (
	"strings"

	"github.com/fanfarehq/fanfare/internal/langcheck"
)

// EnglishWords is the vocabulary a French page must not show: every word of
// the English catalog and of the sentences other packages write for people
// (reasons.go's forms), minus a fixed list of words both languages write
// alike. The list is fixed, not read from the French catalog, so that a
// French message left in English is found. The dashboard's tests, and the
// browser test in cmd/fanfare, check every page with it
// (internal/langcheck).
func EnglishWords() map[string]bool {
	texts := make([]string, 0, len(catalog["en"])+1)
	for _, v := range catalog["en"] {
		texts = append(texts, v)
	}
	texts = append(texts, upstreamWords)
	return langcheck.Vocabulary(texts, strings.Fields(sharedWords))
}

// upstreamWords are the words of what bots and content write (slot notes,
// expiry and release reasons, field errors; reasons_test.go holds them all).
const upstreamWords = "earliest free slot quiet hours until daily cap reached on min spacing after post campaign spacing after its post " +
	"retry not before slot given to more urgent post priority not_after superseded by no slot before within days the earliest is " +
	"missed planned again passed before it could go out not sent rate limited paused publish lease expired the request may have gone through " +
	"attempt found on the network changed text link scheduled_at rule is empty must be an http or https URL is required to reject a post discard " +
	"unable to create post publish to feed nothing to change is long over the limit of not a valid post choose at least one network enabled listed twice " +
	"absolute language tag such as in the past too long or invalid for pending approved publishing published rejected failed unknown duplicate " +
	"milestone story curated manual digest launch percent backers stretch ending ended successful funded live canceled " +
	"merged with folded into more posts in past their freshness the could go out withdrawn of campaign went back to under a refund " +
	"goal the slot folder made room for good hours approvals posts it tells"

// sharedWords are written alike in English and French.
const sharedWords = "a action actions api atom code configuration console d date en engagement facebook fanfare figure français " +
	"file fr h http https image interactions long main mar message min minute minutes networks nov oct on page pages possible s site " +
	"source type url x europe paris ok v"

package content

import (
	"fmt"
	"slices"
	"strings"
)

// AutoApprove decides which drafts skip the person and go straight to approved
// (config approval.auto_approve, plus feeds marked auto_approve).
//
// Rule grammar, one rule per string:
//
//	<kind>                 every post of that kind: milestone, story, curated, manual, digest
//	milestone:<milestone>  milestone posts of exactly that milestone, e.g. milestone:percent:100
//	milestone:<prefix>*    milestone posts whose milestone starts with prefix,
//	                       e.g. milestone:percent:* or milestone:* (same as milestone)
//	source:<url>           posts whose Source is that feed URL (a feed's auto_approve)
//
// Kinds and the words milestone/source are lower case; a trailing "*" is the only
// wildcard.
type AutoApprove struct {
	rules []autoRule
}

type autoRule struct {
	text    string
	kind    Kind // a <kind> rule
	pattern bool // a milestone:<milestone> rule: prefix (glob) or exact
	prefix  string
	glob    bool
	source  string // a source:<url> rule
}

// ParseAutoApprove checks rules against the grammar above; the error names the
// first bad rule (config check reports it with its key).
func ParseAutoApprove(rules []string) (AutoApprove, error) {
	var a AutoApprove
	for i, r := range rules {
		rule, err := parseAutoRule(r)
		if err != nil {
			return AutoApprove{}, fmt.Errorf("content: auto_approve[%d] %q: %w", i, r, err)
		}
		a.rules = append(a.rules, rule)
	}
	return a, nil
}

// CheckAutoApproveRule reports what is wrong with one auto-approve rule, for
// configuration checks that name the rule's own key.
func CheckAutoApproveRule(rule string) error {
	_, err := parseAutoRule(rule)
	return err
}

func parseAutoRule(r string) (autoRule, error) {
	r = strings.TrimSpace(r)
	if r == "" {
		return autoRule{}, fmt.Errorf("empty rule")
	}
	head, rest, hasRest := strings.Cut(r, ":")
	switch {
	case !hasRest:
		if !slices.Contains(Kinds, Kind(head)) {
			return autoRule{}, fmt.Errorf("unknown kind %q (want milestone, story, curated, manual, digest, milestone:<milestone> or source:<url>)", head)
		}
		return autoRule{text: r, kind: Kind(head)}, nil
	case head == "milestone":
		if rest == "" {
			return autoRule{}, fmt.Errorf("milestone: needs a milestone, e.g. milestone:percent:100 or milestone:percent:*")
		}
		glob := strings.HasSuffix(rest, "*")
		p := strings.TrimSuffix(rest, "*")
		if strings.Contains(p, "*") {
			return autoRule{}, fmt.Errorf("\"*\" is only allowed at the end")
		}
		return autoRule{text: r, pattern: true, prefix: p, glob: glob}, nil
	case head == "source":
		if rest == "" {
			return autoRule{}, fmt.Errorf("source: needs a feed URL")
		}
		return autoRule{text: r, source: rest}, nil
	}
	return autoRule{}, fmt.Errorf("unknown rule form %q (want <kind>, milestone:<milestone> or source:<url>)", head+":")
}

// Match returns the rule that approves d, if any. A post that tells several
// milestones (a merged post, a digest) is approved only when each of them
// is: by a rule of its kind, or each covered milestone by a milestone rule
// (then the rules are listed, comma separated).
func (a AutoApprove) Match(d Draft) (rule string, ok bool) {
	if r, ok := a.matchOne(d.Kind, d.Milestone, d.Source); ok && (d.Kind != KindMilestone || len(d.Covers) <= 1) {
		return r, true
	}
	if len(d.Covers) == 0 || (d.Kind != KindMilestone && d.Kind != KindDigest) {
		return "", false
	}
	var used []string
	for _, c := range d.Covers {
		r, ok := a.matchOne(KindMilestone, c.Milestone, "")
		if !ok {
			return "", false
		}
		if !slices.Contains(used, r) {
			used = append(used, r)
		}
	}
	return strings.Join(used, ", "), true
}

// Approves reports whether the rules approve a milestone post telling m.
func (a AutoApprove) Approves(m string) bool {
	_, ok := a.matchOne(KindMilestone, m, "")
	return ok
}

func (a AutoApprove) matchOne(kind Kind, milestone, source string) (string, bool) {
	for _, r := range a.rules {
		switch {
		case r.source != "":
			if source == r.source {
				return r.text, true
			}
		case r.pattern:
			if kind != KindMilestone {
				continue
			}
			if (r.glob && strings.HasPrefix(milestone, r.prefix)) || (!r.glob && milestone == r.prefix) {
				return r.text, true
			}
		default:
			if kind == r.kind {
				return r.text, true
			}
		}
	}
	return "", false
}

package web

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The texts other packages write for people — the scheduler's slot notes,
// expiry and supersede reasons, the publisher's release reasons, audit
// reasons, the queue's field errors — are English sentences with values in
// them. The dashboard shows them in its own language through this one table
// of known forms: each form is a pattern with its parameters, and what to say
// instead, from the catalog. A text no form matches is never shown in the
// main line: the page says "system message" and puts the raw text behind
// "details", so that English never leaks into a French page unexplained and
// nothing is hidden either. TestReasonForms holds the exact strings the code
// produces today; a new form in bots or content needs its line here.

// explained is a text as the page shows it.
type explained struct {
	Text string // in the interface's language
	// Raw is the text as written, shown behind "details" when ShowRaw: for
	// an unknown form, or a known one carrying a network's own words.
	Raw     string
	ShowRaw bool
	Known   bool
}

// reasonEnv is what the forms need to put values in words.
type reasonEnv struct {
	l   locale
	loc *time.Location
	now time.Time
}

// reasonForm is one known form: a pattern anchored at both ends, and what to
// say for a match. say returns false when a parameter is not what the form
// promises (the text is then unknown rather than half translated).
type reasonForm struct {
	name string
	re   *regexp.Regexp
	say  func(e reasonEnv, m []string) (text string, raw bool, ok bool)
}

func form(name, pattern string, say func(e reasonEnv, m []string) (string, bool, bool)) reasonForm {
	return reasonForm{name: name, re: regexp.MustCompile(`^(?:` + pattern + `)$`), say: say}
}

// fixed is a form without parameters.
func fixed(name, text, key string) reasonForm {
	return form(name, regexp.QuoteMeta(text), func(e reasonEnv, _ []string) (string, bool, bool) {
		return e.l.T(key), false, true
	})
}

const (
	reClock    = `([0-2][0-9]:[0-5][0-9])`
	reClockSec = `([0-2][0-9]:[0-5][0-9]:[0-5][0-9])`
	reDay      = `([0-9]{4}-[0-9]{2}-[0-9]{2})`
	reDayTime  = `([0-9]{4}-[0-9]{2}-[0-9]{2} [0-2][0-9]:[0-5][0-9]) [A-Za-z0-9+-]+`
	reRFC3339  = `([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(?:Z|[+-][0-9]{2}:[0-9]{2}))`
	reDuration = `((?:[0-9]+h)?(?:[0-9]+m)?(?:[0-9]+s)?)`
)

// reasonForms is the table, built on first use (some forms explain their
// tail with the table itself). Order matters only where patterns overlap:
// the more specific first.
func reasonForms() []reasonForm {
	formsOnce.Do(func() { forms = knownForms() })
	return forms
}

var (
	formsOnce sync.Once
	forms     []reasonForm
)

func knownForms() []reasonForm {
	return []reasonForm{
		// Slot notes (bots/schedule.go nextSlot and place; content Edit).
		fixed("earliest", "earliest free slot", "reason.earliest"),
		form("quiet", `quiet hours until `+reClock+` (\S+)`, func(e reasonEnv, m []string) (string, bool, bool) {
			c, ok := e.clockOf(m[1])
			return e.l.T("reason.quiet_until", c), false, ok
		}),
		form("daily_cap", `daily cap ([0-9]+) reached on `+reDay, func(e reasonEnv, m []string) (string, bool, bool) {
			n, err := strconv.Atoi(m[1])
			d, ok := e.dayOf(m[2])
			return e.l.N("reason.daily_cap", n, d), false, ok && err == nil
		}),
		form("min_spacing", `min spacing `+reDuration+` after `+reClock+` post`, func(e reasonEnv, m []string) (string, bool, bool) {
			d, ok1 := e.durationOf(m[1])
			c, ok2 := e.clockOf(m[2])
			return e.l.T("reason.min_spacing", d, c), false, ok1 && ok2
		}),
		form("campaign_spacing", `campaign spacing `+reDuration+` after its `+reClock+` post`, func(e reasonEnv, m []string) (string, bool, bool) {
			d, ok1 := e.durationOf(m[1])
			c, ok2 := e.clockOf(m[2])
			return e.l.T("reason.campaign_spacing", d, c), false, ok1 && ok2
		}),
		form("retry_not_before", `retry: not before `+reClockSec, func(e reasonEnv, m []string) (string, bool, bool) {
			c, ok := e.clockOf(m[1][:5])
			return e.l.T("reason.retry_not_before", c), false, ok
		}),
		form("set_by", `set by (.+)`, func(e reasonEnv, m []string) (string, bool, bool) {
			return e.l.T("reason.set_by", e.l.actorName(m[1])), false, true
		}),

		// Expiry and supersede reasons (content ExpireDue, supersede; bots
		// publish and schedule).
		form("superseded", `superseded by (\S+(?:, \S+)*)`, func(e reasonEnv, m []string) (string, bool, bool) {
			return e.l.T("reason.superseded", e.milestones(m[1])), false, true
		}),

		// Merges, digests and withdrawals (content/composer merge, bots fold).
		form("merged", `merged with (\S+)`, func(e reasonEnv, m []string) (string, bool, bool) {
			return e.l.T("reason.merged", e.l.MilestoneLabel(m[1], nil)), false, true
		}),
		form("folded_into", `folded into digest (\S+)`, func(e reasonEnv, m []string) (string, bool, bool) {
			return e.l.T("reason.folded_into", m[1]), false, true
		}),
		form("folded_in", `([0-9]+) more posts folded in`, func(e reasonEnv, m []string) (string, bool, bool) {
			n, err := strconv.Atoi(m[1])
			return e.l.N("reason.folded_in", n), false, err == nil
		}),
		form("dropped", `past their freshness before the digest could go out: (\S+ \S+(?:, \S+ \S+)*)`, func(e reasonEnv, m []string) (string, bool, bool) {
			return e.l.N("reason.dropped", strings.Count(m[1], ", ")+1), false, true
		}),
		form("withdrawn", `withdrawn (\S+) of ([^;]+?): the campaign (.+)`, func(e reasonEnv, m []string) (string, bool, bool) {
			why, ok := e.withdrawnWhy(m[3])
			return e.l.T("reason.withdrawn", e.l.MilestoneLabel(m[1], nil), m[2], why), false, ok
		}),
		fixed("digest_slot", "digest: the slot the folder made room for", "reason.digest_slot"),
		form("good_hours", `good hours ([0-2][0-9]:[0-5][0-9]–[0-2][0-9]:[0-5][0-9](?:, [0-2][0-9]:[0-5][0-9]–[0-2][0-9]:[0-5][0-9])*)`, func(e reasonEnv, m []string) (string, bool, bool) {
			var ranges []string
			for _, r := range strings.Split(m[1], ", ") {
				a, b, _ := strings.Cut(r, "–")
				ca, ok1 := e.clockOf(a)
				cb, ok2 := e.clockOf(b)
				if !ok1 || !ok2 {
					return "", false, false
				}
				ranges = append(ranges, ca+"–"+cb)
			}
			return e.l.T("reason.good_hours", strings.Join(ranges, ", ")), false, true
		}),
		fixed("not_after_post", "not_after passed before the post could go out", "reason.not_after_passed"),
		fixed("not_after_it", "not_after passed before it could go out", "reason.not_after_passed"),
		form("no_slot_earliest", `no slot before not_after `+reDayTime+`: the earliest is `+reDayTime+` \((.*)\)`, func(e reasonEnv, m []string) (string, bool, bool) {
			d, ok1 := e.dayTimeOf(m[1])
			at, ok2 := e.dayTimeOf(m[2])
			notes, ok3 := e.sub(m[3])
			return e.l.T("reason.no_slot_earliest", d, at, notes), false, ok1 && ok2 && ok3
		}),
		form("no_slot_before", `no slot before not_after `+reDayTime+` within ([0-9]+) days: (.*)`, func(e reasonEnv, m []string) (string, bool, bool) {
			d, ok1 := e.dayTimeOf(m[1])
			n, err := strconv.Atoi(m[2])
			notes, ok3 := e.sub(m[3])
			return e.l.N("reason.no_slot_before", n, d, notes), false, ok1 && err == nil && ok3
		}),
		form("no_slot_within", `no slot within ([0-9]+) days: (.*)`, func(e reasonEnv, m []string) (string, bool, bool) {
			n, err := strconv.Atoi(m[1])
			notes, ok := e.sub(m[2])
			return e.l.N("reason.no_slot_within", n, notes), false, err == nil && ok
		}),
		form("slot_given", `slot `+reClock+` given to more urgent post (\S+) \(priority (-?[0-9]+), not_after (.*)\)`, func(e reasonEnv, m []string) (string, bool, bool) {
			c, ok1 := e.clockOf(m[1])
			return e.l.T("reason.slot_given", c, m[2]), false, ok1
		}),
		form("slot_missed", `slot `+reRFC3339+` missed: planned again`, func(e reasonEnv, m []string) (string, bool, bool) {
			t, err := time.Parse(time.RFC3339Nano, m[1])
			return e.l.T("reason.slot_missed", e.l.dateTime(t.In(e.loc), e.now.In(e.loc))), false, err == nil
		}),

		// Release reasons (bots publish): the network's words follow.
		form("not_sent", `not sent: (.*)`, func(e reasonEnv, _ []string) (string, bool, bool) {
			return e.l.T("reason.not_sent"), true, true
		}),
		form("rate_limited", `rate limited: (.*)`, func(e reasonEnv, _ []string) (string, bool, bool) {
			return e.l.T("reason.rate_limited"), true, true
		}),
		form("paused", `paused: (.*)`, func(e reasonEnv, _ []string) (string, bool, bool) {
			return e.l.T("reason.paused"), true, true
		}),
		fixed("lease_expired", "publish lease expired: the request may have gone through", "reason.lease_expired"),

		// Audit reasons (content).
		form("attempt", `attempt ([0-9a-f]+)`, func(e reasonEnv, m []string) (string, bool, bool) {
			return e.l.T("reason.attempt", m[1]), false, true
		}),
		fixed("found", "found on the network", "reason.found"),
		form("changed", `changed ((?:text|link|scheduled_at|not_after)(?:, (?:text|link|scheduled_at|not_after))*)`, func(e reasonEnv, m []string) (string, bool, bool) {
			var what []string
			for _, f := range strings.Split(m[1], ", ") {
				what = append(what, e.l.T("fieldname."+f))
			}
			return e.l.T("reason.changed", strings.Join(what, ", ")), false, true
		}),
		fixed("rule_members", "rule approvals of the posts it tells", "reason.rule_members"),
		form("rule", `rule ((?:[a-z]+(?::\S+)?)(?:, [a-z]+(?::\S+)?)*)`, func(e reasonEnv, m []string) (string, bool, bool) {
			// The rules as written in approval.auto_approve, one for each
			// milestone a merged post or digest tells: a kind, or a kind and
			// a milestone ("milestone:percent:100", "milestone:percent:*").
			var rules []string
			for _, r := range strings.Split(m[1], ", ") {
				kind, ms, _ := strings.Cut(r, ":")
				if !e.l.has("kind." + kind) {
					return "", false, false
				}
				rule := e.l.T("kind." + kind)
				if ms != "" {
					rule += " · " + e.l.MilestoneLabel(ms, nil)
				}
				rules = append(rules, rule)
			}
			return e.l.T("reason.rule", strings.Join(rules, ", ")), false, true
		}),

		// The queue's field errors (content FieldError messages; text.Validate).
		fixed("is_empty", "is empty", "reason.is_empty"),
		fixed("http_url", "must be an http or https URL", "reason.http_url"),
		fixed("reason_reject", "is required to reject a post", "reason.required"),
		fixed("reason_discard", "is required to discard a post", "reason.required"),
		fixed("external_url", "the post's URL on the network (http or https) is required", "err.url_required"),
		fixed("nothing", "nothing to change", "reason.nothing_to_change"),
		form("too_long", `is ([0-9]+) long, over the (\S+) limit of ([0-9]+)`, func(e reasonEnv, m []string) (string, bool, bool) {
			n, err1 := strconv.Atoi(m[1])
			max, err2 := strconv.Atoi(m[3])
			return e.l.T("reason.too_long", e.l.Number(int64(n)), e.l.Net(m[2]), e.l.Number(int64(max))), false, err1 == nil && err2 == nil
		}),
		form("not_valid_text", `is not a valid (\S+) post \(empty, or a character the network refuses\)`, func(e reasonEnv, m []string) (string, bool, bool) {
			return e.l.T("reason.not_valid_text", e.l.Net(m[1])), false, true
		}),

		// The dashboard's own checks of manual posts and feeds (web compose.go,
		// handlers_feeds.go, handlers_networks.go), which the API says in English.
		fixed("choose_network", "choose at least one network", "reason.choose_network"),
		form("not_enabled", `"([a-z0-9_-]+)" is not an enabled network \(.*\)`, func(e reasonEnv, m []string) (string, bool, bool) {
			return e.l.T("reason.not_enabled", m[1]), false, true
		}),
		form("listed_twice", `"([a-z0-9_-]+)" is listed twice`, func(e reasonEnv, m []string) (string, bool, bool) {
			return e.l.T("reason.listed_twice", m[1]), false, true
		}),
		fixed("is_required", "is required", "reason.is_required"),
		fixed("absolute_url", "must be an absolute http(s) URL", "reason.absolute_url"),
		fixed("https_url", "must be an https URL", "reason.https_url"),
		fixed("lang_tag", "is not a language tag such as fr or en", "reason.lang_tag"),
		fixed("in_past", "is in the past", "reason.in_past"),
		fixed("bad_time", "is not a date and time", "err.bad_time"),
		form("too_long_for", `is too long or invalid for ([a-z0-9_-]+): ([0-9]+)/([0-9]+)`, func(e reasonEnv, m []string) (string, bool, bool) {
			n, err1 := strconv.Atoi(m[2])
			max, err2 := strconv.Atoi(m[3])
			return e.l.T("reason.too_long_for", e.l.Net(m[1]), e.l.Number(int64(n)), e.l.Number(int64(max))), false, err1 == nil && err2 == nil
		}),
		fixed("no_feed", "no feed with that URL", "reason.no_feed"),
		fixed("feed_in_config", "the feed is listed in the config file: change or remove it there", "reason.feed_in_config"),
		fixed("no_resume", "resuming networks is not available here", "reason.no_resume"),
		form("no_network", `no enabled network (\S+)`, func(e reasonEnv, m []string) (string, bool, bool) {
			return e.l.T("reason.no_network", m[1]), false, true
		}),
		form("not_paused", `([a-z0-9_-]+) is not paused`, func(e reasonEnv, m []string) (string, bool, bool) {
			return e.l.T("reason.not_paused", e.l.Net(m[1])), false, true
		}),
	}
}

// explain puts a text written by another package in the interface's
// language (see reasonForms). Notes joined with "; " are explained part by
// part, and known only when every part is.
func (l locale) explain(raw string, loc *time.Location, now time.Time) explained {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return explained{Known: true}
	}
	e := reasonEnv{l: l, loc: loc, now: now}
	if text, showRaw, ok := e.one(raw); ok {
		return explained{Text: text, Raw: raw, ShowRaw: showRaw, Known: true}
	}
	if text, ok := e.sub(raw); ok {
		return explained{Text: text, Raw: raw, Known: true}
	}
	return explained{Text: l.T("reason.unknown"), Raw: raw, ShowRaw: true}
}

// one matches a whole text against the table.
func (e reasonEnv) one(raw string) (string, bool, bool) {
	for _, f := range reasonForms() {
		if m := f.re.FindStringSubmatch(raw); m != nil {
			if text, showRaw, ok := f.say(e, m); ok {
				return text, showRaw, true
			}
		}
	}
	return "", false, false
}

// sub explains notes joined with "; ", each of which must be known.
func (e reasonEnv) sub(raw string) (string, bool) {
	parts := strings.Split(raw, "; ")
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		text, showRaw, ok := e.one(p)
		if !ok || showRaw {
			return "", false
		}
		out = append(out, text)
	}
	return strings.Join(out, e.l.T("reason.join")), true
}

// milestones says a list of milestones ("percent:100, backers:50").
func (e reasonEnv) milestones(list string) string {
	var out []string
	for _, m := range strings.Split(list, ", ") {
		out = append(out, e.l.MilestoneLabel(m, nil))
	}
	return strings.Join(out, ", ")
}

// withdrawnWhy says why a waiting post was withdrawn (composer.StillTrue).
func (e reasonEnv) withdrawnWhy(s string) (string, bool) {
	if m := regexp.MustCompile(`^went back to ([0-9]+) % funded, under ([0-9]+) % \(a refund\)$`).FindStringSubmatch(s); m != nil {
		a, _ := strconv.ParseInt(m[1], 10, 64)
		b, _ := strconv.ParseInt(m[2], 10, 64)
		return e.l.T("reason.refund_percent", e.l.Percent(a), e.l.Percent(b)), true
	}
	if m := regexp.MustCompile(`^went back to ([0-9]+) backers, under ([0-9]+) \(a refund\)$`).FindStringSubmatch(s); m != nil {
		a, _ := strconv.ParseInt(m[1], 10, 64)
		b, _ := strconv.ParseInt(m[2], 10, 64)
		return e.l.T("reason.refund_backers", e.l.Number(a), e.l.Number(b)), true
	}
	if m := regexp.MustCompile(`^went back under stretch goal ([0-9]+) \(a refund\)$`).FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		return e.l.T("reason.refund_stretch", n+1), true
	}
	switch s {
	case "canceled":
		return e.l.T("reason.campaign_canceled"), true
	case "failed":
		return e.l.T("reason.campaign_failed"), true
	}
	return "", false
}

func (e reasonEnv) clockOf(s string) (string, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return "", false
	}
	return e.l.clock(t), true
}

func (e reasonEnv) dayOf(s string) (string, bool) {
	t, err := time.ParseInLocation("2006-01-02", s, e.loc)
	if err != nil {
		return "", false
	}
	return e.l.date(t, e.now.In(e.loc)), true
}

// dayTimeOf reads "2006-01-02 15:04" written in the platform's zone (the
// zone's abbreviation that follows is not needed to place it).
func (e reasonEnv) dayTimeOf(s string) (string, bool) {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, e.loc)
	if err != nil {
		return "", false
	}
	return e.l.dateTime(t, e.now.In(e.loc)), true
}

func (e reasonEnv) durationOf(s string) (string, bool) {
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return "", false
	}
	return e.l.duration(d), true
}

// actorName says who acted: a person's name as is, Fanfare's own jobs and
// the API and CLI by what they are.
func (l locale) actorName(actor string) string {
	kind, name, found := strings.Cut(actor, ":")
	switch {
	case actor == "system":
		return l.T("actor.system")
	case !found:
		return actor
	case kind == "system":
		if k := "actor.job." + name; l.has(k) {
			return l.T("actor.system_job", l.T(k))
		}
		return l.T("actor.system_job", name)
	case kind == "api":
		return l.T("actor.api", name)
	case kind == "cli":
		return l.T("actor.cli", name)
	}
	return actor
}

// actionName says an audit action in words; an action this code does not
// know shows as written.
func (l locale) actionName(action string) string {
	if k := "act." + action; l.has(k) {
		return l.T(k)
	}
	return action
}

// has reports whether the catalog knows key in this language.
func (l locale) has(key string) bool {
	_, ok := l.msgs[key]
	return ok
}

// isSystemActor: the reasons such actors write are Fanfare's own sentences;
// a person's reasons are their own words and are shown as typed.
func isSystemActor(actor string) bool {
	return actor == "system" || strings.HasPrefix(actor, "system:")
}

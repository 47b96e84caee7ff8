package poll

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/currency"

	"github.com/fanfarehq/fanfare/campaigns"
)

// MoneyUnit says how a listing writes amounts.
type MoneyUnit string

const (
	// MoneyMinor: integers already in minor units (cents), as the webhook.
	MoneyMinor MoneyUnit = "minor"
	// MoneyMajor: decimal numbers or strings in major units ("1234.50" EUR
	// is 123450), scaled by the currency's minor digits (0 for JPY, 3 for
	// KWD). Parsed as exact decimals, never through float64.
	MoneyMajor MoneyUnit = "major"
)

// Mapping says where each of our campaign fields is in a platform's record,
// as a dotted path ("urls.web.project", "creator.name"). A path segment that
// is a number indexes an array ("photos.0.url"). A key holding a literal dot
// is found too: the whole path is tried as one key first (CSV columns).
// An empty path means the platform does not have the field; the defaults and
// derivations below then apply.
//
// Times are read as unix seconds (a number or a string of digits), RFC 3339,
// or "2006-01-02 15:04:05" / "2006-01-02T15:04:05" / "2006-01-02" in UTC.
type Mapping struct {
	ID                  string `yaml:"id"`
	Title               string `yaml:"title"`
	URL                 string `yaml:"url"`
	Lang                string `yaml:"lang"`
	Currency            string `yaml:"currency"`
	Goal                string `yaml:"goal"`
	Pledged             string `yaml:"pledged"`
	Backers             string `yaml:"backers"`
	LaunchedAt          string `yaml:"launched_at"`
	Deadline            string `yaml:"deadline"`
	State               string `yaml:"state"`
	CreatorName         string `yaml:"creator_name"`
	CreatorXHandle      string `yaml:"creator_x_handle"`
	CreatorFacebookPage string `yaml:"creator_facebook_page"`
	ImageURL            string `yaml:"image_url"`
	Description         string `yaml:"description"`
	Category            string `yaml:"category"`
	UpdatedAt           string `yaml:"updated_at"`

	Money MoneyUnit `yaml:"money"` // default MoneyMinor

	// States maps the platform's state values (matched without regard to
	// case) to ours; our own names pass through. Without a State path the
	// state is derived: live before the deadline, then successful or failed
	// by the goal.
	States map[string]campaigns.State `yaml:"states"`

	// URLTemplate builds the URL when the record has none: "{id}" is
	// replaced by the campaign id.
	URLTemplate     string `yaml:"url_template"`
	DefaultLang     string `yaml:"default_lang"`
	DefaultCurrency string `yaml:"default_currency"`
	DefaultCreator  string `yaml:"default_creator"`
}

// PresetUlule reads Ulule-style listings: amounts in major units
// (amount_raised, goal), supporters_count, date_start/date_end, lang,
// currency, absolute_url, owner.name. Ulule gives no state field the poller
// can trust, so the state is derived from the deadline and the goal.
var PresetUlule = Mapping{
	ID: "id", Title: "name", URL: "absolute_url", Lang: "lang", Currency: "currency",
	Goal: "goal", Pledged: "amount_raised", Backers: "supporters_count",
	LaunchedAt: "date_start", Deadline: "date_end",
	CreatorName: "owner.name", ImageURL: "image", Description: "subtitle",
	Money: MoneyMajor, DefaultCreator: "Unknown creator",
}

// PresetKickstarter reads Kickstarter-style project JSON: pledged and goal as
// decimals in major units, backers_count, deadline and launched_at in unix
// seconds, state (live, successful, failed, canceled; suspended reads as
// canceled; submitted and started, not yet launched, are rejected),
// urls.web.project, creator.name, category.name. Kickstarter
// records carry no language: DefaultLang "en".
var PresetKickstarter = Mapping{
	ID: "id", Title: "name", URL: "urls.web.project", Currency: "currency",
	Goal: "goal", Pledged: "pledged", Backers: "backers_count",
	LaunchedAt: "launched_at", Deadline: "deadline", State: "state",
	CreatorName: "creator.name", ImageURL: "photo.full", Description: "blurb", Category: "category.name",
	Money:       MoneyMajor,
	States:      map[string]campaigns.State{"suspended": campaigns.StateCanceled, "cancelled": campaigns.StateCanceled},
	URLTemplate: "https://www.kickstarter.com/projects/{id}", DefaultLang: "en", DefaultCreator: "Unknown creator",
}

// Check reports a mapping that cannot produce a valid campaign, naming the
// setting; config validation calls it.
func (m Mapping) Check() error {
	switch {
	case m.ID == "":
		return fmt.Errorf("mapping.id: a path is required")
	case m.Title == "":
		return fmt.Errorf("mapping.title: a path is required")
	case m.URL == "" && m.URLTemplate == "":
		return fmt.Errorf("mapping.url: a path or mapping.url_template is required")
	case m.URLTemplate != "" && !strings.Contains(m.URLTemplate, "{id}"):
		return fmt.Errorf("mapping.url_template: %q has no {id}", m.URLTemplate)
	case m.Lang == "" && m.DefaultLang == "":
		return fmt.Errorf("mapping.lang: a path or mapping.default_lang is required")
	case m.Currency == "" && m.DefaultCurrency == "":
		return fmt.Errorf("mapping.currency: a path or mapping.default_currency is required")
	case m.Goal == "":
		return fmt.Errorf("mapping.goal: a path is required")
	case m.Pledged == "":
		return fmt.Errorf("mapping.pledged: a path is required")
	case m.LaunchedAt == "":
		return fmt.Errorf("mapping.launched_at: a path is required")
	case m.Deadline == "":
		return fmt.Errorf("mapping.deadline: a path is required")
	case m.CreatorName == "" && m.DefaultCreator == "":
		return fmt.Errorf("mapping.creator_name: a path or mapping.default_creator is required")
	}
	switch m.Money {
	case "", MoneyMinor, MoneyMajor:
	default:
		return fmt.Errorf("mapping.money: %q is not minor or major", m.Money)
	}
	for k, v := range m.States {
		switch v {
		case campaigns.StateLive, campaigns.StateSuccessful, campaigns.StateFailed, campaigns.StateCanceled:
		default:
			return fmt.Errorf("mapping.states.%s: %q is not one of live, successful, failed, canceled", k, v)
		}
	}
	return nil
}

// Map turns one record into a validated campaign. rec is a JSON value decoded
// with UseNumber (so numbers are json.Number), or a CSV row as a
// map[string]any of strings. now decides derived states. The error is a
// *campaigns.FieldError naming our field; its message names the platform's path.
func (m Mapping) Map(rec any, now time.Time) (campaigns.Campaign, error) {
	var c campaigns.Campaign
	r := reader{rec: rec}
	c.ID = r.str("id", m.ID)
	c.Title = r.str("title", m.Title)
	c.Lang = r.str("lang", m.Lang)
	if c.Lang == "" {
		c.Lang = m.DefaultLang
	}
	c.Title = r.localized(c.Title, "title", m.Title, c.Lang)
	c.URL = r.str("url", m.URL)
	if c.URL == "" && m.URLTemplate != "" && c.ID != "" {
		c.URL = strings.ReplaceAll(m.URLTemplate, "{id}", c.ID)
	}
	c.Currency = strings.ToUpper(strings.TrimSpace(r.str("currency", m.Currency)))
	if c.Currency == "" {
		c.Currency = m.DefaultCurrency
	}
	if _, err := currency.ParseISO(c.Currency); err != nil && m.Money == MoneyMajor {
		// Amounts cannot be scaled without it: name the real culprit.
		r.fail("currency", "%s: %q is not an ISO 4217 code such as EUR", m.Currency, c.Currency)
	}
	c.Goal = r.money("goal", m.Goal, m.Money, c.Currency)
	c.Pledged = r.money("pledged", m.Pledged, m.Money, c.Currency)
	c.Backers = r.integer("backers", m.Backers)
	c.LaunchedAt = r.time("launched_at", m.LaunchedAt)
	c.Deadline = r.time("deadline", m.Deadline)
	c.UpdatedAt = r.time("updated_at", m.UpdatedAt)
	c.Creator.Name = r.str("creator.name", m.CreatorName)
	if strings.TrimSpace(c.Creator.Name) == "" {
		c.Creator.Name = m.DefaultCreator
	}
	c.Creator.XHandle = r.str("creator.x_handle", m.CreatorXHandle)
	c.Creator.FacebookPage = r.str("creator.facebook_page", m.CreatorFacebookPage)
	c.ImageURL = r.str("image_url", m.ImageURL)
	c.Description = r.localized(r.str("description", m.Description), "description", m.Description, c.Lang)
	c.Category = r.str("category", m.Category)
	if m.State == "" {
		c.State = campaigns.StateLive
		if !c.Deadline.IsZero() && !now.Before(c.Deadline) {
			c.State = campaigns.StateFailed
			if c.Pledged >= c.Goal {
				c.State = campaigns.StateSuccessful
			}
		}
	} else if raw := r.str("state", m.State); r.err == nil {
		st, ok := mapState(raw, m.States)
		switch {
		case raw == "":
			r.fail("state", "%s is missing", m.State)
		case !ok:
			r.fail("state", "%s value %q is not mapped to live, successful, failed or canceled", m.State, raw)
		}
		c.State = st
	}
	if r.err != nil {
		return c, r.err
	}
	if err := c.Validate(); err != nil {
		return c, err
	}
	return c, nil
}

func mapState(raw string, states map[string]campaigns.State) (campaigns.State, bool) {
	for k, v := range states {
		if strings.EqualFold(k, raw) {
			return v, true
		}
	}
	switch st := campaigns.State(strings.ToLower(raw)); st {
	case campaigns.StateLive, campaigns.StateSuccessful, campaigns.StateFailed, campaigns.StateCanceled:
		return st, true
	}
	return "", false
}

// reader reads fields from one record, keeping the first error so Map reads
// straight through.
type reader struct {
	rec any
	err error
}

func (r *reader) fail(field, format string, args ...any) {
	if r.err == nil {
		r.err = &campaigns.FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
	}
}

// get resolves a path; absent (or null) gives nil.
func (r *reader) get(path string) any {
	if path == "" {
		return nil
	}
	cur := r.rec
	if m, ok := cur.(map[string]any); ok {
		if v, ok := m[path]; ok {
			return v
		}
	}
	for seg := range strings.SplitSeq(path, ".") {
		switch node := cur.(type) {
		case map[string]any:
			cur = node[seg]
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(node) {
				return nil
			}
			cur = node[i]
		default:
			return nil
		}
	}
	return cur
}

// str reads text; numbers are accepted as their text (ids are often numbers).
func (r *reader) str(field, path string) string {
	switch v := r.get(path).(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	case map[string]any:
		return "" // localized text: see localized
	default:
		r.fail(field, "%s is %s, want text", path, kindOf(v))
		return ""
	}
}

// localized picks the record's language from an object of translations
// ({"fr": "...", "en": "..."}), else the first non-empty one by key order.
func (r *reader) localized(cur, field, path, lang string) string {
	m, ok := r.get(path).(map[string]any)
	if cur != "" || !ok {
		return cur
	}
	if s, ok := m[lang].(string); ok && s != "" {
		return s
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if s, ok := m[k].(string); ok && s != "" {
			return s
		}
	}
	r.fail(field, "%s is an object without text", path)
	return ""
}

func numberText(v any) (string, bool) {
	switch v := v.(type) {
	case json.Number:
		return v.String(), true
	case string:
		return strings.TrimSpace(v), true
	}
	return "", false
}

func (r *reader) integer(field, path string) int64 {
	v := r.get(path)
	if v == nil {
		return 0
	}
	text, ok := numberText(v)
	if !ok {
		r.fail(field, "%s is %s, want an integer", path, kindOf(v))
		return 0
	}
	if text == "" {
		return 0
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		r.fail(field, "%s: %q is not an integer", path, text)
	}
	return n
}

func (r *reader) money(field, path string, unit MoneyUnit, cur string) int64 {
	v := r.get(path)
	if v == nil {
		return 0
	}
	text, ok := numberText(v)
	if !ok {
		r.fail(field, "%s is %s, want an amount", path, kindOf(v))
		return 0
	}
	if unit != MoneyMajor {
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			r.fail(field, "%s: %q is not an integer amount in minor units", path, text)
		}
		return n
	}
	n, err := MinorUnits(text, cur)
	if err != nil {
		r.fail(field, "%s: %v", path, err)
	}
	return n
}

// decimalRE is what MinorUnits accepts: plain decimal text with an optional
// exponent; no hex, fractions, separators or spaces. Groups: sign, integer
// digits, fraction digits, exponent.
var decimalRE = regexp.MustCompile(`^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,4}))?$`)

// MinorUnits converts a decimal amount in major units ("1234.5", "1e3",
// "-0.50") to minor units of the ISO 4217 currency cur, exactly: 1234.5 EUR
// is 123450, 1234 JPY is 1234, 1.234 KWD is 1234. It works on the digits as
// text, never through float64; digits beyond the currency's precision are
// rounded half away from zero (12.345 EUR is 1235).
func MinorUnits(text, cur string) (int64, error) {
	unit, err := currency.ParseISO(cur)
	if err != nil {
		return 0, fmt.Errorf("unknown currency %q: cannot scale %q", cur, text)
	}
	scale, _ := currency.Standard.Rounding(unit)
	m := decimalRE.FindStringSubmatch(text)
	if m == nil || m[2] == "" && m[3] == "" || len(text) > 64 {
		return 0, fmt.Errorf("%q is not a decimal amount", text)
	}
	exp := 0
	if m[4] != "" {
		exp, _ = strconv.Atoi(m[4]) // at most 4 digits: cannot fail
	}
	digits := m[2] + m[3]
	// point is where the decimal point falls in digits once the amount is
	// scaled to minor units.
	point := len(m[2]) + exp + scale
	var whole string
	round := false
	switch {
	case point <= 0:
		whole = "0"
	case point >= len(digits):
		whole = digits + strings.Repeat("0", min(point-len(digits), 20))
	default:
		whole, round = digits[:point], digits[point] >= '5'
	}
	if point == 0 && len(digits) > 0 {
		round = digits[0] >= '5'
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 18 { // past 10^18 minor units: no campaign, and near int64's end
		return 0, fmt.Errorf("%q is beyond any plausible amount", text)
	}
	n := int64(0)
	if whole != "" {
		n, _ = strconv.ParseInt(whole, 10, 64) // at most 18 digits: cannot fail
	}
	if round {
		n++
	}
	if m[1] == "-" {
		n = -n
	}
	return n, nil
}

var timeLayouts = []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"}

func (r *reader) time(field, path string) time.Time {
	v := r.get(path)
	if v == nil {
		return time.Time{}
	}
	text, ok := numberText(v)
	if !ok {
		r.fail(field, "%s is %s, want a time", path, kindOf(v))
		return time.Time{}
	}
	if text == "" {
		return time.Time{}
	}
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		// Unix seconds; bounded to years 1970-2200 so milliseconds are caught.
		if n < 0 || n > 7258118400 {
			r.fail(field, "%s: %d is not a unix time in seconds", path, n)
			return time.Time{}
		}
		return time.Unix(n, 0).UTC()
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, text); err == nil {
			return t
		}
	}
	r.fail(field, "%s: %q is not unix seconds, RFC 3339 or 2006-01-02 15:04:05", path, text)
	return time.Time{}
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return fmt.Sprintf("%T", v)
}

// MappedPath is one path of a Mapping with the setting that holds it.
type MappedPath struct {
	Setting string // "pledged", "creator_name", ...
	Path    string
}

// Paths lists the mapping's non-empty paths, in field order; the importer
// checks a CSV header against them.
func (m Mapping) Paths() []MappedPath {
	all := []MappedPath{
		{"id", m.ID}, {"title", m.Title}, {"url", m.URL}, {"lang", m.Lang}, {"currency", m.Currency},
		{"goal", m.Goal}, {"pledged", m.Pledged}, {"backers", m.Backers},
		{"launched_at", m.LaunchedAt}, {"deadline", m.Deadline}, {"state", m.State},
		{"creator_name", m.CreatorName}, {"creator_x_handle", m.CreatorXHandle},
		{"creator_facebook_page", m.CreatorFacebookPage}, {"image_url", m.ImageURL},
		{"description", m.Description}, {"category", m.Category}, {"updated_at", m.UpdatedAt},
	}
	out := all[:0]
	for _, p := range all {
		if p.Path != "" {
			out = append(out, p)
		}
	}
	return out
}

// Preset returns a named preset ("ulule", "kickstarter") for configs that
// name one instead of spelling out the paths. The copy owns its States map.
func Preset(name string) (Mapping, bool) {
	var m Mapping
	switch strings.ToLower(name) {
	case "ulule":
		m = PresetUlule
	case "kickstarter":
		m = PresetKickstarter
	default:
		return Mapping{}, false
	}
	if m.States != nil {
		states := make(map[string]campaigns.State, len(m.States))
		maps.Copy(states, m.States)
		m.States = states
	}
	return m, true
}

// Package mapping turns a platform's records into campaign snapshots: the
// one engine behind the JSON poll, the CSV and JSON import, and the checks of
// `fanfare config check`. A Mapping in the config says where each of our
// fields is in a record, so a listing or an export is read without code;
// presets cover Ulule's and Kickstarter's shapes, and a config may override
// any part of one.
//
// Nothing is guessed silently. A mapped path that matches nothing in a record
// rejects that record, naming the path (unless the mapping gives an explicit
// default for the field); a path that matches no record of a whole page or
// file is an error of the source (Tally), not a page of zeros; amounts must
// say whether they are in minor or major units; times without a zone are in
// the source's time zone, and a date without a time is the end of that day
// for a deadline.
package mapping

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/fanfarehq/fanfare/campaigns"
)

// Money says how a source writes amounts.
type Money string

const (
	// MoneyMinor: integers already in minor units (cents), as the webhook:
	// 2750 EUR is 27.50 €.
	MoneyMinor Money = "minor"
	// MoneyMajor: decimal numbers or strings in major units: 2750 EUR is
	// 2 750 €, "27.50" is 27.50 €. Scaled by the currency's ISO 4217 minor
	// units (campaigns.MinorUnits), exactly, never through float64.
	MoneyMajor Money = "major"
)

// Mapping says where each of our campaign fields is in a record, as a dotted
// path ("urls.web.project", "creator.name"). A segment that is a number
// indexes an array ("photos.0.url"). The whole path is tried as one key
// first, so CSV columns may hold dots or spaces ("usd pledged"); a CSV cell
// holding JSON (an object or an array) is descended into like a JSON record
// ("creator.name" reads the "creator" column's object). An empty path means
// the source does not have the field.
//
// The YAML keys are the config's (campaigns.poll.mapping,
// campaigns.import.mapping).
type Mapping struct {
	ID                  string `yaml:"id,omitempty"`
	Title               string `yaml:"title,omitempty"`
	URL                 string `yaml:"url,omitempty"`
	Lang                string `yaml:"lang,omitempty"`
	Currency            string `yaml:"currency,omitempty"`
	Goal                string `yaml:"goal,omitempty"`
	Pledged             string `yaml:"pledged,omitempty"`
	Backers             string `yaml:"backers,omitempty"`
	LaunchedAt          string `yaml:"launched_at,omitempty"`
	Deadline            string `yaml:"deadline,omitempty"`
	State               string `yaml:"state,omitempty"`
	CreatorName         string `yaml:"creator_name,omitempty"`
	CreatorXHandle      string `yaml:"creator_x_handle,omitempty"`
	CreatorFacebookPage string `yaml:"creator_facebook_page,omitempty"`
	ImageURL            string `yaml:"image_url,omitempty"`
	Description         string `yaml:"description,omitempty"`
	Category            string `yaml:"category,omitempty"`
	UpdatedAt           string `yaml:"updated_at,omitempty"`
	// Percent is the path of the funded percentage, for sources that give
	// it instead of a goal: the goal is then pledged × 100 / percent (as
	// exact as the percentage is).
	Percent string `yaml:"percent,omitempty"`

	// Money says whether amounts are in minor or major units; required:
	// guessing wrong is a 100× error in public posts.
	Money Money `yaml:"money,omitempty"`

	// IDTemplate builds the id from several paths, e.g.
	// "{creator.slug}:{slug}", for sources without a single id field. Ids
	// cannot hold "/", "{" or "}" (they are path segments of links).
	IDTemplate string `yaml:"id_template,omitempty"`
	// URLTemplate builds the URL when the record has none: "{id}" is our
	// id, any other "{path}" a path of the record.
	URLTemplate string `yaml:"url_template,omitempty"`
	// BaseURL resolves relative links (url, image_url): "/p/42" with base
	// https://platform.example becomes https://platform.example/p/42.
	BaseURL string `yaml:"base_url,omitempty"`

	// States maps the source's state values (matched without regard to
	// case) to ours; our own names pass through. Without a State path the
	// state is derived: live before the deadline, then successful or failed
	// by the goal.
	States map[string]campaigns.State `yaml:"states,omitempty"`
	// SkipStates are the source's state values whose records are left out
	// and counted as skipped, not rejected: drafts, campaigns not launched
	// yet, a dataset's "undefined".
	SkipStates []string `yaml:"skip_states,omitempty"`

	// Defaults are the values of fields whose path matches nothing in a
	// record (or that have no path), written as the source would write them:
	// {"backers": "0", "image_url": ""}. Only an explicit default lets a
	// missing path through.
	Defaults map[string]string `yaml:"defaults,omitempty"`
	// Shortcuts for Defaults["lang"], ["currency"] and ["creator_name"].
	DefaultLang     string `yaml:"default_lang,omitempty"`
	DefaultCurrency string `yaml:"default_currency,omitempty"`
	DefaultCreator  string `yaml:"default_creator,omitempty"`
}

// field identifies one of our fields.
type field int

const (
	fID field = iota
	fTitle
	fURL
	fLang
	fCurrency
	fGoal
	fPledged
	fBackers
	fLaunchedAt
	fDeadline
	fState
	fCreatorName
	fCreatorXHandle
	fCreatorFacebookPage
	fImageURL
	fDescription
	fCategory
	fUpdatedAt
	fPercent
	numFields
)

// fieldInfo describes a field: its setting (the YAML key and the name used in
// Defaults), the campaign field it fills (as FieldError names it), and
// whether an empty value rejects the record.
type fieldInfo struct {
	setting  string
	name     string
	required bool
}

var fields = [numFields]fieldInfo{
	fID:                  {"id", "id", true},
	fTitle:               {"title", "title", true},
	fURL:                 {"url", "url", true},
	fLang:                {"lang", "lang", true},
	fCurrency:            {"currency", "currency", true},
	fGoal:                {"goal", "goal", true},
	fPledged:             {"pledged", "pledged", true},
	fBackers:             {"backers", "backers", true},
	fLaunchedAt:          {"launched_at", "launched_at", true},
	fDeadline:            {"deadline", "deadline", true},
	fState:               {"state", "state", true},
	fCreatorName:         {"creator_name", "creator.name", false},
	fCreatorXHandle:      {"creator_x_handle", "creator.x_handle", false},
	fCreatorFacebookPage: {"creator_facebook_page", "creator.facebook_page", false},
	fImageURL:            {"image_url", "image_url", false},
	fDescription:         {"description", "description", false},
	fCategory:            {"category", "category", false},
	fUpdatedAt:           {"updated_at", "updated_at", false},
	fPercent:             {"percent", "goal", true},
}

// path is where a field is in m.
func (m *Mapping) path(f field) *string {
	switch f {
	case fID:
		return &m.ID
	case fTitle:
		return &m.Title
	case fURL:
		return &m.URL
	case fLang:
		return &m.Lang
	case fCurrency:
		return &m.Currency
	case fGoal:
		return &m.Goal
	case fPledged:
		return &m.Pledged
	case fBackers:
		return &m.Backers
	case fLaunchedAt:
		return &m.LaunchedAt
	case fDeadline:
		return &m.Deadline
	case fState:
		return &m.State
	case fCreatorName:
		return &m.CreatorName
	case fCreatorXHandle:
		return &m.CreatorXHandle
	case fCreatorFacebookPage:
		return &m.CreatorFacebookPage
	case fImageURL:
		return &m.ImageURL
	case fDescription:
		return &m.Description
	case fCategory:
		return &m.Category
	case fUpdatedAt:
		return &m.UpdatedAt
	case fPercent:
		return &m.Percent
	}
	panic(fmt.Sprintf("mapping: no field %d", f))
}

func fieldBySetting(setting string) (field, bool) {
	for f := range numFields {
		if fields[f].setting == setting {
			return f, true
		}
	}
	return 0, false
}

// defaultOf is the explicit default of a field, if any. A url_template is
// the URL's default: a record without a link gets one made from its id.
func (m *Mapping) defaultOf(f field) (string, bool) {
	switch {
	case f == fURL && m.URLTemplate != "":
		return "", true
	case f == fLang && m.DefaultLang != "":
		return m.DefaultLang, true
	case f == fCurrency && m.DefaultCurrency != "":
		return m.DefaultCurrency, true
	case f == fCreatorName && m.DefaultCreator != "":
		return m.DefaultCreator, true
	}
	v, ok := m.Defaults[fields[f].setting]
	return v, ok
}

// Unmapped is the path that removes a preset's path in an override: a config
// that says `description: "-"` over a preset reads no description.
const Unmapped = "-"

// Override returns m with every setting o gives replacing m's: paths,
// templates, money, defaults (key by key), states (key by key) and
// skip_states (replaced whole). A path of "-" removes m's path. This is how a
// config adjusts a preset without restating it.
func (m Mapping) Override(o Mapping) Mapping {
	out := m.clone()
	for f := range numFields {
		switch p := *o.path(f); p {
		case "":
		case Unmapped:
			*out.path(f) = ""
		default:
			*out.path(f) = p
		}
	}
	for _, s := range []struct{ dst, src *string }{
		{&out.IDTemplate, &o.IDTemplate}, {&out.URLTemplate, &o.URLTemplate}, {&out.BaseURL, &o.BaseURL},
		{&out.DefaultLang, &o.DefaultLang}, {&out.DefaultCurrency, &o.DefaultCurrency}, {&out.DefaultCreator, &o.DefaultCreator},
	} {
		switch *s.src {
		case "":
		case Unmapped:
			*s.dst = ""
		default:
			*s.dst = *s.src
		}
	}
	if o.Money != "" {
		out.Money = o.Money
	}
	if len(o.States) > 0 && out.States == nil {
		out.States = map[string]campaigns.State{}
	}
	maps.Copy(out.States, o.States)
	if len(o.Defaults) > 0 && out.Defaults == nil {
		out.Defaults = map[string]string{}
	}
	maps.Copy(out.Defaults, o.Defaults)
	if o.SkipStates != nil {
		out.SkipStates = slices.Clone(o.SkipStates)
	}
	return out
}

// clone copies m with its own maps and slices.
func (m Mapping) clone() Mapping {
	m.States = maps.Clone(m.States)
	m.Defaults = maps.Clone(m.Defaults)
	m.SkipStates = slices.Clone(m.SkipStates)
	return m
}

// Problem is one thing wrong with a mapping; Key is its setting under the
// mapping ("money", "states.paused", "id_template").
type Problem struct {
	Key string
	Msg string
}

func (p Problem) Error() string { return "mapping." + p.Key + ": " + p.Msg }

// Problems lists everything that keeps m from producing valid campaigns, each
// naming its setting; `fanfare config check` reports them all.
func (m Mapping) Problems() []Problem {
	var ps []Problem
	bad := func(key, format string, args ...any) {
		ps = append(ps, Problem{Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	has := func(f field) bool {
		_, def := m.defaultOf(f)
		return *m.path(f) != "" || def
	}
	switch {
	case m.ID != "" && m.IDTemplate != "":
		bad("id_template", "set id or id_template, not both")
	case m.ID == "" && m.IDTemplate == "":
		bad("id", "a path (or mapping.id_template) is required")
	}
	if !has(fTitle) {
		bad("title", "a path is required")
	}
	if m.URL == "" && m.URLTemplate == "" {
		bad("url", "a path or mapping.url_template is required")
	}
	if !has(fLang) {
		bad("lang", "a path or mapping.default_lang is required")
	}
	if !has(fCurrency) {
		bad("currency", "a path or mapping.default_currency is required")
	}
	switch {
	case m.Goal == "" && m.Percent == "":
		bad("goal", "a path (or mapping.percent, to derive the goal from the funded percentage) is required")
	case m.Goal != "" && m.Percent != "":
		bad("percent", "set goal or percent, not both")
	}
	for _, f := range []field{fPledged, fLaunchedAt, fDeadline} {
		if *m.path(f) == "" {
			bad(fields[f].setting, "a path is required")
		}
	}
	switch m.Money {
	case MoneyMinor, MoneyMajor:
	case "":
		bad("money", "is required: minor (2750 is 27.50 in the currency, as the webhook sends) or major (2750 is 2750.00)")
	default:
		bad("money", "%q is not minor or major", m.Money)
	}
	if m.IDTemplate != "" {
		if err := checkTemplate(m.IDTemplate, false); err != nil {
			bad("id_template", "%v", err)
		} else if lit := templateLiterals(m.IDTemplate); strings.ContainsAny(lit, "/{} \t") {
			bad("id_template", "%q would put %q in ids, which are path segments of links: join the parts with \":\" or \"-\" instead, e.g. \"{creator.slug}:{slug}\"",
				m.IDTemplate, string(lit[strings.IndexAny(lit, "/{} \t")]))
		}
	}
	if m.URLTemplate != "" {
		if err := checkTemplate(m.URLTemplate, true); err != nil {
			bad("url_template", "%v", err)
		}
	}
	if m.BaseURL != "" {
		if u, err := url.Parse(m.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			bad("base_url", "%q is not an absolute http(s) URL", m.BaseURL)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(m.States)) {
		if _, ok := campaigns.ParseState(string(m.States[k])); !ok || m.States[k] == campaigns.StateEnded {
			bad("states."+k, "%q is not one of live, successful, failed, canceled", m.States[k])
		}
	}
	if len(m.SkipStates) > 0 && m.State == "" {
		bad("skip_states", "needs mapping.state: without a state path there is nothing to skip by")
	}
	for i, s := range m.SkipStates {
		switch {
		case strings.TrimSpace(s) == "":
			bad(fmt.Sprintf("skip_states[%d]", i), "is empty")
		case m.mapsState(s):
			bad(fmt.Sprintf("skip_states[%d]", i), "%q is also mapped by mapping.states: skip it or map it", s)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(m.Defaults)) {
		f, ok := fieldBySetting(k)
		switch {
		case !ok:
			bad("defaults."+k, "is not a field of the mapping (id, title, url, lang, currency, goal, pledged, backers, launched_at, deadline, state, creator_name, creator_x_handle, creator_facebook_page, image_url, description, category, updated_at, percent)")
		case f == fID:
			bad("defaults.id", "an id cannot have a default: every campaign needs its own")
		}
	}
	return ps
}

func (m Mapping) mapsState(raw string) bool {
	for k := range m.States {
		if strings.EqualFold(k, raw) {
			return true
		}
	}
	return false
}

// Check is Problems as one error (nil when there are none).
func (m Mapping) Check() error {
	ps := m.Problems()
	if len(ps) == 0 {
		return nil
	}
	errs := make([]error, len(ps))
	for i, p := range ps {
		errs[i] = p
	}
	return errors.Join(errs...)
}

// MappedPath is one path of a Mapping with the setting that holds it.
type MappedPath struct {
	Setting string // "pledged", "creator_name", "id_template", ...
	Path    string
	// Defaulted: the mapping has a default for the field, so a record (or a
	// whole file) without the path is fine.
	Defaulted bool
}

// Paths lists every path the mapping reads, in field order, those of the
// templates included; the importer checks a CSV header against them.
func (m Mapping) Paths() []MappedPath {
	var out []MappedPath
	for f := range numFields {
		if p := *m.path(f); p != "" {
			_, def := m.defaultOf(f)
			out = append(out, MappedPath{Setting: fields[f].setting, Path: p, Defaulted: def})
		}
	}
	for _, p := range templatePaths(m.IDTemplate) {
		out = append(out, MappedPath{Setting: "id_template", Path: p})
	}
	for _, p := range templatePaths(m.URLTemplate) {
		if p != "id" {
			out = append(out, MappedPath{Setting: "url_template", Path: p})
		}
	}
	return out
}

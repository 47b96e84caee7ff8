package mapping

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
)

// maxTemplatePaths bounds the placeholders of the two templates together, so
// that every path of a mapping has a bit in a record's matched mask.
const maxTemplatePaths = 64 - int(numFields)

// Mapper is a checked Mapping, ready to map the records of one source.
type Mapper struct {
	m     Mapping
	loc   *time.Location
	base  *url.URL
	paths [numFields]string
	// tpl are the template placeholders; placeholder i has bit numFields+i.
	tpl  []MappedPath
	skip []string // lower case
}

// New checks m and prepares it for a source whose times without a zone are
// in loc (the source's time zone; nil means UTC).
func New(m Mapping, loc *time.Location) (*Mapper, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	if loc == nil {
		loc = time.UTC
	}
	mp := &Mapper{m: m.clone(), loc: loc}
	for f := range numFields {
		mp.paths[f] = *m.path(f)
	}
	if m.BaseURL != "" {
		mp.base, _ = url.Parse(m.BaseURL) // checked
	}
	for _, p := range m.Paths() {
		if p.Setting == "id_template" || p.Setting == "url_template" {
			mp.tpl = append(mp.tpl, p)
		}
	}
	if len(mp.tpl) > maxTemplatePaths {
		return nil, Problem{Key: "id_template", Msg: fmt.Sprintf("the templates have %d placeholders; at most %d", len(mp.tpl), maxTemplatePaths)}
	}
	for _, s := range m.SkipStates {
		mp.skip = append(mp.skip, strings.ToLower(strings.TrimSpace(s)))
	}
	return mp, nil
}

// Mapping is the mapping in force.
func (mp *Mapper) Mapping() Mapping { return mp.m.clone() }

// SkipError is the error of a record left out on purpose: its state is in
// skip_states. Sources count it as skipped, not rejected.
type SkipError struct {
	State string
}

func (e *SkipError) Error() string {
	return fmt.Sprintf("state %q is in mapping.skip_states", e.State)
}

// IsSkip reports whether err is a *SkipError.
func IsSkip(err error) bool {
	_, ok := errors.AsType[*SkipError](err)
	return ok
}

// Map turns one record into a cleaned, validated campaign. rec is a JSON value
// decoded with UseNumber (numbers are json.Number), or a CSV row as a
// map[string]any of strings. now decides derived states. A record whose
// state is in skip_states gives a *SkipError. Any other error is a
// *campaigns.FieldError naming our field, whose message names the source's
// path. tally, when not nil, counts which paths matched.
func (mp *Mapper) Map(rec any, now time.Time, tally *Tally) (campaigns.Campaign, error) {
	var c campaigns.Campaign
	r := reader{mp: mp, rec: rec}
	m := &mp.m

	// The state first: a skipped record is not read any further, nor
	// counted in the tally (its other fields may well be missing).
	rawState := ""
	if mp.paths[fState] != "" {
		rawState = r.text(fState, "")
		if mp.skipped(rawState) {
			c.ID = textOrEmpty(lookup(rec, mp.paths[fID]))
			return c, &SkipError{State: rawState}
		}
	}

	if m.IDTemplate != "" {
		c.ID = r.expand(m.IDTemplate, fID, 0, "")
	} else {
		c.ID = r.text(fID, "")
	}
	c.Lang = r.text(fLang, "")
	c.Title = r.text(fTitle, c.Lang)
	if mp.paths[fURL] != "" {
		c.URL = r.link(fURL, c.Lang)
	}
	if c.URL == "" && m.URLTemplate != "" && c.ID != "" {
		c.URL = r.expand(m.URLTemplate, fURL, countPaths(m.IDTemplate), c.ID)
	}
	c.Currency = strings.ToUpper(r.text(fCurrency, ""))
	if _, ok := campaigns.MinorUnits(c.Currency); !ok && c.Currency != "" {
		// Amounts cannot be scaled without it: name the real culprit.
		r.fail(fCurrency, "%s (mapping.currency): %q is not an ISO 4217 currency code such as EUR", r.where(fCurrency), c.Currency)
	}
	c.Pledged = r.money(fPledged, c.Currency)
	if mp.paths[fPercent] != "" {
		c.Goal = r.goalFromPercent(c.Pledged)
	} else {
		c.Goal = r.money(fGoal, c.Currency)
	}
	if mp.paths[fBackers] != "" || r.hasDefault(fBackers) {
		c.Backers = r.count(fBackers)
	}
	c.LaunchedAt = r.time(fLaunchedAt, false)
	c.Deadline = r.time(fDeadline, true)
	if mp.paths[fUpdatedAt] != "" || r.hasDefault(fUpdatedAt) {
		c.UpdatedAt = r.time(fUpdatedAt, false)
	}
	c.Creator.Name = r.text(fCreatorName, c.Lang)
	c.Creator.XHandle = r.text(fCreatorXHandle, "")
	c.Creator.FacebookPage = r.text(fCreatorFacebookPage, "")
	c.ImageURL = r.link(fImageURL, c.Lang)
	c.Description = r.text(fDescription, c.Lang)
	c.Category = r.text(fCategory, c.Lang)
	switch {
	case mp.paths[fState] == "":
		c.State = campaigns.StateLive
		if !c.Deadline.IsZero() && !now.Before(c.Deadline) {
			c.State = campaigns.StateFailed
			if c.Pledged >= c.Goal {
				c.State = campaigns.StateSuccessful
			}
		}
	case rawState != "":
		st, ok := mp.mapState(rawState)
		if !ok {
			r.fail(fState, "%s (mapping.state) value %q is not mapped to live, successful, failed or canceled: add it to mapping.states or mapping.skip_states", r.where(fState), rawState)
		}
		c.State = st
	}
	if tally != nil {
		tally.add(r.matched, rec)
	}
	if r.err != nil {
		return c, r.err
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return c, err
	}
	return c, nil
}

func (r *reader) hasDefault(f field) bool {
	_, ok := r.mp.m.defaultOf(f)
	return ok
}

// expand fills a template with the record's values; placeholder bits start at
// numFields+first. In a URL template "{id}" is the campaign's id, and values
// are escaped as path segments.
func (r *reader) expand(tpl string, f field, first int, id string) string {
	i := first
	out, err := expand(tpl, func(path string) (string, error) {
		if id != "" && path == "id" {
			return id, nil
		}
		bit := numFields + field(i)
		i++
		v, found := lookup(r.rec, path)
		if found {
			r.matched |= 1 << uint(bit)
		}
		s, terr := textOf(v, "")
		switch {
		case !found:
			r.fail(f, "%q (in mapping.%s_template) matches nothing in this record", path, fields[f].setting)
		case terr != nil || strings.TrimSpace(s) == "":
			r.fail(f, "%q (in mapping.%s_template) is empty or not text", path, fields[f].setting)
		default:
			if id != "" {
				return url.PathEscape(strings.TrimSpace(s)), nil
			}
			return strings.TrimSpace(s), nil
		}
		return "", errPlaceholder
	})
	if err != nil {
		return ""
	}
	return out
}

func countPaths(tpl string) int { return len(templatePaths(tpl)) }

func textOrEmpty(v any, found bool) string {
	if !found {
		return ""
	}
	s, _ := textOf(v, "")
	return s
}

func (mp *Mapper) skipped(raw string) bool {
	return raw != "" && slices.Contains(mp.skip, strings.ToLower(raw))
}

func (mp *Mapper) mapState(raw string) (campaigns.State, bool) {
	for k, v := range mp.m.States {
		if strings.EqualFold(k, raw) {
			return v, true
		}
	}
	st := campaigns.State(strings.ToLower(raw))
	switch st {
	case campaigns.StateLive, campaigns.StateSuccessful, campaigns.StateFailed, campaigns.StateCanceled:
		return st, true
	}
	return "", false
}

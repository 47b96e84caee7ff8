package mapping

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
)

// reader reads the fields of one record, keeping the first error so Map reads
// straight through, and noting which paths matched for the Tally.
type reader struct {
	mp      *Mapper
	rec     any
	err     error
	matched uint64 // bit per path: see Mapper.bits
}

func (r *reader) fail(f field, format string, args ...any) {
	if r.err == nil {
		r.err = &campaigns.FieldError{Field: fields[f].name, Message: fmt.Sprintf(format, args...)}
	}
}

// Lookup resolves a dotted path in a record, as mappings do: found is false
// when the path matches nothing (a key or an index is absent); v is nil for a
// JSON null.
func Lookup(rec any, path string) (v any, found bool) { return lookup(rec, path) }

func lookup(rec any, path string) (v any, found bool) {
	if path == "" {
		return nil, false
	}
	if m, ok := rec.(map[string]any); ok {
		if v, ok := m[path]; ok {
			return v, true
		}
	}
	cur := rec
	for seg := range strings.SplitSeq(path, ".") {
		switch node := cur.(type) {
		case map[string]any:
			next, ok := node[seg]
			if !ok {
				return nil, false
			}
			if s, ok := next.(string); ok {
				// A CSV cell holding JSON (exports of API data often have
				// them): decoded once, when a path goes into it.
				if doc, ok := jsonCell(s); ok {
					node[seg] = doc
					next = doc
				}
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(node) {
				return nil, false
			}
			cur = node[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// jsonCell decodes text that is a JSON object or array.
func jsonCell(s string) (any, bool) {
	t := strings.TrimSpace(s)
	if len(t) < 2 || !(t[0] == '{' && t[len(t)-1] == '}' || t[0] == '[' && t[len(t)-1] == ']') {
		return nil, false
	}
	dec := json.NewDecoder(strings.NewReader(t))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil || dec.More() {
		return nil, false
	}
	return v, true
}

func isEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(v) == ""
	}
	return false
}

// value is the raw value of a field: the record's, else the mapping's
// default. ok is false when there is none, after recording why if that
// rejects the record.
func (r *reader) value(f field) (v any, ok bool) {
	path := r.mp.paths[f]
	def, hasDef := r.mp.m.defaultOf(f)
	if path == "" {
		if hasDef && def != "" {
			return def, true
		}
		return nil, false
	}
	v, found := lookup(r.rec, path)
	if found {
		r.matched |= 1 << uint(f)
	}
	switch {
	case found && !isEmpty(v):
		return v, true
	case hasDef:
		if def == "" {
			return nil, false
		}
		return def, true
	case !found:
		r.fail(f, "%q matches nothing in this record (mapping.%s); give mapping.defaults.%s if that is expected", path, fields[f].setting, fields[f].setting)
	case fields[f].required:
		r.fail(f, "%q is empty (mapping.%s)", path, fields[f].setting)
	}
	return nil, false
}

// text reads a field as text; numbers and booleans read as their text (ids
// are often numbers), objects of translations as the record's language.
func (r *reader) text(f field, lang string) string {
	v, ok := r.value(f)
	if !ok {
		return ""
	}
	s, err := textOf(v, lang)
	if err != nil {
		r.fail(f, "%s (mapping.%s) %v", r.where(f), fields[f].setting, err)
	}
	return strings.TrimSpace(s)
}

// where names what a field was read from: its path, or its default.
func (r *reader) where(f field) string {
	if p := r.mp.paths[f]; p != "" {
		return strconv.Quote(p)
	}
	return "the default"
}

func textOf(v any, lang string) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(v), nil
	case map[string]any:
		return localized(v, lang)
	}
	return "", fmt.Errorf("is %s, want text", kindOf(v))
}

// localized picks the record's language from an object of translations
// ({"fr": "...", "en": "..."}), else the first non-empty one by key order.
func localized(m map[string]any, lang string) (string, error) {
	if s, ok := m[lang].(string); ok && strings.TrimSpace(s) != "" {
		return s, nil
	}
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}) {
		if s, ok := m[k].(string); ok && strings.TrimSpace(s) != "" {
			return s, nil
		}
	}
	return "", fmt.Errorf("is an object without text")
}

// number reads a field as decimal text.
func (r *reader) number(f field) (string, bool) {
	v, ok := r.value(f)
	if !ok {
		return "", false
	}
	switch v := v.(type) {
	case json.Number:
		return v.String(), true
	case string:
		return strings.TrimSpace(v), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	}
	r.fail(f, "%s (mapping.%s) is %s, want a number", r.where(f), fields[f].setting, kindOf(v))
	return "", false
}

// count reads a whole number. "412.0" is 412: spreadsheet tools and pandas
// write counts that way.
func (r *reader) count(f field) int64 {
	text, ok := r.number(f)
	if !ok {
		return 0
	}
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return n
	}
	if whole, frac, ok := strings.Cut(text, "."); ok && strings.Trim(frac, "0") == "" {
		if n, err := strconv.ParseInt(whole, 10, 64); err == nil {
			return n
		}
	}
	r.fail(f, "%s (mapping.%s): %q is not a whole number", r.where(f), fields[f].setting, text)
	return 0
}

// money reads an amount in the mapping's unit, as minor units of cur.
func (r *reader) money(f field, cur string) int64 {
	text, ok := r.number(f)
	if !ok || r.err != nil {
		return 0
	}
	var n int64
	var err error
	if r.mp.m.Money == MoneyMajor {
		n, err = ParseMajor(text, cur)
	} else {
		n, err = parseMinor(text)
	}
	if err != nil {
		r.fail(f, "%s (mapping.%s): %v", r.where(f), fields[f].setting, err)
	}
	return n
}

// goalFromPercent derives the goal from the funded percentage: pledged × 100
// / percent, rounded half away from zero.
func (r *reader) goalFromPercent(pledged int64) int64 {
	text, ok := r.number(fPercent)
	if !ok || r.err != nil {
		return 0
	}
	pct, ok := new(big.Rat).SetString(text)
	switch {
	case !ok || len(text) > 64:
		r.fail(fPercent, "%s (mapping.percent): %q is not a percentage", r.where(fPercent), text)
		return 0
	case pct.Sign() <= 0:
		r.fail(fPercent, "cannot be derived from a funded percentage of %s (mapping.percent): map the goal itself", text)
		return 0
	}
	goal := new(big.Rat).SetInt64(pledged)
	goal.Mul(goal, big.NewRat(100, 1)).Quo(goal, pct)
	// Round half away from zero: (2·num + den) / (2·den) for a positive goal.
	num := new(big.Int).Mul(goal.Num(), big.NewInt(2))
	num.Add(num, goal.Denom())
	num.Quo(num, new(big.Int).Mul(goal.Denom(), big.NewInt(2)))
	if !num.IsInt64() {
		r.fail(fPercent, "derived from %s %% is beyond any plausible amount", text)
		return 0
	}
	return num.Int64()
}

// maxUnixSeconds bounds unix times (year 2200), so that milliseconds sent
// where seconds are expected are caught rather than read as the far future.
const maxUnixSeconds = 7258118400

// Layouts with a zone, besides RFC 3339.
var zonedLayouts = []string{
	"2006-01-02 15:04:05Z07:00", "2006-01-02T15:04:05Z0700", "2006-01-02 15:04:05Z0700",
	"2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05 MST",
}

// time reads a time: unix seconds (an integer or a decimal), RFC 3339 and
// other forms with a zone as they say, forms without a zone in the source's
// time zone, and a date alone as the start of that day there, or its end
// (the last second) when endOfDay is set, as for deadlines.
func (r *reader) time(f field, endOfDay bool) time.Time {
	text, ok := r.number(f)
	if !ok {
		return time.Time{}
	}
	t, err := parseTime(text, r.mp.loc, endOfDay)
	if err != nil {
		r.fail(f, "%s (mapping.%s): %v", r.where(f), fields[f].setting, err)
	}
	return t
}

func parseTime(text string, loc *time.Location, endOfDay bool) (time.Time, error) {
	if len(text) > 0 && (text[0] >= '0' && text[0] <= '9' || text[0] == '-' || text[0] == '+') && !strings.ContainsAny(text[1:], "-:/ T") {
		secs, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsNaN(secs) {
			return time.Time{}, fmt.Errorf("%q is not a unix time", text)
		}
		if secs < 0 || secs > maxUnixSeconds {
			return time.Time{}, fmt.Errorf("%s is not a unix time in seconds between 1970 and 2200 (milliseconds?)", text)
		}
		whole, frac := math.Modf(secs)
		return time.Unix(int64(whole), int64(math.Round(frac*1e6))*1e3).UTC(), nil
	}
	// The shape decides the layout: trying them all in turn cost more than
	// the rest of a row (each failed time.Parse allocates its error).
	switch {
	case len(text) == len("2006-01-02"):
		d, err := time.ParseInLocation("2006-01-02", text, loc)
		if err != nil {
			break
		}
		if endOfDay {
			return time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 59, 0, loc), nil
		}
		return d, nil
	case len(text) >= len("2006-01-02T15:04") && (text[10] == 'T' || text[10] == ' '):
		if rest := text[16:]; !strings.ContainsAny(rest, "Z+-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
			// No zone: the source's. Fractional seconds need no layout.
			layout := "2006-01-02T15:04"
			if len(rest) > 0 {
				layout = "2006-01-02T15:04:05"
			}
			if text[10] == ' ' {
				layout = strings.Replace(layout, "T", " ", 1)
			}
			if t, err := time.ParseInLocation(layout, text, loc); err == nil {
				return t, nil
			}
			break
		}
		if t, err := time.Parse(time.RFC3339Nano, text); err == nil {
			return t, nil
		}
		for _, layout := range zonedLayouts {
			if t, err := time.Parse(layout, text); err == nil {
				return t, nil
			}
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time: want unix seconds, RFC 3339, 2006-01-02 15:04:05 (in the source's time zone) or 2006-01-02", text)
}

// link reads a URL, resolving a relative one against base_url.
func (r *reader) link(f field, lang string) string {
	raw := r.text(f, lang)
	if raw == "" || r.err != nil {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.IsAbs() {
		return raw // Validate names what is wrong with it
	}
	if r.mp.base == nil {
		r.fail(f, "%s (mapping.%s): %q is a relative link: set mapping.base_url to the platform's address", r.where(f), fields[f].setting, raw)
		return raw
	}
	return r.mp.base.ResolveReference(u).String()
}

// KindOf names the JSON type of a decoded value, for messages: "a string",
// "an object", "null".
func KindOf(v any) string { return kindOf(v) }

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

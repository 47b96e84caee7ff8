package webhook

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
)

// Delivery is a webhook body read campaign by campaign.
type Delivery struct {
	// Batch: the body was {"campaigns":[...]}, whose fields are named
	// "campaigns[i].<field>".
	Batch bool
	// Total is how many campaigns the body held.
	Total int
	// Campaigns are the valid ones, cleaned (campaigns.Campaign.Normalize),
	// in the order sent; Index is the position of each in the body.
	Campaigns []campaigns.Campaign
	Index     []int
	// Rejected are the others, each with the path of its first bad field.
	Rejected []Rejected
}

// ParseDelivery reads a webhook body strictly: one campaign object, or
// {"campaigns":[...]} with at least one. Each campaign is judged on its own:
// an unknown, repeated, mistyped or invalid field (floats for money and
// counts, times that are not RFC 3339, what Campaign.Validate refuses)
// rejects that campaign only, named by the full JSON path of the field
// ("campaigns[3].deadline" in a batch, "deadline" for a single object). Two
// campaigns of a batch with the same id are both rejected: which snapshot is
// right cannot be told (updated_at is optional).
//
// The error is for the body as a whole: a *json.SyntaxError when it is not
// JSON, a *campaigns.FieldError when it is not a campaign or a batch.
//
// UpdatedAt is left zero when the sender omits updated_at: the tracker stamps
// snapshots with the time of receipt, so the webhook does not guess from the
// signature timestamp.
func ParseDelivery(body []byte) (Delivery, error) {
	var d Delivery
	// One pass over the whole body first: a syntax error anywhere, including
	// trailing data after the value, is reported as such with its offset,
	// before any field is looked at.
	var raw json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return d, err
	}
	if kindOf(raw) != "object" {
		return d, fieldErr("", "must be a campaign object or {\"campaigns\":[...]}, got %s", kindOf(raw))
	}
	var batch json.RawMessage
	if err := members(raw, "", func(key string, val json.RawMessage) error {
		if key == "campaigns" {
			batch, d.Batch = val, true
		}
		return nil
	}); err != nil {
		return d, err
	}
	items := []json.RawMessage{raw}
	if d.Batch {
		// A batch holds nothing but its list: a stray key beside it is most
		// likely a single campaign that happens to have a "campaigns" key.
		if err := members(raw, "", func(key string, _ json.RawMessage) error {
			if key != "campaigns" {
				return fieldErr(key, "unknown field beside \"campaigns\" in a batch body")
			}
			return nil
		}); err != nil {
			return d, err
		}
		var err error
		if items, err = array(batch, "campaigns"); err != nil {
			return d, err
		}
		if len(items) == 0 {
			return d, fieldErr("campaigns", "must hold at least one campaign")
		}
	}
	d.Total = len(items)
	ids := make([]string, len(items))
	for i, item := range items {
		path := ""
		if d.Batch {
			path = fmt.Sprintf("campaigns[%d]", i)
		}
		c, err := parseCampaign(item, path)
		if c.ID == "" {
			c.ID = peekID(item)
		}
		ids[i] = c.ID
		if err != nil {
			d.reject(i, c.ID, err)
			continue
		}
		d.Campaigns = append(d.Campaigns, c)
		d.Index = append(d.Index, i)
	}
	d.dropDuplicates(ids)
	slices.SortStableFunc(d.Rejected, func(a, b Rejected) int { return cmp.Compare(a.index, b.index) })
	return d, nil
}

func (d *Delivery) reject(i int, id string, err error) {
	rj := Rejected{ID: id, Message: err.Error(), index: i}
	if fe, ok := errors.AsType[*campaigns.FieldError](err); ok {
		rj.Field, rj.Message = fe.Field, fe.Message
	}
	d.Rejected = append(d.Rejected, rj)
}

// dropDuplicates moves every campaign whose id appears twice in the body
// (valid or not) to the rejected ones.
func (d *Delivery) dropDuplicates(ids []string) {
	at := make(map[string][]int, len(ids))
	for i, id := range ids {
		if id != "" {
			at[id] = append(at[id], i)
		}
	}
	keep, keepIdx := d.Campaigns[:0], d.Index[:0]
	for k, c := range d.Campaigns {
		i := d.Index[k]
		where := at[c.ID]
		if len(where) < 2 {
			keep, keepIdx = append(keep, c), append(keepIdx, i)
			continue
		}
		var others []string
		for _, j := range where {
			if j != i {
				others = append(others, fmt.Sprintf("campaigns[%d]", j))
			}
		}
		d.Rejected = append(d.Rejected, Rejected{ID: c.ID, Field: fmt.Sprintf("campaigns[%d].id", i), index: i,
			Message: fmt.Sprintf("%q also appears in %s: a delivery holds one snapshot per campaign, neither is stored", c.ID, strings.Join(others, ", "))})
	}
	d.Campaigns, d.Index = keep, keepIdx
}

// ParseBody is ParseDelivery for callers that take all or nothing: the
// campaigns, or the first rejection as a *campaigns.FieldError.
func ParseBody(body []byte) ([]campaigns.Campaign, error) {
	d, err := ParseDelivery(body)
	if err != nil {
		return nil, err
	}
	if len(d.Rejected) > 0 {
		return nil, fieldErr(d.Rejected[0].Field, "%s", d.Rejected[0].Message)
	}
	return d.Campaigns, nil
}

// peekID finds a campaign's id when reading it stopped at an earlier field, so
// that the rejection can name the campaign.
func peekID(raw json.RawMessage) string {
	var probe struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(raw, &probe) // best effort: a broken object has no id to tell
	return probe.ID
}

func parseCampaign(raw json.RawMessage, path string) (campaigns.Campaign, error) {
	var c campaigns.Campaign
	err := members(raw, path, func(key string, val json.RawMessage) error {
		p := join(path, key)
		var err error
		switch key {
		case "id":
			c.ID, err = str(val, p)
		case "title":
			c.Title, err = str(val, p)
		case "url":
			c.URL, err = str(val, p)
		case "lang":
			c.Lang, err = str(val, p)
		case "currency":
			c.Currency, err = str(val, p)
		case "goal":
			c.Goal, err = integer(val, p, "an amount in minor units (1250 for 12.50)")
		case "pledged":
			c.Pledged, err = integer(val, p, "an amount in minor units (1250 for 12.50)")
		case "backers":
			c.Backers, err = integer(val, p, "a count")
		case "launched_at":
			c.LaunchedAt, err = timestamp(val, p)
		case "deadline":
			c.Deadline, err = timestamp(val, p)
		case "updated_at":
			c.UpdatedAt, err = timestamp(val, p)
		case "state":
			var s string
			s, err = str(val, p)
			c.State = campaigns.State(s)
		case "creator":
			c.Creator, err = parseCreator(val, p)
		case "image_url":
			c.ImageURL, err = str(val, p)
		case "description":
			c.Description, err = str(val, p)
		case "category":
			c.Category, err = str(val, p)
		case "stretch_goals":
			c.StretchGoals, err = parseStretchGoals(val, p)
		case "tags":
			c.Tags, err = parseTags(val, p)
		default:
			err = fieldErr(p, "unknown field")
		}
		return err
	})
	if err != nil {
		return c, err
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		if fe, ok := err.(*campaigns.FieldError); ok {
			return c, fieldErr(join(path, fe.Field), "%s", fe.Message)
		}
		return c, fieldErr(path, "%v", err)
	}
	return c, nil
}

func parseCreator(raw json.RawMessage, path string) (campaigns.Creator, error) {
	var cr campaigns.Creator
	if kindOf(raw) == "null" {
		return cr, nil
	}
	err := members(raw, path, func(key string, val json.RawMessage) error {
		p := join(path, key)
		var err error
		switch key {
		case "name":
			cr.Name, err = str(val, p)
		case "x_handle":
			cr.XHandle, err = str(val, p)
		case "facebook_page":
			cr.FacebookPage, err = str(val, p)
		default:
			err = fieldErr(p, "unknown field")
		}
		return err
	})
	return cr, err
}

func parseStretchGoals(raw json.RawMessage, path string) ([]campaigns.StretchGoal, error) {
	items, err := array(raw, path)
	if err != nil || items == nil {
		return nil, err
	}
	goals := make([]campaigns.StretchGoal, len(items))
	for i, item := range items {
		ip := fmt.Sprintf("%s[%d]", path, i)
		err := members(item, ip, func(key string, val json.RawMessage) error {
			p := join(ip, key)
			var err error
			switch key {
			case "amount":
				goals[i].Amount, err = integer(val, p, "an amount in minor units (1250 for 12.50)")
			case "title":
				goals[i].Title, err = str(val, p)
			default:
				err = fieldErr(p, "unknown field")
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return goals, nil
}

func parseTags(raw json.RawMessage, path string) ([]string, error) {
	items, err := array(raw, path)
	if err != nil || items == nil {
		return nil, err
	}
	tags := make([]string, len(items))
	for i, item := range items {
		if tags[i], err = str(item, fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return nil, err
		}
	}
	return tags, nil
}

// members walks a JSON object's keys in order. Unlike decoding into a map or a
// struct, it sees repeated keys, which are refused: which one wins differs
// between parsers, and a signed body must mean one thing.
func members(raw json.RawMessage, path string, fn func(key string, val json.RawMessage) error) error {
	if k := kindOf(raw); k != "object" {
		return fieldErr(path, "must be an object, got %s", k)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // the opening brace
		return fieldErr(path, "invalid JSON: %v", err)
	}
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fieldErr(path, "invalid JSON: %v", err)
		}
		key, _ := tok.(string)
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return fieldErr(join(path, key), "invalid JSON: %v", err)
		}
		if seen[key] {
			return fieldErr(join(path, key), "appears twice")
		}
		seen[key] = true
		if err := fn(key, val); err != nil {
			return err
		}
	}
	return nil
}

// array returns the elements of a JSON array; null gives nil.
func array(raw json.RawMessage, path string) ([]json.RawMessage, error) {
	switch k := kindOf(raw); k {
	case "null":
		return nil, nil
	case "array":
	default:
		return nil, fieldErr(path, "must be an array, got %s", k)
	}
	items := []json.RawMessage{}
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fieldErr(path, "invalid JSON: %v", err)
	}
	return items, nil
}

// str reads a JSON string; null reads as "" so Validate reports required ones.
func str(raw json.RawMessage, path string) (string, error) {
	switch k := kindOf(raw); k {
	case "null":
		return "", nil
	case "string":
	default:
		return "", fieldErr(path, "must be a string, got %s", k)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fieldErr(path, "invalid string: %v", err)
	}
	return s, nil
}

// integer reads a JSON integer from its text, so 12.5, 1e3 and 1250.0 are all
// refused: money is never a float here, and a sender writing one has most
// likely sent major units.
func integer(raw json.RawMessage, path, what string) (int64, error) {
	switch k := kindOf(raw); k {
	case "null":
		return 0, nil
	case "number":
	default:
		return 0, fieldErr(path, "must be an integer, %s, got %s", what, k)
	}
	text := string(bytes.TrimSpace(raw))
	if bytes.ContainsAny(raw, ".eE") {
		return 0, fieldErr(path, "must be an integer, %s, got %s", what, text)
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return 0, fieldErr(path, "%s is out of range", text)
	}
	return n, nil
}

// timestamp reads an RFC 3339 time; null reads as zero.
func timestamp(raw json.RawMessage, path string) (time.Time, error) {
	s, err := str(raw, path)
	if err != nil || s == "" {
		if kindOf(raw) == "string" {
			return time.Time{}, fieldErr(path, "is empty: want an RFC 3339 time such as 2026-03-01T18:00:00Z")
		}
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fieldErr(path, "%q is not an RFC 3339 time such as 2026-03-01T18:00:00Z", s)
	}
	return t, nil
}

// kindOf names the JSON type of a valid value from its first byte.
func kindOf(raw json.RawMessage) string {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	default:
		return "number"
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	if key == "" {
		return path
	}
	return path + "." + key
}

func fieldErr(field, format string, args ...any) *campaigns.FieldError {
	return &campaigns.FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

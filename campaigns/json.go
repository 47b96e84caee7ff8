package campaigns

import (
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// The tracker encodes every snapshot it stores (and each event it queues) by
// hand: encoding/json's reflection was a quarter of the tracker's CPU per
// update. The output is byte for byte what json.Marshal writes for the same
// values (TestAppendCampaignJSONMatchesEncodingJSON holds it to that), so
// readers keep using encoding/json. A field added to Campaign, Creator or
// StretchGoal must be added here too; that test fails until it is.

// appendCampaignJSON appends c as json.Marshal would encode it.
func appendCampaignJSON(b []byte, c *Campaign) ([]byte, error) {
	var err error
	b = append(b, `{"id":`...)
	b = appendJSONString(b, c.ID)
	b = append(b, `,"title":`...)
	b = appendJSONString(b, c.Title)
	b = append(b, `,"url":`...)
	b = appendJSONString(b, c.URL)
	b = append(b, `,"lang":`...)
	b = appendJSONString(b, c.Lang)
	b = append(b, `,"currency":`...)
	b = appendJSONString(b, c.Currency)
	b = append(b, `,"goal":`...)
	b = strconv.AppendInt(b, c.Goal, 10)
	b = append(b, `,"pledged":`...)
	b = strconv.AppendInt(b, c.Pledged, 10)
	b = append(b, `,"backers":`...)
	b = strconv.AppendInt(b, c.Backers, 10)
	b = append(b, `,"launched_at":`...)
	if b, err = appendJSONTime(b, c.LaunchedAt, "launched_at"); err != nil {
		return nil, err
	}
	b = append(b, `,"deadline":`...)
	if b, err = appendJSONTime(b, c.Deadline, "deadline"); err != nil {
		return nil, err
	}
	b = append(b, `,"state":`...)
	b = appendJSONString(b, string(c.State))
	b = append(b, `,"creator":{"name":`...)
	b = appendJSONString(b, c.Creator.Name)
	if c.Creator.XHandle != "" {
		b = append(b, `,"x_handle":`...)
		b = appendJSONString(b, c.Creator.XHandle)
	}
	if c.Creator.FacebookPage != "" {
		b = append(b, `,"facebook_page":`...)
		b = appendJSONString(b, c.Creator.FacebookPage)
	}
	b = append(b, '}')
	if c.ImageURL != "" {
		b = append(b, `,"image_url":`...)
		b = appendJSONString(b, c.ImageURL)
	}
	if c.Description != "" {
		b = append(b, `,"description":`...)
		b = appendJSONString(b, c.Description)
	}
	if len(c.StretchGoals) > 0 {
		b = append(b, `,"stretch_goals":[`...)
		for i, g := range c.StretchGoals {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"amount":`...)
			b = strconv.AppendInt(b, g.Amount, 10)
			b = append(b, `,"title":`...)
			b = appendJSONString(b, g.Title)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if len(c.Tags) > 0 {
		b = append(b, `,"tags":[`...)
		for i, tag := range c.Tags {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, tag)
		}
		b = append(b, ']')
	}
	if c.Category != "" {
		b = append(b, `,"category":`...)
		b = appendJSONString(b, c.Category)
	}
	if c.ClosedNote != "" {
		b = append(b, `,"closed_note":`...)
		b = appendJSONString(b, c.ClosedNote)
	}
	if !c.UpdatedAt.IsZero() {
		b = append(b, `,"updated_at":`...)
		if b, err = appendJSONTime(b, c.UpdatedAt, "updated_at"); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// appendEventJSON appends the Event of a milestone around the campaign's
// already encoded snapshot, as json.Marshal would encode the Event.
func appendEventJSON(b []byte, id string, m Milestone, campaign []byte, at time.Time) ([]byte, error) {
	b = appendEventHead(b, id, m)
	b = append(b, campaign...)
	return appendEventTail(b, m, at)
}

// appendEventHead appends what comes before the snapshot in an event's JSON.
func appendEventHead(b []byte, id string, m Milestone) []byte {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, EventID(id, m))
	return append(b, `,"campaign":`...)
}

// appendEventTail appends what comes after the snapshot in an event's JSON.
func appendEventTail(b []byte, m Milestone, at time.Time) ([]byte, error) {
	b = append(b, `,"milestone":`...)
	b = appendJSONString(b, string(m))
	b = append(b, `,"fired_at":`...)
	b, err := appendJSONTime(b, at, "fired_at")
	if err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

// appendJSONTime is time.Time's MarshalJSON (RFC 3339 with nanoseconds, an
// error for years outside 0-9999) without its allocation.
func appendJSONTime(b []byte, t time.Time, field string) ([]byte, error) {
	b = append(b, '"')
	b, err := t.AppendText(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	return append(b, '"'), nil
}

const hexDigits = "0123456789abcdef"

// jsonSafe marks the ASCII bytes encoding/json writes as they are (with its
// default HTML escaping, so not <, > and &).
var jsonSafe = func() (s [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		s[b] = b != '"' && b != '\\' && b != '<' && b != '>' && b != '&'
	}
	return s
}()

// appendJSONString appends s quoted as encoding/json does: HTML characters,
// control characters, U+2028 and U+2029 escaped, invalid UTF-8 replaced by
// U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

package content

import (
	"github.com/fanfarehq/fanfare/content/text"
	"strconv"
	"strings"
	"time"
)

// Posts are stored as Redis hashes, one field per Post field, times as unix
// milliseconds, so that Lua scripts can compare and index them. Besides the
// Post fields the hash holds publishing bookkeeping: attempt_id (which claim
// owns the post), lease_until and claimed_at.

func msString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return strconv.FormatInt(t.UnixMilli(), 10)
}

func msTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(n).UTC()
}

// draftFields lists a new post's fields as pairs for createScript.
func draftFields(id string, d Draft, state State, now time.Time) []any {
	return []any{
		"id", id,
		"dedup_key", d.DedupKey,
		"group_id", d.GroupID,
		"kind", string(d.Kind),
		"network", d.Network,
		"campaign_id", d.CampaignID,
		"milestone", d.Milestone,
		"covers", encodeCovers(d.Covers),
		"text", d.Text,
		"link", d.Link,
		"image_url", d.ImageURL,
		"image_alt", d.ImageAlt,
		"lang", d.Lang,
		"variant", d.Variant,
		"source", d.Source,
		"priority", strconv.Itoa(d.Priority),
		"state", string(state),
		"not_after", msString(d.NotAfter),
		"created_at", msString(now),
		"updated_at", msString(now),
		"attempts", "0",
	}
}

// postFromHash decodes a post hash (HGETALL); ok is false for an empty hash.
func postFromHash(h map[string]string) (Post, bool) {
	if len(h) == 0 || h["id"] == "" {
		return Post{}, false
	}
	prio, _ := strconv.Atoi(h["priority"])
	attempts, _ := strconv.Atoi(h["attempts"])
	rev, _ := strconv.Atoi(h["rev"])
	covers := decodeCovers(h["covers"])
	if covers == nil && Kind(h["kind"]) == KindMilestone && h["campaign_id"] != "" && h["milestone"] != "" {
		// Posts stored before covers existed tell their one milestone.
		covers = []Cover{{CampaignID: h["campaign_id"], Milestone: h["milestone"], NotAfter: msTime(h["not_after"])}}
	}
	if covers == nil {
		covers = []Cover{}
	}
	return Post{
		ID:          h["id"],
		GroupID:     h["group_id"],
		Kind:        Kind(h["kind"]),
		Network:     h["network"],
		Account:     text.AccountOf(h["network"]),
		CampaignID:  h["campaign_id"],
		Milestone:   h["milestone"],
		Covers:      covers,
		Text:        h["text"],
		Link:        h["link"],
		ImageURL:    h["image_url"],
		ImageAlt:    h["image_alt"],
		Lang:        h["lang"],
		Variant:     h["variant"],
		Source:      h["source"],
		Priority:    prio,
		State:       State(h["state"]),
		NotAfter:    msTime(h["not_after"]),
		ScheduledAt: msTime(h["scheduled_at"]),
		SlotNote:    h["slot_note"],
		CreatedAt:   msTime(h["created_at"]),
		UpdatedAt:   msTime(h["updated_at"]),
		PublishedAt: msTime(h["published_at"]),
		ExternalID:  h["external_id"],
		ExternalURL: h["external_url"],
		LastError:   h["last_error"],
		Attempts:    attempts,
		FoldedInto:  h["folded_into"],
		Revision:    rev,
		EditedBy:    h["edited_by"],
		ApprovedBy:  h["approved_by"],
		OpenUntil:   msTime(h["open_until"]),
	}, true
}

// encodeCovers stores covers compactly as "campaign milestone not_after"
// lines (not_after in unix ms, empty for none): ids and milestones hold no
// spaces or line breaks (checkCovers).
func encodeCovers(cs []Cover) string {
	var b strings.Builder
	for i, c := range cs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(c.CampaignID)
		b.WriteByte(' ')
		b.WriteString(c.Milestone)
		b.WriteByte(' ')
		b.WriteString(msString(c.NotAfter))
	}
	return b.String()
}

func decodeCovers(s string) []Cover {
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	out := make([]Cover, 0, len(lines))
	for _, l := range lines {
		c, rest, _ := strings.Cut(l, " ")
		m, na, _ := strings.Cut(rest, " ")
		out = append(out, Cover{CampaignID: c, Milestone: m, NotAfter: msTime(na)})
	}
	return out
}

// pairsToMap turns a flat HGETALL reply from a script into a map.
func pairsToMap(v any) map[string]string {
	arr, _ := v.([]any)
	m := make(map[string]string, len(arr)/2)
	for i := 0; i+1 < len(arr); i += 2 {
		k, _ := arr[i].(string)
		val, _ := arr[i+1].(string)
		m[k] = val
	}
	return m
}

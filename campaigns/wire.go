package campaigns

// The campaign object is written in several places: the struct tags of
// Campaign, the tracker's hand-written encoder (json.go), the webhook's strict
// decoder (web/webhook) and the field list of the poll/import mapping
// (campaigns/mapping). WireFields is the one definition they are all checked
// against, each by a test in its own package: a field added to the table and
// not to one of them (or the other way round) fails that test.

// WireType is how a field is written in JSON.
type WireType string

// The types of the campaign object's fields.
const (
	WireString  WireType = "string"
	WireInteger WireType = "integer" // money in minor units, counts; never a float
	WireTime    WireType = "time"    // RFC 3339
	WireObject  WireType = "object"
	WireList    WireType = "list"
)

// WireField is one field of the campaign object (DESIGN.md "Campaign object").
type WireField struct {
	// Path is the field's JSON path: "goal", "creator.name", "stretch_goals[].amount".
	Path string
	Type WireType
	// Required: the design says every source sends it. Validate decides what
	// an empty value means (pledged and backers may be 0, creator.name empty).
	Required bool
	// Omitted: left out of stored JSON when empty (omitempty, omitzero).
	Omitted bool
	// Source: sources may send it; false for what only Fanfare sets
	// (closed_note).
	Source bool
}

// WireFields lists the campaign object's fields in the order the encoder
// writes them.
var WireFields = []WireField{
	{Path: "id", Type: WireString, Required: true, Source: true},
	{Path: "title", Type: WireString, Required: true, Source: true},
	{Path: "url", Type: WireString, Required: true, Source: true},
	{Path: "lang", Type: WireString, Required: true, Source: true},
	{Path: "currency", Type: WireString, Required: true, Source: true},
	{Path: "goal", Type: WireInteger, Required: true, Source: true},
	{Path: "pledged", Type: WireInteger, Required: true, Source: true},
	{Path: "backers", Type: WireInteger, Required: true, Source: true},
	{Path: "launched_at", Type: WireTime, Required: true, Source: true},
	{Path: "deadline", Type: WireTime, Required: true, Source: true},
	{Path: "state", Type: WireString, Required: true, Source: true},
	{Path: "creator", Type: WireObject, Required: true, Source: true},
	{Path: "creator.name", Type: WireString, Source: true},
	{Path: "creator.x_handle", Type: WireString, Omitted: true, Source: true},
	{Path: "creator.facebook_page", Type: WireString, Omitted: true, Source: true},
	{Path: "image_url", Type: WireString, Omitted: true, Source: true},
	{Path: "description", Type: WireString, Omitted: true, Source: true},
	{Path: "stretch_goals", Type: WireList, Omitted: true, Source: true},
	{Path: "stretch_goals[].amount", Type: WireInteger, Required: true, Source: true},
	{Path: "stretch_goals[].title", Type: WireString, Required: true, Source: true},
	{Path: "tags", Type: WireList, Omitted: true, Source: true},
	{Path: "category", Type: WireString, Omitted: true, Source: true},
	{Path: "closed_note", Type: WireString, Omitted: true},
	{Path: "updated_at", Type: WireTime, Omitted: true, Source: true},
}

// LookupWireField looks a field up by its path.
func LookupWireField(path string) (WireField, bool) {
	for _, f := range WireFields {
		if f.Path == path {
			return f, true
		}
	}
	return WireField{}, false
}

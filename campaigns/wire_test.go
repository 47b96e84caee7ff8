package campaigns

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// structWire lists the fields typ's JSON tags declare, nested objects and
// lists of objects included, in declaration order.
func structWire(typ reflect.Type, prefix string) []WireField {
	var out []WireField
	for f := range typ.Fields() {
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		w := WireField{Path: prefix + name, Omitted: strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")}
		var nested []WireField
		switch {
		case f.Type == reflect.TypeFor[time.Time]():
			w.Type = WireTime
		case f.Type.Kind() == reflect.String:
			w.Type = WireString
		case f.Type.Kind() == reflect.Int64:
			w.Type = WireInteger
		case f.Type.Kind() == reflect.Struct:
			w.Type = WireObject
			nested = structWire(f.Type, w.Path+".")
		case f.Type.Kind() == reflect.Slice:
			w.Type = WireList
			if f.Type.Elem().Kind() == reflect.Struct {
				nested = structWire(f.Type.Elem(), w.Path+"[].")
			}
		default:
			w.Type = WireType("unexpected " + f.Type.String())
		}
		out = append(out, w)
		out = append(out, nested...)
	}
	return out
}

// The struct tags of Campaign, Creator and StretchGoal are the table.
func TestWireFieldsAreTheStructTags(t *testing.T) {
	got := structWire(reflect.TypeFor[Campaign](), "")
	var want []WireField
	for _, f := range WireFields {
		want = append(want, WireField{Path: f.Path, Type: f.Type, Omitted: f.Omitted})
	}
	if !slices.Equal(got, want) {
		t.Errorf("struct tags declare\n%v\nWireFields say\n%v", got, want)
	}
}

// jsonPaths lists the member paths of a JSON document in the order written
// (list elements as "[]"), each once.
func jsonPaths(t *testing.T, doc []byte) []string {
	t.Helper()
	var out []string
	var walk func(prefix string, raw json.RawMessage)
	walk = func(prefix string, raw json.RawMessage) {
		d := json.NewDecoder(bytes.NewReader(raw))
		tok, err := d.Token()
		if err != nil {
			t.Fatal(err)
		}
		switch tok {
		case json.Delim('{'):
			for d.More() {
				k, _ := d.Token()
				var val json.RawMessage
				if err := d.Decode(&val); err != nil {
					t.Fatal(err)
				}
				p := prefix + k.(string)
				if !slices.Contains(out, p) {
					out = append(out, p)
				}
				walk(p+".", val)
			}
		case json.Delim('['):
			for d.More() {
				var val json.RawMessage
				if err := d.Decode(&val); err != nil {
					t.Fatal(err)
				}
				walk(strings.TrimSuffix(prefix, ".")+"[].", val)
			}
		}
	}
	walk("", doc)
	return out
}

// The hand-written encoder writes every field of the table, in its order.
func TestEncoderWritesWireFields(t *testing.T) {
	c := snap(pledged(123456), backers(42))
	c.Creator = Creator{Name: "Ann", XHandle: "ann", FacebookPage: "https://facebook.com/ann"}
	c.ImageURL, c.Description, c.Category, c.ClosedNote = "https://example.com/i.jpg", "d", "Games", "closed"
	c.Tags = []string{"design"}
	c.UpdatedAt = ruleNow
	b, err := appendCampaignJSON(nil, &c)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range WireFields {
		want = append(want, f.Path)
	}
	if got := jsonPaths(t, b); !slices.Equal(got, want) {
		t.Errorf("encoder writes\n%v\nWireFields say\n%v", got, want)
	}
}

func TestLookupWireField(t *testing.T) {
	if f, ok := LookupWireField("creator.x_handle"); !ok || f.Type != WireString || !f.Source {
		t.Errorf("creator.x_handle = %+v, %v", f, ok)
	}
	if f, ok := LookupWireField("closed_note"); !ok || f.Source {
		t.Errorf("closed_note = %+v, %v: only Fanfare sets it", f, ok)
	}
	if _, ok := LookupWireField("nope"); ok {
		t.Error("nope found")
	}
}

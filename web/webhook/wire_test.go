package webhook

import (
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/fanfarehq/fanfare/campaigns"
)

// wireSamples are a valid value for each field of campaigns.WireFields, by
// path; nested fields are written inside their parent's sample.
var wireSamples = map[string]any{
	"id": "w-1", "title": "Compost", "url": "https://platform.example/p/1", "lang": "fr", "currency": "EUR",
	"goal": 1500000, "pledged": 120000, "backers": 12,
	"launched_at": "2026-03-01T10:00:00Z", "deadline": "2026-04-01T10:00:00+02:00", "state": "live",
	"creator":     map[string]any{"name": "Ann", "x_handle": "ann_makes", "facebook_page": "https://facebook.com/ann"},
	"image_url":   "https://platform.example/i.jpg",
	"description": "Un bac.",
	"stretch_goals": []any{
		map[string]any{"amount": 2000000, "title": "Couvercle"},
	},
	"tags":        []any{"jardin"},
	"category":    "Design",
	"closed_note": "closed by Fanfare",
	"updated_at":  "2026-03-10T12:00:00Z",
}

// The strict decoder knows every field sources may send (campaigns.WireFields)
// and reads each as encoding/json would; it refuses those only Fanfare sets.
func TestDecoderKnowsWireFields(t *testing.T) {
	full := map[string]any{}
	for _, f := range campaigns.WireFields {
		top, _, nested := strings.Cut(f.Path, ".")
		top = strings.TrimSuffix(top, "[]")
		if !f.Source {
			continue
		}
		v, ok := wireSamples[top]
		if !ok {
			t.Fatalf("no sample for %s: add one to wireSamples", f.Path)
		}
		if !nested {
			full[top] = v
		} else if !hasSample(v, f.Path[strings.Index(f.Path, ".")+1:]) {
			t.Fatalf("the sample of %s has no %s: add it to wireSamples", top, f.Path)
		}
	}
	body, err := json.Marshal(full)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseBody(body)
	if err != nil {
		t.Fatalf("a campaign with every source field: %v", err)
	}
	var want campaigns.Campaign
	if err := json.Unmarshal(body, &want); err != nil {
		t.Fatal(err)
	}
	want.Normalize()
	if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Errorf("decoded\n%+v\nencoding/json reads\n%+v", got, want)
	}

	for _, f := range campaigns.WireFields {
		if f.Source {
			continue
		}
		top, _, _ := strings.Cut(f.Path, ".")
		v, ok := wireSamples[top]
		if !ok {
			t.Fatalf("no sample for %s: add one to wireSamples", f.Path)
		}
		_, err := ParseBody(mustJSON(t, with(maps.Clone(full), top, v)))
		fe, ok := errors.AsType[*campaigns.FieldError](err)
		if !ok || fe.Field != f.Path || !strings.Contains(fe.Message, "unknown field") {
			t.Errorf("%s (set by Fanfare only) sent by a source: err = %v, want unknown field", f.Path, err)
		}
	}
}

// hasSample reports whether the sample of an object (or list of objects)
// holds the member name.
func hasSample(v any, name string) bool {
	if l, ok := v.([]any); ok && len(l) > 0 {
		v = l[0]
	}
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	_, ok = m[name]
	return ok
}

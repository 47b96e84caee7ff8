package web

import (
	"slices"
	"strings"
	"testing"

	"github.com/fanfarehq/fanfare/campaigns"
)

// The API's Campaign schema is the campaign object of campaigns.WireFields:
// the same members, types and required ones.
func TestOpenAPICampaignIsWireFields(t *testing.T) {
	types := map[campaigns.WireType][]string{
		campaigns.WireString: {"string"}, campaigns.WireInteger: {"integer"}, campaigns.WireTime: {"string"},
		campaigns.WireObject: {"object"}, campaigns.WireList: {"array"},
	}
	got := map[string]map[string]any{}
	var required []string
	var walk func(prefix string, schema map[string]any)
	walk = func(prefix string, schema map[string]any) {
		req, _ := schema["required"].([]string)
		for _, r := range req {
			required = append(required, prefix+r)
		}
		props, _ := schema["properties"].(map[string]any)
		for name, p := range props {
			ps := p.(map[string]any)
			got[prefix+name] = ps
			switch ps["type"] {
			case "object":
				walk(prefix+name+".", ps)
			case "array":
				if items, ok := ps["items"].(map[string]any); ok && items["type"] == "object" {
					walk(prefix+name+"[].", items)
				}
			}
		}
	}
	walk("", apiSchemas()["Campaign"].(map[string]any))

	var wantRequired []string
	for _, f := range campaigns.WireFields {
		s, ok := got[f.Path]
		if !ok {
			t.Errorf("the Campaign schema has no %s", f.Path)
			continue
		}
		if !slices.Contains(types[f.Type], s["type"].(string)) {
			t.Errorf("%s: schema type %v, campaigns.WireFields says %s", f.Path, s["type"], f.Type)
		}
		if f.Type == campaigns.WireTime && s["format"] != "date-time" {
			t.Errorf("%s: format %v, want date-time", f.Path, s["format"])
		}
		if f.Required {
			wantRequired = append(wantRequired, f.Path)
		}
		delete(got, f.Path)
	}
	for p := range got {
		t.Errorf("the Campaign schema has %s, which campaigns.WireFields does not", p)
	}
	slices.Sort(required)
	slices.Sort(wantRequired)
	if !slices.Equal(required, wantRequired) {
		t.Errorf("schema requires %s, campaigns.WireFields %s", strings.Join(required, ", "), strings.Join(wantRequired, ", "))
	}
}

package mapping

import (
	"testing"

	"github.com/fanfarehq/fanfare/campaigns"
)

// notMapped are the fields sources send that a mapping cannot read, and why.
var notMapped = map[string]string{
	"creator":                "its members are mapped one by one (creator_name, …)",
	"stretch_goals":          "a list of objects: the webhook carries them, listings rarely do",
	"stretch_goals[].amount": "see stretch_goals",
	"stretch_goals[].title":  "see stretch_goals",
	"tags":                   "a list: the webhook carries them",
}

// The mapping's fields are fields of the campaign object
// (campaigns.WireFields), required as the object says, and every field a
// source may send is mapped or listed in notMapped with its reason.
func TestFieldsAreWireFields(t *testing.T) {
	mapped := map[string]bool{}
	for f, info := range fields {
		w, ok := campaigns.LookupWireField(info.name)
		switch {
		case !ok:
			t.Errorf("mapping field %s fills %q, not a field of campaigns.WireFields", info.setting, info.name)
		case !w.Source:
			t.Errorf("mapping field %s fills %q, which only Fanfare sets", info.setting, info.name)
		case info.required != w.Required:
			t.Errorf("mapping field %s: required %v, campaigns.WireFields says %v", info.setting, info.required, w.Required)
		}
		if field(f) != fPercent { // percent fills the goal another way
			mapped[info.name] = true
		}
	}
	for _, w := range campaigns.WireFields {
		_, listed := notMapped[w.Path]
		switch {
		case w.Source && !mapped[w.Path] && !listed:
			t.Errorf("%s: sources send it, the mapping has no setting for it and notMapped does not say why", w.Path)
		case listed && mapped[w.Path]:
			t.Errorf("%s is mapped and listed in notMapped", w.Path)
		}
	}
}

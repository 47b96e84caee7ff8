package campaigns

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The hand-written encoder must follow the types: a field it does not know
// would be silently dropped from every stored snapshot.
func TestAppendCampaignJSONKnowsEveryField(t *testing.T) {
	for typ, n := range map[reflect.Type]int{
		reflect.TypeFor[Campaign]():    19,
		reflect.TypeFor[Creator]():     3,
		reflect.TypeFor[StretchGoal](): 2,
		reflect.TypeFor[Event]():       4,
	} {
		if typ.NumField() != n {
			t.Errorf("%s has %d fields, json.go encodes %d: update appendCampaignJSON/appendEventJSON and this test", typ, typ.NumField(), n)
		}
	}
}

func TestAppendCampaignJSONMatchesEncodingJSON(t *testing.T) {
	full := snap(launched(time.Hour), pledged(123456), backers(42))
	full.Creator = Creator{Name: "Zoë <3 & co", XHandle: "zoe_makes", FacebookPage: "https://facebook.com/zoe"}
	full.ImageURL = "https://example.com/i.jpg?a=1&b=2"
	full.Description = "Line 1\nLine 2\t\"quoted\" \\ back <b>bold</b>\u2028\u2029 \x00\x1f\x7f é 漢字 🚲"
	full.Tags = []string{"design", "", "a\"b"}
	full.Category = "Games"
	full.ClosedNote = "Closed by Fanfare <on> 2026-03-14 & co"
	full.UpdatedAt = ruleNow.Add(1234567 * time.Nanosecond)
	paris := time.FixedZone("CET", 3600)
	zoned := full
	zoned.LaunchedAt = zoned.LaunchedAt.In(paris)
	zoned.Deadline = zoned.Deadline.In(time.FixedZone("odd", -(9*3600 + 30*60)))
	empty := Campaign{}
	invalid := full
	invalid.Title = "bad \xff\xfe utf8 \xe2\x82 end"
	invalid.Tags = nil
	invalid.StretchGoals = nil

	cases := map[string]Campaign{"full": full, "zoned": zoned, "zero": empty, "invalid utf8": invalid, "minimal": snap()}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "Z", " ", "\"", "\\", "<", ">", "&", "\n", "\r", "\t", "\b", "\f", "\x01", "\x7f", "é", "\u2028", "\u2029", "🚲", "\xff", "\xc3", "/"}
	for i := range 200 {
		c := full
		var sb strings.Builder
		for range rng.IntN(40) {
			sb.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		c.Title, c.Creator.Name, c.Tags = sb.String(), sb.String()+"x", []string{sb.String()}
		if i%2 == 0 {
			c.Creator.XHandle, c.ImageURL, c.Category = "", "", ""
		}
		cases["random"+string(rune('A'+i%26))+strings.Repeat("!", i/26)] = c
	}
	for name, c := range cases {
		want, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("%s: json.Marshal: %v", name, err)
		}
		got, err := appendCampaignJSON([]byte("prefix"), &c)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got[len("prefix"):], want) {
			t.Errorf("%s:\n got %s\nwant %s", name, got[len("prefix"):], want)
		}

		at := ruleNow.Add(time.Millisecond)
		wantEv, err := json.Marshal(struct {
			ID        string          `json:"id"`
			Campaign  json.RawMessage `json:"campaign"`
			Milestone Milestone       `json:"milestone"`
			FiredAt   time.Time       `json:"fired_at"`
		}{EventID(c.ID, "percent:50"), want, "percent:50", at})
		if err != nil {
			t.Fatal(err)
		}
		gotEv, err := appendEventJSON(nil, c.ID, "percent:50", want, at)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(gotEv, wantEv) {
			t.Errorf("%s event:\n got %s\nwant %s", name, gotEv, wantEv)
		}
	}
}

func TestAppendCampaignJSONOutOfRangeTime(t *testing.T) {
	c := snap()
	c.Deadline = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := json.Marshal(c); err == nil {
		t.Fatal("encoding/json accepts year 10000: the encoder must follow")
	}
	if _, err := appendCampaignJSON(nil, &c); err == nil || !strings.Contains(err.Error(), "deadline") {
		t.Errorf("error %v, want one naming the deadline", err)
	}
}

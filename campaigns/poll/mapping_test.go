package poll

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
)

func decode(t *testing.T, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMappingMap(t *testing.T) {
	m := Mapping{
		ID: "id", Title: "title", URL: "links.0.href", Lang: "lang", Currency: "money.currency",
		Goal: "money.goal", Pledged: "money.pledged", Backers: "backers", LaunchedAt: "start", Deadline: "end",
		State: "status", CreatorName: "owner.name", CreatorXHandle: "owner.twitter", Category: "cat.name",
		States: map[string]campaigns.State{"Started": campaigns.StateLive, "funded": campaigns.StateSuccessful},
		Money:  MoneyMinor,
	}
	base := `{"id":7,"title":"Atlas","links":[{"href":"https://x.example.org/7"}],"lang":"fr","money":{"currency":"eur","goal":10000,"pledged":"2500"},` +
		`"backers":"12","start":1767225600,"end":"2026-03-01T00:00:00+01:00","status":"STARTED","owner":{"name":"Ann","twitter":"ann_x"},"cat":{"name":"Art"}}`
	c, err := m.Map(decode(t, base), testNow)
	if err != nil {
		t.Fatal(err)
	}
	want := campaigns.Campaign{ID: "7", Title: "Atlas", URL: "https://x.example.org/7", Lang: "fr", Currency: "EUR", Goal: 10000, Pledged: 2500,
		Backers: 12, LaunchedAt: time.Unix(1767225600, 0).UTC(), Deadline: time.Date(2026, 2, 28, 23, 0, 0, 0, time.UTC),
		State: campaigns.StateLive, Creator: campaigns.Creator{Name: "Ann", XHandle: "ann_x"}, Category: "Art"}
	if c.ID != want.ID || c.Title != want.Title || c.URL != want.URL || c.Currency != want.Currency || c.Goal != want.Goal ||
		c.Pledged != want.Pledged || c.Backers != want.Backers || !c.LaunchedAt.Equal(want.LaunchedAt) ||
		!c.Deadline.Equal(want.Deadline) || c.State != want.State || c.Creator != want.Creator || c.Category != want.Category {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}

	tests := []struct {
		name, from, to string
		field, msg     string
	}{
		{"float in minor units", `"goal":10000`, `"goal":100.5`, "goal", "not an integer amount"},
		{"state not mapped", `"STARTED"`, `"paused"`, "state", `"paused" is not mapped`},
		{"state missing", `"status":"STARTED",`, ``, "state", "missing"},
		{"milliseconds for seconds", `1767225600`, `1767225600000`, "launched_at", "not a unix time in seconds"},
		{"bad time", `"2026-03-01T00:00:00+01:00"`, `"next tuesday"`, "deadline", "not unix seconds"},
		{"object for text", `"title":"Atlas"`, `"title":[1]`, "title", "want text"},
		{"backers not integer", `"backers":"12"`, `"backers":"12 backers"`, "backers", "not an integer"},
		{"validation after mapping", `"lang":"fr"`, `"lang":"français!"`, "lang", "language tag"},
		{"no url", `"href":"https://x.example.org/7"`, `"rel":"self"`, "url", "required"},
		{"defaults are not invented", `"owner":{"name":"Ann","twitter":"ann_x"}`, `"owner":{}`, "creator.name", "required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := strings.Replace(base, tt.from, tt.to, 1)
			if body == base {
				t.Fatalf("replacement %q not found", tt.from)
			}
			_, err := m.Map(decode(t, body), testNow)
			fe, ok := errors.AsType[*campaigns.FieldError](err)
			if !ok || fe.Field != tt.field || !strings.Contains(fe.Message, tt.msg) {
				t.Errorf("err = %v, want field %q with %q", err, tt.field, tt.msg)
			}
		})
	}
}

func TestMappingCSVRow(t *testing.T) {
	// A CSV row arrives as strings keyed by column, and column names may
	// hold dots or spaces.
	m := Mapping{ID: "ID", Title: "name", URLTemplate: "https://k.example.org/p/{id}", DefaultLang: "en", Currency: "currency",
		Goal: "goal.usd", Pledged: "usd pledged", LaunchedAt: "launched", Deadline: "deadline", DefaultCreator: "Unknown creator", Money: MoneyMajor}
	row := map[string]any{"ID": "42", "name": "Lamp", "currency": "usd", "goal.usd": "1000.00", "usd pledged": "12.3",
		"launched": "2026-01-01 10:00:00", "deadline": "2026-02-01"}
	c, err := m.Map(row, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if c.URL != "https://k.example.org/p/42" || c.Goal != 100000 || c.Pledged != 1230 || c.Creator.Name != "Unknown creator" ||
		c.State != campaigns.StateFailed || c.Lang != "en" || c.Currency != "USD" {
		t.Errorf("got %+v", c)
	}
}

// FuzzMap feeds listing records from strangers to both presets: no panic,
// and what maps is valid.
func FuzzMap(f *testing.F) {
	for _, name := range []string{"kickstarter-page1.json", "ulule-page1.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"id":{"a":1},"goal":"1e4","pledged":-1,"deadline":"99999999999","name":{"fr":3}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var doc any
		if dec.Decode(&doc) != nil {
			return
		}
		records := []any{doc}
		if m, ok := doc.(map[string]any); ok {
			if items, ok := m["projects"].([]any); ok {
				records = items
			}
		}
		for _, rec := range records {
			for _, m := range []Mapping{PresetKickstarter, PresetUlule} {
				c, err := m.Map(rec, testNow)
				if err == nil {
					if verr := c.Validate(); verr != nil {
						t.Fatalf("mapped but invalid: %v", verr)
					}
				} else if _, ok := errors.AsType[*campaigns.FieldError](err); !ok {
					t.Fatalf("error %v is %T, want *campaigns.FieldError", err, err)
				}
			}
		}
	})
}

func TestPreset(t *testing.T) {
	m, ok := Preset("Kickstarter")
	if !ok || m.Pledged != "pledged" {
		t.Fatalf("Preset(Kickstarter) = %+v, %v", m, ok)
	}
	m.States["x"] = campaigns.StateLive
	if _, shared := PresetKickstarter.States["x"]; shared {
		t.Error("Preset shares its States map with PresetKickstarter")
	}
	if _, ok := Preset("indiegogo"); ok {
		t.Error("unknown preset found")
	}
	if m, _ := Preset("ulule"); m.Check() != nil {
		t.Errorf("ulule preset does not pass Check: %v", m.Check())
	}
}

package mapping

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func decode(t testing.TB, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func records(t testing.TB, file, itemsPath string) []any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	doc := decode(t, string(b))
	items, ok := doc.(map[string]any)[itemsPath].([]any)
	if !ok {
		t.Fatalf("%s has no %s array", file, itemsPath)
	}
	return items
}

func mustNew(t testing.TB, m Mapping, loc *time.Location) *Mapper {
	t.Helper()
	mp, err := New(m, loc)
	if err != nil {
		t.Fatal(err)
	}
	return mp
}

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func fieldErr(t *testing.T, err error) *campaigns.FieldError {
	t.Helper()
	fe, ok := errors.AsType[*campaigns.FieldError](err)
	if !ok {
		t.Fatalf("err = %v (%T), want a *campaigns.FieldError", err, err)
	}
	return fe
}

// The Ulule preset on an API search page: amounts are whole euros, so
// "amount_raised": 2750 is 2 750,00 € (275000 cents), never 27,50 €.
func TestUlulePreset(t *testing.T) {
	mp := mustNew(t, Ulule, zone(t, "Europe/Paris"))
	tally := mp.NewTally()
	var got []campaigns.Campaign
	for i, rec := range records(t, "ulule-search.json", "projects") {
		c, err := mp.Map(rec, testNow, tally)
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		got = append(got, c)
	}
	if err := tally.Err(); err != nil {
		t.Fatalf("tally: %v", err)
	}
	sirops := got[0]
	if sirops.ID != "131207" || sirops.Title != "La Fabrique à Sirops" || sirops.Currency != "EUR" ||
		sirops.Goal != 500000 || sirops.Pledged != 275000 || sirops.Backers != 61 || sirops.State != campaigns.StateLive ||
		sirops.Creator.Name != "Fabrique à Sirops" || sirops.Description != "Des sirops artisanaux aux plantes du Vercors" ||
		sirops.URL != "https://fr.ulule.com/la-fabrique-a-sirops/" || sirops.ImageURL == "" {
		t.Errorf("sirops = %+v", sirops)
	}
	if want := time.Date(2026, 3, 18, 22, 59, 0, 0, time.UTC); !sirops.Deadline.Equal(want) {
		t.Errorf("deadline = %v, want %v", sirops.Deadline, want)
	}
	if velo := got[1]; velo.State != campaigns.StateSuccessful || velo.ImageURL != "" || velo.Pledged != 1438000 {
		t.Errorf("velo (ended, funded, no image key) = %+v", velo)
	}
	if reliure := got[2]; reliure.Currency != "CHF" || reliure.Goal != 1800000 || reliure.Description != "" || reliure.Title != "Un atelier de reliure à Lausanne" {
		t.Errorf("reliure = %+v", reliure)
	}
	if album := got[3]; album.Title != "The Tideline — our first album" || album.Lang != "en" || album.Currency != "GBP" {
		t.Errorf("album = %+v", album)
	}
}

func TestKickstarterPreset(t *testing.T) {
	mp := mustNew(t, Kickstarter, time.UTC)
	tally := mp.NewTally()
	var got []campaigns.Campaign
	skipped := 0
	for i, rec := range records(t, "kickstarter-discover.json", "projects") {
		c, err := mp.Map(rec, testNow, tally)
		if IsSkip(err) {
			skipped++
			if c.ID != "88120455" {
				t.Errorf("skipped %q", c.ID)
			}
			continue
		}
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		got = append(got, c)
	}
	if err := tally.Err(); err != nil || tally.Records() != 3 || skipped != 1 {
		t.Fatalf("tally: %v, %d records, %d skipped", err, tally.Records(), skipped)
	}
	moth := got[0]
	if moth.Goal != 1200000 || moth.Pledged != 3187700 || moth.Backers != 912 || moth.Lang != "en" ||
		moth.Creator.Name != "Ines Valdés" || moth.Category != "Children's Books" || moth.State != campaigns.StateLive ||
		!moth.Deadline.Equal(time.Unix(1775019540, 0)) || !strings.HasPrefix(moth.URL, "https://www.kickstarter.com/projects/inesvaldes/") {
		t.Errorf("moonmoth = %+v", moth)
	}
	if kohi := got[1]; kohi.Currency != "JPY" || kohi.Goal != 3000000 || kohi.Pledged != 4183500 || kohi.State != campaigns.StateSuccessful {
		t.Errorf("JPY amounts have no minor units: %+v", kohi)
	}
	if still := got[2]; still.State != campaigns.StateCanceled {
		t.Errorf("suspended reads as canceled: %+v", still)
	}
}

// A custom mapping must say how it writes money: a guess was a 100× error.
func TestMoneyMustBeSaid(t *testing.T) {
	m := Mapping{ID: "id", Title: "name", URL: "url", Lang: "lang", Currency: "currency", Goal: "goal",
		Pledged: "amount_raised", LaunchedAt: "date_start", Deadline: "date_end"}
	ps := m.Problems()
	if len(ps) != 1 || ps[0].Key != "money" || !strings.Contains(ps[0].Msg, "minor") || !strings.Contains(ps[0].Msg, "major") {
		t.Fatalf("Problems = %v, want mapping.money named", ps)
	}
	if _, err := New(m, nil); err == nil || !strings.Contains(err.Error(), "mapping.money") {
		t.Errorf("New = %v", err)
	}
	m.Money = "cents"
	if ps := m.Problems(); len(ps) != 1 || ps[0].Key != "money" {
		t.Errorf("Problems = %v", ps)
	}
	// With money: major, whole euros read as whole euros.
	m.Money = MoneyMajor
	c, err := mustNew(t, m, nil).Map(decode(t, `{"id":1,"name":"Sirops","url":"https://fr.ulule.com/s/","lang":"fr","currency":"EUR",`+
		`"goal":5000,"amount_raised":2750,"date_start":"2026-02-16T10:00:00+01:00","date_end":"2026-03-18T23:59:00+01:00"}`), testNow, nil)
	if err != nil || c.Goal != 500000 || c.Pledged != 275000 {
		t.Errorf("Map = %+v, %v", c, err)
	}
}

// A regional platform in rupiah: ISO 4217 gives IDR two decimals (CLDR none),
// links are relative, deadlines are dates in the platform's time zone, the
// id is made of two fields, and drafts are skipped.
func TestCustomMapping(t *testing.T) {
	m := Mapping{
		IDTemplate: "{organizer.slug}:{slug}", Title: "judul", URL: "tautan", Lang: "bahasa", Currency: "mata_uang",
		Goal: "target", Pledged: "terkumpul", Backers: "donatur", LaunchedAt: "mulai", Deadline: "berakhir",
		State: "status", CreatorName: "organizer.nama", ImageURL: "gambar",
		Money: MoneyMajor, BaseURL: "https://galang.example.id",
		States:     map[string]campaigns.State{"aktif": campaigns.StateLive, "berhasil": campaigns.StateSuccessful, "gagal": campaigns.StateFailed},
		SkipStates: []string{"draf"},
		Defaults:   map[string]string{"image_url": ""},
	}
	jakarta := zone(t, "Asia/Jakarta")
	mp := mustNew(t, m, jakarta)
	rec := `{"slug":"sumur-desa-waru","judul":"Sumur untuk Desa Waru","tautan":"/campaign/sumur-desa-waru","bahasa":"id",` +
		`"mata_uang":"IDR","target":"150000000","terkumpul":"87500000.50","donatur":412,"mulai":"2026-02-01 08:00:00",` +
		`"berakhir":"2026-03-31","status":"Aktif","organizer":{"slug":"air-bersih","nama":"Yayasan Air Bersih"}}`
	c, err := mp.Map(decode(t, rec), testNow, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != "air-bersih:sumur-desa-waru" || c.URL != "https://galang.example.id/campaign/sumur-desa-waru" ||
		c.Goal != 15_000_000_000 || c.Pledged != 8_750_000_050 || c.State != campaigns.StateLive || c.ImageURL != "" {
		t.Errorf("got %+v", c)
	}
	if want := time.Date(2026, 3, 31, 23, 59, 59, 0, jakarta); !c.Deadline.Equal(want) {
		t.Errorf("date-only deadline = %v, want the end of that day in Jakarta %v", c.Deadline, want)
	}
	if want := time.Date(2026, 2, 1, 8, 0, 0, 0, jakarta); !c.LaunchedAt.Equal(want) {
		t.Errorf("launch without a zone = %v, want %v (the source's zone)", c.LaunchedAt, want)
	}
	draft := strings.Replace(rec, `"Aktif"`, `"DRAF"`, 1)
	draft = strings.Replace(draft, `"berakhir":"2026-03-31",`, ``, 1)
	if _, err := mp.Map(decode(t, draft), testNow, nil); !IsSkip(err) {
		t.Errorf("draft: %v, want skipped", err)
	}

	// "/" would make an id that breaks links: refused when the config is
	// checked, with the way out.
	m.IDTemplate = "{organizer.slug}/{slug}"
	ps := m.Problems()
	if len(ps) != 1 || ps[0].Key != "id_template" || !strings.Contains(ps[0].Msg, `"{creator.slug}:{slug}"`) {
		t.Errorf("Problems = %v", ps)
	}
}

// Every mapped path is checked in every record: a path that matches nothing
// rejects the record and names the path, unless the mapping gives a default.
func TestMissingPathsAreNamed(t *testing.T) {
	m := Mapping{
		ID: "id", Title: "title", URL: "links.0.href", Lang: "lang", Currency: "money.currency",
		Goal: "money.goal", Pledged: "money.pledged", Backers: "backers", LaunchedAt: "start", Deadline: "end",
		State: "status", CreatorName: "owner.name", CreatorXHandle: "owner.twitter", Category: "cat.name",
		States: map[string]campaigns.State{"Started": campaigns.StateLive, "funded": campaigns.StateSuccessful},
		Money:  MoneyMinor,
	}
	mp := mustNew(t, m, time.UTC)
	base := `{"id":7,"title":"Atlas","links":[{"href":"https://x.example.org/7"}],"lang":"fr","money":{"currency":"eur","goal":10000,"pledged":"2500"},` +
		`"backers":"12","start":1767225600,"end":"2026-03-01T00:00:00+01:00","status":"STARTED","owner":{"name":"Ann","twitter":"ann_x"},"cat":{"name":"Art"}}`
	c, err := mp.Map(decode(t, base), testNow, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != "7" || c.Currency != "EUR" || c.Goal != 10000 || c.Pledged != 2500 || c.Backers != 12 || c.Creator.XHandle != "ann_x" ||
		!c.Deadline.Equal(time.Date(2026, 2, 28, 23, 0, 0, 0, time.UTC)) || c.State != campaigns.StateLive {
		t.Errorf("got %+v", c)
	}
	tests := []struct {
		name, from, to string
		field, msg     string
	}{
		{"pledged path missing", `"pledged":"2500"`, `"raised":"2500"`, "pledged", `"money.pledged" matches nothing in this record (mapping.pledged)`},
		{"pledged empty", `"pledged":"2500"`, `"pledged":""`, "pledged", `"money.pledged" is empty`},
		{"pledged null", `"pledged":"2500"`, `"pledged":null`, "pledged", `is empty`},
		{"backers missing", `"backers":"12",`, ``, "backers", `"backers" matches nothing`},
		{"optional creator handle missing", `,"twitter":"ann_x"`, ``, "creator.x_handle", `"owner.twitter" matches nothing`},
		{"array index out of range", `[{"href":"https://x.example.org/7"}]`, `[]`, "url", `"links.0.href" matches nothing`},
		{"float in minor units", `"goal":10000`, `"goal":100.5`, "goal", "money: major"},
		{"state not mapped", `"STARTED"`, `"paused"`, "state", `"paused" is not mapped`},
		{"milliseconds for seconds", `1767225600`, `1767225600000`, "launched_at", "milliseconds?"},
		{"bad time", `"2026-03-01T00:00:00+01:00"`, `"next tuesday"`, "deadline", "is not a time"},
		{"object for text", `"title":"Atlas"`, `"title":[1]`, "title", "want text"},
		{"backers not a number", `"backers":"12"`, `"backers":"12 backers"`, "backers", "not a whole number"},
		{"validation after mapping", `"lang":"fr"`, `"lang":"français!"`, "lang", "language tag"},
		{"unknown currency", `"currency":"eur"`, `"currency":"euro"`, "currency", `"EURO" is not an ISO 4217`},
		{"user info in the link", `https://x.example.org/7`, `https://platform.example@phish.example/7`, "url", "user info"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := strings.Replace(base, tt.from, tt.to, 1)
			if body == base {
				t.Fatalf("replacement %q not found", tt.from)
			}
			_, err := mp.Map(decode(t, body), testNow, nil)
			fe := fieldErr(t, err)
			if fe.Field != tt.field || !strings.Contains(fe.Message, tt.msg) {
				t.Errorf("err = %s: %s, want field %q with %q", fe.Field, fe.Message, tt.field, tt.msg)
			}
		})
	}

	// An explicit default lets a missing path through.
	m.Defaults = map[string]string{"backers": "0", "creator_x_handle": ""}
	mp = mustNew(t, m, time.UTC)
	body := strings.Replace(strings.Replace(base, `"backers":"12",`, ``, 1), `,"twitter":"ann_x"`, ``, 1)
	c, err = mp.Map(decode(t, body), testNow, nil)
	if err != nil || c.Backers != 0 || c.Creator.XHandle != "" {
		t.Errorf("with defaults: %+v, %v", c, err)
	}
}

// A mapping that matches nothing on a whole page is an error of the source,
// not a page of zeros: here the listing renamed amount_raised.
func TestTallyNamesPathsThatMatchNoRecord(t *testing.T) {
	mp := mustNew(t, Ulule, time.UTC)
	tally := mp.NewTally()
	items := records(t, "ulule-search.json", "projects")
	for _, rec := range items {
		m := rec.(map[string]any)
		m["amount"] = m["amount_raised"]
		delete(m, "amount_raised")
		_, err := mp.Map(rec, testNow, tally)
		if fe := fieldErr(t, err); fe.Field != "pledged" {
			t.Errorf("record rejected on %s, want pledged", fe.Field)
		}
	}
	err := tally.Err()
	var ue *UnmatchedError
	if !errors.As(err, &ue) || len(ue.Paths) != 1 || ue.Paths[0].Setting != "pledged" || ue.Records != len(items) {
		t.Fatalf("tally.Err() = %v", err)
	}
	if msg := err.Error(); !strings.Contains(msg, `mapping.pledged "amount_raised" matched none of the 4 records`) || !strings.Contains(msg, "amount,") {
		t.Errorf("message %q should name the path and show the record's keys", msg)
	}
	// A page where only some records lack a path is not a source error.
	tally = mp.NewTally()
	for i, rec := range records(t, "ulule-search.json", "projects") {
		if i > 0 {
			delete(rec.(map[string]any), "amount_raised")
		}
		mp.Map(rec, testNow, tally)
	}
	if err := tally.Err(); err != nil {
		t.Errorf("tally.Err() = %v with one record matching", err)
	}
}

func TestTimes(t *testing.T) {
	paris := zone(t, "Europe/Paris")
	tests := []struct {
		text     string
		endOfDay bool
		want     time.Time
	}{
		{"2026-03-20", true, time.Date(2026, 3, 20, 23, 59, 59, 0, paris)},
		{"2026-03-20", false, time.Date(2026, 3, 20, 0, 0, 0, 0, paris)},
		{"2026-03-20 18:30:00", true, time.Date(2026, 3, 20, 18, 30, 0, 0, paris)},
		{"2026-03-20T18:30:00.250", true, time.Date(2026, 3, 20, 18, 30, 0, 25e7, paris)},
		{"2026-03-20 18:30", true, time.Date(2026, 3, 20, 18, 30, 0, 0, paris)},
		{"2026-03-20T18:30:00Z", true, time.Date(2026, 3, 20, 18, 30, 0, 0, time.UTC)},
		{"2026-03-20T18:30:00-05:00", true, time.Date(2026, 3, 20, 23, 30, 0, 0, time.UTC)},
		{"2026-03-20 18:30:00+0100", true, time.Date(2026, 3, 20, 17, 30, 0, 0, time.UTC)},
		{"1777593600", true, time.Unix(1777593600, 0)},
		{"1777593600.5", true, time.Unix(1777593600, 5e8)},
		{"1.7775936e9", true, time.Unix(1777593600, 0)},
		// The last day before the clocks go forward still ends at 23:59:59.
		{"2026-03-28", true, time.Date(2026, 3, 28, 23, 59, 59, 0, paris)},
	}
	for _, tt := range tests {
		got, err := parseTime(tt.text, paris, tt.endOfDay)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v", tt.text, got, err, tt.want)
		}
	}
	for _, bad := range []string{"1777593600000", "-1", "31/03/2026", "next tuesday", "NaN", "2026-02-30"} {
		if _, err := parseTime(bad, paris, true); err == nil {
			t.Errorf("parseTime(%q): no error", bad)
		}
	}
}

// Sources that give a funded percentage instead of a goal.
func TestGoalFromPercent(t *testing.T) {
	m := Mapping{ID: "id", Title: "name", URL: "url", DefaultLang: "fr", DefaultCurrency: "EUR",
		Pledged: "raised", Percent: "percent", LaunchedAt: "start", Deadline: "end", Money: MoneyMajor}
	mp := mustNew(t, m, time.UTC)
	rec := `{"id":"a","name":"A","url":"https://p.example/a","raised":"2750","percent":"55","start":"2026-02-01","end":"2026-03-31"}`
	c, err := mp.Map(decode(t, rec), testNow, nil)
	if err != nil || c.Goal != 500000 || c.Percent() != 55 {
		t.Fatalf("goal = %d (%d%%), %v", c.Goal, c.Percent(), err)
	}
	c, err = mp.Map(decode(t, strings.Replace(rec, `"55"`, `"137.5"`, 1)), testNow, nil)
	if err != nil || c.Goal != 200000 {
		t.Errorf("goal from 137.5%% = %d, %v", c.Goal, err)
	}
	_, err = mp.Map(decode(t, strings.Replace(rec, `"55"`, `"0"`, 1)), testNow, nil)
	if fe := fieldErr(t, err); fe.Field != "goal" || !strings.Contains(fe.Message, "map the goal itself") {
		t.Errorf("0%%: %v", fe)
	}
	m.Goal = "goal"
	if ps := m.Problems(); len(ps) != 1 || ps[0].Key != "percent" {
		t.Errorf("goal and percent both: %v", ps)
	}
}

// A config adjusts a preset without restating it.
func TestOverride(t *testing.T) {
	m := Ulule.Override(Mapping{Backers: "nb_supporters", Description: Unmapped, Defaults: map[string]string{"creator_name": ""},
		States: map[string]campaigns.State{"cancelled": campaigns.StateCanceled}})
	if m.Backers != "nb_supporters" || m.Description != "" || m.Pledged != "amount_raised" || m.Money != MoneyMajor ||
		m.Defaults["image_url"] != "" || len(m.Defaults) != 3 || m.States["cancelled"] != campaigns.StateCanceled {
		t.Errorf("override = %+v", m)
	}
	if _, shared := Ulule.Defaults["creator_name"]; shared || Ulule.States != nil {
		t.Error("Override changed the preset")
	}
	if err := m.Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
}

func TestProblemsNameTheKey(t *testing.T) {
	tests := []struct {
		name string
		m    Mapping
		keys []string
	}{
		{"empty", Mapping{}, []string{"id", "title", "url", "lang", "currency", "goal", "pledged", "launched_at", "deadline", "money"}},
		{"bad state value", Kickstarter.Override(Mapping{States: map[string]campaigns.State{"paused": "stopped"}}), []string{"states.paused"}},
		{"skip without state", Ulule.Override(Mapping{SkipStates: []string{"draft"}}), []string{"skip_states"}},
		{"skip a mapped state", Kickstarter.Override(Mapping{SkipStates: []string{"Suspended"}}), []string{"skip_states[0]"}},
		{"unknown default", Ulule.Override(Mapping{Defaults: map[string]string{"pledge": "0"}}), []string{"defaults.pledge"}},
		{"default id", Ulule.Override(Mapping{Defaults: map[string]string{"id": "x"}}), []string{"defaults.id"}},
		{"url template without placeholder", Kickstarter.Override(Mapping{URLTemplate: "https://k.example/p"}), []string{"url_template"}},
		{"unbalanced template", Ulule.Override(Mapping{ID: Unmapped, IDTemplate: "{slug"}), []string{"id_template"}},
		{"relative base", Ulule.Override(Mapping{BaseURL: "/projects"}), []string{"base_url"}},
		{"id and id_template", Ulule.Override(Mapping{IDTemplate: "{slug}"}), []string{"id_template"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var keys []string
			for _, p := range tt.m.Problems() {
				keys = append(keys, p.Key)
			}
			if !slices.Equal(keys, tt.keys) {
				t.Errorf("keys = %v, want %v", keys, tt.keys)
			}
		})
	}
	for _, name := range PresetNames() {
		m, _ := Preset(name)
		if err := m.Check(); err != nil {
			t.Errorf("preset %s: %v", name, err)
		}
	}
}

// A CSV row arrives as strings keyed by column; a column may hold JSON.
func TestCSVRowWithJSONCells(t *testing.T) {
	mp := mustNew(t, Kickstarter, time.UTC)
	row := map[string]any{"id": "1987654321", "name": "Moonmoth", "currency": "USD", "goal": "12000.0", "pledged": "31877.0",
		"backers_count": "912", "launched_at": "1772463610", "deadline": "1775019540", "state": "live",
		"creator":  `{"id":1422933870,"name":"Ines Valdés","slug":"inesvaldes"}`,
		"urls":     `{"web":{"project":"https://www.kickstarter.com/projects/inesvaldes/moonmoth"}}`,
		"category": `{"id":46,"name":"Children's Books"}`, "photo": `{"full":"https://ksr-ugc.imgix.net/a.jpg"}`, "blurb": "A field guide"}
	c, err := mp.Map(row, testNow, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Creator.Name != "Ines Valdés" || c.URL != "https://www.kickstarter.com/projects/inesvaldes/moonmoth" || c.Category != "Children's Books" || c.Pledged != 3187700 {
		t.Errorf("got %+v", c)
	}
}

// FuzzMap feeds listing records from strangers to every preset: no panic,
// and what maps is valid and clean.
func FuzzMap(f *testing.F) {
	for _, name := range []string{"kickstarter-discover.json", "ulule-search.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"id":{"a":1},"goal":"1e4","pledged":-1,"deadline":"99999999999","name":{"fr":3}}`))
	f.Add([]byte(`{"id":"1","name":"a\u202eb\nc","creator":"{\"name\":\"x\"}","deadline":1.5e9}`))
	var mappers []*Mapper
	for _, name := range PresetNames() {
		m, _ := Preset(name)
		mappers = append(mappers, mustNew(f, m, time.UTC))
	}
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
			for _, mp := range mappers {
				c, err := mp.Map(rec, testNow, mp.NewTally())
				switch {
				case err == nil:
					if verr := c.Validate(); verr != nil {
						t.Fatalf("mapped but invalid: %v", verr)
					}
					if campaigns.CleanLine(c.Title) != c.Title {
						t.Fatalf("title not clean: %q", c.Title)
					}
				case IsSkip(err):
				default:
					if _, ok := errors.AsType[*campaigns.FieldError](err); !ok {
						t.Fatalf("error %v is %T, want *campaigns.FieldError", err, err)
					}
				}
			}
		}
	})
}

package webhook

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
)

func TestParseBody(t *testing.T) {
	base := func() map[string]any { return campaignMap("9") }
	tests := []struct {
		name      string
		body      string
		wantField string // "" with wantSyntax false: success
		wantMsg   string
		wantN     int
	}{
		{name: "single", body: string(mustJSON(t, base())), wantN: 1},
		{name: "batch", body: string(mustJSON(t, map[string]any{"campaigns": []any{base(), campaignMap("10")}})), wantN: 2},
		{name: "nulls for optional fields", body: string(mustJSON(t, with(with(with(base(), "tags", nil), "stretch_goals", nil), "image_url", nil))), wantN: 1},
		{name: "top-level array", body: `[]`, wantField: "", wantMsg: "got array"},
		{name: "empty batch", body: `{"campaigns":[]}`, wantField: "campaigns", wantMsg: "at least one"},
		{name: "batch not array", body: `{"campaigns":{}}`, wantField: "campaigns", wantMsg: "must be an array"},
		{name: "stray key beside batch", body: `{"campaigns":[],"id":"1"}`, wantField: "id", wantMsg: "beside"},
		{name: "duplicate id in batch", body: string(mustJSON(t, map[string]any{"campaigns": []any{base(), base()}})), wantField: "campaigns[0].id", wantMsg: "also appears in campaigns[1]"},
		{name: "repeated key", body: strings.Replace(string(mustJSON(t, base())), `"goal":1500000`, `"goal":1500000,"goal":1`, 1), wantField: "goal", wantMsg: "twice"},
		{name: "float in stretch goal", body: string(mustJSON(t, with(base(), "stretch_goals", []any{map[string]any{"amount": 1, "title": "a"}, map[string]any{"amount": json.Number("2e6"), "title": "b"}}))), wantField: "stretch_goals[1].amount"},
		{name: "unknown key in stretch goal", body: string(mustJSON(t, with(base(), "stretch_goals", []any{map[string]any{"amount": 1, "title": "a", "emoji": "x"}}))), wantField: "stretch_goals[0].emoji"},
		{name: "bad tag", body: string(mustJSON(t, with(base(), "tags", []any{"ok", 3}))), wantField: "tags[1]", wantMsg: "must be a string"},
		{name: "creator unknown key", body: string(mustJSON(t, with(base(), "creator", map[string]any{"name": "A", "instagram": "a"}))), wantField: "creator.instagram"},
		{name: "bad x handle from Validate", body: string(mustJSON(t, with(base(), "creator", map[string]any{"name": "A", "x_handle": "not a handle"}))), wantField: "creator.x_handle"},
		{name: "creator not object", body: string(mustJSON(t, with(base(), "creator", "Alice"))), wantField: "creator", wantMsg: "must be an object"},
		{name: "missing title", body: string(mustJSON(t, with(base(), "title", nil))), wantField: "title", wantMsg: "required"},
		{name: "empty time", body: string(mustJSON(t, with(base(), "deadline", ""))), wantField: "deadline", wantMsg: "RFC 3339"},
		{name: "bad state", body: string(mustJSON(t, with(base(), "state", "started"))), wantField: "state"},
		{name: "backers 3.0 text", body: strings.Replace(string(mustJSON(t, base())), `"backers":212`, `"backers":212.0`, 1), wantField: "backers"},
		{name: "batch field path", body: string(mustJSON(t, map[string]any{"campaigns": []any{base(), with(campaignMap("11"), "currency", "eur")}})), wantField: "campaigns[1].currency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseBody([]byte(tt.body))
			if tt.wantN > 0 {
				if err != nil {
					t.Fatalf("ParseBody: %v", err)
				}
				if len(got) != tt.wantN {
					t.Fatalf("got %d campaigns, want %d", len(got), tt.wantN)
				}
				return
			}
			fe, ok := errors.AsType[*campaigns.FieldError](err)
			if !ok {
				t.Fatalf("err = %v (%T), want a *campaigns.FieldError", err, err)
			}
			if fe.Field != tt.wantField || !strings.Contains(fe.Message, tt.wantMsg) {
				t.Errorf("err = %q %q, want field %q message containing %q", fe.Field, fe.Message, tt.wantField, tt.wantMsg)
			}
		})
	}
}

func TestParseBodyValues(t *testing.T) {
	got, err := ParseBody(mustJSON(t, with(campaignMap("5"), "updated_at", "2026-03-01T10:00:00.5Z")))
	if err != nil {
		t.Fatal(err)
	}
	c := got[0]
	want := campaigns.Campaign{
		ID: "5", Title: "Les Ombres du Marais", URL: "https://crowd.example.org/projects/5", Lang: "fr",
		Currency: "EUR", Goal: 1500000, Pledged: 800000, Backers: 212,
		State:        campaigns.StateLive,
		Creator:      campaigns.Creator{Name: "Studio Héron", XHandle: "@studioheron", FacebookPage: "studioheron"},
		ImageURL:     "https://crowd.example.org/img/5.jpg",
		StretchGoals: []campaigns.StretchGoal{{Amount: 2000000, Title: "Bande originale"}},
		Tags:         []string{"film", "documentaire"},
	}
	if c.ID != want.ID || c.Title != want.Title || c.URL != want.URL || c.Lang != want.Lang ||
		c.Currency != want.Currency || c.Goal != want.Goal || c.Pledged != want.Pledged || c.Backers != want.Backers ||
		c.State != want.State || c.Creator != want.Creator || c.ImageURL != want.ImageURL ||
		len(c.StretchGoals) != 1 || c.StretchGoals[0] != want.StretchGoals[0] || strings.Join(c.Tags, ",") != "film,documentaire" {
		t.Errorf("got %+v\nwant %+v", c, want)
	}
	if !c.LaunchedAt.Equal(time.Date(2026, 2, 10, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("LaunchedAt = %v", c.LaunchedAt)
	}
	if !c.UpdatedAt.Equal(time.Date(2026, 3, 1, 10, 0, 0, 5e8, time.UTC)) {
		t.Errorf("UpdatedAt = %v", c.UpdatedAt)
	}
}

func FuzzParseBody(f *testing.F) {
	f.Add(mustJSON(f, campaignMap("1")))
	f.Add(mustJSON(f, map[string]any{"campaigns": []any{campaignMap("1"), campaignMap("2")}}))
	f.Add([]byte(`{"campaigns":[{"id":"1","goal":12.5}]}`))
	f.Add([]byte(`{"id":"1","id":"2"}`))
	f.Add([]byte(`{"creator":{"name":null},"stretch_goals":[{"amount":-1}],"tags":[null]}`))
	f.Add([]byte(`{"deadline":"2026-13-01T00:00:00Z","launched_at":1}`))
	f.Add([]byte(`[{"id":"1"}] trailing`))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := ParseBody(body)
		if err != nil {
			if got != nil {
				t.Fatalf("campaigns %v returned beside error %v", got, err)
			}
			_, isField := errors.AsType[*campaigns.FieldError](err)
			_, isSyntax := errors.AsType[*json.SyntaxError](err)
			if !isField && !isSyntax {
				t.Fatalf("error %v is %T, want *campaigns.FieldError or *json.SyntaxError", err, err)
			}
			return
		}
		if len(got) == 0 {
			t.Fatal("no error and no campaign")
		}
		for i, c := range got {
			if err := c.Validate(); err != nil {
				t.Fatalf("campaign %d accepted but invalid: %v", i, err)
			}
		}
	})
}

package campaigns

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/internal/redistest"
)

func validSnapshot() Campaign {
	launch := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	return Campaign{
		ID: "bd-42", Title: "Les Ombres du Marais", URL: "https://www.example.org/p/bd-42",
		Lang: "fr", Currency: "EUR", Goal: 500_000, Pledged: 120_000, Backers: 40,
		LaunchedAt: launch, Deadline: launch.Add(30 * 24 * time.Hour), State: StateLive,
		Creator: Creator{Name: "Studio Héron", XHandle: "@studioheron"},
	}
}

func TestValidateNamesTheField(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Campaign)
		field string
	}{
		{"valid", func(*Campaign) {}, ""},
		{"no id", func(c *Campaign) { c.ID = " " }, "id"},
		{"id with a brace", func(c *Campaign) { c.ID = "a{b}" }, "id"},
		{"relative url", func(c *Campaign) { c.URL = "/p/1" }, "url"},
		{"bad lang", func(c *Campaign) { c.Lang = "français" }, "lang"},
		{"unknown currency", func(c *Campaign) { c.Currency = "EUX" }, "currency"},
		{"lower-case currency", func(c *Campaign) { c.Currency = "eur" }, "currency"},
		{"zero goal", func(c *Campaign) { c.Goal = 0 }, "goal"},
		{"negative pledged", func(c *Campaign) { c.Pledged = -1 }, "pledged"},
		{"absurd pledged", func(c *Campaign) { c.Pledged = maxAmount + 1 }, "pledged"},
		{"negative backers", func(c *Campaign) { c.Backers = -3 }, "backers"},
		{"deadline before launch", func(c *Campaign) { c.Deadline = c.LaunchedAt.Add(-time.Hour) }, "deadline"},
		{"year 10000 deadline", func(c *Campaign) { c.Deadline = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "deadline"},
		{"year 1 launch", func(c *Campaign) { c.LaunchedAt = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC) }, "launched_at"},
		{"unknown state", func(c *Campaign) { c.State = "paused" }, "state"},
		{"no creator name: posts leave the credit out", func(c *Campaign) { c.Creator.Name = "" }, ""},
		{"creator name too long", func(c *Campaign) { c.Creator.Name = strings.Repeat("a", 201) }, "creator.name"},
		{"id with a control character", func(c *Campaign) { c.ID = "bd-42\x1b[2J" }, "id"},
		{"id with a right-to-left override", func(c *Campaign) { c.ID = "bd\u202e24" }, "id"},
		{"url with user info", func(c *Campaign) { c.URL = "https://platform.example@phish.example/p/1" }, "url"},
		{"image url with user info", func(c *Campaign) { c.ImageURL = "https://cdn.example@phish.example/i.jpg" }, "image_url"},
		{"javascript url", func(c *Campaign) { c.URL = "javascript:alert(1)" }, "url"},
		{"IDR is ISO 4217", func(c *Campaign) { c.Currency = "IDR" }, ""},
		{"XAU has no minor units", func(c *Campaign) { c.Currency = "XAU" }, "currency"},
		{"ended is a state", func(c *Campaign) { c.State = StateEnded }, ""},
		{"bad handle", func(c *Campaign) { c.Creator.XHandle = "@way-too-long-handle" }, "creator.x_handle"},
		{"stretch without amount", func(c *Campaign) { c.StretchGoals = []StretchGoal{{Amount: 0, Title: "Tome 2"}} }, "stretch_goals[0].amount"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validSnapshot()
			tt.edit(&c)
			err := c.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Fatalf("Validate() = %v, want a FieldError on %s", err, tt.field)
			}
		})
	}
}

// A snapshot whose date the encoder cannot write is refused alone: the rest
// of its batch is stored.
func TestIngestRefusesAbsurdYearAlone(t *testing.T) {
	tr, err := NewTracker(redistest.Client(t), "test", Rules{}, TrackerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bad := validSnapshot()
	bad.ID, bad.URL = "bad", "https://www.example.org/p/bad"
	bad.Deadline = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	res, err := tr.Ingest(context.Background(), []Campaign{bad, validSnapshot()})
	if err != nil {
		t.Fatalf("Ingest failed the whole batch: %v", err)
	}
	if res.Accepted != 1 || len(res.Rejected) != 1 || res.Rejected[0].ID != "bad" {
		t.Fatalf("Ingest = %+v, want the good snapshot stored and the bad one rejected", res)
	}
}

package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/campaigns/mapping"
)

func byID(cs []campaigns.Campaign) map[string]campaigns.Campaign {
	m := map[string]campaigns.Campaign{}
	for _, c := range cs {
		m[c.ID] = c
	}
	return m
}

// The older public Kickstarter dataset: padded column names, four unnamed
// columns, CRLF, times on deadlines, a row broken by commas, a repeated row.
func TestImportKickstarterDataset2016Layout(t *testing.T) {
	rec := &recorder{}
	sum, err := Import(t.Context(), open(t, "ks-projects-201612-layout.csv"), Options{Now: func() time.Time { return testNow }}, rec)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows != 7 || sum.Accepted != 5 || sum.Rejected != 2 {
		t.Fatalf("summary = %+v", sum)
	}
	if e := sum.Errors[0]; e.Row != 6 || !strings.Contains(e.Message, "has 19 fields, the header has 17") {
		t.Errorf("broken row: %+v", e)
	}
	if e := sum.Errors[1]; e.Row != 8 || e.ID != "1102934477" || e.Field != "id" || !strings.Contains(e.Message, "already read at row 2") {
		t.Errorf("repeated row: %+v", e)
	}
	got := byID(rec.all())
	if len(rec.all()) != 5 {
		t.Errorf("stored %d campaigns, want 5 (the repeat is not stored twice)", len(rec.all()))
	}
	salt := got["1102934477"]
	if salt.Goal != 450000 || salt.Pledged != 521050 || salt.Backers != 173 || salt.State != campaigns.StateSuccessful ||
		!salt.Deadline.Equal(time.Date(2016, 3, 2, 18, 0, 0, 0, time.UTC)) || salt.Category != "Publishing" || salt.Creator.Name != "" {
		t.Errorf("saltmarsh = %+v", salt)
	}
	if kiln := got["577210093"]; kiln.Currency != "JPY" || kiln.Goal != 800000 || kiln.Pledged != 912000 {
		t.Errorf("JPY: %+v", kiln)
	}
	if lumen := got["902114560"]; lumen.Title != "Lumen — a solar reading lamp" || lumen.State != campaigns.StateLive {
		t.Errorf("lumen = %+v", lumen)
	}
}

// Kickstarter project objects flattened to CSV by a scraper, the nested
// objects as JSON cells: the JSON preset reads them, picked by the header.
func TestImportKickstarterScrapeCSV(t *testing.T) {
	rec := &recorder{}
	sum, err := Import(t.Context(), open(t, "kickstarter-webrobots.csv"), Options{Now: func() time.Time { return testNow }}, rec)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows != 4 || sum.Accepted != 3 || sum.Skipped != 1 || sum.Rejected != 0 {
		t.Fatalf("summary = %+v", sum)
	}
	got := byID(rec.all())
	moth := got["1987654321"]
	if moth.Creator.Name != "Ines Valdés" || moth.Category != "Children's Books" || moth.Pledged != 3187700 ||
		!strings.HasPrefix(moth.URL, "https://www.kickstarter.com/projects/inesvaldes/moonmoth") || moth.ImageURL == "" {
		t.Errorf("moonmoth = %+v", moth)
	}
	// Creator text comes in clean: no line break in the title, no
	// right-to-left override in the name.
	if still := got["1130299476"]; still.Title != "Stillwater a board game about rivers" || still.Creator.Name != "Weir Games" || still.State != campaigns.StateCanceled {
		t.Errorf("stillwater = %q by %q, %s", still.Title, still.Creator.Name, still.State)
	}
}

// A tracker's reshaped Kickstarter JSON: one project per line under "data",
// the same project twice in one file.
func TestImportKickstarterReshapedJSON(t *testing.T) {
	rec := &recorder{}
	sum, err := Import(t.Context(), open(t, "kickstarter-webrobots.json"), Options{RecordPath: "data", Now: func() time.Time { return testNow }}, rec)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows != 4 || sum.Accepted != 3 || sum.Rejected != 1 || sum.Errors[0].Row != 4 || sum.Errors[0].Field != "id" {
		t.Fatalf("summary = %+v", sum)
	}
	got := byID(rec.all())
	if kohi := got["402117795"]; !kohi.Deadline.Equal(time.Unix(1771858800, 0)) || kohi.Pledged != 4183500 {
		t.Errorf("float unix times: %+v", kohi)
	}
	if moth := got["1987654321"]; moth.Pledged != 3187700 {
		t.Errorf("the first snapshot of a repeated id is the one stored: %+v", moth)
	}
}

func TestImportUluleJSON(t *testing.T) {
	rec := &recorder{}
	paris, _ := time.LoadLocation("Europe/Paris")
	sum, err := Import(t.Context(), open(t, "ulule-projects.json"), Options{Preset: "ulule", ItemsPath: "projects", Location: paris,
		Now: func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }}, rec)
	if err != nil || sum.Accepted != 4 {
		t.Fatalf("summary = %+v, %v", sum, err)
	}
	if c := byID(rec.all())["131207"]; c.Pledged != 275000 || c.Goal != 500000 {
		t.Errorf("Ulule amounts are whole euros: goal %d pledged %d", c.Goal, c.Pledged)
	}
}

// Any CSV with a header: a French platform's export with its own columns,
// semicolons, relative links, dates in Paris time, a draft, a link that
// hides another host.
func TestImportCustomCSV(t *testing.T) {
	m := mapping.Mapping{
		ID: "Référence", Title: "Projet", CreatorName: "Porteur", URL: "Lien", Lang: "Langue", Currency: "Devise",
		Goal: "Objectif (EUR)", Pledged: "Collecté (EUR)", Backers: "Contributeurs", LaunchedAt: "Début", Deadline: "Fin",
		State: "Statut", Money: mapping.MoneyMajor, BaseURL: "https://plateforme.example",
		States:     map[string]campaigns.State{"en cours": campaigns.StateLive, "réussi": campaigns.StateSuccessful, "échoué": campaigns.StateFailed},
		SkipStates: []string{"brouillon"},
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	rec := &recorder{}
	sum, err := Import(t.Context(), open(t, "plateforme-export.csv"), Options{Mapping: &m, Comma: ';', Location: paris,
		Now: func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }}, rec)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows != 4 || sum.Accepted != 2 || sum.Skipped != 1 || sum.Rejected != 1 {
		t.Fatalf("summary = %+v", sum)
	}
	if e := sum.Errors[0]; e.Row != 5 || e.ID != "PRJ-2044" || e.Field != "url" || !strings.Contains(e.Message, "user info") {
		t.Errorf("phishing link: %+v", e)
	}
	jardin := byID(rec.all())["PRJ-2041"]
	if jardin.URL != "https://plateforme.example/projets/le-jardin-des-simples" || jardin.Pledged != 275050 || jardin.Goal != 600000 ||
		!jardin.Deadline.Equal(time.Date(2026, 3, 31, 23, 59, 59, 0, paris)) || !jardin.LaunchedAt.Equal(time.Date(2026, 2, 10, 9, 0, 0, 0, paris)) {
		t.Errorf("jardin = %+v", jardin)
	}
}

// A JSON file the mapping does not fit: an error naming the path, after the
// rows were counted.
func TestImportJSONMappingMatchesNothing(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "ulule-projects.json"))
	if err != nil {
		t.Fatal(err)
	}
	body := strings.ReplaceAll(string(raw), `"amount_raised"`, `"amount"`)
	sum, err := Import(t.Context(), strings.NewReader(body), Options{Preset: "ulule", ItemsPath: "projects"}, &recorder{})
	if err == nil || !strings.Contains(err.Error(), `mapping.pledged "amount_raised" matched none of the 4 records`) {
		t.Fatalf("err = %v", err)
	}
	if sum.Rows != 4 || sum.Rejected != 4 || sum.Errors[0].Field != "pledged" {
		t.Errorf("summary = %+v", sum)
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/campaigns/mapping"
	"github.com/fanfarehq/fanfare/internal/config"
	"github.com/redis/go-redis/v9"
)

var checkedBlock = regexp.MustCompile("(?s)<!-- config-check: ([a-z]+) -->\n```yaml\n(.*?)```")

// readmeMappings are the configurations the README's integrator section
// offers to copy, by name.
func readmeMappings(t *testing.T) map[string]string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(filepath.Dir(exampleConfigPath()), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := map[string]string{}
	for _, m := range checkedBlock.FindAllStringSubmatch(string(readme), -1) {
		blocks[m[1]] = m[2]
	}
	if blocks["ulule"] == "" || blocks["kickstarter"] == "" {
		t.Fatalf("the README has no checked Ulule and Kickstarter mappings (found %v)", len(blocks))
	}
	return blocks
}

// The Ulule and Kickstarter mappings of the README pass `fanfare config
// check` as they are, and read real-shaped listings: what a new user copies
// works.
func TestReadmeMappings(t *testing.T) {
	fixtures := map[string]string{"ulule": "ulule-search.json", "kickstarter": "kickstarter-discover.json"}
	for name, yaml := range readmeMappings(t) {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "fanfare.yaml")
			if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := runCmd(t, nil, "", "config", "check", "-config", path)
			if code != 0 || !strings.Contains(out, "OK") {
				t.Fatalf("config check = %d\n%s%s", code, out, errOut)
			}
			cfg, err := config.LoadFile(path, configRules)
			if err != nil {
				t.Fatal(err)
			}
			p := cfg.Campaigns.Poll
			pm, _, err := sourceMapping(p.Preset, &p.Mapping)
			if err != nil {
				t.Fatal(err)
			}
			mp, err := mapping.New(pm, cfg.SourceLocation(p.SourceTimezone))
			if err != nil {
				t.Fatal(err)
			}
			raw, err := os.ReadFile(filepath.Join("..", "..", "campaigns", "mapping", "testdata", fixtures[name]))
			if err != nil {
				t.Fatal(err)
			}
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.UseNumber()
			var doc map[string]any
			if err := dec.Decode(&doc); err != nil {
				t.Fatal(err)
			}
			tally := mp.NewTally()
			mapped := 0
			for i, rec := range doc[p.ItemsPath].([]any) {
				c, err := mp.Map(rec, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), tally)
				if mapping.IsSkip(err) {
					continue
				}
				if err != nil {
					t.Fatalf("record %d: %v", i, err)
				}
				mapped++
				if c.Goal <= 0 || c.Pledged <= 0 || c.URL == "" {
					t.Errorf("record %d mapped to %+v", i, c)
				}
			}
			if err := tally.Err(); err != nil || mapped < 3 {
				t.Errorf("%d records mapped, tally %v", mapped, err)
			}
		})
	}
}

// `campaigns import` prints its summary either way, and exits 1 when no row
// was taken; every import is recorded in the source health.
func TestCampaignsImportNothingAccepted(t *testing.T) {
	d := newDataEnv(t)
	// Every row in a currency that is not one: nothing to store.
	csv := "ID,name,category,main_category,currency,deadline,goal,launched,pledged,state,backers\n" +
		"2001,Lamp,Design,Design,EURO,2026-04-01,1000,2026-03-01 10:00:00,10,live,1\n" +
		"2002,Book,Books,Publishing,EURO,2026-04-01,1000,2026-03-01 10:00:00,10,live,1\n"
	code, out, errOut := d.run(csv, "campaigns", "import", "-")
	if code != 1 || !strings.Contains(errOut, "nothing was imported") {
		t.Fatalf("import of nothing = %d, stderr %q", code, errOut)
	}
	if !strings.Contains(out, "2 rows: 0 accepted, 2 rejected") || !strings.Contains(out, "row 2 (id 2001): currency:") {
		t.Errorf("summary:\n%s", out)
	}
	// A mapping that does not fit the file: exit 1, the column named.
	code, _, errOut = d.run("id,title\n1,a\n", "campaigns", "import", "-", "--preset", "kickstarter-dataset")
	if code != 1 || !strings.Contains(errOut, `no "ID" column (mapping.id)`) {
		t.Errorf("import with a wrong mapping = %d %q", code, errOut)
	}
	hs, err := campaigns.NewHealthStore(d.rdb, dataPrefix)
	if err != nil {
		t.Fatal(err)
	}
	all, err := hs.SourceHealth(context.Background())
	if err != nil || len(all) != 1 || all[0].Source != "import" || !all[0].Failing || all[0].Runs != 2 || all[0].TotalRejected != 2 {
		t.Errorf("source health = %+v, %v", all, err)
	}
}

// Any CSV with a header: a mapping file, a separator, the file's time zone.
func TestCampaignsImportMappingFile(t *testing.T) {
	d := newDataEnv(t)
	dir := t.TempDir()
	mappingFile := filepath.Join(dir, "plateforme.yaml")
	if err := os.WriteFile(mappingFile, []byte(`id: Référence
title: Projet
creator_name: Porteur
url: Lien
base_url: https://plateforme.example
default_lang: fr
currency: Devise
goal: Objectif (EUR)
pledged: Collecté (EUR)
backers: Contributeurs
launched_at: Début
deadline: Fin
state: Statut
states: {en cours: live, réussi: successful}
skip_states: [brouillon]
money: major
`), 0o600); err != nil {
		t.Fatal(err)
	}
	csv := "Référence;Projet;Porteur;Lien;Devise;Objectif (EUR);Collecté (EUR);Contributeurs;Début;Fin;Statut\n" +
		"PRJ-2041;Le Jardin des Simples;Maison Herboriste;/projets/jardin;EUR;6000;2750.50;64;2026-02-10 09:00;2036-03-31;en cours\n" +
		"PRJ-2043;Brouillon;;/projets/b;EUR;1000;0;0;;;brouillon\n"
	code, out, errOut := d.run(csv, "campaigns", "import", "-", "--comma", ";", "--mapping", mappingFile, "--timezone", "Europe/Paris")
	if code != 0 || !strings.Contains(out, "2 rows: 1 accepted, 0 rejected, 1 skipped") {
		t.Fatalf("import = %d\n%s%s", code, out, errOut)
	}
	tr, err := campaigns.NewTracker(d.rdb, dataPrefix, campaigns.DefaultRules(), campaigns.TrackerOptions{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := tr.Get(context.Background(), "PRJ-2041")
	paris, _ := time.LoadLocation("Europe/Paris")
	if err != nil || c.Pledged != 275050 || c.URL != "https://plateforme.example/projets/jardin" ||
		!c.Deadline.Equal(time.Date(2036, 3, 31, 23, 59, 59, 0, paris)) {
		t.Fatalf("imported = %+v, %v", c, err)
	}
	// A mapping file with a typo is refused with the key.
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("id: ID\npledge: x\n"), 0o600)
	if code, _, errOut := d.run(csv, "campaigns", "import", "-", "--mapping", bad); code != 1 || !strings.Contains(errOut, "pledge") {
		t.Errorf("bad mapping file = %d %q", code, errOut)
	}
}

// Campaign data on a terminal: escapes are printed, never interpreted. Old
// snapshots stored before text was cleaned are the case in point.
func TestCampaignsShowEscapesControlCharacters(t *testing.T) {
	d := newDataEnv(t)
	c := campaigns.Campaign{ID: "legacy-1", Title: "Atlas\x1b[2J\x1b[1;1Hfake", URL: "https://example.com/p/1",
		Lang: "en", Currency: "EUR", Goal: 100000, Pledged: 5000, LaunchedAt: time.Now().Add(-24 * time.Hour),
		Deadline: time.Now().Add(24 * time.Hour), State: campaigns.StateLive,
		Creator: campaigns.Creator{Name: "Evil\u202eCorp"}, Category: "Art\x07", UpdatedAt: time.Now()}
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	// Written as an older version stored it, behind the tracker's back.
	if err := d.rdb.HSet(context.Background(), "{"+dataPrefix+"}:campaign:legacy-1", "j", raw).Err(); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := d.run("", "campaigns", "show", "legacy-1")
	if code != 0 {
		t.Fatalf("show = %d %s", code, errOut)
	}
	if strings.ContainsAny(out, "\x1b\x07\u202e") {
		t.Fatalf("control characters reached the terminal: %q", out)
	}
	for _, want := range []string{`Atlas\x1b[2J\x1b[1;1Hfake`, `Evil\u202eCorp`, `Art\a`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if err := d.rdb.ZAdd(context.Background(), "{"+dataPrefix+"}:campaigns:live", redis.Z{Score: float64(c.Deadline.UnixMilli()), Member: "legacy-1"}).Err(); err != nil {
		t.Fatal(err)
	}
	code, out, _ = d.run("", "campaigns", "show", "legacy-1", "--json")
	if code != 0 || strings.ContainsRune(out, '\u202e') || !strings.Contains(out, `Evil\u202eCorp`) {
		t.Errorf("show --json = %d %q", code, out)
	}
	code, out, errOut = d.run("", "campaigns", "list")
	if code != 0 || strings.ContainsAny(out, "\x1b\x07\u202e") || !strings.Contains(out, `Atlas\x1b[2J`) {
		t.Errorf("list = %d %q %s", code, out, errOut)
	}
}

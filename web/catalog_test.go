package web

import (
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestCatalogComplete checks that both languages have the same keys, that
// every plural message has its "other" form, and that every key the
// templates and the Go code use is in the catalog.
func TestCatalogComplete(t *testing.T) {
	for key := range catalog["en"] {
		if _, ok := catalog["fr"][key]; !ok {
			t.Errorf("fr lacks %q", key)
		}
	}
	for key := range catalog["fr"] {
		if _, ok := catalog["en"][key]; !ok {
			t.Errorf("en lacks %q", key)
		}
	}
	for lang, msgs := range catalog {
		for key := range msgs {
			if base, form, ok := strings.Cut(key, "|"); ok {
				if _, ok := msgs[base+"|other"]; !ok {
					t.Errorf("%s: %q has no %q", lang, key, base+"|other")
				}
				if !slicesContains([]string{"zero", "one", "two", "few", "many", "other"}, form) {
					t.Errorf("%s: %q: %q is not a CLDR plural category", lang, key, form)
				}
			}
		}
	}
	used := map[string]bool{}
	plural := map[string]bool{}
	literal := regexp.MustCompile(`\bT\(?\s*"([a-z_]+\.[a-z_0-9.]+)"`)
	plur := regexp.MustCompile(`\bN\(?\s*"([a-z_]+\.[a-z_0-9.]+)"`)
	pageTitle := regexp.MustCompile(`(?:s\.page\([^"]*|renderError\([^"]*)"([a-z_]+\.[a-z_0-9]+)"`)
	scan := func(src string, withTitles bool) {
		for _, m := range literal.FindAllStringSubmatch(src, -1) {
			used[m[1]] = true
		}
		for _, m := range plur.FindAllStringSubmatch(src, -1) {
			if !strings.HasSuffix(m[1], "_") && !strings.HasSuffix(m[1], ".") { // a prefix completed at run time
				plural[m[1]] = true
			}
		}
		if withTitles {
			for _, m := range pageTitle.FindAllStringSubmatch(src, -1) {
				used[m[1]] = true
			}
		}
	}
	_ = fs.WalkDir(templateFS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := templateFS.ReadFile(p)
			scan(string(b), false)
		}
		return nil
	})
	goFiles, _ := fs.Glob(os.DirFS("."), "*.go")
	for _, f := range goFiles {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, _ := os.ReadFile(f)
		scan(string(b), true)
	}
	// Keys built at run time from values.
	for _, st := range []string{"pending", "approved", "publishing", "published", "rejected", "expired", "failed", "unknown", "duplicate", "held"} {
		used["state."+st] = true
	}
	for _, dir := range []string{"in_", "ago_"} {
		for _, unit := range []string{"min", "hour", "day"} {
			plural["rel."+dir+unit] = true
		}
	}
	for _, k := range []string{"auth", "rate", "not_sent", "duplicate", "invalid", "blocked", "ambiguous"} {
		used["neterr."+k+".what"], used["neterr."+k+".next"] = true, true
	}
	for _, prefix := range []string{"state.", "cstate.", "kind.", "net.", "role.", "act.", "actor.job.", "family.", "feedstatus.", "langname.", "fieldname.", "daylong.", "month_long."} {
		n := 0
		for k := range catalog["en"] {
			if strings.HasPrefix(k, prefix) {
				n++
			}
		}
		if n == 0 {
			t.Errorf("no %s* keys", prefix)
		}
	}
	if len(used) < 200 || len(plural) < 15 {
		t.Fatalf("found only %d keys and %d plural keys in use: the scan is broken", len(used), len(plural))
	}
	for key := range used {
		if _, ok := catalog["en"][key]; !ok {
			t.Errorf("key %q is used but not in the catalog", key)
		}
	}
	for key := range plural {
		if _, ok := catalog["en"][key+"|other"]; !ok {
			t.Errorf("plural key %q is used but the catalog has no %q", key, key+"|other")
		}
	}
}

func slicesContains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestPluralsFollowCLDR: French counts 0 and 1 as one, English only 1; the
// count is formatted for the language.
func TestPluralsFollowCLDR(t *testing.T) {
	fr, en := newLocale("fr"), newLocale("en")
	for _, tc := range []struct {
		n      int
		fr, en string
	}{
		{0, "0 publication approuvée.", "0 posts approved."},
		{1, "1 publication approuvée.", "1 post approved."},
		{2, "2 publications approuvées.", "2 posts approved."},
		{1743, "1\u00a0743 publications approuvées.", "1,743 posts approved."},
	} {
		if got := fr.N("notice.approved_n", tc.n); got != tc.fr {
			t.Errorf("fr %d: %q, want %q", tc.n, got, tc.fr)
		}
		if got := en.N("notice.approved_n", tc.n); got != tc.en {
			t.Errorf("en %d: %q, want %q", tc.n, got, tc.en)
		}
	}
	if got := fr.N("campaign.backers", 1743); got != "1\u00a0743 contributeurs" {
		t.Errorf("backers %q", got)
	}
	if got := fr.Percent(25); got != "25\u00a0%" {
		t.Errorf("percent %q", got)
	}
	if got := fmt.Sprint(en.Percent(25)); got != "25%" {
		t.Errorf("en percent %q", got)
	}
}

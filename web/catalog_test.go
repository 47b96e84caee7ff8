package web

import (
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestCatalogComplete checks that both languages have the same keys and that
// every key the templates and the Go code use is in the catalog.
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
	used := map[string]bool{}
	literal := regexp.MustCompile(`T\(?\s*"([a-z_]+\.[a-z_0-9]+)"`)
	pageTitle := regexp.MustCompile(`(?:s\.page\([^"]*|renderError\([^"]*)"([a-z_]+\.[a-z_0-9]+)"`)
	_ = fs.WalkDir(templateFS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := templateFS.ReadFile(p)
			for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = true
			}
		}
		return nil
	})
	goFiles, _ := fs.Glob(os.DirFS("."), "*.go")
	for _, f := range goFiles {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, _ := os.ReadFile(f)
		for _, re := range []*regexp.Regexp{literal, pageTitle} {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = true
			}
		}
	}
	// keys built at run time from values
	for _, prefix := range []string{"state.", "cstate.", "kind.", "net.", "role."} {
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
	for _, st := range []string{"pending", "approved", "publishing", "published", "rejected", "expired", "failed", "unknown", "duplicate"} {
		used["state."+st] = true
	}
	if len(used) < 100 {
		t.Fatalf("found only %d keys in use: the scan is broken", len(used))
	}
	for key := range used {
		if _, ok := catalog["en"][key]; !ok {
			t.Errorf("key %q is used but not in the catalog", key)
		}
	}
}

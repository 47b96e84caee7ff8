package sharedtestdata

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// outcome records how Dir ended a fake test.
type outcome struct {
	testing.TB
	skipped, failed string
}

type stop struct{}

func (o *outcome) Helper()                   {}
func (o *outcome) Fatal(a ...any)            { o.failed = fmt.Sprint(a...); panic(stop{}) }
func (o *outcome) Fatalf(f string, a ...any) { o.failed = fmt.Sprintf(f, a...); panic(stop{}) }
func (o *outcome) Skipf(f string, a ...any)  { o.skipped = fmt.Sprintf(f, a...); panic(stop{}) }

func (o *outcome) dir(elem ...string) (p string) {
	defer func() {
		if r := recover(); r != nil && r != (stop{}) {
			panic(r)
		}
	}()
	return Dir(o, elem...)
}

func TestDir(t *testing.T) {
	top := t.TempDir()
	repo := filepath.Join(top, "repo")
	pkg := filepath.Join(repo, "content", "text")
	for _, d := range []string{pkg, filepath.Join(top, "shared", "testdata", "feeds")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(repo, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(pkg)
	tests := []struct {
		name, ci, elem      string
		found, skip, failed bool
	}{
		{name: "present", elem: "feeds", found: true},
		{name: "present under CI", ci: "true", elem: "feeds", found: true},
		{name: "absent", elem: "twitter-text", skip: true},
		{name: "absent under CI", ci: "true", elem: "twitter-text", failed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CI", tt.ci)
			o := &outcome{TB: t}
			p := o.dir(tt.elem)
			if got := p != ""; got != tt.found {
				t.Errorf("found %q, want found %v", p, tt.found)
			}
			if tt.found {
				if want := filepath.Join(repo, "..", "shared", "testdata", tt.elem); p != want {
					t.Errorf("Dir = %q, want %q", p, want)
				}
			}
			if (o.skipped != "") != tt.skip || (o.failed != "") != tt.failed {
				t.Errorf("skipped %q, failed %q; want skip %v, fail %v", o.skipped, o.failed, tt.skip, tt.failed)
			}
		})
	}
}

package conventions

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/fanfarehq/fanfare/"

// layers rank the module's top-level folders as the design draws them:
// campaigns → content → bots, with web and cmd around them. A package may
// import the module's packages of its own rank or below, never above: the
// domain knows nothing of HTTP or of the daemon's wiring, and internal
// helpers (configuration included) know nothing of the domain.
var layers = map[string]int{
	"internal":  0,
	"campaigns": 1,
	"content":   2,
	"bots":      3,
	"web":       4,
	"cmd":       5,
	"tools":     5,
}

// TestLayers: every import of a module package by a non-test file goes
// down the layers (test files may reach up for their fixtures).
func TestLayers(t *testing.T) {
	fset := token.NewFileSet()
	checked := 0
	err := walkSource(func(path, rel string) error {
		from := filepath.ToSlash(filepath.Dir(rel))
		fromRank, ok := rankOf(from)
		if !ok {
			t.Errorf("%s: %s is not a layer of the design (%v): place it, or add it to layers", rel, top(from), layers)
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			to, ok := strings.CutPrefix(p, module)
			if !ok {
				continue
			}
			checked++
			toRank, ok := rankOf(to)
			if !ok || toRank > fromRank {
				t.Errorf("%s (%s) imports %s (%s): the layers go campaigns → content → bots, with web and cmd around them, and internal below all",
					rel, top(from), to, top(to))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("only %d imports of the module's packages checked: the walk missed the tree", checked)
	}
}

func top(pkg string) string {
	first, _, _ := strings.Cut(pkg, "/")
	return first
}

func rankOf(pkg string) (int, bool) {
	r, ok := layers[top(pkg)]
	return r, ok
}

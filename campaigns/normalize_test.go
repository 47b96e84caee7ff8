package campaigns

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fanfarehq/fanfare/internal/redistest"
)

func TestCleanLine(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"clean", "Les Ombres du Marais", "Les Ombres du Marais"},
		{"line breaks in a title", "Tidebound\r\nA Deck-Building Game\nof Coastal Towns", "Tidebound A Deck-Building Game of Coastal Towns"},
		{"paragraph separators", "Atlas\u2028\u2029vol. 2\u0085!", "Atlas vol. 2 !"},
		{"tabs and runs of spaces", "  Harbour\t&   Quill  ", "Harbour & Quill"},
		{"right-to-left override", "Studio \u202eesreveR\u202c Héron", "Studio esreveR Héron"},
		{"isolates", "\u2067مرحبا\u2069 world", "مرحبا world"},
		{"ESC sequence", "Atlas\x1b[2J\x1b]0;pwned\x07", "Atlas[2J]0;pwned"},
		{"C1 control", "Atlas\u009b31m", "Atlas31m"},
		{"BOM and noncharacters", "\ufeffAtlas\uffff", "Atlas"},
		{"invalid UTF-8", "Caf\xe9", "Caf\ufffd"},
		{"no-break space before a colon is French typography", "Le Dernier Phare\u00a0: tome 1", "Le Dernier Phare\u00a0: tome 1"},
		{"emoji sequences keep their joiner", "Atelier 👩\u200d🎨", "Atelier 👩\u200d🎨"},
		{"marks that do not reorder stay", "שלום\u200f (2)", "שלום\u200f (2)"},
		{"only junk", "\u202e\n\t ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CleanLine(tt.in); got != tt.want {
				t.Errorf("CleanLine(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCleanText(t *testing.T) {
	in := "Un documentaire tourné en 16 mm.  \r\n\r\n\r\n\r\nDans le Marais\u202e poitevin.\n"
	want := "Un documentaire tourné en 16 mm.\n\nDans le Marais poitevin."
	if got := CleanText(in); got != want {
		t.Errorf("CleanText = %q, want %q", got, want)
	}
}

// isClean is a shortcut of rewrite: where it says yes, rewrite must give the
// string back unchanged; and cleaning twice changes nothing.
func TestCleanShortcutAgrees(t *testing.T) {
	alphabet := []string{"a", "é", " ", "  ", "\n", "\r\n", "\t", "\u202e", "\x1b", "\u00a0", "\u2028", "\xff", "👩\u200d🎨", ".", "\ufeff"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		s := b.String()
		for _, multi := range []bool{false, true} {
			if isClean(s, multi) && rewrite(s, multi) != s {
				t.Fatalf("isClean(%q, %v) but rewrite gives %q", s, multi, rewrite(s, multi))
			}
			once := clean(s, multi)
			if once != rewrite(s, multi) {
				t.Fatalf("clean(%q, %v) = %q, rewrite gives %q", s, multi, once, rewrite(s, multi))
			}
			if twice := clean(once, multi); twice != once || !utf8.ValidString(once) {
				t.Fatalf("clean(%q, %v) = %q, then %q", s, multi, once, twice)
			}
		}
	}
}

func TestCleanLineDoesNotAllocateOnCleanText(t *testing.T) {
	s := "The Lighthouse Keeper's Atlas — édition reliée"
	if n := testing.AllocsPerRun(100, func() { _ = CleanLine(s) }); n != 0 {
		t.Errorf("CleanLine allocates %v times on clean text", n)
	}
}

// A creator's text is stored clean, whatever the source: the tracker cleans
// before it validates. The caller's slices are left alone.
func TestIngestStoresCleanText(t *testing.T) {
	rdb := redistest.Client(t)
	tr := newTestTracker(t, rdb, &clock{t: ruleNow})
	c := snap()
	c.Title = "Tidebound\n\n@jack #ad \u202egnitset\u202c"
	c.Creator.Name = "Harbour\r\n& Quill\x1b[31m"
	c.Description = "Ligne 1\r\nLigne 2\x00"
	c.StretchGoals = []StretchGoal{{Amount: 150000, Title: "Colour\nedition"}}
	c.Tags = []string{"board\tgame"}
	res := ingest(t, tr, c)
	if res.Accepted != 1 {
		t.Fatalf("Ingest = %+v", res)
	}
	got, _, err := tr.Get(context.Background(), "c1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Tidebound @jack #ad gnitset" || got.Creator.Name != "Harbour & Quill[31m" ||
		got.Description != "Ligne 1\nLigne 2" || got.StretchGoals[0].Title != "Colour edition" || got.Tags[0] != "board game" {
		t.Errorf("stored %q / %q / %q / %q / %q", got.Title, got.Creator.Name, got.Description, got.StretchGoals[0].Title, got.Tags[0])
	}
	if c.StretchGoals[0].Title != "Colour\nedition" || c.Tags[0] != "board\tgame" {
		t.Error("Ingest changed the caller's slices")
	}
	// A title that is nothing but control characters is no title.
	bad := snap(withID("c2"))
	bad.Title = "\u202e\u202c\n"
	if res := ingest(t, tr, bad); len(res.Rejected) != 1 || res.Rejected[0].Err.(*FieldError).Field != "title" {
		t.Errorf("Ingest of an empty title = %+v", res)
	}
}

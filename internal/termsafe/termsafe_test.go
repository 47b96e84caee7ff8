package termsafe

import (
	"encoding/json"
	"testing"
)

func TestString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Les Ombres du Marais", "Les Ombres du Marais"},
		{"Café · 日本 · 👩‍🎨", "Café · 日本 · 👩‍🎨"}, // ZWJ sequence kept
		{"Atlas\x1b[2J\x1b[Hfake prompt$ ", `Atlas\x1b[2J\x1b[Hfake prompt$ `},
		{"\x1b]0;pwned\x07title", `\x1b]0;pwned\atitle`},
		{"doc\u202egpj.exe", `doc\u202egpj.exe`},
		{"a\u2066b\u2069c\u200bd\ufeffe", `a\u2066b\u2069c\u200bd\ufeffe`},
		{"line\nbreak\r\ttab", `line\nbreak\r\ttab`},
		{"c1\u009bcsi", `c1\u009bcsi`},
		{"bad\xffbyte", `bad\xffbyte`},
		{"", ""},
	}
	for _, tt := range tests {
		if got := String(tt.in); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStringDoesNotCopyCleanText(t *testing.T) {
	s := "The Lighthouse Keeper's Atlas — édition reliée"
	if n := testing.AllocsPerRun(100, func() { _ = String(s) }); n != 0 {
		t.Errorf("String allocates %v times on clean text", n)
	}
}

func TestJSON(t *testing.T) {
	in := map[string]string{"title": "Evil\u202eCorp\u0085 \u2067x\u2069 — café 👩\u200d🎨"}
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	got := JSON(raw)
	// The joiner of the emoji stays: it reorders nothing.
	if want := `{"title":"Evil\u202eCorp\u0085 \u2067x\u2069 — café 👩` + "\u200d" + `🎨"}`; string(got) != want {
		t.Fatalf("JSON = %s, want %s", got, want)
	}
	var back map[string]string
	if err := json.Unmarshal(got, &back); err != nil || back["title"] != in["title"] {
		t.Errorf("round trip = %q, %v", back, err)
	}
}

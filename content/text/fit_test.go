package text

import (
	"errors"
	"strings"
	"testing"
)

// Weights used in the expectations below (config v3): ASCII and Latin letters
// 1, "…" (U+2026, outside the 1-weight ranges) 2, each URL 23, each emoji
// sequence 2; Facebook counts UTF-16 code units, "…" is 1.
func TestFit(t *testing.T) {
	family := "👨\u200d👩\u200d👧\u200d👦" // ZWJ sequence: 7 code points, weighs 2
	flag := "🇫🇷"                       // two regional indicators, weighs 2
	thumb := "👍🏽"                      // skin tone modifier sequence, weighs 2
	longURL := "https://example.com/" + strings.Repeat("chemin/", 30)
	tests := []struct {
		name           string
		network        string
		body, tail     string
		want           string
		wantErrTooLong bool
		wantErr        string
	}{
		{
			name:    "fits as it is",
			network: NetworkX,
			body:    "Merci à tous, le projet « Forêt » est financé !",
			tail:    "@créatrice https://fanfare.fr/p/42",
			want:    "Merci à tous, le projet « Forêt » est financé ! @créatrice https://fanfare.fr/p/42",
		},
		{
			// tail 6+1+23 = 30; body budget 280-30-1-2 = 247; "word"×49 = 49*5-1 = 244.
			name:    "English, long URL in tail, cut at a word",
			network: NetworkX,
			body:    strings.Repeat("word ", 60) + "end",
			tail:    "@alice " + longURL,
			want:    strings.Repeat("word ", 48) + "word… @alice " + longURL,
		},
		{
			// tail 8; budget 280-8-1-2 = 269; "été, "×k trimmed of ", " is 5k-2: k = 54.
			name:    "French accents, trailing comma dropped before the ellipsis",
			network: NetworkX,
			body:    strings.Repeat("été, ", 60),
			tail:    "#Financé",
			want:    strings.Repeat("été, ", 53) + "été… #Financé",
		},
		{
			// No space to cut at: 278 clusters of e + U+0301 (NFC é, weight 1) and "…".
			name:    "combining accent at the cut point stays with its letter",
			network: NetworkX,
			body:    strings.Repeat("e\u0301", 300),
			want:    strings.Repeat("e\u0301", 278) + "…",
		},
		{
			// tail 4; budget 273: 136 families.
			name:    "ZWJ family emoji never split",
			network: NetworkX,
			body:    strings.Repeat(family, 150),
			tail:    "@bob",
			want:    strings.Repeat(family, 136) + "… @bob",
		},
		{
			// budget 278; "🇫🇷 "×k trimmed is 3k-1: k = 93.
			name:    "flags cut at a space",
			network: NetworkX,
			body:    strings.Repeat(flag+" ", 100),
			want:    strings.Repeat(flag+" ", 92) + flag + "…",
		},
		{
			// tail 23; budget 254: 127 thumbs.
			name:    "skin tones never split",
			network: NetworkX,
			body:    strings.Repeat(thumb, 200),
			tail:    "https://fanfare.fr/c/42",
			want:    strings.Repeat(thumb, 127) + "… https://fanfare.fr/c/42",
		},
		{
			// 277 + " " + "hello" is too long, "h… " + tail too, "… " + tail fits: tail alone.
			name:    "no part of the body fits",
			network: NetworkX,
			body:    "hello",
			tail:    strings.Repeat("x", 277),
			want:    strings.Repeat("x", 277),
		},
		{
			// tail 19; budget 63206-19-1-1 = 63185; "ab "×k trimmed is 3k-1: k = 21062.
			name:    "Facebook counts characters",
			network: NetworkFacebook,
			body:    strings.Repeat("ab ", 25000),
			tail:    "https://example.com",
			want:    strings.Repeat("ab ", 21061) + "ab… https://example.com",
		},
		{name: "empty body is just the tail", network: NetworkX, tail: "@bob #tag", want: "@bob #tag"},
		{name: "empty tail is just the body", network: NetworkX, body: "Bonjour", want: "Bonjour"},
		{name: "blank body counts as empty", network: NetworkX, body: " \t ", tail: "@bob", want: "@bob"},
		{
			name:           "tail too long",
			network:        NetworkX,
			body:           "Bravo",
			tail:           strings.Repeat("#tag ", 60),
			wantErrTooLong: true,
		},
		{
			name:           "tail alone too long",
			network:        NetworkX,
			tail:           strings.Repeat("é", 281),
			wantErrTooLong: true,
		},
		{name: "nothing to post", network: NetworkX, body: " ", tail: "", wantErr: "nothing to post"},
		{name: "unknown network", network: "myspace", body: "hi", wantErr: `unknown network "myspace"`},
		{name: "refused character", network: NetworkX, body: "hi", tail: "@bob\ufeff", wantErr: "tail contains U+FEFF at byte 4"},
		{name: "invalid UTF-8", network: NetworkFacebook, body: "hi \xff", wantErr: "body is not valid UTF-8 at byte 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Fit(tt.network, tt.body, tt.tail)
			switch {
			case tt.wantErrTooLong:
				if !errors.Is(err, ErrTooLong) {
					t.Fatalf("Fit() = %q, %v; want an ErrTooLong error", got, err)
				}
				return
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Fit() = %q, %v; want an error containing %q", got, err, tt.wantErr)
				}
				return
			case err != nil:
				t.Fatalf("Fit() error: %v", err)
			}
			if got != tt.want {
				t.Errorf("Fit() =\n%q\nwant\n%q", got, tt.want)
			}
			if res, _ := Check(tt.network, got); !res.Valid {
				t.Errorf("Fit() result does not pass Check: %+v", res)
			}
		})
	}
}

func TestFitPrefersLatestSpace(t *testing.T) {
	// A word much longer than the rest sits right where the limit falls: the
	// cut goes before it rather than inside it.
	body := strings.Repeat("a ", 130) + strings.Repeat("z", 40)
	got, err := Fit(NetworkX, body, "")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.TrimSuffix(strings.Repeat("a ", 130), " ") + "…"
	if got != want {
		t.Errorf("Fit() = %q, want %q", got, want)
	}
}

func TestFitCutsAtLineBreaks(t *testing.T) {
	// "\r\n" is one grapheme cluster: still a place to cut, and trimmed.
	body := strings.Repeat("ligne\r\n", 50)
	got, err := Fit(NetworkX, body, "#fin")
	if err != nil {
		t.Fatal(err)
	}
	// Budget 280-4-1-2 = 273; "ligne\r\n"×k trimmed is 7k-2: k = 39.
	want := strings.Repeat("ligne\r\n", 38) + "ligne… #fin"
	if got != want {
		t.Errorf("Fit() = %q, want %q", got, want)
	}
}

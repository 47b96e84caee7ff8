package text

import (
	"bytes"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		network string
		text    string
		want    Result
	}{
		{"x plain", NetworkX, "Bonjour à tous", Result{14, 280, true}},
		{"x at the limit", NetworkX, strings.Repeat("é", 280), Result{280, 280, true}},
		{"x over the limit", NetworkX, strings.Repeat("é", 281), Result{281, 280, false}},
		{"x CJK weighs 2", NetworkX, "日本語", Result{6, 280, true}},
		{"x URL weighs 23", NetworkX, "Voir https://fanfare.fr/projets/forêt?utm_source=x", Result{28, 280, true}},
		{"x URL without scheme", NetworkX, "fanfare.fr", Result{23, 280, true}},
		{"x unknown TLD is text", NetworkX, "fanfare.example", Result{15, 280, true}},
		{"x NFD counts as NFC", NetworkX, "e\u0301te\u0301", Result{3, 280, true}},
		{"x emoji sequences weigh 2", NetworkX, "🎉👨\u200d👩\u200d👧\u200d👦🇫🇷👍🏽#\ufe0f\u20e3", Result{10, 280, true}},
		{"x text-style © weighs 1", NetworkX, "©", Result{1, 280, true}},
		{"x emoji-style © weighs 2", NetworkX, "©\ufe0f", Result{2, 280, true}},
		{"x empty", NetworkX, "", Result{0, 280, false}},
		{"x white space only: twitter-text weighs it, X refuses it", NetworkX, " \n\t\u00a0", Result{4, 280, false}},
		{"x BOM is refused", NetworkX, "hi\ufeff", Result{4, 280, false}},
		{"x U+FFFE is refused", NetworkX, "\ufffehi", Result{4, 280, false}},
		{"x invalid UTF-8", NetworkX, "hi\xff", Result{4, 280, false}},
		{"facebook plain", NetworkFacebook, "Bonjour à tous", Result{14, FacebookMax, true}},
		{"facebook astral counts 2", NetworkFacebook, "🎉", Result{2, FacebookMax, true}},
		{"facebook at the limit", NetworkFacebook, strings.Repeat("a", FacebookMax), Result{FacebookMax, FacebookMax, true}},
		{"facebook over the limit", NetworkFacebook, strings.Repeat("a", FacebookMax+1), Result{FacebookMax + 1, FacebookMax, false}},
		{"facebook empty", NetworkFacebook, "", Result{0, FacebookMax, false}},
		{"facebook blank", NetworkFacebook, "  \n", Result{3, FacebookMax, false}},
		{"facebook invalid UTF-8", NetworkFacebook, "a\xffb", Result{3, FacebookMax, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Check(tt.network, tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Check(%q, %q) = %+v, want %+v", tt.network, tt.text, got, tt.want)
			}
		})
	}
	if _, err := Check("X", "hi"); err == nil || !strings.Contains(err.Error(), `unknown network "X"`) {
		t.Errorf("Check with network X: err = %v, want unknown network", err)
	}
}

func TestWeightedLengthV2HasNoEmojiDiscount(t *testing.T) {
	family := "👨\u200d👩\u200d👧\u200d👦" // 4 pictographs (2 each) + 3 ZWJ (1 each)
	if got := V2.WeightedLength(family); got != 11 {
		t.Errorf("V2 family = %d, want 11", got)
	}
	if got := V3.WeightedLength(family); got != 2 {
		t.Errorf("V3 family = %d, want 2", got)
	}
}

// TestEmojiWeights: what the official twitter-text library (3.1.0, with
// twemoji-parser 11) weighs emoji and sequences, newer ones included: a
// sequence it does not know weighs each of its code points.
func TestEmojiWeights(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"😀x", 3},
		{"☺\ufe0ex", 5}, // text presentation: two code points of weight 2, and x
		{"☺\ufe0fx", 3}, // emoji presentation
		{"☺x", 3},
		{"1\u20e3", 2},
		{"1\ufe0f\u20e3", 2},
		{"1\ufe0f", 3},
		{"12", 2},
		{"©", 1},
		{"©\ufe0f", 2},
		{"🇫🇷🇧🇪", 4},
		{"🇫", 2},
		{"🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F!", 3},
		{"🏴\U000E0067\U000E0062", 6}, // no cancel tag: the tags count alone
		{"🏳\ufe0f\u200d🌈", 2},
		{"🏳\u200d🌈", 5}, // not a sequence twemoji knows without VS16
		{"👩🏽\u200d💻", 2},
		{"👨\u200d", 3}, // a trailing ZWJ is text
		{"👨\u200da", 4},
		{"a😀", 3},
		{"🫠", 2},               // newer than twemoji 11: one code point anyway
		{"🧑\u200d🧑\u200d🧒", 8}, // a newer sequence: three emoji and two ZWJ
		{"🎉🏽", 4},              // a modifier after what it cannot modify
		{"\ufe0f", 2},
	}
	for _, tt := range tests {
		if got := WeightedLength(tt.text); got != tt.want {
			t.Errorf("WeightedLength(%+q) = %d, want %d", tt.text, got, tt.want)
		}
	}
}

// TestWeightQuirks: texts on which twitter-text's JavaScript library (what
// the dashboard's counter runs) weighs in ways its other versions do not.
func TestWeightQuirks(t *testing.T) {
	for _, tt := range []struct {
		text string
		want int
	}{
		{"a.com.例え.jp/x", 30},      // 23 for "a.com/x", then the rest after 7 characters
		{"#👍.a.com", 27},           // a URL right after an emoji's high surrogate
		{"   ", 3},                 // white space weighs
		{"www.google.com?q=1", 27}, // no path: the query is text
	} {
		if got := WeightedLength(tt.text); got != tt.want {
			t.Errorf("WeightedLength(%q) = %d, want %d", tt.text, got, tt.want)
		}
	}
}

func TestCheckJSON(t *testing.T) {
	tests := []struct {
		name, network, in, want string
	}{
		{"echo's newline dropped", NetworkX, "Bonjour\n", `{"weighted_length":7,"max":280,"valid":true}` + "\n"},
		{"CRLF dropped", NetworkX, "Bonjour\r\n", `{"weighted_length":7,"max":280,"valid":true}` + "\n"},
		{"only one newline dropped", NetworkX, "Bonjour\n\n", `{"weighted_length":8,"max":280,"valid":true}` + "\n"},
		{"no newline", NetworkFacebook, "Bonjour", `{"weighted_length":7,"max":63206,"valid":true}` + "\n"},
		{"just a newline", NetworkX, "\n", `{"weighted_length":0,"max":280,"valid":false}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := CheckJSON(tt.network, strings.NewReader(tt.in), &out); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("CheckJSON() wrote %q, want %q", out.String(), tt.want)
			}
		})
	}
	var out bytes.Buffer
	if err := CheckJSON("myspace", strings.NewReader("hi"), &out); err == nil || out.Len() != 0 {
		t.Errorf("CheckJSON(myspace) = %v, wrote %q; want an error and nothing written", err, out.String())
	}
	big := strings.NewReader(strings.Repeat("a", MaxCheckInput+1))
	if err := CheckJSON(NetworkX, big, &out); err == nil || !strings.Contains(err.Error(), "over") {
		t.Errorf("CheckJSON(too big) = %v, want an error", err)
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name, json, want string
	}{
		{"missing scale", `{"version":2,"maxWeightedTweetLength":280,"defaultWeight":200}`, "scale is required"},
		{"zero scale", `{"version":2,"maxWeightedTweetLength":280,"scale":0,"defaultWeight":200}`, "scale is 0, want at least 1"},
		{"bad range", `{"version":2,"maxWeightedTweetLength":280,"scale":1,"defaultWeight":2,"ranges":[{"start":9,"end":1,"weight":1}]}`, "ranges[0]"},
		{"unknown field", `{"version":2,"maxWeightedTweetLenght":280}`, "maxWeightedTweetLenght"},
	}
	for _, tt := range tests {
		if _, err := ParseConfig([]byte(tt.json)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: ParseConfig() error = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
	c, err := ParseConfig([]byte(`{"version":1,"maxWeightedTweetLength":140,"scale":1,"defaultWeight":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.TransformedURLLength != 23 {
		t.Errorf("TransformedURLLength defaults to %d, want 23", c.TransformedURLLength)
	}
}

func TestCheckRefusedCharacterInsideURL(t *testing.T) {
	// twitter-text skips its refused-character test inside URLs; X does not.
	res, err := Check(NetworkX, "http://a\ufeffb.com")
	if err != nil {
		t.Fatal(err)
	}
	if res.Valid {
		t.Errorf("Check() = %+v, want not valid", res)
	}
}

func TestValidateSaysWhatToFix(t *testing.T) {
	tests := []struct {
		network, s, want string
	}{
		{"x", "Bravo à toute l'équipe !", ""},
		{"x", strings.Repeat("é", 281), "is 281 long, over the x limit of 280"},
		{"x", "   ", "is not a valid x post"},
		{"facebook", "", "is not a valid facebook post"},
		{"myspace", "Salut", "myspace"},
		{"mastodon", "Salut", ""},
		{"mastodon", "Voir https://exemple.fr/" + strings.Repeat("a", 600), ""}, // a URL counts 23
		{"mastodon", strings.Repeat("é", 501), "over the mastodon limit of 500"},
		{"bluesky", strings.Repeat("👨‍👩‍👧", 150), ""}, // a family emoji is one grapheme (18 bytes)
		{"bluesky", strings.Repeat("é", 301), "over the bluesky limit of 300"},
		{"instagram", strings.Repeat("é", 2200), ""},
		{"instagram", strings.Repeat("#tag ", 31), "31 hashtags, over the instagram limit of 30"},
		{"x@platform_fr", strings.Repeat("é", 281), "over the x limit of 280"},
	}
	for _, tt := range tests {
		err := Validate(tt.network, tt.s)
		if tt.want == "" {
			if err != nil {
				t.Errorf("Validate(%s, %q) = %v, want nil", tt.network, tt.s, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Validate(%s, %q) = %v, want an error containing %q", tt.network, tt.s, err, tt.want)
		}
	}
}

package campaigns

import "testing"

func TestNormalizeURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://example.com/p/bike":              "example.com/p/bike",
		"http://WWW.Example.com:8080/p/bike/?x=1": "example.com/p/bike",
		"https://example.com/p/bike#story":        "example.com/p/bike",
		"example.com/p/bike/":                     "example.com/p/bike",
		"https://example.com/":                    "example.com",
		"https://example.com/p/Bike":              "example.com/p/Bike", // paths are case-sensitive
		"https://example.com/p/caf%C3%A9":         "example.com/p/caf%C3%A9",
		"  https://example.com/p/x  ":             "example.com/p/x",
		"/relative/path":                          "/relative/path",
		"":                                        "",
	} {
		if got := normalizeURL(in); got != want {
			t.Errorf("normalizeURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMetaRoundTrip(t *testing.T) {
	c := snap(pledged(12345), backers(67))
	c.UpdatedAt = ruleNow.Add(90*1e9 + 1234)
	m := newMeta(c, normalizeURL(c.URL))
	got, err := parseMeta(m.String())
	if err != nil {
		t.Fatal(err)
	}
	if got != m {
		t.Errorf("parseMeta(String()) = %+v, want %+v", got, m)
	}
	if m.hour != ruleNow.UnixMilli() || m.version != c.UpdatedAt.UnixMicro() {
		t.Errorf("hour %d version %d", m.hour, m.version)
	}
	for _, bad := range []string{"", "1|live|2|3|4|5|6", "x|live|2|3|4|5|6|ab", "1|live|2|3|4|5|6|ab|extra"} {
		if _, err := parseMeta(bad); err == nil {
			t.Errorf("parseMeta(%q): no error", bad)
		}
	}
}

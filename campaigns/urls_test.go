package campaigns

import (
	"net/url"
	"testing"
)

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

// plainHTTPURL is a shortcut of validateURL: where it says yes, the full
// parse must agree.
func TestPlainHTTPURLAgreesWithParse(t *testing.T) {
	for _, raw := range []string{
		"https://example.com/p/bike", "http://example.com", "https://a.b-c.example/x_y~z/", "https://./",
		"https:///p", "https://", "http://", "https:/x", "HTTPS://example.com", "https://ex ample.com",
		"https://example.com:8080/p", "https://u@example.com", "https://example.com/p?q=1", "https://example.com/#f",
		"https://example.com/caf%C3%A9", "https://exa_mple.com/", "ftp://example.com", "https://[::1]/", "https://example.com/p/é",
		"https://example.com//double", "https://example.com/a\x7f",
		"https://platform.example@phish.example", "https://platform.example:pw@phish.example/p", "https://@phish.example",
	} {
		plain := plainHTTPURL(raw)
		u, err := url.Parse(raw)
		// User info is the one thing url.Parse takes that validateURL
		// refuses: a link that shows one host and opens another.
		full := err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil
		if plain && !full {
			t.Errorf("plainHTTPURL(%q) = true, url.Parse disagrees (%v, %+v)", raw, err, u)
		}
		if full != (validateURL(raw) == nil) {
			t.Errorf("validateURL(%q) = %v, url.Parse says valid %v", raw, validateURL(raw), full)
		}
	}
	for _, raw := range []string{"https://example.com/p/bike", "http://a.b/c-d/e_f~g"} {
		if !plainHTTPURL(raw) {
			t.Errorf("plainHTTPURL(%q) = false, want the fast path", raw)
		}
	}
}

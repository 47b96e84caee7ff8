package xfake

import (
	"encoding/json"
	"net/url"
	"os"
	"testing"

	"github.com/fanfarehq/fanfare/internal/sharedtestdata"
)

// sharedTestdata returns the path of a file under ../shared/testdata, relative
// to the repository root (the directory holding go.mod).
func sharedTestdata(t *testing.T, elem ...string) string {
	t.Helper()
	return sharedtestdata.Dir(t, elem...)
}

type vector struct {
	Name               string            `json:"name"`
	Method             string            `json:"method"`
	URL                string            `json:"url"`
	Params             map[string]string `json:"params"`
	BaseString         string            `json:"base_string"`
	ConsumerSecret     string            `json:"consumer_secret"`
	TokenSecret        string            `json:"token_secret"`
	ExpectedBaseString string            `json:"expected_base_string"`
	ExpectedKey        string            `json:"expected_key"`
	ExpectedSignature  string            `json:"expected_signature"`
}

// TestSignatureVectors checks the fake's own OAuth 1.0a implementation against
// the published vectors in ../shared/testdata/oauth1/vectors.json.
func TestSignatureVectors(t *testing.T) {
	path := sharedTestdata(t, "oauth1", "vectors.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Vectors []vector `json:"vectors"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(doc.Vectors) == 0 {
		t.Fatalf("%s holds no vectors", path)
	}
	for _, v := range doc.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			base := v.BaseString
			if v.Method != "" {
				params := url.Values{}
				for k, val := range v.Params {
					params.Set(k, val)
				}
				got, err := SignatureBaseString(v.Method, v.URL, params)
				if err != nil {
					t.Fatal(err)
				}
				if got != v.ExpectedBaseString {
					t.Fatalf("base string\n got %s\nwant %s", got, v.ExpectedBaseString)
				}
				base = got
			}
			if base == "" {
				t.Fatal("vector has neither a request nor a base string")
			}
			if v.ExpectedKey != "" {
				if got := SigningKey(v.ConsumerSecret, v.TokenSecret); got != v.ExpectedKey {
					t.Errorf("signing key = %q, want %q", got, v.ExpectedKey)
				}
			}
			if got := Sign(base, v.ConsumerSecret, v.TokenSecret); got != v.ExpectedSignature {
				t.Errorf("signature = %q, want %q", got, v.ExpectedSignature)
			}
		})
	}
}

func TestPercentEncode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abcABC123-._~", "abcABC123-._~"},
		{"Ladies + Gentlemen", "Ladies%20%2B%20Gentlemen"},
		{"a=b&c", "a%3Db%26c"},
		{"☃", "%E2%98%83"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := PercentEncode(tt.in); got != tt.want {
			t.Errorf("PercentEncode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestBaseStringURI(t *testing.T) {
	tests := []struct{ in, want string }{
		{"HTTP://Example.COM:80/r%20v/X?id=123", "http://example.com/r%20v/X"},
		{"https://www.example.net:8080/?q=1", "https://www.example.net:8080/"},
		{"https://api.x.com:443/2/tweets", "https://api.x.com/2/tweets"},
		{"http://127.0.0.1:5555", "http://127.0.0.1:5555/"},
	}
	for _, tt := range tests {
		got, err := BaseStringURI(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("BaseStringURI(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParseAuthorization(t *testing.T) {
	got, err := parseAuthorization(`OAuth oauth_consumer_key="xvz1evFS4wEEPTGEFPHBog", oauth_nonce="kYjz%2BVBB", oauth_signature="tnnArxj06cWHq44gCs1OSKk%2FjLY%3D"`)
	if err != nil {
		t.Fatal(err)
	}
	if got.Get("oauth_signature") != "tnnArxj06cWHq44gCs1OSKk/jLY=" || got.Get("oauth_nonce") != "kYjz+VBB" {
		t.Errorf("parsed %v", got)
	}
	for _, bad := range []string{"", "Bearer abc", `OAuth oauth_nonce=abc`, `OAuth oauth_nonce="%zz"`} {
		if _, err := parseAuthorization(bad); err == nil {
			t.Errorf("parseAuthorization(%q) accepted", bad)
		}
	}
}

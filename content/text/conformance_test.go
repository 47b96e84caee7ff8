package text

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/fanfarehq/fanfare/internal/sharedtestdata"
)

// twitterTextDir is ../shared/testdata/twitter-text beside the repository: the
// conformance suite of github.com/twitter/twitter-text, which is not ours to copy.
func twitterTextDir(t testing.TB) string {
	t.Helper()
	return sharedtestdata.Dir(t, "twitter-text")
}

// conformance is the shape of twitter-text's conformance YAML files.
type conformance struct {
	Tests map[string][]conformanceCase `yaml:"tests"`
}

type conformanceCase struct {
	Description string    `yaml:"description"`
	Text        string    `yaml:"text"`
	Expected    yaml.Node `yaml:"expected"`
}

func loadConformance(t *testing.T, name string) conformance {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(twitterTextDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	var c conformance
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return c
}

func loadConfig(t *testing.T, name string) Config {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(twitterTextDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseConfig(data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return c
}

// TestConfigsMatchTwitterText keeps the built-in V2 and V3 equal to the
// published files, which the conformance tests below run with.
func TestConfigsMatchTwitterText(t *testing.T) {
	for name, want := range map[string]Config{"v2.json": V2, "v3.json": V3} {
		if got := loadConfig(t, name); !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %+v, built-in is %+v", name, got, want)
		}
	}
}

func TestWeightedLengthConformance(t *testing.T) {
	validate := loadConformance(t, "validate.yml")
	suites := []struct {
		name   string
		config string
	}{
		{"WeightedTweetsCounterTest", "v2.json"},
		{"WeightedTweetsWithDiscountedEmojiCounterTest", "v3.json"},
		{"UnicodeDirectionalMarkerCounterTest", "v3.json"},
	}
	for _, suite := range suites {
		cfg := loadConfig(t, suite.config)
		cases := validate.Tests[suite.name]
		if len(cases) == 0 {
			t.Fatalf("validate.yml has no %s cases", suite.name)
		}
		t.Run(suite.name, func(t *testing.T) {
			for _, tc := range cases {
				var want struct {
					WeightedLength    *int  `yaml:"weightedLength"`
					Valid             *bool `yaml:"valid"`
					Permillage        *int  `yaml:"permillage"`
					DisplayRangeStart *int  `yaml:"displayRangeStart"`
					DisplayRangeEnd   *int  `yaml:"displayRangeEnd"`
					ValidRangeStart   *int  `yaml:"validRangeStart"`
					ValidRangeEnd     *int  `yaml:"validRangeEnd"`
				}
				if err := tc.Expected.Decode(&want); err != nil {
					t.Fatalf("%s: expected: %v", tc.Description, err)
				}
				if want.WeightedLength == nil || want.Valid == nil {
					t.Fatalf("%s: expected has no weightedLength or valid", tc.Description)
				}
				got := cfg.Parse(tc.Text)
				check := func(field string, want *int, got int) {
					if want != nil && *want != got {
						t.Errorf("%s: %s = %d, want %d", tc.Description, field, got, *want)
					}
				}
				check("weightedLength", want.WeightedLength, got.WeightedLength)
				if got.Valid != *want.Valid {
					t.Errorf("%s: valid = %v, want %v", tc.Description, got.Valid, *want.Valid)
				}
				check("permillage", want.Permillage, got.Permillage)
				check("displayRangeStart", want.DisplayRangeStart, got.DisplayRange.Start)
				check("displayRangeEnd", want.DisplayRangeEnd, got.DisplayRange.End)
				check("validRangeStart", want.ValidRangeStart, got.ValidRange.Start)
				check("validRangeEnd", want.ValidRangeEnd, got.ValidRange.End)
				if cfg.Version == 3 && WeightedLength(tc.Text) != got.WeightedLength {
					t.Errorf("%s: WeightedLength disagrees with V3 config from v3.json", tc.Description)
				}
			}
		})
	}
}

// TestExtractURLsConformance runs the URL cases of extract.yml. Its indices are
// UTF-16 code units; ExtractURLs gives bytes, so they are converted.
func TestExtractURLsConformance(t *testing.T) {
	extract := loadConformance(t, "extract.yml")

	plain := []string{"urls", "tco_urls_with_params"}
	withIndices := []string{"urls_with_indices", "urls_with_directional_markers"}
	for _, name := range plain {
		cases := extract.Tests[name]
		if len(cases) == 0 {
			t.Fatalf("extract.yml has no %s cases", name)
		}
		t.Run(name, func(t *testing.T) {
			for _, tc := range cases {
				var want []string
				if err := tc.Expected.Decode(&want); err != nil {
					t.Fatalf("%s: expected: %v", tc.Description, err)
				}
				var got []string
				for _, sp := range ExtractURLs(tc.Text) {
					got = append(got, sp.URL)
					if tc.Text[sp.Start:sp.End] != sp.URL {
						t.Errorf("%s: span [%d,%d) is %q, URL is %q", tc.Description, sp.Start, sp.End, tc.Text[sp.Start:sp.End], sp.URL)
					}
				}
				if len(got) != len(want) || len(want) > 0 && !reflect.DeepEqual(got, want) {
					t.Errorf("%s:\ntext %q\ngot  %q\nwant %q", tc.Description, tc.Text, got, want)
				}
			}
		})
	}
	for _, name := range withIndices {
		cases := extract.Tests[name]
		if len(cases) == 0 {
			t.Fatalf("extract.yml has no %s cases", name)
		}
		t.Run(name, func(t *testing.T) {
			for _, tc := range cases {
				var want []struct {
					URL     string `yaml:"url"`
					Indices [2]int `yaml:"indices"`
				}
				if err := tc.Expected.Decode(&want); err != nil {
					t.Fatalf("%s: expected: %v", tc.Description, err)
				}
				got := ExtractURLs(tc.Text)
				if len(got) != len(want) {
					t.Errorf("%s: got %d URLs %+v, want %d %+v", tc.Description, len(got), got, len(want), want)
					continue
				}
				for i, w := range want {
					start, end := utf16Len(tc.Text[:got[i].Start]), utf16Len(tc.Text[:got[i].End])
					if got[i].URL != w.URL || start != w.Indices[0] || end != w.Indices[1] {
						t.Errorf("%s: URL %d = %q [%d,%d], want %q %v", tc.Description, i, got[i].URL, start, end, w.URL, w.Indices)
					}
				}
			}
		})
	}
}

// TestExtractURLsValidURLsWithoutProtocol: each urls_without_protocol case of
// validate.yml is a URL without a scheme that twitter-text calls valid, so
// ExtractURLs must find it, whole.
func TestExtractURLsValidURLsWithoutProtocol(t *testing.T) {
	validate := loadConformance(t, "validate.yml")
	cases := validate.Tests["urls_without_protocol"]
	if len(cases) == 0 {
		t.Fatal("validate.yml has no urls_without_protocol cases")
	}
	for _, tc := range cases {
		var valid bool
		if err := tc.Expected.Decode(&valid); err != nil {
			t.Fatalf("%s: expected: %v", tc.Description, err)
		}
		got := ExtractURLs(tc.Text)
		found := len(got) == 1 && got[0].Start == 0 && got[0].End == len(tc.Text)
		if found != valid {
			t.Errorf("%s: ExtractURLs(%q) = %+v, valid = %v", tc.Description, tc.Text, got, valid)
		}
	}
}

// Package twittertextjs runs the official twitter-text library, the copy the
// dashboard vendors (web/static/vendor/twitter-text.min.js, npm twitter-text
// 3.1.0 bundled by scripts/vendor-js), under node, so that tests can hold the
// Go implementation in content/text, and the posts the composer writes, to
// what X's own code says about a text.
//
// It is a test helper: Parse takes a testing.TB and skips the test, with a
// message, when node is not installed, except under CI (CI=true), where a
// missing node is a failure. scripts/test installs nodejs when it is missing.
package twittertextjs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"unicode/utf16"
)

// Entity is a URL, mention, hashtag or cashtag twitter-text extracts. Start
// and End are byte offsets into the Go string (twitter-text reports UTF-16
// code units; they are converted).
type Entity struct {
	Text  string `json:"text"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

// Result is what twitter-text says about one text.
type Result struct {
	WeightedLength int  `json:"weightedLength"`
	Valid          bool `json:"valid"`
	// URLs as parseTweet counts them (extractUrlsWithIndices), and every
	// mention, hashtag and cashtag each extractor finds on its own (before
	// extractEntitiesWithIndices drops those that overlap a URL): what could
	// notify or link. Mentions hold the screen name with its list slug, if
	// any ("jack", "jack/list").
	URLs     []Entity `json:"urls"`
	Mentions []Entity `json:"mentions"`
	Hashtags []Entity `json:"hashtags"`
	Cashtags []Entity `json:"cashtags"`
}

// script reads a JSON array of texts on stdin and writes one JSON result per
// text, in order, as a JSON array.
const script = `
require(process.argv[1]);
const txt = globalThis.twttr.txt;
const texts = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = texts.map((s) => {
  const p = txt.parseTweet(s);
  const r = {weightedLength: p.weightedLength, valid: p.valid, urls: [], mentions: [], hashtags: [], cashtags: []};
  const add = (list, text, e) => list.push({text, start: e.indices[0], end: e.indices[1]});
  for (const e of txt.extractUrlsWithIndices(s)) add(r.urls, e.url, e);
  for (const e of txt.extractMentionsOrListsWithIndices(s)) add(r.mentions, e.screenName + (e.listSlug || ""), e);
  for (const e of txt.extractHashtagsWithIndices(s)) add(r.hashtags, e.hashtag, e);
  for (const e of txt.extractCashtagsWithIndices(s)) add(r.cashtags, e.cashtag, e);
  return r;
});
process.stdout.write(JSON.stringify(out));
`

// Parse runs parseTweet and the extractors on every text in one
// node process. Texts must be valid UTF-8 (JSON cannot carry anything else).
func Parse(tb testing.TB, texts []string) []Result {
	tb.Helper()
	node := Node(tb)
	lib := filepath.Join(repoRoot(tb), "web", "static", "vendor", "twitter-text.min.js")
	if _, err := os.Stat(lib); err != nil {
		tb.Fatalf("twittertextjs: the vendored library is missing: %v", err)
	}
	in, err := json.Marshal(texts)
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(node, "-e", script, lib)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("twittertextjs: node: %v\n%s", err, stderr.String())
	}
	var res []Result
	if err := json.Unmarshal(out, &res); err != nil {
		tb.Fatalf("twittertextjs: unable to read node's answer: %v", err)
	}
	if len(res) != len(texts) {
		tb.Fatalf("twittertextjs: %d results for %d texts", len(res), len(texts))
	}
	for i := range res {
		idx := utf16ToByte(texts[i])
		for _, list := range [][]Entity{res[i].URLs, res[i].Mentions, res[i].Hashtags, res[i].Cashtags} {
			for k := range list {
				list[k].Start, list[k].End = idx(list[k].Start), idx(list[k].End)
			}
		}
	}
	return res
}

// Node returns the path of node, or skips the test (fails it under CI=true).
func Node(tb testing.TB) string {
	tb.Helper()
	for _, name := range []string{"node", "nodejs"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		tb.Fatal("twittertextjs: node is not installed, and CI=true requires this test (scripts/test installs nodejs)")
	}
	tb.Skip("twittertextjs: node is not installed: this test compares with the official twitter-text library under node (apt-get install nodejs, or run scripts/test)")
	return ""
}

// utf16ToByte maps UTF-16 offsets of s to byte offsets; an offset inside a
// surrogate pair maps to the start of its character.
func utf16ToByte(s string) func(int) int {
	var units []int // units[u] = byte offset of UTF-16 unit u
	for i, r := range s {
		for range utf16.RuneLen(r) {
			units = append(units, i)
		}
	}
	units = append(units, len(s))
	return func(u int) int {
		if u < 0 || u >= len(units) {
			return len(s)
		}
		return units[u]
	}
}

func repoRoot(tb testing.TB) string {
	tb.Helper()
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		if filepath.Dir(dir) == dir {
			tb.Fatalf("twittertextjs: no go.mod above %s", wd)
		}
	}
}

// String is a compact description of a result, for test failures.
func (r Result) String() string {
	return fmt.Sprintf("weighted %d valid %v urls %v", r.WeightedLength, r.Valid, r.URLs)
}

package bots

import (
	"fmt"
	"testing"
	"time"
)

func TestSameText(t *testing.T) {
	tests := []struct {
		name      string
		want, got string
		match     bool
	}{
		{"identical", "Funded!", "Funded!", true},
		{"HTML entities", "Tom & Jerry <3 >90%", "Tom &amp; Jerry &lt;3 &gt;90%", true},
		{"t.co link", "50 % funded: https://fanfare.example/c/42?utm_source=x&utm_medium=social",
			"50 % funded: https://t.co/AbCdEf1234", true},
		{"bare domain linked by X", "See fanfare.example/c/42 now", "See https://t.co/zzz now", true},
		{"link with trailing punctuation", "Read https://a.example/x.", "Read https://t.co/abc.", true},
		{"media link appended", "Look at this", "Look at this https://t.co/pic", true},
		{"caption link appended", "Funded!", "Funded!\n\nhttps://fanfare.example/c/1", true},
		{"white space", "line one\r\n\r\nline  two ", "line one\n\nline two", true},
		{"NFC", "Cafe\u0301 ouvert", "Caf\u00e9 ouvert", true},
		{"different words", "Campaign A is funded https://a.example", "Campaign B is funded https://t.co/x", false},
		{"missing link", "Funded https://a.example", "Funded", false},
		{"prefix only", "Funded", "Funded twice", false},
		{"extra word after", "Funded!", "Funded! Wow", false},
		{"extra punctuation", "Funded", "Funded!", false},
		{"text glued to link placeholder", "Funded", "Fundedhttps://t.co/x", false},
		{"empty want", "", "", false},
	}
	for _, tt := range tests {
		if got := SameText(tt.want, tt.got); got != tt.match {
			t.Errorf("%s: SameText(%q, %q) = %v, want %v", tt.name, tt.want, tt.got, got, tt.match)
		}
	}
}

func TestPostMatcher(t *testing.T) {
	since := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	m := NewPostMatcher("Tom & Jerry is funded! https://fanfare.example/c/1", since)
	tests := []struct {
		name    string
		text    string
		created time.Time
		match   bool
	}{
		{"after since", "Tom &amp; Jerry is funded! https://t.co/x", since.Add(time.Minute), true},
		{"within the clock skew", "Tom &amp; Jerry is funded! https://t.co/x", since.Add(-ReconcileClockSkew), true},
		{"before the clock skew", "Tom &amp; Jerry is funded! https://t.co/x", since.Add(-ReconcileClockSkew - time.Second), false},
		{"time unknown", "Tom &amp; Jerry is funded! https://t.co/x", time.Time{}, true},
		{"other text", "Tom &amp; Jerry is 50 % funded! https://t.co/x", since.Add(time.Minute), false},
	}
	for _, tt := range tests {
		if got := m.Match(tt.text, tt.created); got != tt.match {
			t.Errorf("%s: Match(%q, %v) = %v, want %v", tt.name, tt.text, tt.created, got, tt.match)
		}
	}
}

// BenchmarkPostMatcher measures one reconcile pass: a text against the 100
// posts FindRecent reads.
func BenchmarkPostMatcher(b *testing.B) {
	var got []string
	for i := range 100 {
		got = append(got, fmt.Sprintf("Campaign n°%d &amp; friends is %d %% funded! https://t.co/abcdef%04d", i, i, i))
	}
	m := NewPostMatcher("Campaign n°99 & friends is 99 % funded! https://fanfare.example/c/99?utm_source=x", time.Time{})
	for b.Loop() {
		found := 0
		for _, g := range got {
			if m.Match(g, time.Time{}) {
				found++
			}
		}
		if found != 1 {
			b.Fatalf("found %d", found)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "passes/s")
}

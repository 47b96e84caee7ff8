package x

import (
	"context"
	"fmt"
	"testing"

	"github.com/fanfarehq/fanfare/bots/x/xfake"
)

// BenchmarkSameText measures one reconcile pass: a text against the 100
// posts FindRecent reads.
func BenchmarkSameText(b *testing.B) {
	var got []string
	for i := range 100 {
		got = append(got, fmt.Sprintf("Campaign n°%d &amp; friends is %d %% funded! https://t.co/abcdef%04d", i, i, i))
	}
	want := "Campaign n°99 & friends is 99 % funded! https://fanfare.example/c/99?utm_source=x"
	w := normalizeText(want)
	for b.Loop() {
		found := 0
		for _, g := range got {
			if matchesNormalized(w, g) {
				found++
			}
		}
		if found != 1 {
			b.Fatalf("found %d", found)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "passes/s")
}

// BenchmarkCreatePost measures a signed post against the fake, which
// verifies the signature: the client's overhead, not X's latency.
func BenchmarkCreatePost(b *testing.B) {
	srv := xfake.NewServer(b, testCreds)
	c, err := NewClient(Options{BaseURL: srv.URL, ConsumerKey: testCreds.ConsumerKey, ConsumerSecret: testCreds.ConsumerSecret,
		AccessToken: testCreds.AccessToken, AccessTokenSecret: testCreds.AccessTokenSecret})
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		if _, err := c.CreatePost(context.Background(), fmt.Sprintf("post %d", i)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
}

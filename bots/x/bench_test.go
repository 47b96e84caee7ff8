package x

import (
	"context"
	"fmt"
	"testing"

	"github.com/fanfarehq/fanfare/bots/x/xfake"
)

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

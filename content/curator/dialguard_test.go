package curator

import (
	"context"
	"errors"
	"net/http"
	"testing"
)

// TestFetchRefusesInternalAddresses goes through the real client: a feed URL
// naming the metadata service, and a feed on 127.0.0.1 (allowed) that
// redirects there, both fail with ErrForbiddenAddress before any connection.
func TestFetchRefusesInternalAddresses(t *testing.T) {
	c := NewCurator(nil, "", Options{Logger: testLogger(t)}, nil, nil)
	redirect := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/iam/security-credentials/", http.StatusFound)
	})
	for _, u := range []string{
		"http://169.254.169.254/latest/meta-data/",
		"http://[fe80::1]/feed.xml",
		"http://0.0.0.0:1/feed.xml",
		redirect + "/feed.xml",
	} {
		_, err := c.FetchOnce(context.Background(), u)
		if !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("%s: err = %v, want ErrForbiddenAddress", u, err)
		}
	}
	// Loopback stays allowed.
	ok := serveDoc(t, rss("News", rssItem("1", "Hello", "https://news.example/1", "", t0)))
	if _, err := c.FetchOnce(context.Background(), ok); err != nil {
		t.Errorf("loopback feed: %v", err)
	}
}

package curator

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"testing"
)

func TestCheckDialAddress(t *testing.T) {
	refused := []string{
		"169.254.169.254", "169.254.0.1", "fe80::1", "fe80::a9fe:a9fe",
		"::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", // mapped and NAT64 forms
		"0.0.0.0", "0.1.2.3", "::",
		"224.0.0.1", "239.255.255.250", "255.255.255.255", "ff02::1", "ff05::2",
		"fd00:ec2::254", "100.100.100.200",
	}
	allowed := []string{
		"127.0.0.1", "::1", "10.1.2.3", "172.16.0.9", "192.168.1.10", "fd12:3456::1",
		"100.64.0.1", "93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c",
	}
	for _, s := range refused {
		err := checkDialAddress(netip.MustParseAddr(s))
		if !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("%s: err = %v, want ErrForbiddenAddress", s, err)
		}
	}
	for _, s := range allowed {
		if err := checkDialAddress(netip.MustParseAddr(s)); err != nil {
			t.Errorf("%s: %v, want allowed", s, err)
		}
	}
	if err := dialControl("tcp4", "169.254.169.254:80", nil); !errors.Is(err, ErrForbiddenAddress) ||
		!strings.Contains(err.Error(), "link-local") {
		t.Errorf("dialControl: %v", err)
	}
	if err := dialControl("tcp6", "[fe80::1%eth0]:80", nil); !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("dialControl with a zone: %v", err)
	}
}

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

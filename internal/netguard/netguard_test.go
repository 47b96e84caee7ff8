package netguard

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

func TestCheckAddress(t *testing.T) {
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
		if err := CheckAddress(netip.MustParseAddr(s)); !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("%s: err = %v, want ErrForbiddenAddress", s, err)
		}
	}
	for _, s := range allowed {
		if err := CheckAddress(netip.MustParseAddr(s)); err != nil {
			t.Errorf("%s: %v, want allowed", s, err)
		}
	}
	if err := Control("tcp4", "169.254.169.254:80", nil); !errors.Is(err, ErrForbiddenAddress) ||
		!strings.Contains(err.Error(), "link-local") {
		t.Errorf("Control: %v", err)
	}
	if err := Control("tcp6", "[fe80::1%eth0]:80", nil); !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("Control with a zone: %v", err)
	}
	if err := Control("tcp", "not an address", nil); !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("Control with garbage: %v", err)
	}
}

// TestTransportRefusesRedirectToMetadata goes through a real client: a server
// on 127.0.0.1 (allowed) redirects to the metadata address, which is refused
// before any connection.
func TestTransportRefusesRedirectToMetadata(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ok" {
			w.Write([]byte("ok"))
			return
		}
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
	}))
	defer srv.Close()
	c := &http.Client{Transport: Transport()}
	for _, u := range []string{srv.URL + "/redirect", "http://[fe80::1]/x", "http://0.0.0.0:1/x"} {
		req, _ := http.NewRequestWithContext(context.Background(), "GET", u, nil)
		resp, err := c.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		if !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("%s: err = %v, want ErrForbiddenAddress", u, err)
		}
	}
	resp, err := c.Get(srv.URL + "/ok")
	if err != nil {
		t.Fatalf("loopback: %v", err)
	}
	resp.Body.Close()
}

package curator

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrForbiddenAddress is returned (wrapped in the fetch error) when a feed URL,
// or a redirect it leads to, resolves to an address the curator never
// connects to. See checkDialAddress.
var ErrForbiddenAddress = errors.New("curator: refusing to connect to this address")

// Addresses no feed lives at. Feed URLs come from the config file but also
// from the dashboard and the API, and fetch errors are shown there, so a feed
// must not be a way to read a host-internal service: above all the cloud
// metadata endpoints, which hand out credentials.
var (
	// "This network" (0.0.0.0/8): Linux connects 0.x.x.x to the host itself.
	thisNetwork = netip.MustParsePrefix("0.0.0.0/8")
	// NAT64 (RFC 6052) embeds an IPv4 address: checked again unwrapped.
	nat64 = netip.MustParsePrefix("64:ff9b::/96")
	// Metadata services outside the link-local ranges: AWS over IPv6 and
	// Alibaba Cloud (in the shared 100.64.0.0/10 range).
	metadataHosts = []netip.Addr{
		netip.MustParseAddr("fd00:ec2::254"),
		netip.MustParseAddr("100.100.100.200"),
	}
)

// checkDialAddress refuses link-local (169.254.0.0/16, fe80::/10: where cloud
// metadata services answer), unspecified, "this network", broadcast and
// multicast destinations, and the few known metadata addresses outside those
// ranges.
//
// Loopback and private ranges stay allowed on purpose: an on-premise install
// reads feeds from intranet hosts, and the tests serve feeds on 127.0.0.1. A
// deployment that must not reach its private network from feed URLs should
// say so with an egress firewall (or an outbound proxy), which sees every
// connection, not just ours.
func checkDialAddress(ip netip.Addr) error {
	ip = ip.Unmap().WithZone("")
	if nat64.Contains(ip) {
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte(b[12:]))
	}
	var why string
	switch {
	case ip.IsLinkLocalUnicast():
		why = "link-local (cloud metadata and other host-internal services live there)"
	case ip.IsUnspecified() || thisNetwork.Contains(ip):
		why = "unspecified"
	case ip.IsMulticast() || ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		why = "multicast or broadcast"
	default:
		for _, m := range metadataHosts {
			if ip == m {
				why = "a cloud metadata service"
			}
		}
	}
	if why == "" {
		return nil
	}
	return fmt.Errorf("%w: %s is %s", ErrForbiddenAddress, ip, why)
}

// dialControl runs after DNS resolution, on the address actually dialed, so a
// name that resolves (or re-resolves: DNS rebinding) to a refused address is
// caught, and so are redirects.
func dialControl(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: unparsable dial address %q", ErrForbiddenAddress, address)
	}
	return checkDialAddress(ap.Addr())
}

// guardedTransport is http.DefaultTransport's settings with a dialer that
// applies dialControl. With a proxy from the environment (HTTPS_PROXY...) the
// dialer connects to the proxy, which then decides where the feed is fetched
// from.
func guardedTransport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: dialControl}
	tr.DialContext = d.DialContext
	return tr
}

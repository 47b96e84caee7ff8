// Package netguard keeps Fanfare's outgoing fetches of URLs that strangers can
// influence (feed URLs, campaign image URLs) away from host-internal services:
// link-local addresses (169.254.0.0/16, fe80::/10, where cloud metadata
// services hand out credentials), unspecified, "this network", broadcast and
// multicast destinations, and the known metadata addresses outside those
// ranges.
//
// The check runs in the dialer (Control), on the address actually dialed after
// DNS resolution, so redirects and DNS rebinding do not get around it.
//
// Loopback and private ranges are allowed by CheckAddress: an on-premise
// install reads images from intranet hosts, and the tests serve on 127.0.0.1.
// CheckPublic (TransportPublic) refuses them too: feed URLs, which any
// manager or admin token can add, use it unless feeds.allow_private says
// otherwise. A deployment that must not reach its private network at all
// should still say so with an egress firewall (or an outbound proxy), which
// sees every connection, not just ours.
package netguard

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrForbiddenAddress is returned (wrapped in the dial error) when a URL, or a
// redirect it leads to, resolves to an address that is never connected to.
// See CheckAddress.
var ErrForbiddenAddress = errors.New("netguard: refusing to connect to this address")

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

// CheckAddress refuses link-local, unspecified, "this network", broadcast and
// multicast destinations, and the few known metadata addresses outside those
// ranges; every other address is allowed.
func CheckAddress(ip netip.Addr) error {
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

// shared is the carrier-grade NAT range (RFC 6598), private in practice.
var shared = netip.MustParsePrefix("100.64.0.0/10")

// CheckPublic is CheckAddress that also refuses loopback, private (RFC 1918,
// fc00::/7) and shared (100.64.0.0/10) addresses: only the public Internet.
func CheckPublic(ip netip.Addr) error {
	if err := CheckAddress(ip); err != nil {
		return err
	}
	ip = ip.Unmap().WithZone("")
	if nat64.Contains(ip) {
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte(b[12:]))
	}
	if ip.IsLoopback() || ip.IsPrivate() || shared.Contains(ip) {
		return fmt.Errorf("%w: %s is loopback or private", ErrForbiddenAddress, ip)
	}
	return nil
}

// ControlPublic is Control with CheckPublic.
func ControlPublic(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: unparsable dial address %q", ErrForbiddenAddress, address)
	}
	return CheckPublic(ap.Addr())
}

// TransportPublic is Transport with ControlPublic.
func TransportPublic() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: ControlPublic}
	tr.DialContext = d.DialContext
	return tr
}

// Control is a net.Dialer Control function that applies CheckAddress to the
// address being dialed.
func Control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: unparsable dial address %q", ErrForbiddenAddress, address)
	}
	return CheckAddress(ap.Addr())
}

// Transport is http.DefaultTransport's settings with a dialer that applies
// Control. With a proxy from the environment (HTTPS_PROXY...) the dialer
// connects to the proxy, which then decides where the URL is fetched from.
func Transport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: Control}
	tr.DialContext = d.DialContext
	return tr
}

// Package clientip says who made an HTTP request: the connection's peer, or,
// behind reverse proxies listed as trusted, the right-most address of
// X-Forwarded-For that is not one of them. The dashboard's login limits and
// the webhook's refusal limits count by it.
package clientip

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Resolver knows which proxies to believe. The zero Resolver believes none:
// X-Forwarded-For is then ignored, so that a client cannot pick its own
// address (a loopback peer is not trusted by itself: a same-host proxy that
// does not append the header would otherwise let every client choose).
type Resolver struct {
	Trusted []netip.Prefix
}

// Addr is the client's address. With a trusted peer, X-Forwarded-For is read
// from the right, skipping trusted proxies' entries; the first other address
// is the client, and the entries to its left (whatever the client sent) are
// never believed. An entry that is not an address stops the walk: the client
// is then the last trusted hop seen. Invalid when the peer itself is not an
// address (some test transports).
func (res Resolver) Addr(r *http.Request) netip.Addr {
	peer := peerAddr(r)
	if !peer.IsValid() || !res.trusted(peer) {
		return peer
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	ip := peer
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		if host, _, err := net.SplitHostPort(h); err == nil {
			h = host
		}
		hop, err := netip.ParseAddr(strings.Trim(h, "[]"))
		if err != nil {
			return ip
		}
		ip = hop.Unmap().WithZone("")
		if !res.trusted(ip) {
			return ip
		}
	}
	return ip
}

func (res Resolver) trusted(ip netip.Addr) bool {
	for _, p := range res.Trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// String is Addr as text, for logs; the raw peer when it is not an address.
func (res Resolver) String(r *http.Request) string {
	if ip := res.Addr(r); ip.IsValid() {
		return ip.String()
	}
	return r.RemoteAddr
}

// LimitKey is the unit rate limits count the client in: the address for
// IPv4, its /64 for IPv6 (the block one subscriber usually gets, so rotating
// through it buys nothing).
func (res Resolver) LimitKey(r *http.Request) string {
	ip := res.Addr(r)
	if !ip.IsValid() {
		return r.RemoteAddr
	}
	if ip.Is6() {
		if p, err := ip.Prefix(64); err == nil {
			return p.String()
		}
	}
	return ip.String()
}

func peerAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return ip.Unmap().WithZone("")
}

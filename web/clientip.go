package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientIP is the address of whoever made the request, as far as we can
// tell: the connection's peer, unless that peer is one of
// Options.TrustedProxies, in which case X-Forwarded-For is read from the
// right, skipping the trusted proxies' own entries, and the first address
// that is not a trusted proxy is the client. Entries to its left are whatever
// the client chose to send and are never believed.
//
// With no trusted proxies (the default), the header is ignored: behind a
// same-host proxy every client then shares the proxy's address, which is why
// the README says to list the proxy. A loopback peer is not trusted by itself:
// a proxy that does not append the header would let every client pick its
// own address.
//
// An entry that is not an address stops the walk: the client is then the last
// trusted hop seen (its proxy could not tell us more).
func (s *Server) clientIP(r *http.Request) netip.Addr {
	peer := peerAddr(r)
	if !peer.IsValid() || !s.trusted(peer) {
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
		if !s.trusted(ip) {
			return ip
		}
	}
	return ip
}

func (s *Server) trusted(ip netip.Addr) bool {
	for _, p := range s.opt.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// peerAddr is the connection's remote address (invalid when unparsable, as
// with some test transports).
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

// clientAddr is clientIP as text, for logs and limits; the raw peer when it
// is not an address at all.
func (s *Server) clientAddr(r *http.Request) string {
	if ip := s.clientIP(r); ip.IsValid() {
		return ip.String()
	}
	return r.RemoteAddr
}

// limitAddr is the client address the login and webhook limits count
// against. IPv6 clients are counted per /64, the block one subscriber usually
// gets, so rotating through it buys nothing.
func (s *Server) limitAddr(r *http.Request) string {
	ip := s.clientIP(r)
	if !ip.IsValid() {
		return r.RemoteAddr
	}
	return LimitKey(ip)
}

// LimitKey is the unit an address is counted in by rate limits: the address
// itself for IPv4, its /64 for IPv6.
func LimitKey(ip netip.Addr) string {
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		if p, err := ip.Prefix(64); err == nil {
			return p.String()
		}
	}
	return ip.String()
}

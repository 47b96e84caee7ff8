package web

import (
	"net/http"

	"github.com/fanfarehq/fanfare/internal/clientip"
)

// clientAddr is who made the request (internal/clientip, with
// Options.TrustedProxies), as text for logs.
func (s *Server) clientAddr(r *http.Request) string {
	return clientip.Resolver{Trusted: s.opt.TrustedProxies}.String(r)
}

// limitAddr is the client address the login limits count against (an IPv6
// client by its /64).
func (s *Server) limitAddr(r *http.Request) string {
	return clientip.Resolver{Trusted: s.opt.TrustedProxies}.LimitKey(r)
}

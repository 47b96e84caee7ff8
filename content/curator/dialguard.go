package curator

import (
	"net/http"
	"syscall"

	"github.com/fanfarehq/fanfare/internal/netguard"
)

// ErrForbiddenAddress is returned (wrapped in the fetch error) when a feed URL,
// or a redirect it leads to, resolves to an address the curator never
// connects to. It is netguard.ErrForbiddenAddress: feed URLs come from the
// config file but also from the dashboard and the API, and fetch errors are
// shown there, so a feed must not be a way to read a host-internal service.
var ErrForbiddenAddress = netguard.ErrForbiddenAddress

// dialControl runs after DNS resolution, on the address actually dialed, so a
// name that resolves (or re-resolves: DNS rebinding) to a refused address is
// caught, and so are redirects.
func dialControl(network, address string, c syscall.RawConn) error {
	return netguard.Control(network, address, c)
}

// guardedTransport is http.DefaultTransport's settings with a dialer that
// applies dialControl; with denyPrivate, loopback and private addresses are
// refused too (feeds.allow_private: false).
func guardedTransport(denyPrivate bool) *http.Transport {
	if denyPrivate {
		return netguard.TransportPublic()
	}
	return netguard.Transport()
}

package x

import (
	"net/http"
	"time"

	"github.com/fanfarehq/fanfare/bots/internal/ratelimit"
)

// updateLimits feeds X's window headers (x-rate-limit-remaining, and
// x-rate-limit-reset in unix seconds) to the limiter; an answer without them
// changes nothing.
func updateLimits(l ratelimit.Reserver, endpoint string, h http.Header) {
	remaining, okRem := headerInt(h, "x-rate-limit-remaining")
	reset, okReset := headerInt(h, "x-rate-limit-reset")
	if okRem && okReset {
		l.Update(endpoint, remaining, time.Unix(reset, 0))
	}
}

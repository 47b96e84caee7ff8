package x

import (
	"net/http"
	"time"

	"github.com/fanfarehq/fanfare/bots/internal/httpjson"
)

// readLimits reads X's window headers: x-rate-limit-remaining, and
// x-rate-limit-reset in unix seconds.
func readLimits(h http.Header) (remaining int64, reset time.Time, ok bool) {
	remaining, okRem := httpjson.HeaderInt(h, "x-rate-limit-remaining")
	secs, okReset := httpjson.HeaderInt(h, "x-rate-limit-reset")
	return remaining, time.Unix(secs, 0), okRem && okReset
}

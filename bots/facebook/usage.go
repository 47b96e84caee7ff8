package facebook

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	fb "github.com/huandu/facebook/v2"
)

// Graph throttles an app, a Page or a business use case once one of its
// usage percentages reaches 100. The headers say where each stands; above
// usageThreshold new posts wait, so that the posts that matter are not the
// ones refused.
const (
	usageThreshold = 90
	usageBackoff   = 15 * time.Minute // when the headers give no estimate
)

// usageGate remembers until when new posts are refused.
type usageGate struct {
	mu         sync.Mutex
	usageUntil time.Time // from usage headers; lifted when usage drops
	usageWhy   string
	errorUntil time.Time // from a Graph rate-limit error; stands until then
	errorWhy   string
}

// observe reads the usage headers of a response. Headers that are absent
// change nothing; headers at or under the threshold lift a usage block.
func (g *usageGate) observe(h http.Header, now time.Time) {
	peak, eta, why, seen := peakUsage(h)
	if !seen {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if peak <= usageThreshold {
		g.usageUntil, g.usageWhy = time.Time{}, ""
		return
	}
	wait := usageBackoff
	if eta > 0 {
		wait = time.Duration(eta) * time.Minute
	}
	g.usageUntil, g.usageWhy = now.Add(wait), why
}

// block refuses posts until at, after Graph said it is rate limiting.
func (g *usageGate) block(at time.Time, why string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if at.After(g.errorUntil) {
		g.errorUntil, g.errorWhy = at, why
	}
}

// blocked says whether a new post must wait, until when and why.
func (g *usageGate) blocked(now time.Time) (time.Time, string, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	until, why := g.usageUntil, g.usageWhy
	if g.errorUntil.After(until) {
		until, why = g.errorUntil, g.errorWhy
	}
	return until, why, now.Before(until)
}

// retryAt is when to retry after a rate-limit error: the usage headers'
// estimate if they gave one, else usageBackoff from now.
func (g *usageGate) retryAt(now time.Time) time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.usageUntil.After(now) {
		return g.usageUntil
	}
	return now.Add(usageBackoff)
}

// peakUsage returns the highest percentage in X-App-Usage, X-Page-Usage and
// X-Business-Use-Case-Usage (keyed by business id, each a list), the longest
// estimated_time_to_regain_access in minutes, a description of the peak, and
// whether any of the headers was present. Malformed headers are ignored:
// they must not stop publishing.
func peakUsage(h http.Header) (peak, eta int, why string, seen bool) {
	consider := func(header string, rl fb.RateLimiting) {
		for _, m := range []struct {
			name string
			v    int
		}{{"call_count", rl.CallCount}, {"total_cputime", rl.TotalCPUTime}, {"total_time", rl.TotalTime}} {
			if m.v > peak || why == "" {
				peak, why = m.v, fmt.Sprintf("%s %s at %d %%", header, m.name, m.v)
			}
		}
		eta = max(eta, rl.EstimatedTimeToRegainAccess)
	}
	for _, name := range []string{"X-App-Usage", "X-Page-Usage"} {
		v := h.Get(name)
		if v == "" {
			continue
		}
		var rl fb.RateLimiting
		if json.Unmarshal([]byte(v), &rl) != nil {
			continue
		}
		seen = true
		consider(name, rl)
	}
	if v := h.Get("X-Business-Use-Case-Usage"); v != "" {
		var buc fb.BusinessUseCaseUsage
		if json.Unmarshal([]byte(v), &buc) == nil {
			for id, list := range buc {
				for _, rl := range list {
					if rl == nil {
						continue
					}
					seen = true
					consider(fmt.Sprintf("X-Business-Use-Case-Usage[%s/%s]", id, rl.Type), *rl)
				}
			}
		}
	}
	return peak, eta, why, seen
}

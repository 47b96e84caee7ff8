package webhook

import (
	"sync"
	"time"
)

// Refusals (bad or missing signatures, stale timestamps, wrong content
// types, bodies over the limit) are counted per client address in a fixed
// window. Past refusalLimit in a window, the address gets 429 with
// Retry-After until the window ends, without its body being read or its
// refusals logged: a stranger posting junk costs one map lookup and one log
// line a window, not a body read and a WARN each. A sender whose secret is
// merely wrong sees its first refusals in full, with the reason.
//
// The counts live in each process: a replica refuses on its own, which
// bounds the work and the logs per replica, the point of it.
const (
	refusalWindow = time.Minute
	refusalLimit  = 10
	// refusalAddrs bounds the addresses tracked in a window; past it, new
	// addresses share one count (a flood from that many addresses is
	// limited as one).
	refusalAddrs = 10000
)

type refusals struct {
	mu     sync.Mutex
	start  time.Time
	counts map[string]int
}

func (f *refusals) key(addr string) string {
	if _, ok := f.counts[addr]; !ok && len(f.counts) >= refusalAddrs {
		return "*"
	}
	return addr
}

func (f *refusals) roll(now time.Time) {
	if start := now.Truncate(refusalWindow); !start.Equal(f.start) || f.counts == nil {
		f.start, f.counts = start, map[string]int{}
	}
}

// blocked reports whether addr used up its refusals; retry is when the
// window ends.
func (f *refusals) blocked(addr string, now time.Time) (bool, time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.roll(now)
	if f.counts[f.key(addr)] < refusalLimit {
		return false, 0
	}
	return true, f.start.Add(refusalWindow).Sub(now)
}

// add counts a refusal and returns the address's count in the window.
func (f *refusals) add(addr string, now time.Time) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.roll(now)
	k := f.key(addr)
	f.counts[k]++
	return f.counts[k]
}

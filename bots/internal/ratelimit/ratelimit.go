// Package ratelimit remembers, per endpoint, what a network's rate-limit
// headers last said (requests remaining, when the window resets), so that a
// request the network would refuse is not sent at all: networks count refused
// requests too, and repeated violations get apps suspended. X, Mastodon and
// Bluesky each parse their own headers and feed the numbers here.
//
// While an endpoint's window is unknown (first use, or the window has rolled
// over) one request goes alone as a probe and the others wait for its answer,
// so that concurrent callers cannot overrun a limit they have not seen yet.
package ratelimit

import (
	"context"
	"sync"
	"time"
)

// Limiter is the per-endpoint memory. It is safe for concurrent use.
type Limiter struct {
	mu    sync.Mutex
	state map[string]*window
}

type window struct {
	known     bool
	remaining int       // requests left in the window, counting ours in flight
	reset     time.Time // when the window ends
	blocked   time.Time // after a 429: do not send before
	probe     chan struct{}
}

// New returns an empty limiter.
func New() *Limiter { return &Limiter{state: map[string]*window{}} }

// Reserve takes one request from the endpoint's window. It returns ok false
// with the time to retry when the window is spent and not yet reset. When ok,
// the caller must call release once the answer's headers are recorded (or the
// request failed).
func (l *Limiter) Reserve(ctx context.Context, endpoint string, now func() time.Time) (release func(), retryAt time.Time, ok bool, err error) {
	for {
		l.mu.Lock()
		w := l.windowLocked(endpoint)
		t := now()
		if t.Before(w.blocked) {
			l.mu.Unlock()
			return nil, w.blocked, false, nil
		}
		if w.known && !t.Before(w.reset) {
			w.known = false // rolled over: the next answer brings the new numbers
		}
		if w.known {
			if w.remaining <= 0 {
				l.mu.Unlock()
				return nil, w.reset, false, nil
			}
			// Counted before sending so that concurrent callers cannot all spend
			// the last request.
			w.remaining--
			l.mu.Unlock()
			return func() {}, time.Time{}, true, nil
		}
		if w.probe == nil {
			probe := make(chan struct{})
			w.probe = probe
			l.mu.Unlock()
			return func() {
				l.mu.Lock()
				defer l.mu.Unlock()
				if w.probe == probe {
					w.probe = nil
				}
				close(probe)
			}, time.Time{}, true, nil
		}
		probe := w.probe
		l.mu.Unlock()
		select {
		case <-probe:
		case <-ctx.Done():
			return nil, time.Time{}, false, ctx.Err()
		}
	}
}

// Update records what an answer's headers said: requests remaining in the
// window that ends at reset. Within one window the lower count wins: an answer
// to an earlier request may arrive after later requests were reserved.
func (l *Limiter) Update(endpoint string, remaining int64, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.windowLocked(endpoint)
	switch {
	case !w.known || at.After(w.reset):
		w.known, w.remaining, w.reset = true, int(remaining), at
	case at.Equal(w.reset):
		w.remaining = min(w.remaining, int(remaining))
	}
}

// Block stops the endpoint until at, after a 429.
func (l *Limiter) Block(endpoint string, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.windowLocked(endpoint)
	if at.After(w.blocked) {
		w.blocked = at
	}
}

// windowLocked is the endpoint's window, made empty on first use. The
// caller holds l.mu.
func (l *Limiter) windowLocked(endpoint string) *window {
	w := l.state[endpoint]
	if w == nil {
		w = &window{}
		l.state[endpoint] = w
	}
	return w
}

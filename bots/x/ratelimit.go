package x

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// limiter remembers, per endpoint, what X's rate-limit headers last said, so
// that a request X would refuse is not sent at all: X counts refused requests
// too, and repeated violations get apps suspended.
//
// While an endpoint's window is unknown (first use, or the window has rolled
// over) one request goes alone as a probe and the others wait for its answer,
// so that concurrent callers cannot overrun a limit they have not seen yet.
type limiter struct {
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

func newLimiter() *limiter { return &limiter{state: map[string]*window{}} }

// reserve takes one request from the endpoint's window. It returns ok false
// with the time to retry when the window is spent and not yet reset. When ok,
// the caller must call release once the answer's headers are recorded (or the
// request failed).
func (l *limiter) reserve(ctx context.Context, endpoint string, now func() time.Time) (release func(), retryAt time.Time, ok bool, err error) {
	for {
		l.mu.Lock()
		w := l.state[endpoint]
		if w == nil {
			w = &window{}
			l.state[endpoint] = w
		}
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

// update records the rate-limit headers of an answer. Within one window the
// lower count wins: an answer to an earlier request may arrive after later
// requests were reserved.
func (l *limiter) update(endpoint string, h http.Header) {
	remaining, okRem := headerInt(h, "x-rate-limit-remaining")
	reset, okReset := headerInt(h, "x-rate-limit-reset")
	if !okRem || !okReset {
		return
	}
	at := time.Unix(reset, 0)
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.state[endpoint]
	if w == nil {
		w = &window{}
		l.state[endpoint] = w
	}
	switch {
	case !w.known || at.After(w.reset):
		w.known, w.remaining, w.reset = true, int(remaining), at
	case at.Equal(w.reset):
		w.remaining = min(w.remaining, int(remaining))
	}
}

// block stops the endpoint until at, after a 429.
func (l *limiter) block(endpoint string, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.state[endpoint]
	if w == nil {
		w = &window{}
		l.state[endpoint] = w
	}
	if at.After(w.blocked) {
		w.blocked = at
	}
}

package curator

import (
	"context"
	"sync"
)

// hostLimiter bounds the requests in flight to one host, so that a hundred
// feeds on one blog platform do not look like an attack on it. Hosts with
// nothing in flight are forgotten.
type hostLimiter struct {
	limit int
	mu    sync.Mutex
	hosts map[string]*hostSlots
}

type hostSlots struct {
	sem  chan struct{}
	refs int
}

func newHostLimiter(limit int) *hostLimiter {
	return &hostLimiter{limit: limit, hosts: make(map[string]*hostSlots)}
}

// acquire waits for a slot on host; call release exactly once when done.
func (l *hostLimiter) acquire(ctx context.Context, host string) (release func(), err error) {
	l.mu.Lock()
	s := l.hosts[host]
	if s == nil {
		s = &hostSlots{sem: make(chan struct{}, l.limit)}
		l.hosts[host] = s
	}
	s.refs++
	l.mu.Unlock()

	select {
	case s.sem <- struct{}{}:
		return func() {
			<-s.sem
			l.unref(host, s)
		}, nil
	case <-ctx.Done():
		l.unref(host, s)
		return nil, ctx.Err()
	}
}

func (l *hostLimiter) unref(host string, s *hostSlots) {
	l.mu.Lock()
	s.refs--
	if s.refs == 0 {
		delete(l.hosts, host)
	}
	l.mu.Unlock()
}

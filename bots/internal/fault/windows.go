package fault

import "time"

// Windows is a fake's rate limit: limit requests per route in fixed
// windows, each starting at the route's first request after the previous
// window ended, as the networks count. A request beyond the limit is
// refused and counted as a violation: the client sent what the headers said
// would be refused. Windows is not safe for concurrent use: the fakes hold
// their lock around it.
type Windows struct {
	limit      int
	per        time.Duration
	windows    map[string]*window
	violations int
}

type window struct {
	start time.Time
	count int
}

// Window is a route's window as a request finds it, for the fake's
// rate-limit headers.
type Window struct {
	Limit     int
	Per       time.Duration
	Remaining int       // requests left, this one counted
	Reset     time.Time // when the window ends
}

// SetLimit allows limit requests per route in each window of per, and starts
// every window afresh.
func (ws *Windows) SetLimit(limit int, per time.Duration) {
	ws.limit, ws.per = limit, per
	ws.windows = map[string]*window{}
}

// Peek returns route's window at now without counting a request.
func (ws *Windows) Peek(route string, now time.Time) Window {
	return ws.view(ws.current(route, now))
}

// Take counts a request to route at now. ok is false, and a violation is
// counted, when the window is spent.
func (ws *Windows) Take(route string, now time.Time) (win Window, ok bool) {
	cur := ws.current(route, now)
	if cur.count >= ws.limit {
		ws.violations++
		return ws.view(cur), false
	}
	cur.count++
	return ws.view(cur), true
}

// Violations counts the requests refused for a spent window.
func (ws *Windows) Violations() int { return ws.violations }

func (ws *Windows) current(route string, now time.Time) *window {
	if ws.windows == nil {
		ws.windows = map[string]*window{}
	}
	cur := ws.windows[route]
	if cur == nil || !now.Before(cur.start.Add(ws.per)) {
		cur = &window{start: now}
		ws.windows[route] = cur
	}
	return cur
}

func (ws *Windows) view(cur *window) Window {
	return Window{Limit: ws.limit, Per: ws.per, Remaining: max(ws.limit-cur.count, 0), Reset: cur.start.Add(ws.per)}
}

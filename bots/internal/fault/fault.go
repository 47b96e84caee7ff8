// Package fault is the plumbing shared by the fakes of the networks
// (xfake, mastodonfake, bskyfake, fbfake, igfake): fault injection, a queue
// of faults, each for the next request or the next request to one route,
// applied around the route's real handler so that "the server did it and
// then failed" is as easy to stage as "the server refused"; the test server
// the fake runs on (Injector); the fixed windows of the fakes' rate limits
// (Windows); and the JSON answer of the fakes whose network writes JSON the
// same way (WriteJSON).
package fault

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Kind is what a fault does.
type Kind int

const (
	// Fail answers Status with Body and Header without running the handler:
	// nothing happened on the server.
	Fail Kind = iota + 1
	// FailAfter runs the handler (the post is created) and then answers
	// Status with Body instead of its answer: a 5xx after the create.
	FailAfter
	// Hang runs the handler and holds its answer for Delay, or until the
	// client gives up: a timeout after the create.
	Hang
	// Drop runs the handler and closes the connection without answering.
	Drop
)

// Fault is one injected failure.
type Fault struct {
	Kind   Kind
	Route  string // "" for any request, else the route as the fake names it: "POST /api/v1/statuses"
	Status int
	Body   string
	Header map[string]string
	Delay  time.Duration
}

// Queue holds faults in order. It is safe for concurrent use.
type Queue struct {
	mu     sync.Mutex
	faults []Fault
}

// Add queues f.
func (q *Queue) Add(f Fault) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.faults = append(q.faults, f)
}

// Next removes and returns the first fault for route, if any.
func (q *Queue) Next(route string) (Fault, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, f := range q.faults {
		if f.Route == "" || f.Route == route {
			q.faults = append(q.faults[:i:i], q.faults[i+1:]...)
			return f, true
		}
	}
	return Fault{}, false
}

// Len is the number of faults not yet used.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.faults)
}

// Injector is a fake's test server with its fault queue: Run serves the
// fake's handlers under the faults queued with Add. The zero value is ready
// for Start.
type Injector struct {
	Queue
	closed chan struct{}
}

// Start serves h on a test server that stops when the test ends, and
// returns its URL. A hung answer ends then too, so that the server can
// close.
func (in *Injector) Start(t testing.TB, h http.Handler) string {
	in.closed = make(chan struct{})
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		close(in.closed)
		srv.Close()
	})
	return srv.URL
}

// Run answers r with h, under the next fault queued for route if there is
// one.
func (in *Injector) Run(w http.ResponseWriter, r *http.Request, route string, h http.HandlerFunc) {
	if f, ok := in.Next(route); ok {
		Serve(w, r, f, h, in.closed)
		return
	}
	h(w, r)
}

// Serve answers r under f, running h as the fault says. closed ends a hang
// when the fake shuts down.
func Serve(w http.ResponseWriter, r *http.Request, f Fault, h http.HandlerFunc, closed <-chan struct{}) {
	switch f.Kind {
	case Fail:
		write(w, f)
	case FailAfter:
		h(httptest.NewRecorder(), r)
		write(w, f)
	case Hang:
		rec := httptest.NewRecorder()
		h(rec, r)
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
		case <-r.Context().Done():
		case <-closed:
		}
	case Drop:
		h(httptest.NewRecorder(), r)
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
	default:
		panic(fmt.Sprintf("fault: unknown kind %d", f.Kind))
	}
}

func write(w http.ResponseWriter, f Fault) {
	for k, v := range f.Header {
		w.Header().Set(k, v)
	}
	if f.Body != "" && w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(f.Status)
	fmt.Fprint(w, f.Body)
}

// WriteJSON answers status with v as JSON, the way Mastodon and the PDS do.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}

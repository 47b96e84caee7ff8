// Package nettest holds what the tests of the network packages (x, mastodon,
// bluesky, facebook, instagram) share: building a client from a package's
// test options, asserting a *bots.Error, an address nothing listens on, and
// the ways an answer gets lost after the server acted, which every
// at-most-once test stages against its fake.
package nettest

import (
	"errors"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/bots/media"
)

// New returns newClient(opts) after the edits, failing the test on an error.
func New[O, C any](t testing.TB, newClient func(O) (C, error), opts O, edit ...func(*O)) C {
	t.Helper()
	for _, e := range edit {
		e(&opts)
	}
	c, err := newClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// AsError returns err as a *bots.Error, failing the test when it is not one.
func AsError(t testing.TB, err error) *bots.Error {
	t.Helper()
	var be *bots.Error
	if !errors.As(err, &be) {
		t.Fatalf("error %v (%T) is not a *bots.Error", err, err)
	}
	return be
}

// ClosedURL is an http URL on a port nobody listens on: a request there is
// refused at the dial, so nothing was sent.
func ClosedURL(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// Faults is what the fakes of Mastodon, Bluesky and Instagram offer to lose
// the answer to a request to route that the server carried out.
type Faults interface {
	FailAfter(route string, status int)
	DropNext(route string)
	HangNext(route string, d time.Duration)
}

// LostAnswer is one way to lose the answer to a request the server carried
// out: the client sees an ambiguous failure, and the post exists.
type LostAnswer struct {
	Name   string
	Inject func(Faults)
	// HTTPClient is the client's HTTP client the case needs: one that gives
	// up after 300 ms when the answer hangs.
	HTTPClient *http.Client
}

// LostAnswers are the three ways to lose the answer to a request to route:
// status after the server acted, the connection dropped, and an answer that
// comes after the client gave up.
func LostAnswers(route string, status int) []LostAnswer {
	client := &http.Client{Timeout: 2 * time.Second}
	return []LostAnswer{
		{Name: strconv.Itoa(status) + " after the server acted", Inject: func(f Faults) { f.FailAfter(route, status) }, HTTPClient: client},
		{Name: "connection dropped", Inject: func(f Faults) { f.DropNext(route) }, HTTPClient: client},
		{Name: "timeout", Inject: func(f Faults) { f.HangNext(route, 3*time.Second) },
			HTTPClient: &http.Client{Timeout: 300 * time.Millisecond}},
	}
}

// Images is the image fetcher of the publishers' tests: the default HTTP
// client, which reaches mediatest's servers on 127.0.0.1.
func Images() *media.Fetcher {
	return media.NewFetcher(media.FetcherOptions{HTTPClient: http.DefaultClient})
}

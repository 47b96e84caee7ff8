package facebook

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"sync/atomic"

	"github.com/fanfarehq/fanfare/bots"
)

// recorder is the fb.HttpClient of one call: it sends through the configured
// *http.Client and keeps what huandu/facebook does not expose: the status,
// the headers, whether a connection was obtained (before that nothing can
// have reached Graph), and the transport error without the access token.
type recorder struct {
	hc     *http.Client
	sent   atomic.Bool
	status int
	header http.Header
	err    error
}

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	req = req.WithContext(bots.WithSentTrace(req.Context(), &r.sent))
	resp, err := r.hc.Do(req)
	if err != nil {
		r.err = redact(err)
		return nil, err
	}
	r.status, r.header = resp.StatusCode, resp.Header
	return resp, nil
}

func (r *recorder) Get(u string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	return r.Do(req)
}

func (r *recorder) Post(u, bodyType string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, u, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", bodyType)
	return r.Do(req)
}

// redact copies a *url.Error without the query, which carries access_token
// and appsecret_proof on GET requests.
func redact(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	clean := ue.URL
	if u, perr := url.Parse(ue.URL); perr == nil {
		u.RawQuery, u.User = "", nil
		clean = u.String()
	}
	return &url.Error{Op: ue.Op, URL: clean, Err: ue.Err}
}

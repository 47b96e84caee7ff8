package facebook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	fb "github.com/huandu/facebook/v2"
)

// GraphOptions configure a Graph client for another network that speaks the
// Graph API with the same plumbing as the Page (Instagram's content
// publishing): Network names it in errors and logs, and the token may be a
// user or Page access token. The other fields are as in Options.
type GraphOptions struct {
	Network      string
	GraphBaseURL string
	APIVersion   string
	AccessToken  string
	AppSecret    string
	HTTPClient   *http.Client
	Now          func() time.Time
	Logger       *slog.Logger
}

// Graph calls the Graph API for another network: appsecret_proof, the
// recording HTTP client that keeps status and headers, the usage gate that
// refuses creates above 90 %, and the classification of Graph errors into
// *bots.Error (the *fb.Error kept as Err, for the caller's own codes).
type Graph struct {
	c *Client
}

// GraphCall is one Graph call. Create marks calls that make something
// public: they are refused locally when usage is high.
type GraphCall struct {
	Op     string // for messages: "publish media"
	Method fb.Method
	Path   string
	Params fb.Params
	Create bool
}

// NewGraph returns a Graph client, or an error naming the bad option.
func NewGraph(opts GraphOptions) (*Graph, error) {
	if opts.Network == "" {
		return nil, errors.New("facebook: option Network is required for a Graph client")
	}
	c, err := NewClient(Options{
		GraphBaseURL: opts.GraphBaseURL, APIVersion: opts.APIVersion, PageID: "graph",
		PageAccessToken: opts.AccessToken, AppSecret: opts.AppSecret,
		HTTPClient: opts.HTTPClient, Now: opts.Now, Logger: opts.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %s", opts.Network, strings.TrimPrefix(strings.ReplaceAll(err.Error(), "PageAccessToken", "AccessToken"), "facebook: "))
	}
	c.network = opts.Network
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	c.log = logger.With(slog.String("network", opts.Network))
	c.pageID = ""
	return &Graph{c: c}, nil
}

// Do runs one call. Every error is a *bots.Error of the Graph's network.
func (g *Graph) Do(ctx context.Context, gc GraphCall) (fb.Result, error) {
	return g.c.do(ctx, call{op: gc.Op, method: gc.Method, path: gc.Path, params: gc.Params, create: gc.Create})
}

// Now is the Graph client's clock.
func (g *Graph) Now() time.Time { return g.c.now() }

// Logger is the Graph client's logger.
func (g *Graph) Logger() *slog.Logger { return g.c.log }

package webhook

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/impact"
)

// PledgeOptions configure the POST /hooks/pledges handler.
type PledgeOptions struct {
	// Secrets are the campaign webhook's (campaigns.webhook.secrets): the
	// platform signs both hooks alike. None: every delivery gets 503.
	Secrets []string
	// Posts finds the post a pledge names (its utm_content).
	Posts interface {
		Get(ctx context.Context, id string) (content.Post, error)
	}
	// Pledges counts a pledge for its post, once per pledge id
	// (impact.Links).
	Pledges interface {
		Attribute(ctx context.Context, p impact.Pledge, postID string) (bool, error)
	}
	Now    func() time.Time // default time.Now
	Logger *slog.Logger     // default slog.Default()
}

// PledgeResponse is the 202 answer: how many pledges were counted, already
// counted (a retry), and not ours (a utm_content that names no post).
type PledgeResponse struct {
	Counted   int `json:"counted"`
	Duplicate int `json:"duplicate"`
	Unmatched int `json:"unmatched"`
}

type pledgeHandler struct {
	o   PledgeOptions
	log *slog.Logger
}

// NewPledgeHandler returns the handler of POST /hooks/pledges: the platform
// reports the pledges whose visit carried a post's utm_content. The body is
// one pledge or {"pledges":[...]}; the answer is 202 with a PledgeResponse,
// or 400 naming the first bad field, 401 for a bad signature (signed as the
// campaign webhook), 413 over 1 MiB, 500 when storage fails (send again:
// pledges are counted once).
func NewPledgeHandler(o PledgeOptions) (http.Handler, error) {
	if o.Posts == nil || o.Pledges == nil {
		return nil, errors.New("webhook: the pledge hook needs Posts and Pledges")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &pledgeHandler{o: o, log: o.Logger.With("component", "pledge_hook")}, nil
}

func (h *pledgeHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if len(usableSecrets(h.o.Secrets)) == 0 {
		writeError(w, http.StatusServiceUnavailable, "not_configured", "set campaigns.webhook.secrets to accept pledges", "")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, DefaultMaxBody))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		writeError(w, http.StatusRequestEntityTooLarge, "body_too_large", "body is larger than 1 MiB", "")
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, "unreadable_body", "unable to read the body", "")
		return
	}
	if err := Verify(r.Header.Get(SignatureHeader), body, h.o.Secrets, h.o.Now(), 0); err != nil {
		writeError(w, http.StatusUnauthorized, SignatureErrorCode(err), err.Error(), "")
		return
	}
	pledges, field, err := impact.ParsePledges(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_field", err.Error(), field)
		return
	}
	var res PledgeResponse
	for _, p := range pledges {
		post, err := h.o.Posts.Get(r.Context(), p.UTMContent)
		if errors.Is(err, content.ErrNotFound) {
			res.Unmatched++
			continue
		}
		if err != nil {
			h.log.Error("unable to read the post of a pledge", "post_id", p.UTMContent, "error", err)
			writeError(w, http.StatusInternalServerError, "store_failed", "unable to read posts: send again", "")
			return
		}
		counted, err := h.o.Pledges.Attribute(r.Context(), p, post.ID)
		if err != nil {
			h.log.Error("unable to count an attributed pledge", "post_id", post.ID, "error", err)
			writeError(w, http.StatusInternalServerError, "store_failed", "unable to count pledges: send again (pledges are counted once)", "")
			return
		}
		if counted {
			res.Counted++
		} else {
			res.Duplicate++
		}
	}
	h.log.Info("attributed pledges received", "counted", res.Counted, "duplicate", res.Duplicate, "unmatched", res.Unmatched)
	writeJSON(w, http.StatusAccepted, res)
}

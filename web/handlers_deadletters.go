package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
)

// DeadLetterStore is what the Problems page does with the milestone events
// set aside: list them, put one back on the event stream, forget one.
type DeadLetterStore interface {
	List(ctx context.Context, limit int) ([]campaigns.DeadLetter, error)
	Replay(ctx context.Context, id string) error
	Drop(ctx context.Context, id string) error
}

// maxDeadShown bounds the dead letters the page lists, of each store: past
// that, the CLI lists them all.
const maxDeadShown = 100

func (s *Server) deadLetterReplay(w http.ResponseWriter, r *http.Request) {
	s.deadLetterAction(w, r, "dead letter replayed", "flash.deadletter_replayed", func(ctx context.Context, id string) error {
		return s.opt.DeadLetters.Replay(ctx, id)
	})
}

func (s *Server) deadLetterDrop(w http.ResponseWriter, r *http.Request) {
	s.deadLetterAction(w, r, "dead letter dropped", "flash.deadletter_dropped", func(ctx context.Context, id string) error {
		return s.opt.DeadLetters.Drop(ctx, id)
	})
}

func (s *Server) deadLetterAction(w http.ResponseWriter, r *http.Request, logMsg, okKey string, do func(context.Context, string) error) {
	l := localeFrom(r.Context())
	if s.opt.DeadLetters == nil {
		s.done(w, r, &badRequest{status: http.StatusNotFound, code: "not_found", msg: l.T("deadletters.none_here")}, "", "/problems")
		return
	}
	id := r.PostFormValue("id")
	if _, _, err := campaigns.DeadLetterID(id); err != nil {
		s.done(w, r, fieldErr("id", l.T("deadletters.bad_id")), "", "/problems")
		return
	}
	err := do(r.Context(), id)
	if errors.Is(err, campaigns.ErrDeadLetterNotFound) {
		err = &badRequest{status: http.StatusNotFound, code: "not_found", field: "id", msg: l.T("deadletters.gone")}
	}
	if err == nil {
		s.log.Info(logMsg, "dead_letter_id", id, "actor", actor(r))
	}
	s.done(w, r, err, l.T(okKey), "/problems")
}

// deadView is a dead letter as the Problems page shows it.
type deadView struct {
	ID         string
	Source     string // campaigns.DeadStream or DeadComposer
	CampaignID string
	Milestone  string // in words; the raw name when it is not readable
	Raw        string // the milestone as written
	Error      string
	Attempts   int
	At         time.Time
}

func deadViews(l locale, dead []campaigns.DeadLetter) []deadView {
	out := make([]deadView, len(dead))
	for i, d := range dead {
		// An event id is "<campaign id>/<milestone>"; ids hold no slash.
		camp, raw, _ := strings.Cut(d.EventID, "/")
		out[i] = deadView{ID: d.ID, Source: d.Source, CampaignID: camp, Raw: raw, Milestone: l.MilestoneLabel(raw, nil),
			Error: d.Error, Attempts: d.Attempts, At: d.At}
	}
	return out
}

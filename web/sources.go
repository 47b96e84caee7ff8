package web

import (
	"context"
	"net/http"

	"github.com/fanfarehq/fanfare/campaigns"
)

// The health of the campaign sources (poll, webhook, import): GET
// /api/v1/sources lists it, and a banner on every page names a poll or a
// webhook whose last run failed (an error, or every record rejected). Imports
// are listed by the API only: the person who ran one saw its summary.

func (s *Server) apiSources(w http.ResponseWriter, r *http.Request) {
	var hs []campaigns.SourceHealth
	if s.opt.Sources != nil {
		var err error
		if hs, err = s.opt.Sources.SourceHealth(r.Context()); err != nil {
			s.apiFail(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, NewList(hs, len(hs), 0, len(hs)))
}

// failingSources are the sources the banner names.
func (s *Server) failingSources(ctx context.Context) []campaigns.SourceHealth {
	if s.opt.Sources == nil {
		return nil
	}
	hs, err := s.opt.Sources.SourceHealth(ctx)
	if err != nil {
		s.log.Warn("unable to read source health", "error", err)
		return nil
	}
	var failing []campaigns.SourceHealth
	for _, h := range hs {
		if h.Failing && h.Source != campaigns.SourceImport {
			failing = append(failing, h)
		}
	}
	return failing
}

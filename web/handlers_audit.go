package web

import (
	"net/http"

	"github.com/fanfarehq/fanfare/content"
)

type auditData struct {
	Lines []content.AuditLine
	Limit int
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) {
	limit, err := pageInt(r, "limit", 200, 1, 1000)
	if err != nil {
		s.badPageParam(w, r, "limit", 1, 1000)
		return
	}
	lines, err := s.opt.Queue.AuditLog(r.Context(), limit)
	if err != nil {
		s.pageFailed(w, r, err)
		return
	}
	s.render(w, http.StatusOK, "audit", s.page(w, r, "audit", "audit.title", auditData{Lines: lines, Limit: limit}))
}

package web

import (
	"net/http"
	"slices"
)

// resume lifts a network's pause, for the banner's button and the API.
func (s *Server) resume(r *http.Request, network string) error {
	if s.opt.ResumeNetwork == nil {
		return &badRequest{status: http.StatusNotFound, code: "not_found", msg: "resuming networks is not available here"}
	}
	if !slices.Contains(s.opt.EnabledNetworks, network) {
		return &badRequest{status: http.StatusNotFound, code: "not_found", field: "name", msg: "no enabled network " + network}
	}
	was, err := s.opt.ResumeNetwork(r.Context(), network)
	if err != nil {
		return err
	}
	if !was {
		return &badRequest{status: http.StatusConflict, code: "wrong_state", msg: network + " is not paused"}
	}
	s.log.Info("network resumed", "network", network, "actor", actor(r))
	return nil
}

func (s *Server) networkResume(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	s.done(w, r, s.resume(r, name), localeFrom(r.Context()).T("flash.resumed", localeFrom(r.Context()).Net(name)), "/")
}

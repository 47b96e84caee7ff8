package web

import (
	"net/http"

	"github.com/fanfarehq/fanfare/content"
)

type problemsData struct {
	Posts []postView
}

// problemsPage lists what needs a person: failed, unknown and duplicate posts.
func (s *Server) problemsPage(w http.ResponseWriter, r *http.Request) {
	var d problemsData
	for _, st := range []content.State{content.StateUnknown, content.StateFailed, content.StateDuplicate} {
		posts, _, err := s.opt.Queue.List(r.Context(), content.ListOptions{State: st, Limit: 200})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Posts = append(d.Posts, postViews(posts)...)
	}
	s.render(w, http.StatusOK, "problems", s.page(w, r, "problems", "problems.title", d))
}

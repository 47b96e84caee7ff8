package web

import (
	"net/http"

	"github.com/fanfarehq/fanfare/content"
)

type problemsData struct {
	Posts []postView
	// Dead are the milestone events set aside; ShowDead: the page has them.
	Dead     []deadView
	ShowDead bool
}

// problemsPage lists what needs a person: unknown, failed and duplicate
// posts, each with its campaign, when it happened, what the network said
// explained with the next step, and the network's own words behind
// "details".
func (s *Server) problemsPage(w http.ResponseWriter, r *http.Request) {
	var d problemsData
	n := s.namer(r.Context())
	for _, st := range []content.State{content.StateUnknown, content.StateFailed, content.StateDuplicate} {
		posts, _, err := s.opt.Queue.List(r.Context(), content.ListOptions{State: st, Limit: 200})
		if err != nil {
			s.pageFailed(w, r, err)
			return
		}
		d.Posts = append(d.Posts, n.views(posts)...)
	}
	if s.opt.DeadLetters != nil {
		dead, err := s.opt.DeadLetters.List(r.Context(), maxDeadShown)
		if err != nil {
			s.pageFailed(w, r, err)
			return
		}
		d.Dead, d.ShowDead = deadViews(localeFrom(r.Context()), dead), true
	}
	s.render(w, http.StatusOK, "problems", s.page(w, r, "problems", "problems.title", d))
}

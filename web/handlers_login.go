package web

import (
	"net/http"
	"strconv"
	"time"
)

type loginData struct {
	Next    string
	Name    string
	Error   string
	NoUsers bool
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if _, ok, _ := s.sessionFrom(r); ok {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	next := r.URL.Query().Get("next")
	if !isLocalPath(next) {
		next = "/"
	}
	s.render(w, http.StatusOK, "login", s.page(w, r, "login", "login.title", loginData{Next: next, NoUsers: len(s.users) == 0}))
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	name, pw := r.PostFormValue("name"), r.PostFormValue("password")
	next := r.PostFormValue("next")
	if !isLocalPath(next) {
		next = "/"
	}
	l := localeFrom(r.Context())
	again := func(status int, msgKey string) {
		s.render(w, status, "login", s.page(w, r, "login", "login.title",
			loginData{Next: next, Name: name, Error: l.T(msgKey), NoUsers: len(s.users) == 0}))
	}
	if name == "" || pw == "" || len(name) > 64 || len(pw) > 1024 {
		again(http.StatusUnauthorized, "login.bad")
		return
	}
	addr := s.limitAddr(r)
	ok, wait, err := s.allowLogin(r.Context(), addr, name)
	if err != nil {
		s.log.Error("login limiter unavailable", "error", err)
		again(http.StatusServiceUnavailable, "err.internal")
		return
	}
	if !ok {
		s.log.Warn("login rate limited", "user", name, "remote_addr", addr, "retry_after_s", retryAfterSeconds(wait))
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(wait)))
		again(http.StatusTooManyRequests, "login.limited")
		return
	}
	u, ok := s.authenticate(name, pw)
	if !ok {
		s.log.Info("login failed", "user", name, "remote_addr", addr)
		again(http.StatusUnauthorized, "login.bad")
		return
	}
	s.forgiveLogin(r.Context(), addr, name)
	if err := s.newSession(r.Context(), w, u); err != nil {
		s.pageFailed(w, r, err)
		return
	}
	s.log.Info("login", "user", u.Name, "remote_addr", addr)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) loginOnce(w http.ResponseWriter, r *http.Request) {
	ok, err := s.consumeOnce(r.Context(), r.URL.Query().Get("token"))
	if err != nil {
		s.pageFailed(w, r, err)
		return
	}
	if !ok {
		s.renderError(w, r, http.StatusUnauthorized, "login.once_bad")
		return
	}
	if err := s.newSession(r.Context(), w, User{Name: onceUser, Role: RoleManager}); err != nil {
		s.pageFailed(w, r, err)
		return
	}
	s.log.Info("login with one-time link", "user", onceUser, "remote_addr", s.clientAddr(r))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// logoutEverywhere ends every session of the user, this one included: for a
// lost phone or a shared computer.
func (s *Server) logoutEverywhere(w http.ResponseWriter, r *http.Request) {
	id, _ := identityFrom(r.Context())
	if err := s.endAllSessions(r.Context(), id.Name); err != nil {
		s.pageFailed(w, r, err)
		return
	}
	if err := s.endSession(w, r); err != nil {
		s.log.Warn("logout", "error", err)
	}
	s.log.Info("logged out everywhere", "user", id.Name, "remote_addr", s.clientAddr(r))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if err := s.endSession(w, r); err != nil {
		s.log.Warn("logout", "error", err)
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// retryAfterSeconds rounds a wait up to whole seconds, at least one.
func retryAfterSeconds(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}

package web

import (
	"crypto/subtle"
	"net/http"
	"net/url"
)

// access says who may call a route.
type access int

const (
	accessPublic access = iota // anyone
	accessPage                 // a dashboard session; others are sent to /login
	accessAPI                  // a bearer token or a session; others get 401 JSON
)

// route is one entry of the route table: the single list that registers the
// handlers, guards them and drives the route-walk and OpenAPI tests.
type route struct {
	pattern string // http.ServeMux pattern with its method
	access  access
	// anyRole lets viewers call a state-changing route (logging out).
	anyRole bool
	handler http.HandlerFunc
	doc     *apiDoc // API routes: what the OpenAPI document says of them
	// scope is what an API token needs: "" means ScopeRead for GET and
	// ScopeWrite for changes.
	scope string
}

// tokenScope is the scope a bearer token needs for the route.
func (rt route) tokenScope(method string) string {
	switch {
	case rt.scope != "":
		return rt.scope
	case isSafeMethod(method):
		return ScopeRead
	}
	return ScopeWrite
}

func (s *Server) routeTable() []route {
	rs := []route{
		{pattern: "GET /healthz", access: accessPublic, handler: s.healthz},
		{pattern: "GET /readyz", access: accessPublic, handler: s.readyz},
		{pattern: "GET /feed.atom", access: accessPublic, handler: s.atomAll},
		{pattern: "GET /campaigns/{id}/feed.atom", access: accessPublic, handler: s.atomCampaign},
		{pattern: "GET /digests/{id}", access: accessPublic, handler: s.digestPage},
		{pattern: "GET /static/", access: accessPublic, handler: staticHandler()},
		{pattern: "GET /login", access: accessPublic, handler: s.loginPage},
		{pattern: "POST /login", access: accessPublic, handler: s.loginSubmit},
		{pattern: "GET /login/once", access: accessPublic, handler: s.loginOnce},
		{pattern: "POST /logout", access: accessPage, anyRole: true, handler: s.logout},
		{pattern: "POST /logout/everywhere", access: accessPage, anyRole: true, handler: s.logoutEverywhere},

		{pattern: "GET /{$}", access: accessPage, handler: s.queuePage},
		{pattern: "POST /posts/bulk", access: accessPage, handler: s.postBulk},
		{pattern: "GET /posts/{id}", access: accessPage, handler: s.postPage},
		{pattern: "POST /posts/{id}/approve", access: accessPage, handler: s.postApprove},
		{pattern: "POST /posts/{id}/reject", access: accessPage, handler: s.postReject},
		{pattern: "POST /posts/{id}/edit", access: accessPage, handler: s.postEdit},
		{pattern: "POST /posts/{id}/schedule", access: accessPage, handler: s.postSchedule},
		{pattern: "POST /posts/{id}/retry", access: accessPage, handler: s.postRetry},
		{pattern: "POST /posts/{id}/resolve", access: accessPage, handler: s.postResolve},
		{pattern: "GET /calendar", access: accessPage, handler: s.calendarPage},
		{pattern: "GET /campaigns", access: accessPage, handler: s.campaignsPage},
		{pattern: "GET /campaigns/{id}", access: accessPage, handler: s.campaignPage},
		{pattern: "GET /problems", access: accessPage, handler: s.problemsPage},
		{pattern: "POST /problems/deadletters/replay", access: accessPage, handler: s.deadLetterReplay},
		{pattern: "POST /problems/deadletters/drop", access: accessPage, handler: s.deadLetterDrop},
		{pattern: "GET /feeds", access: accessPage, handler: s.feedsPage},
		{pattern: "POST /feeds", access: accessPage, handler: s.feedAdd},
		{pattern: "POST /feeds/fetch", access: accessPage, handler: s.feedFetch},
		{pattern: "POST /feeds/remove", access: accessPage, handler: s.feedRemove},
		{pattern: "GET /engagement", access: accessPage, handler: s.engagementPage},
		{pattern: "GET /compose", access: accessPage, handler: s.composePage},
		{pattern: "POST /compose", access: accessPage, handler: s.composeSubmit},
		{pattern: "GET /audit", access: accessPage, handler: s.auditPage},
		{pattern: "POST /networks/{name}/resume", access: accessPage, handler: s.networkResume},
	}
	rs = append(rs, s.apiRoutes()...)
	rs = append(rs, s.impactRoutes()...)
	if s.opt.Hooks != nil {
		rs = append(rs, route{pattern: "POST /hooks/campaigns", access: accessPublic, handler: s.opt.Hooks.ServeHTTP})
	}
	if s.opt.Metrics != nil {
		a := accessAPI
		if s.opt.MetricsPublic {
			a = accessPublic
		}
		rs = append(rs, route{pattern: "GET /metrics", access: a, anyRole: true, handler: s.opt.Metrics.ServeHTTP})
	}
	return rs
}

func isSafeMethod(m string) bool { return m == http.MethodGet || m == http.MethodHead }

// guard wraps a route's handler with its authentication and role checks.
func (s *Server) guard(rt route) http.Handler {
	if rt.access == accessPublic {
		return s.withLang(rt.handler)
	}
	if rt.access == accessAPI {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id, ok := s.bearer(r)
			if !ok {
				sess, found, err := s.sessionFrom(r)
				if err != nil {
					s.log.Error("session lookup failed", "error", err)
					writeAPIError(w, http.StatusServiceUnavailable, "unavailable", "session store unavailable", "")
					return
				}
				if found {
					id, found = s.sessionIdentity(sess)
				}
				if !found {
					w.Header().Set("WWW-Authenticate", `Bearer realm="fanfare"`)
					writeAPIError(w, http.StatusUnauthorized, "unauthorized", "a bearer token or a dashboard session is required", "")
					return
				}
				// A cookie rides along with any request the browser makes, so a
				// change made with it must also prove the page read the
				// session's token, as the dashboard's forms do. This backs up
				// CrossOriginProtection and SameSite=Lax; bearer tokens are never
				// sent by a browser on its own and need no such proof.
				if !isSafeMethod(r.Method) && !validCSRF(r.Header.Get(csrfHeader), sess.CSRF) {
					writeAPIError(w, http.StatusForbidden, "forbidden",
						"a change made with a dashboard session needs the "+csrfHeader+" header set to the session's form token", "")
					return
				}
			}
			if id.API {
				if need := rt.tokenScope(r.Method); id.Scope < scopeLevel(need) {
					writeAPIError(w, http.StatusForbidden, "forbidden", "this token lacks the "+need+" scope", "")
					return
				}
			} else if !isSafeMethod(r.Method) && !rt.anyRole && !id.CanChange() {
				writeAPIError(w, http.StatusForbidden, "forbidden", "the viewer role cannot change anything", "")
				return
			}
			rt.handler(w, r.WithContext(withIdentity(r.Context(), id)))
		})
	}
	return s.withLang(func(w http.ResponseWriter, r *http.Request) {
		sess, found, err := s.sessionFrom(r)
		if err != nil {
			s.log.Error("session lookup failed", "error", err)
			http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
			return
		}
		var id identity
		if found {
			id, found = s.sessionIdentity(sess)
		}
		if !found {
			next := "/"
			if isSafeMethod(r.Method) {
				next = r.URL.RequestURI()
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
			return
		}
		if !isSafeMethod(r.Method) {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
			// The form token backs up CrossOriginProtection for browsers that
			// send neither Sec-Fetch-Site nor Origin.
			if !validCSRF(r.PostFormValue("csrf"), sess.CSRF) {
				s.renderError(w, r, http.StatusForbidden, "err.csrf")
				return
			}
			if !rt.anyRole && !id.CanChange() {
				s.renderError(w, r, http.StatusForbidden, "err.viewer")
				return
			}
		}
		rt.handler(w, r.WithContext(withIdentity(r.Context(), id)))
	})
}

// csrfHeader carries the session's form token on API changes made with a
// dashboard session cookie.
const csrfHeader = "X-CSRF-Token"

// validCSRF compares a presented token with the session's in constant time;
// an empty session token (an old session) never matches.
func validCSRF(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// maxBody bounds every form and JSON body.
const maxBody = 1 << 20

// sessionIdentity checks a session against the current configuration: a user
// removed from the config file, or whose password hash or role changed, loses
// their sessions at once.
func (s *Server) sessionIdentity(sess session) (identity, bool) {
	role := sess.Role
	if len(s.users) > 0 {
		u, ok := s.users[sess.User]
		// A changed password or role ends the sessions begun before.
		if !ok || subtle.ConstantTimeCompare([]byte(sess.Fingerprint), []byte(userFingerprint(u))) != 1 {
			return identity{}, false
		}
		role = u.Role
	} else if sess.User != onceUser {
		return identity{}, false
	}
	return identity{Name: sess.User, Role: role, Actor: sess.User, CSRF: sess.CSRF}, true
}

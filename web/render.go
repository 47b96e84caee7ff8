package web

import (
	"bytes"
	"context"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/text"
	"github.com/fanfarehq/fanfare/internal/urlredact"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

func staticHandler() http.HandlerFunc {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	fsrv := http.StripPrefix("/static/", http.FileServerFS(sub))
	return func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r) // no directory listings
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	}
}

// parsePages parses each page together with the layout and the partials;
// "_fragments" holds the partials alone, for htmx answers.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := make(map[string]*template.Template)
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" || base == "partials.html" {
			continue
		}
		t, err := template.New(base).Funcs(templateFuncs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", n)
		if err != nil {
			return nil, err
		}
		pages[strings.TrimSuffix(base, ".html")] = t
	}
	frag, err := template.New("partials.html").Funcs(templateFuncs).ParseFS(templateFS, "templates/partials.html", "templates/calendar.html")
	if err != nil {
		return nil, err
	}
	pages[fragmentsPage] = frag
	return pages, nil
}

const fragmentsPage = "_fragments"

var templateFuncs = template.FuncMap{
	"join": strings.Join,
	// netOf is a channel's network ("x" for "x@platform_fr"): styles and
	// previews are per network.
	"netOf": text.NetworkOf,
	// redactURL hides a URL's user info and secret query values (feeds).
	"redactURL":  urlredact.URL,
	"redactText": urlredact.Text,
	"stateClass": func(s content.State) string {
		return "state-" + string(s)
	},
	// dict passes several values to a sub-template.
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, fmt.Errorf("dict: odd number of arguments")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
	"list": func(s ...string) []string { return s },
	"contains": func(list []string, s string) bool {
		for _, v := range list {
			if v == s {
				return true
			}
		}
		return false
	},
	"add": func(a, b int) int { return a + b },
	"int": func(n int64) int { return int(n) },
}

// pageData is what every page template receives; Data is the page's own.
type pageData struct {
	L        locale
	Lang     string
	Title    string
	Nav      string
	User     identity
	LoggedIn bool
	Flash    *flash
	Counts   map[content.State]int
	Problems int
	Paused   []pausedNetwork
	Sources  []campaigns.SourceHealth // failing campaign sources, for the banner
	// CanResume: the banner may offer to lift a pause.
	CanResume bool
	Path      string
	// Query is the request's query string, for forms that must come back
	// to the same view.
	Query   string
	Version string
	loc     *time.Location
	now     time.Time
	Data    any
	// Scripts are the page's own scripts besides the layout's.
	Scripts []string
	// ImpactNav shows the Impact page in the menu (when impact is wired).
	ImpactNav bool
}

// pausedNetwork is a paused network with its explained reason, for the banner.
type pausedNetwork struct {
	bots.NetworkStatus
	Why *netError
}

// RelWords and NowMS let app.js keep relative times true (locale.relWords):
// the words, and the server's clock, which the page's times were written by.
func (p pageData) RelWords() string { return p.L.relWords() }
func (p pageData) NowMS() int64     { return p.now.UnixMilli() }

// Count is the number of posts in a state, for the navigation.
func (p pageData) Count(state string) int { return p.Counts[content.State(state)] }

// StateName translates a post state.
func (p pageData) StateName(st content.State) string { return p.L.T("state." + string(st)) }

// When is t as a relative time ("dans 12 min") with the exact time on hover.
func (p pageData) When(t time.Time) template.HTML { return p.L.timeTag(t, p.now, p.loc) }

// Since says how long ago t began: "depuis 3 h", exact on hover.
func (p pageData) Since(t time.Time) template.HTML { return p.L.sinceTag(t, p.now, p.loc) }

// Exact is t as a date and time ("sam. 5 déc. à 19 h 47"), relative on hover.
func (p pageData) Exact(t time.Time) template.HTML { return p.L.exactTag(t, p.now, p.loc) }

// DateTime is t in words, as plain text.
func (p pageData) DateTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return p.L.dateTime(t.In(p.loc), p.now.In(p.loc))
}

// Clock formats t as hours and minutes in the platform's time zone (grids).
func (p pageData) Clock(t time.Time) string { return t.In(p.loc).Format("15:04") }

// ISO is t in RFC 3339, for <time datetime>.
func (p pageData) ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// LocalInput is t as a datetime-local value in the platform's time zone.
func (p pageData) LocalInput(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(p.loc).Format("2006-01-02T15:04")
}

// Zone names the platform's time zone next to time inputs.
func (p pageData) Zone() string { return p.loc.String() }

// Reason explains a text another package wrote (see reasons.go).
func (p pageData) Reason(raw string) explained { return p.L.explain(raw, p.loc, p.now) }

// AuditReason explains an audit line's reason: Fanfare's own sentences are
// translated, a network's answer is announced as such, a person's words
// are shown as typed.
func (p pageData) AuditReason(c content.Change) explained {
	if c.Reason == "" {
		return explained{Known: true}
	}
	if c.Action == "complete" {
		return explained{Text: p.L.T("reason.network_answer"), Raw: c.Reason, ShowRaw: true, Known: true}
	}
	e := p.Reason(c.Reason)
	if e.Known || isSystemActor(c.Actor) || c.Action == "edit" {
		return e
	}
	return explained{Text: c.Reason, Known: true, Raw: c.Reason}
}

// NetError explains a post's failure; nil when it has none.
func (p pageData) NetError(v postView) *netError { return p.L.netErrorOf(v.Post) }

// Expired explains why an expired post did not go out.
func (p pageData) Expired(v postView) explained {
	reason := v.LastError
	if reason == "" && len(v.Audit) > 0 {
		reason = v.Audit[len(v.Audit)-1].Reason
	}
	return p.Reason(reason)
}

// Actor and Action say an audit line's who and what in words.
func (p pageData) Actor(a string) string  { return p.L.actorName(a) }
func (p pageData) Action(a string) string { return p.L.actionName(a) }

// Num, Pct and N format numbers, percentages and plural messages.
func (p pageData) Num(n int) string           { return p.L.Number(int64(n)) }
func (p pageData) Pct(n int64) string         { return p.L.Percent(n) }
func (p pageData) N(key string, n int) string { return p.L.N(key, n) }

// LangName names a language code ("fr" → "français"), else shows the code.
func (p pageData) LangName(code string) string {
	if p.L.has("langname." + code) {
		return p.L.T("langname." + code)
	}
	return code
}

// OtherLang is the language the switch link offers.
func (p pageData) OtherLang() string {
	if p.Lang == "fr" {
		return "en"
	}
	return "fr"
}

// SwitchLangURL is this page in the other language.
func (p pageData) SwitchLangURL() string { return p.Path + "?lang=" + p.OtherLang() }

// DayLabel names a calendar day in the interface's language: "mar. 3 mars".
func (p pageData) DayLabel(t time.Time) string { return p.L.date(t, p.now.In(p.loc)) }

type flash struct {
	Kind string `json:"k"` // ok, error
	Msg  string `json:"m"`
}

const flashCookie = "fanfare_flash"

// setFlash leaves a message for the page the redirect lands on.
func (s *Server) setFlash(w http.ResponseWriter, kind, msg string) {
	b, _ := json.Marshal(flash{Kind: kind, Msg: msg})
	http.SetCookie(w, s.cookie(flashCookie, base64.RawURLEncoding.EncodeToString(b), time.Minute))
}

func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) *flash {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(w, s.cookie(flashCookie, "", -time.Second))
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return nil
	}
	var f flash
	if json.Unmarshal(b, &f) != nil || f.Msg == "" {
		return nil
	}
	return &f
}

// page builds the common page data: identity, counts, banners, flash.
func (s *Server) page(w http.ResponseWriter, r *http.Request, nav, titleKey string, data any) pageData {
	l := localeFrom(r.Context())
	p := pageData{
		L: l, Lang: l.lang, Nav: nav, Title: l.T(titleKey), Path: r.URL.Path, Query: r.URL.RawQuery,
		Version: s.opt.Version, loc: s.loc, now: s.now(), Data: data, ImpactNav: s.opt.Impact != nil,
	}
	p.User, p.LoggedIn = identityFrom(r.Context())
	if !p.LoggedIn {
		return p
	}
	p.Flash = s.takeFlash(w, r)
	ctx := r.Context()
	if counts, err := s.opt.Queue.Counts(ctx); err != nil {
		s.log.Warn("unable to count posts", "error", err)
	} else {
		p.Counts = counts
		p.Problems = counts[content.StateFailed] + counts[content.StateUnknown] + counts[content.StateDuplicate]
	}
	for _, n := range s.pausedNetworks(ctx) {
		p.Paused = append(p.Paused, pausedNetwork{NetworkStatus: n, Why: l.pauseError(n.Network, n.Reason)})
	}
	p.Sources = s.failingSources(ctx)
	p.CanResume = s.opt.ResumeNetwork != nil
	return p
}

func (s *Server) pausedNetworks(ctx context.Context) []bots.NetworkStatus {
	if s.opt.Networks == nil {
		return nil
	}
	st, err := s.opt.Networks.NetworkStatus(ctx)
	if err != nil {
		s.log.Warn("unable to read network status", "error", err)
		return nil
	}
	var paused []bots.NetworkStatus
	for _, n := range st {
		if n.Paused {
			paused = append(paused, n)
		}
	}
	return paused
}

// editorPages have text editors: they load twitter-text, so that the live
// count is X's own (the server counts with the same rules).
var editorPages = map[string]bool{"queue": true, "post": true, "compose": true, "campaign": true}

// render executes a page into a buffer first, so a template error becomes a
// clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, status int, name string, p pageData) {
	t, ok := s.pages[name]
	if !ok {
		s.log.Error("no such page template", "page", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if editorPages[name] {
		p.Scripts = append(p.Scripts, "/static/vendor/twitter-text.min.js")
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", &p); err != nil {
		s.log.Error("unable to render page", "page", name, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeHTML(w, status, &buf)
}

// writeHTML sends a rendered page or fragment, never cached.
func writeHTML(w http.ResponseWriter, status int, buf *bytes.Buffer) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// renderError shows a message (a catalog key) in the layout with a status.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, key string, args ...any) {
	l := localeFrom(r.Context())
	p := s.page(w, r, "", "err.title", l.T(key, args...))
	s.render(w, status, "error", p)
}

// back redirects (303) to a local path after a form, never to another site.
func (s *Server) back(w http.ResponseWriter, r *http.Request, fallback string) {
	to := r.PostFormValue("next")
	if !isLocalPath(to) {
		to = fallback
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// isLocalPath accepts a path on this site ("/x", "/x?y") and nothing a
// browser could read as another site. Browsers drop tabs and newlines from a
// Location and treat "\\" like "/", so "/\t/evil.example" becomes
// "//evil.example": any control character or backslash is refused outright,
// and the path must be one "/" followed by something else, both as written
// and once percent-decoded (a proxy or a second redirect may decode it).
func isLocalPath(p string) bool {
	if len(p) == 0 || len(p) > 2048 || p[0] != '/' {
		return false
	}
	if len(p) > 1 && (p[1] == '/' || p[1] == '\\') {
		return false
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f || r == '\\' || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return false
	}
	// u.Path is the decoded path: "/%2F%2Fevil.example" decodes to "///evil.example".
	if !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return false
	}
	for _, r := range u.Path {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return false
		}
	}
	return true
}

// Num64, Dec and Dec0 format metrics: whole numbers, one decimal, none.
func (p pageData) Num64(n int64) string  { return p.L.Number(n) }
func (p pageData) Dec(f float64) string  { return p.L.decimal(f, 1) }
func (p pageData) Dec0(f float64) string { return p.L.decimal(f, 0) }

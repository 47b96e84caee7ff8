package web

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/impact"
)

// ImpactReader is what the impact API and page read (*impact.Service).
type ImpactReader interface {
	PostImpact(ctx context.Context, p content.Post) (impact.PostImpact, error)
	Report(ctx context.Context, groupBy string, since time.Time) (impact.Report, error)
}

// ShortLinks follow a post's short link and count the visit
// (*impact.Links).
type ShortLinks interface {
	Follow(ctx context.Context, code string, v impact.Visit) (string, error)
}

// impactRoutes are the short links, the pledge hook and the impact API and
// page, when the daemon wired them.
func (s *Server) impactRoutes() []route {
	var rs []route
	if s.opt.ShortLinks != nil {
		// GET patterns answer HEAD too: counted by neither.
		rs = append(rs, route{pattern: "GET /r/{code}", access: accessPublic, handler: s.shortLink})
	}
	if s.opt.PledgeHook != nil {
		rs = append(rs, route{pattern: "POST /hooks/pledges", access: accessPublic, handler: s.opt.PledgeHook.ServeHTTP})
	}
	if s.opt.Impact != nil {
		rs = append(rs,
			route{pattern: "GET /api/v1/impact", access: accessAPI, handler: s.apiImpact,
				doc: &apiDoc{summary: "What published posts did, grouped: clicks, unique visitors, attributed pledges and the estimated pledge lift (CSV with format=csv)",
					status: 200, response: "ImpactReport", query: []param{
						{"group_by", "string", "post, campaign, variant, network or family (default post)", false},
						{"days", "integer", "posts published in the last N days, 1 to 90 (default 30)", false},
						{"format", "string", "json (default) or csv", false}}}},
			route{pattern: "GET /impact", access: accessPage, handler: s.impactPage},
			route{pattern: "POST /impact/pin", access: accessPage, handler: s.impactPin},
		)
	}
	if s.opt.Bandit != nil {
		rs = append(rs,
			route{pattern: "GET /api/v1/impact/variants", access: accessAPI, handler: s.apiVariants,
				doc: &apiDoc{summary: "Where template variants compete (network, language, milestone family): each variant's posts and clicks, the share of posts the bandit gives it now, and the variant a person pinned",
					status: 200, response: "VariantStatsList"}},
			route{pattern: "POST /api/v1/impact/variants/pin", access: accessAPI, handler: s.apiPinVariant,
				doc: &apiDoc{summary: "Pin a variant for a key (every post of it uses that variant), or unpin with an empty variant (the bandit chooses again)",
					body: "VariantPin", status: 200, response: "VariantStats"}},
		)
	}
	return rs
}

// shortLink answers GET and HEAD {public_url}/r/{code}: a 302 to where the
// link leads, or a plain 404 for a code that is not one. Only a GET counts
// (a person's: impact tells robots, link previews included, apart). The
// visitor's address is the one the login limits count (trusted proxies
// believed, an IPv6 client by its /64), only ever hashed by impact.
func (s *Server) shortLink(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	to, err := s.opt.ShortLinks.Follow(r.Context(), code,
		impact.Visit{Count: r.Method == http.MethodGet, Addr: s.limitAddr(r), UserAgent: r.UserAgent()})
	switch {
	case errors.Is(err, impact.ErrNoLink):
		http.NotFound(w, r)
		return
	case err != nil:
		s.log.Error("unable to answer a short link", "code", code, "error", err)
		http.Error(w, "short links are unavailable, try again", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Cache-Control", "private, no-store") // every click must reach us
	http.Redirect(w, r, to, http.StatusFound)
}

// variantStats is one key of GET /api/v1/impact/variants.
type variantStats struct {
	Key     string             `json:"key"` // network/lang/family, as POST …/pin takes it
	Network string             `json:"network"`
	Lang    string             `json:"lang"`
	Family  string             `json:"family"`
	Arms    []impact.Arm       `json:"arms"`
	Shares  map[string]float64 `json:"shares"`
	Pinned  string             `json:"pinned,omitempty"`
}

func newVariantStats(st impact.ArmStats) variantStats {
	return variantStats{Key: st.Key.String(), Network: st.Key.Network, Lang: st.Key.Lang, Family: st.Key.Family,
		Arms: st.Arms, Shares: st.Shares, Pinned: st.Pinned}
}

// variantStatsNow is the bandit's keys with the latest clicks.
func (s *Server) variantStatsNow(ctx context.Context) ([]variantStats, error) {
	if err := s.opt.Bandit.Refresh(ctx); err != nil {
		return nil, err
	}
	out := []variantStats{}
	for _, st := range s.opt.Bandit.Stats() {
		out = append(out, newVariantStats(st))
	}
	return out, nil
}

func (s *Server) apiVariants(w http.ResponseWriter, r *http.Request) {
	items, err := s.variantStatsNow(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

// apiPinVariant pins a variant the bandit knows for a key it knows: a
// variant no post used yet cannot be told from a typing mistake.
func (s *Server) apiPinVariant(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Key     string `json:"key"`
		Variant string `json:"variant"`
	}
	if err := decodeJSON(w, r, &b, false); err != nil {
		s.apiFail(w, r, err)
		return
	}
	k, err := impact.ParseBanditKey(b.Key)
	if err != nil {
		s.apiFail(w, r, &content.FieldError{Field: "key", Message: fmt.Sprintf("%q is not network/lang/family, as GET /api/v1/impact/variants lists them", b.Key)})
		return
	}
	items, err := s.variantStatsNow(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	i := slices.IndexFunc(items, func(v variantStats) bool { return v.Key == k.String() })
	if i < 0 {
		s.apiFail(w, r, &content.FieldError{Field: "key", Message: fmt.Sprintf("no variants compete for %s yet", k)})
		return
	}
	if b.Variant != "" && !slices.ContainsFunc(items[i].Arms, func(a impact.Arm) bool { return a.Variant == b.Variant }) {
		names := make([]string, len(items[i].Arms))
		for j, a := range items[i].Arms {
			names[j] = a.Variant
		}
		s.apiFail(w, r, &content.FieldError{Field: "variant", Message: fmt.Sprintf("%q is not a variant of %s (%s)", b.Variant, k, strings.Join(names, ", "))})
		return
	}
	if err := s.opt.Bandit.Pin(r.Context(), k, b.Variant); err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.log.Info("variant pinned", "key", k.String(), "variant", b.Variant, "actor", actor(r))
	v := items[i]
	v.Pinned = b.Variant
	writeJSON(w, http.StatusOK, v)
}

// postWithImpact is a post as GET /api/v1/posts/{id} gives it once impact
// is wired: the post's fields and what it did.
type postWithImpact struct {
	content.Post
	impact.PostImpact
}

// impactQuery reads group_by and days.
func impactQuery(r *http.Request) (groupBy string, days int, err error) {
	q := r.URL.Query()
	groupBy = q.Get("group_by")
	if groupBy == "" {
		groupBy = "post"
	}
	if !slices.Contains(impact.Groupings, groupBy) {
		return "", 0, invalidParam("group_by", "group_by %q is not one of %s", groupBy, strings.Join(impact.Groupings, ", "))
	}
	days = 30
	if v := q.Get("days"); v != "" {
		if days, err = strconv.Atoi(v); err != nil || days < 1 || days > 90 {
			return "", 0, invalidParam("days", "days must be an integer from 1 to 90, got %q", v)
		}
	}
	return groupBy, days, nil
}

func (s *Server) apiImpact(w http.ResponseWriter, r *http.Request) {
	groupBy, days, err := impactQuery(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "csv" {
		s.apiFail(w, r, invalidParam("format", "format %q is not json or csv", format))
		return
	}
	rep, err := s.opt.Impact.Report(r.Context(), groupBy, s.now().Add(-time.Duration(days)*24*time.Hour))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	if rep.Rows == nil {
		rep.Rows = []impact.Row{}
	}
	if format != "csv" {
		writeJSON(w, http.StatusOK, rep)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="fanfare-impact-%s.csv"`, groupBy))
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{groupBy, "network", "posts", "clicks", "unique_visitors", "clicks_per_post", "impressions",
		"attributed_pledges", "lift_estimated", "lift_low", "lift_high", "lift_posts", "lift_claimed", "best"})
	for _, row := range rep.Rows {
		lift, lo, hi := "", "", ""
		if row.Lift != nil {
			lift, lo, hi = ratio(row.Lift.Lift), ratio(row.Lift.Low), ratio(row.Lift.High)
		}
		_ = cw.Write([]string{csvSafe(row.Key), row.Network, strconv.Itoa(row.Posts), strconv.FormatInt(row.Clicks, 10),
			strconv.FormatInt(row.UniqueVisitors, 10), strconv.FormatFloat(row.ClicksPerPost, 'f', 2, 64),
			strconv.FormatInt(row.Impressions, 10), strconv.FormatInt(row.AttributedPledges, 10), lift, lo, hi,
			strconv.Itoa(row.LiftPosts), strconv.Itoa(row.Claimed), strconv.FormatBool(row.Best)})
	}
	cw.Flush()
}

func ratio(f float64) string { return strconv.FormatFloat(f, 'f', 4, 64) }

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// VariantPinner is the variant bandit as the Impact page uses it
// (*impact.Bandit).
type VariantPinner interface {
	// Refresh reads the latest clicks: the page shows them as they are.
	Refresh(ctx context.Context) error
	Stats() []impact.ArmStats
	Pin(ctx context.Context, k impact.BanditKey, variant string) error
}

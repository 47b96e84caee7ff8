package web

import (
	"cmp"
	"html/template"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/content/impact"
)

// impactWindow is how far back the Impact page looks.
const impactWindow = 30 * 24 * time.Hour

type impactRow struct {
	impact.Row
	Label    string
	LabelNet string
	Lift     string // "+12 % (−3 à +30 %)", or "" with none
}

type impactVariant struct {
	impact.Arm
	PerPost string
	Share   string
	Best    bool
}

type impactKey struct {
	Key      string // network/lang/family, the pin form's value
	Label    string
	Pinned   string
	Variants []impactVariant
}

type impactData struct {
	Days         int
	Families     []impactRow
	FamilyChart  template.HTML
	Variants     []impactRow
	VariantChart template.HTML
	Keys         []impactKey
	Posts        []impactRow
	CanPin       bool
}

// impactPage shows which milestone families and which template variants
// bring clicks and pledges: charts and tables per family and per variant,
// the bandit's current shares (with a pin per network, language and
// family), and the posts with their estimated lift.
func (s *Server) impactPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	l := localeFrom(ctx)
	since := s.now().Add(-impactWindow)
	id, _ := identityFrom(ctx)
	d := impactData{Days: int(impactWindow.Hours() / 24), CanPin: id.CanChange() && s.opt.Bandit != nil}
	rows := func(by string) ([]impactRow, error) {
		rep, err := s.opt.Impact.Report(ctx, by, since)
		if err != nil {
			return nil, err
		}
		out := make([]impactRow, 0, len(rep.Rows))
		for _, row := range rep.Rows {
			out = append(out, impactRow{Row: row, Label: l.impactLabel(by, row.Key), LabelNet: l.Net(row.Network), Lift: l.liftText(row.Lift)})
		}
		return out, nil
	}
	var err error
	if d.Families, err = rows("family"); err != nil {
		s.pageFailed(w, r, err)
		return
	}
	if d.Variants, err = rows("variant"); err != nil {
		s.pageFailed(w, r, err)
		return
	}
	if d.Posts, err = rows("post"); err != nil {
		s.pageFailed(w, r, err)
		return
	}
	slices.SortFunc(d.Posts, func(a, b impactRow) int { return cmp.Compare(b.Clicks, a.Clicks) })
	d.Posts = d.Posts[:min(len(d.Posts), 30)]
	d.FamilyChart = barChart(l.T("impact.chart_families"), impactBars(l, d.Families))
	d.VariantChart = barChart(l.T("impact.chart_variants"), impactBars(l, d.Variants))
	if s.opt.Bandit != nil {
		if err := s.opt.Bandit.Refresh(ctx); err != nil {
			s.log.Warn("unable to refresh variant statistics: showing the last ones", "error", err)
		}
		for _, st := range s.opt.Bandit.Stats() {
			k := impactKey{Key: st.Key.String(), Pinned: st.Pinned,
				Label: l.Net(st.Key.Network) + " · " + strings.ToUpper(st.Key.Lang) + " · " + l.familyName(st.Key.Family)}
			best := ""
			for _, a := range st.Arms {
				if best == "" || st.Shares[a.Variant] > st.Shares[best] {
					best = a.Variant
				}
			}
			for _, a := range st.Arms {
				per := 0.0
				if a.Posts > 0 {
					per = float64(a.Clicks) / float64(a.Posts)
				}
				k.Variants = append(k.Variants, impactVariant{Arm: a, PerPost: l.decimal(per, 1),
					Share: l.T("impact.percent", l.decimal(100*st.Shares[a.Variant], 0)), Best: a.Variant == best})
			}
			d.Keys = append(d.Keys, k)
		}
	}
	s.render(w, http.StatusOK, "impact", s.page(w, r, "impact", "impact.title", d))
}

// impactPin pins a variant (or lets the bandit choose again).
func (s *Server) impactPin(w http.ResponseWriter, r *http.Request) {
	if s.opt.Bandit == nil {
		http.NotFound(w, r)
		return
	}
	k, err := impact.ParseBanditKey(r.PostFormValue("key"))
	if err != nil {
		s.renderError(w, r, http.StatusBadRequest, "impact.bad_pin")
		return
	}
	if err := s.opt.Bandit.Pin(r.Context(), k, r.PostFormValue("variant")); err != nil {
		s.pageFailed(w, r, err)
		return
	}
	http.Redirect(w, r, "/impact#variants", http.StatusSeeOther)
}

func impactBars(l locale, rows []impactRow) []bar {
	out := make([]bar, 0, len(rows))
	for _, r := range rows {
		label := r.LabelNet + " · " + r.Label
		if r.Best {
			label = "★ " + label
		}
		out = append(out, bar{Label: label, Value: r.ClicksPerPost, Shown: l.decimal(r.ClicksPerPost, 1)})
	}
	return out
}

// impactLabel names a group: a family in words, a variant as
// "language · family · variant n".
func (l locale) impactLabel(by, key string) string {
	switch by {
	case "family":
		return l.familyName(key)
	case "variant":
		lang, v, _ := strings.Cut(key, ":")
		if !strings.Contains(v, "/") { // a kind of post without variants
			return strings.ToUpper(lang) + " · " + l.familyName(v)
		}
		return strings.ToUpper(lang) + " · " + l.variantLabel("milestone", v)
	}
	return key
}

func (l locale) familyName(f string) string {
	switch {
	case l.has("family." + f):
		return l.T("family." + f)
	case l.has("kind." + f):
		return l.T("kind." + f)
	case f == "merged":
		return l.T("impact.merged")
	}
	return f
}

// liftText says an estimated lift with its interval: "+12 % (−3 to +30 %)".
func (l locale) liftText(e *impact.Estimate) string {
	if e == nil {
		return ""
	}
	pct := func(f float64) string {
		n := math.Round(100 * f)
		sign := "+"
		if n < 0 {
			sign = "−"
		}
		return sign + l.decimal(math.Abs(n), 0)
	}
	return l.T("impact.lift_value", pct(e.Lift), pct(e.Low), pct(e.High))
}

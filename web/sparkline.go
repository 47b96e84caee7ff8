package web

import (
	"fmt"
	"html"
	"html/template"
	"strconv"
	"strings"

	"github.com/fanfarehq/fanfare/campaigns"
)

// Sparkline draws pledges over time as a small SVG polyline, one point per
// sample, x by time and y by amount (the top is the larger of the highest
// pledge and the goal, so crossing the goal shows). It returns "" for no samples.
// The SVG uses attributes only: the CSP forbids inline styles.
func Sparkline(samples []campaigns.Sample, goal int64, width, height int, label string) template.HTML {
	if len(samples) == 0 || width <= 0 || height <= 0 {
		return ""
	}
	t0 := samples[0].At
	span := samples[len(samples)-1].At.Sub(t0).Seconds()
	top := goal
	for _, s := range samples {
		if s.Pledged > top {
			top = s.Pledged
		}
	}
	if top <= 0 {
		top = 1
	}
	const pad = 2.0
	w, h := float64(width)-2*pad, float64(height)-2*pad
	pts := make([]string, len(samples))
	for i, s := range samples {
		var x float64
		switch {
		case span > 0:
			x = s.At.Sub(t0).Seconds() / span * w
		case len(samples) > 1:
			x = float64(i) / float64(len(samples)-1) * w
		}
		y := h - float64(s.Pledged)/float64(top)*h
		pts[i] = strconv.FormatFloat(pad+x, 'f', 1, 64) + "," + strconv.FormatFloat(pad+y, 'f', 1, 64)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="sparkline" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">`, width, height, width, height, html.EscapeString(label))
	if goal > 0 && goal <= top {
		gy := pad + h - float64(goal)/float64(top)*h
		fmt.Fprintf(&b, `<line x1="0" x2="%d" y1="%.1f" y2="%.1f" stroke="#9aa5b1" stroke-dasharray="3 3" stroke-width="1"/>`, width, gy, gy)
	}
	fmt.Fprintf(&b, `<polyline fill="none" stroke="#2563eb" stroke-width="2" stroke-linejoin="round" points="%s"/>`, strings.Join(pts, " "))
	b.WriteString(`</svg>`)
	// Only numbers computed here and the escaped label go into the markup.
	return template.HTML(b.String())
}

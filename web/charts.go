package web

import (
	"fmt"
	"html"
	"html/template"
	"strings"
)

// bar is one bar of a chart: a label, its value and the value as shown.
type bar struct {
	Label string
	Lang  string // the label's language when it is not the page's
	Value float64
	Shown string // the value formatted for the interface's language
}

// barChart draws horizontal bars as an SVG the server renders: no script,
// and attributes only, since the CSP forbids inline styles. title names the
// chart for assistive technology (the page shows the same figures in a
// table next to it). Bars scale to the largest value; a chart with no
// positive value draws empty bars.
func barChart(title string, bars []bar) template.HTML {
	if len(bars) == 0 {
		return ""
	}
	const (
		width    = 640
		labelW   = 220
		valueW   = 70
		barH     = 22
		gap      = 10
		barColor = "#1d4ed8" // 7.5:1 on white
		text     = "#1f2933"
	)
	top := 0.0
	for _, b := range bars {
		top = max(top, b.Value)
	}
	height := len(bars)*(barH+gap) + gap
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s">`,
		width, height, width, height, html.EscapeString(title))
	fmt.Fprintf(&sb, `<title>%s</title>`, html.EscapeString(title))
	span := float64(width - labelW - valueW)
	for i, b := range bars {
		y := gap + i*(barH+gap)
		w := 0.0
		if top > 0 && b.Value > 0 {
			w = max(2, b.Value/top*span)
		}
		lang := ""
		if b.Lang != "" {
			lang = ` lang="` + html.EscapeString(b.Lang) + `"`
		}
		fmt.Fprintf(&sb, `<text x="%d" y="%d" font-size="13" fill="%s" text-anchor="end"%s>%s</text>`,
			labelW-8, y+barH/2+5, text, lang, html.EscapeString(truncateLabel(b.Label, 30)))
		fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%.1f" height="%d" rx="3" fill="%s"/>`, labelW, y, w, barH, barColor)
		fmt.Fprintf(&sb, `<text x="%.1f" y="%d" font-size="13" fill="%s">%s</text>`,
			float64(labelW)+w+6, y+barH/2+5, text, html.EscapeString(b.Shown))
	}
	sb.WriteString(`</svg>`)
	// Only numbers and escaped text go into the markup.
	return template.HTML(sb.String())
}

// truncateLabel keeps chart labels on one line.
func truncateLabel(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

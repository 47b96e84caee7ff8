package web

import (
	"strconv"
	"strings"

	"golang.org/x/text/currency"
)

// formatMoney writes an amount in minor units the way the interface's language
// writes numbers, with the ISO code after it: "12,345.50 EUR", "12 345,50 EUR".
func formatMoney(minor int64, code, lang string) string {
	scale := 2
	if u, err := currency.ParseISO(code); err == nil {
		scale, _ = currency.Standard.Rounding(u)
	}
	neg := minor < 0
	if neg {
		minor = -minor
	}
	div := int64(1)
	for range scale {
		div *= 10
	}
	whole, frac := minor/div, minor%div
	group, dec := ",", "."
	if lang == "fr" {
		group, dec = "\u202f", ","
	}
	ws := strconv.FormatInt(whole, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range ws {
		if i > 0 && (len(ws)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(c)
	}
	if scale > 0 && frac != 0 {
		fs := strconv.FormatInt(frac, 10)
		b.WriteString(dec + strings.Repeat("0", scale-len(fs)) + fs)
	}
	b.WriteString(" " + code)
	return b.String()
}

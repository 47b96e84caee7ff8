package mapping

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/fanfarehq/fanfare/campaigns"
)

// decimalRE is what ParseMajor accepts: plain decimal text with an optional
// exponent; no hex, fractions, separators or spaces. Groups: sign, integer
// digits, fraction digits, exponent.
var decimalRE = regexp.MustCompile(`^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,4}))?$`)

// ParseMajor converts a decimal amount in major units ("1234.5", "1e3",
// "-0.50") to minor units of the ISO 4217 currency cur, exactly: 1234.5 EUR
// is 123450, 1234 JPY is 1234, 1.234 KWD is 1234, 1 IQD is 1000. The
// currency's exponent is ISO 4217's (campaigns.MinorUnits), not CLDR's. It
// works on the digits as text, never through float64; digits beyond the
// currency's precision are rounded half away from zero (12.345 EUR is 1235).
func ParseMajor(text, cur string) (int64, error) {
	scale, ok := campaigns.MinorUnits(cur)
	if !ok {
		return 0, fmt.Errorf("unknown currency %q: cannot scale %q", cur, text)
	}
	m := decimalRE.FindStringSubmatch(text)
	if m == nil || m[2] == "" && m[3] == "" || len(text) > 64 {
		return 0, fmt.Errorf("%q is not a decimal amount", text)
	}
	exp := 0
	if m[4] != "" {
		exp, _ = strconv.Atoi(m[4]) // at most 4 digits: cannot fail
	}
	digits := m[2] + m[3]
	// point is where the decimal point falls in digits once the amount is
	// scaled to minor units.
	point := len(m[2]) + exp + scale
	var whole string
	round := false
	switch {
	case point <= 0:
		whole = "0"
	case point >= len(digits):
		whole = digits + strings.Repeat("0", min(point-len(digits), 20))
	default:
		whole, round = digits[:point], digits[point] >= '5'
	}
	if point == 0 && len(digits) > 0 {
		round = digits[0] >= '5'
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 18 { // past 10^18 minor units: no campaign, and near int64's end
		return 0, fmt.Errorf("%q is beyond any plausible amount", text)
	}
	n := int64(0)
	if whole != "" {
		n, _ = strconv.ParseInt(whole, 10, 64) // at most 18 digits: cannot fail
	}
	if round {
		n++
	}
	if m[1] == "-" {
		n = -n
	}
	return n, nil
}

// parseMinor reads an amount already in minor units: an integer. A decimal
// point most likely means the source writes major units, which the message
// says.
func parseMinor(text string) (int64, error) {
	n, err := strconv.ParseInt(text, 10, 64)
	if err == nil {
		return n, nil
	}
	if decimalRE.MatchString(text) && strings.ContainsAny(text, ".eE") {
		return 0, fmt.Errorf("%q is not an integer amount in minor units (cents); if the source writes major units (27.50 for 27.50 €), say money: major", text)
	}
	return 0, fmt.Errorf("%q is not an integer amount in minor units", text)
}

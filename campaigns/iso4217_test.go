package campaigns

import (
	"strings"
	"testing"

	"golang.org/x/text/currency"
)

// The exponents are ISO 4217's (List One, 2024-06-25), not CLDR's: the
// currencies where the two disagree are the point of the table.
func TestMinorUnits(t *testing.T) {
	tests := []struct {
		code string
		want int
		ok   bool
	}{
		{"EUR", 2, true}, {"USD", 2, true}, {"GBP", 2, true},
		{"JPY", 0, true}, {"KRW", 0, true}, {"XOF", 0, true}, {"CLP", 0, true},
		{"KWD", 3, true}, {"BHD", 3, true}, {"TND", 3, true},
		{"IQD", 3, true}, // CLDR: 0
		{"IDR", 2, true}, // CLDR: 0
		{"COP", 2, true}, // CLDR: 0
		{"PKR", 2, true}, // CLDR: 0
		{"CLF", 4, true}, {"UYW", 4, true},
		{"ISK", 0, true}, {"UGX", 0, true},
		{"XAU", 0, false}, {"XXX", 0, false}, {"XTS", 0, false}, // minor unit N.A.
		{"eur", 0, false}, {"EUX", 0, false}, {"", 0, false}, {"EURO", 0, false},
		{"DEM", 0, false}, // withdrawn: not in List One
	}
	for _, tt := range tests {
		got, ok := MinorUnits(tt.code)
		if got != tt.want || ok != tt.ok {
			t.Errorf("MinorUnits(%q) = %d, %v; want %d, %v", tt.code, got, ok, tt.want, tt.ok)
		}
	}
}

func TestMinorUnitsTable(t *testing.T) {
	// 166 codes with minor units in List One of 2024-06-25 (13 more have
	// "N.A."): a change here means a new edition, to name in iso4217.go.
	if len(minorUnits) != 166 {
		t.Errorf("table has %d codes, List One 2024-06-25 has 166 with minor units", len(minorUnits))
	}
	seen := map[string]bool{}
	for _, codes := range []string{iso4217Exp0, iso4217Exp2, iso4217Exp3, iso4217Exp4} {
		for _, c := range strings.Fields(codes) {
			if len(c) != 3 || strings.ToUpper(c) != c || seen[c] {
				t.Errorf("code %q is malformed or listed twice", c)
			}
			seen[c] = true
		}
	}
	// Where CLDR differs is where a 100× error came from: the table must
	// not be CLDR under another name.
	differs := 0
	for code, n := range minorUnits {
		if u, err := currency.ParseISO(code); err == nil {
			if cldr, _ := currency.Standard.Rounding(u); cldr != n {
				differs++
			}
		}
	}
	if differs < 10 {
		t.Errorf("only %d codes differ from CLDR's digits: is the table CLDR's?", differs)
	}
}

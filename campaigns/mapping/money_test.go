package mapping

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseMajor(t *testing.T) {
	tests := []struct {
		text, cur string
		want      int64
		wantErr   string
	}{
		{"1234.50", "EUR", 123450, ""},
		{"1234.5", "EUR", 123450, ""},
		{"1234", "EUR", 123400, ""},
		{"0.01", "USD", 1, ""},
		{".5", "USD", 50, ""},
		{"5.", "USD", 500, ""},
		{"-0.50", "EUR", -50, ""},
		{"+7", "EUR", 700, ""},
		{"12.345", "EUR", 1235, ""},    // half away from zero
		{"12.344999", "EUR", 1234, ""}, // only the first dropped digit decides
		{"-12.345", "EUR", -1235, ""},
		{"0.004", "EUR", 0, ""},
		{"0.005", "EUR", 1, ""},
		{"0.0005", "EUR", 0, ""},
		{"1000000.0", "JPY", 1000000, ""},
		{"1234.5", "JPY", 1235, ""},
		{"1.234", "KWD", 1234, ""},
		// ISO 4217 exponents, not CLDR's (which gives IDR, COP, PKR 0 and IQD 0).
		{"2750", "EUR", 275000, ""},
		{"1500000", "IDR", 150000000, ""},
		{"12500.50", "IDR", 1250050, ""},
		{"250000", "COP", 25000000, ""},
		{"99.99", "PKR", 9999, ""},
		{"1", "IQD", 1000, ""},
		{"25.125", "IQD", 25125, ""},
		{"3", "KWD", 3000, ""},
		{"1500", "JPY", 1500, ""},
		{"1.5", "CLF", 15000, ""},
		{"0.00005", "CLF", 1, ""},
		{"1", "XAU", 0, "unknown currency"},
		{"2.5e3", "USD", 250000, ""},
		{"25E-1", "USD", 250, ""},
		{"1e-3", "USD", 0, ""},
		{"5e-3", "USD", 1, ""},
		{"0.1", "EUR", 10, ""},                            // a float64 would give 10.000000000000002
		{"9007199254740993", "JPY", 9007199254740993, ""}, // past float64's exact integers
		{"123456789012345678", "JPY", 123456789012345678, ""},
		{"1234567890123456789", "JPY", 0, "beyond"},
		{"1e9999", "EUR", 0, "beyond"},
		{"1e-9999", "EUR", 0, ""},
		{"1e99999", "EUR", 0, "not a decimal"},
		{"12,50", "EUR", 0, "not a decimal"},
		{"1 000", "EUR", 0, "not a decimal"},
		{"0x10", "EUR", 0, "not a decimal"},
		{"1/2", "EUR", 0, "not a decimal"},
		{"", "EUR", 0, "not a decimal"},
		{".", "EUR", 0, "not a decimal"},
		{"-", "EUR", 0, "not a decimal"},
		{"NaN", "EUR", 0, "not a decimal"},
		{"Inf", "EUR", 0, "not a decimal"},
		{"10", "ZZZ", 0, "unknown currency"},
		{"10", "eur", 0, "unknown currency"},
	}
	for _, tt := range tests {
		got, err := ParseMajor(tt.text, tt.cur)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseMajor(%q, %s) = %d, %v; want error %q", tt.text, tt.cur, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseMajor(%q, %s) = %d, %v; want %d", tt.text, tt.cur, got, err, tt.want)
		}
	}
}

func TestParseMinor(t *testing.T) {
	if n, err := parseMinor("275000"); err != nil || n != 275000 {
		t.Errorf("parseMinor(275000) = %d, %v", n, err)
	}
	// A decimal point in minor units is most likely major units: say so.
	_, err := parseMinor("2750.00")
	if err == nil || !strings.Contains(err.Error(), "money: major") {
		t.Errorf("parseMinor(2750.00) = %v, want a hint at money: major", err)
	}
	if _, err := parseMinor("12 €"); err == nil {
		t.Error("parseMinor took text")
	}
}

func FuzzParseMajor(f *testing.F) {
	for _, s := range []string{"1234.50", "-0.005", "1e3", ".5", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseMajor(s, "EUR")
		if err != nil {
			return
		}
		// Minor units of a plain decimal can be written back and read again.
		if back, err := ParseMajor(formatMinor(n), "EUR"); err != nil || back != n {
			t.Fatalf("%q -> %d -> %q -> %d, %v", s, n, formatMinor(n), back, err)
		}
	})
}

func formatMinor(n int64) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	return fmt.Sprintf("%s%d.%02d", sign, n/100, n%100)
}

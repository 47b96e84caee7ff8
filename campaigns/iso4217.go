package campaigns

import "strings"

// The minor units (decimal places) of every current ISO 4217 currency and
// fund code, by exponent.
//
// Source: ISO 4217 "List One: Current currency & funds code list", published
// by SIX Financial Information AG as the ISO 4217 Maintenance Agency, edition
// of 2024-06-25:
// https://www.six-group.com/dam/download/financial-information/data-center/iso-currrency/lists/list-one.xml
// (column CcyMnrUnts). Codes whose minor unit is "N.A." there (XAU, XAG, XPD,
// XPT, XBA, XBB, XBC, XBD, XDR, XSU, XUA, XTS, XXX) are left out: no amount in
// them can be written in minor units, so no campaign can be in them.
//
// This table, not CLDR, is what "minor units" means in the webhook contract.
// CLDR (golang.org/x/text/currency) rounds for display and differs for about
// twenty currencies: it gives IDR, COP and PKR 0 decimals and IQD 0 where ISO
// 4217 gives 2, 2, 2 and 3, so an amount in ISO minor units read with CLDR's
// digits is off by 100× or 1000×.
//
// When SIX publishes an amendment that changes a code or an exponent, update
// the lists and the edition above; TestMinorUnitsTable pins the count.
const (
	iso4217Exp0 = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
	iso4217Exp2 = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD " +
		"BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD " +
		"EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR " +
		"IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP " +
		"MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN " +
		"QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB " +
		"TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD YER ZAR ZMW ZWG"
	iso4217Exp3 = "BHD IQD JOD KWD LYD OMR TND"
	iso4217Exp4 = "CLF UYW"
)

var minorUnits = func() map[string]int {
	m := make(map[string]int, 180)
	for exp, codes := range []string{iso4217Exp0, "", iso4217Exp2, iso4217Exp3, iso4217Exp4} {
		for _, code := range strings.Fields(codes) {
			m[code] = exp
		}
	}
	return m
}()

// MinorUnits is the number of decimal places of an ISO 4217 currency (2 for
// EUR, 0 for JPY, 3 for KWD and IQD, 4 for CLF): an amount of 1 in minor
// units is 10^-n of the currency. ok is false for a code that is not a current
// ISO 4217 code with minor units (an unknown code, lower case, XAU, XXX).
// Parsing and formatting money both use it, so they cannot disagree.
func MinorUnits(code string) (digits int, ok bool) {
	digits, ok = minorUnits[code]
	return digits, ok
}

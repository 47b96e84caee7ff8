package text

// punycodeJSLen is the length of a host label once encoded by the punycode.js
// module twitter-text checks labels with (its toASCII, version 1.4.1): the
// label is split at the IDNA dots ("。", "．", "｡"), and each part holding a
// character outside printable ASCII becomes "xn--" and its RFC 3492
// encoding, without any IDNA mapping (no lower-casing, no NFKC).
// lowSurrogateFirst: JavaScript sees only the low surrogate of the label's
// first character (see hostScanner.find), which it encodes as a code point.
func punycodeJSLen(label string, lowSurrogateFirst bool) int {
	runes := []rune(label)
	if lowSurrogateFirst && len(runes) > 0 && runes[0] > 0xFFFF {
		runes[0] = 0xDC00 + (runes[0]-0x10000)&0x3FF
	}
	n := 0
	part := runes[:0:0]
	flush := func() {
		if isPrintableASCII(part) {
			n += len(part)
		} else {
			n += len("xn--") + len(punycodeEncode(part))
		}
		part = part[:0]
	}
	for _, r := range runes {
		if r == '\u3002' || r == '\uFF0E' || r == '\uFF61' {
			flush()
			n++ // the dot
			continue
		}
		part = append(part, r)
	}
	flush()
	return n
}

func isPrintableASCII(rs []rune) bool {
	for _, r := range rs {
		if r < 0x20 || r > 0x7E {
			return false
		}
	}
	return true
}

// RFC 3492 parameters.
const (
	punyBase        = 36
	punyTMin        = 1
	punyTMax        = 26
	punySkew        = 38
	punyDamp        = 700
	punyInitialBias = 72
	punyInitialN    = 128
)

// punycodeEncode is RFC 3492's encoding of a label's code points.
func punycodeEncode(runes []rune) string {
	var out []byte
	for _, r := range runes {
		if r < 0x80 {
			out = append(out, byte(r))
		}
	}
	basic := len(out)
	handled := basic
	if basic > 0 {
		out = append(out, '-')
	}
	n, delta, bias := rune(punyInitialN), 0, punyInitialBias
	for handled < len(runes) {
		m := rune(0x7FFFFFFF)
		for _, r := range runes {
			if r >= n && r < m {
				m = r
			}
		}
		delta += int(m-n) * (handled + 1)
		n = m
		for _, r := range runes {
			if r < n {
				delta++
			}
			if r != n {
				continue
			}
			q := delta
			for k := punyBase; ; k += punyBase {
				t := k - bias
				switch {
				case t < punyTMin:
					t = punyTMin
				case t > punyTMax:
					t = punyTMax
				}
				if q < t {
					break
				}
				out = append(out, punyDigit(t+(q-t)%(punyBase-t)))
				q = (q - t) / (punyBase - t)
			}
			out = append(out, punyDigit(q))
			bias = punyAdapt(delta, handled+1, handled == basic)
			delta = 0
			handled++
		}
		delta++
		n++
	}
	return string(out)
}

func punyDigit(d int) byte {
	if d < 26 {
		return byte('a' + d)
	}
	return byte('0' + d - 26)
}

func punyAdapt(delta, points int, first bool) int {
	if first {
		delta /= punyDamp
	} else {
		delta /= 2
	}
	delta += delta / points
	k := 0
	for delta > ((punyBase-punyTMin)*punyTMax)/2 {
		delta /= punyBase - punyTMin
		k += punyBase
	}
	return k + (punyBase-punyTMin+1)*delta/(delta+punySkew)
}

package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// URLSpan is a URL found in a text, with byte offsets: s[Start:End] is where
// twitter-text says the URL is, and URL what it says the URL is. The two are
// the same text but in one quirk of twitter-text, kept because X's counter
// weighs by it: a URL without a scheme whose last ASCII domain ends before its
// host does ("example.co.みんな/x": the URL is "example.co/x", its span covers
// the whole host).
type URLSpan struct {
	URL   string `json:"url"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

const (
	// maxURLLength is the longest URL twitter-text accepts, counted in UTF-16
	// units with a scheme.
	maxURLLength = 4096
	// maxTcoSlugLength is the longest path X's own shortener produces.
	maxTcoSlugLength = 40
	// maxLabelLength is the longest DNS label, in its ASCII (punycode) form.
	maxLabelLength = 63
	// defaultProtocol is what twitter-text counts for a URL without a scheme.
	defaultProtocol = "https://"
)

// ExtractURLs finds the URLs in s the way the official twitter-text library
// (JavaScript, 3.1.0, what the dashboard's counter runs) does: the URLs X
// shortens to t.co and weighs 23. It returns them in order.
//
// It implements twitter-text's extractUrl expression by hand, because RE2 has
// no look-around and that expression leans on backtracking: a URL follows the
// start of the text or a character other than a letter, a digit, @, $ or #;
// its host is labels of any characters but punctuation, spaces and
// directional marks, ending in one of twitter-text's top-level domains or a
// punycode one; only http and https schemes count. Without a scheme, a match
// after "-", "_", "." or "/" does not count, and what is reported is each
// ASCII domain inside the host (the last one with the path and query, when
// there is a path; without one, the port and query are not part of it).
// Paths keep balanced parentheses and lose trailing punctuation; t.co links
// stop after their slug; a host label longer than 63 characters in punycode,
// or a URL longer than 4096, is not a URL.
//
// s is not normalised: callers that weigh text pass its NFC form.
func ExtractURLs(s string) []URLSpan {
	if !mayHoldHost(s) {
		return nil
	}
	var spans []URLSpan
	sc := newHostScanner(s)
	for pos := 0; pos < len(s); {
		m, ok := sc.find(pos)
		if !ok {
			break
		}
		// Like a regexp's next search, the search goes on after the whole
		// match, even one rejected below.
		pos = m.end
		spans = appendURL(spans, s, m)
	}
	return spans
}

// mayHoldHost reports whether s has a dot that a top-level domain could
// follow (a letter or digit, or any non-ASCII character): every URL has one,
// and most sentences' dots are followed by a space.
func mayHoldHost(s string) bool {
	for i := strings.IndexByte(s, '.'); i >= 0 && i+1 < len(s); {
		if c := s[i+1]; c >= utf8.RuneSelf || isASCIIAlnum(c) {
			return true
		}
		next := strings.IndexByte(s[i+1:], '.')
		if next < 0 {
			return false
		}
		i += 1 + next
	}
	return false
}

// appendURL applies to one match what twitter-text's extractUrlsWithIndices
// does after its expression matched.
func appendURL(spans []URLSpan, s string, m urlMatch) []URLSpan {
	url, domain := s[m.start:m.end], s[m.protoEnd:m.domainEnd]
	protocol := s[m.start:m.protoEnd]
	if protocol == "" {
		protocol = defaultProtocol
	}
	if !validURL(url, protocol, domain, m.halfStart) {
		return spans
	}
	if m.protoEnd > m.start {
		if slugEnd, isTco := tcoEnd(url); isTco {
			if slugEnd < 0 {
				return spans // a t.co slug X never issues
			}
			url = url[:slugEnd]
		}
		return append(spans, URLSpan{URL: url, Start: m.start, End: m.start + len(url)})
	}
	if m.hasPrec && strings.ContainsRune("-_./", m.prec) {
		return spans
	}
	ascii := newHostScanner(domain).asciiDomains()
	if len(ascii) == 0 {
		return spans
	}
	// twitter-text places each ASCII domain with indexOf from the end of the
	// previous one: where the same text comes earlier, it reports that place.
	end := 0
	for _, a := range ascii {
		text := domain[a[0]:a[1]]
		start := end + strings.Index(domain[end:], text)
		end = start + len(text)
		spans = append(spans, URLSpan{URL: text, Start: m.start + start, End: m.start + end})
	}
	if m.hasPath {
		last := &spans[len(spans)-1]
		last.URL += s[m.domainEnd:m.end]
		last.End = m.end
	}
	return spans
}

// validURL is twitter-text's isValidUrl: a host starting "xn--" must hold an
// ASCII domain; every label must be 1 to 63 characters once in punycode (as
// the punycode.js module encodes it, without IDNA mapping); and the URL with
// the scheme counted once more (twitter-text's own arithmetic) must be at
// most 4096 UTF-16 units. halfStart: the URL starts with the low surrogate
// of its first character (see find).
func validURL(url, protocol, domain string, halfStart bool) bool {
	if strings.HasPrefix(domain, "xn--") && len(newHostScanner(domain).asciiDomains()) == 0 {
		return false
	}
	first := halfStart
	for label := range strings.SplitSeq(domain, ".") {
		if n := punycodeJSLen(label, first); n < 1 || n > maxLabelLength {
			return false
		}
		first = false
	}
	n := utf16Len(protocol) + utf16Len(url)
	if halfStart {
		n--
	}
	return n <= maxURLLength
}

// urlMatch is one match of twitter-text's URL expression, as byte offsets.
type urlMatch struct {
	hasPrec   bool // false when the URL starts the text
	prec      rune // the character before the URL
	start     int  // the URL, scheme included
	protoEnd  int  // == start without a scheme
	domainEnd int
	hasPath   bool
	end       int
	// halfStart: the URL starts with the low surrogate of its first
	// character, its high surrogate being the character before (see find).
	halfStart bool
}

// hostScanner matches hosts in one text. It remembers, per byte offset, which
// host starts there, so that a text of many dotted words ("a.a.a.a…") costs
// linear time rather than quadratic, and where each run of label characters
// ends, so that a long word is walked once.
type hostScanner struct {
	s string
	// labelEnd[p]: end of the run of host characters, "_" and "-" from p.
	// nextUnderscore[p]: the first "_" at or after p (len(s) if none).
	// asciiEnd[p]: end of the run of ASCII domain characters from p.
	labelEnd, nextUnderscore, asciiEnd []int32
	// host[p] and ascii[p] memoise hostAt and asciiHostAt: 0 not yet known,
	// -1 no match, else the end offset (always > 0).
	host, ascii []int32
}

func newHostScanner(s string) *hostScanner {
	n := len(s) + 1
	all := make([]int32, 5*n)
	sc := &hostScanner{s: s, labelEnd: all[:n:n], nextUnderscore: all[n : 2*n : 2*n],
		asciiEnd: all[2*n : 3*n : 3*n], host: all[3*n : 4*n : 4*n], ascii: all[4*n:]}
	sc.labelEnd[len(s)], sc.nextUnderscore[len(s)], sc.asciiEnd[len(s)] = int32(len(s)), int32(len(s)), int32(len(s))
	for p := len(s); p > 0; {
		r, size := utf8.DecodeLastRuneInString(s[:p])
		q := p - size
		for k := q + 1; k < p; k++ { // inside a character: never asked
			sc.labelEnd[k], sc.nextUnderscore[k], sc.asciiEnd[k] = int32(k), int32(k), int32(k)
		}
		sc.labelEnd[q], sc.asciiEnd[q] = int32(q), int32(q)
		if isDomainChar(r) || r == '_' || r == '-' {
			sc.labelEnd[q] = sc.labelEnd[p]
		}
		if isASCIIDomainChar(r) {
			sc.asciiEnd[q] = sc.asciiEnd[p]
		}
		sc.nextUnderscore[q] = sc.nextUnderscore[p]
		if r == '_' {
			sc.nextUnderscore[q] = int32(q)
		}
		p = q
	}
	return sc
}

// find returns the leftmost URL match that starts at or after pos, trying
// positions the way twitter-text's expression does. JavaScript walks UTF-16
// code units, so a character outside the Basic Multilingual Plane is two
// places: at its high surrogate, that half precedes a URL that starts with
// the low half (a label may start with it); at the start of the text, the
// URL may start with the whole character; at its low surrogate, the whole
// character precedes the URL.
func (sc *hostScanner) find(pos int) (urlMatch, bool) {
	s := sc.s
	for p := pos; p < len(s); {
		c, size := utf8.DecodeRuneInString(s[p:])
		if c > 0xFFFF {
			if d := sc.hostAt(p); d > 0 {
				m := finishURL(s, p, p, int(d))
				m.hasPrec, m.prec, m.halfStart = true, 0xD800, true
				return m, true
			}
			if p == 0 {
				if m, ok := sc.matchAt(0); ok {
					return m, true
				}
			}
			if m, ok := sc.matchAt(p + size); ok {
				m.hasPrec, m.prec = true, c
				return m, true
			}
			p += size
			continue
		}
		if isURLPrecedingChar(c) {
			if m, ok := sc.matchAt(p + size); ok {
				m.hasPrec, m.prec = true, c
				return m, true
			}
		}
		if p == 0 {
			if m, ok := sc.matchAt(0); ok {
				return m, true
			}
		}
		p += size
	}
	return urlMatch{}, false
}

// matchAt matches scheme, host, port, path and query at byte u.
func (sc *hostScanner) matchAt(u int) (urlMatch, bool) {
	s := sc.s
	if pe := u + schemeLen(s[u:]); pe > u {
		if d := sc.hostAt(pe); d > 0 {
			return finishURL(s, u, pe, int(d)), true
		}
	}
	if d := sc.hostAt(u); d > 0 {
		return finishURL(s, u, u, int(d)), true
	}
	return urlMatch{}, false
}

func schemeLen(s string) int {
	switch {
	case hasPrefixFold(s, "https://"):
		return len("https://")
	case hasPrefixFold(s, "http://"):
		return len("http://")
	}
	return 0
}

// finishURL extends a matched host with its optional port, path and query.
func finishURL(s string, start, protoEnd, domainEnd int) urlMatch {
	m := urlMatch{start: start, protoEnd: protoEnd, domainEnd: domainEnd}
	j := domainEnd
	if j+1 < len(s) && s[j] == ':' && isASCIIDigit(s[j+1]) {
		j++
		for j < len(s) && isASCIIDigit(s[j]) {
			j++
		}
	}
	if j < len(s) && s[j] == '/' {
		m.hasPath = true
		j = pathEnd(s, j+1)
	}
	if j < len(s) && s[j] == '?' {
		j = queryEnd(s, j)
	}
	m.end = j
	return m
}

// labelDot matches a host label followed by a dot at p and returns the
// offset after the dot, or -1: host characters, "-" and (in a subdomain)
// "_", starting and ending with a host character.
func (sc *hostScanner) labelDot(p int, subdomain bool) int {
	e := int(sc.labelEnd[p])
	if e == p || e >= len(sc.s) || sc.s[e] != '.' {
		return -1
	}
	first, _ := utf8.DecodeRuneInString(sc.s[p:])
	last, _ := utf8.DecodeLastRuneInString(sc.s[:e])
	if !isDomainChar(first) || !isDomainChar(last) || !subdomain && int(sc.nextUnderscore[p]) < e {
		return -1
	}
	return e + 1
}

// hostAt is the end of the host (subdomains, a domain name and a top-level
// domain) that starts at byte q, or -1. Subdomains are greedy: the host
// whose domain name and TLD come last wins, as a backtracking engine finds
// it. So the host at q is the one at the end of q's first label when there
// is one, else the domain name and TLD at q.
func (sc *hostScanner) hostAt(q int) int32 {
	// Walk the subdomain chain down to a known host or its last label, then
	// settle each offset on the way back up.
	var chain []int
	below := int32(-1)
	for p := q; ; {
		if sc.host[p] != 0 {
			below = sc.host[p]
			break
		}
		chain = append(chain, p)
		next := sc.labelDot(p, true)
		if next < 0 {
			break
		}
		p = next
	}
	for i := len(chain) - 1; i >= 0; i-- {
		if below < 0 {
			if next := sc.labelDot(chain[i], false); next >= 0 {
				if t, ok := tldEnd(sc.s, next); ok {
					below = int32(t)
				}
			}
		}
		sc.host[chain[i]] = below
	}
	return sc.host[q]
}

// asciiDomains is twitter-text's search for validAsciiDomain in a host:
// every match, left to right, of ASCII labels (and Latin accents) with dots
// and a top-level domain, as [start, end) offsets into the host.
func (sc *hostScanner) asciiDomains() [][2]int {
	var out [][2]int
	for a := 0; a < len(sc.s); {
		if e := sc.asciiHostAt(a); e > 0 {
			out = append(out, [2]int{a, int(e)})
			a = int(e)
			continue
		}
		_, size := utf8.DecodeRuneInString(sc.s[a:])
		a += size
	}
	return out
}

// asciiHostAt matches (label ".")+ TLD at p, labels greedy, or returns -1.
func (sc *hostScanner) asciiHostAt(p int) int32 {
	var chain []int
	below := int32(-1)
	for q := p; ; {
		if sc.ascii[q] != 0 {
			below = sc.ascii[q]
			break
		}
		e := int(sc.asciiEnd[q])
		if e == q || e >= len(sc.s) || sc.s[e] != '.' {
			sc.ascii[q] = -1 // no label here
			break
		}
		chain = append(chain, q)
		q = e + 1
	}
	// The last label of the chain ends in a dot with no further label: the
	// TLD must follow it. Each earlier label takes the later match when there
	// is one (more labels), else the TLD right after it.
	for i := len(chain) - 1; i >= 0; i-- {
		if below < 0 {
			next := int(sc.asciiEnd[chain[i]]) + 1
			if t, ok := tldEnd(sc.s, next); ok {
				below = int32(t)
			}
		}
		sc.ascii[chain[i]] = below
	}
	return sc.ascii[p]
}

// pathEnd returns where the path that starts at byte j of s (after its "/")
// ends: after its last character that may end a path, so "/foo." and
// "/foo!!!" leave the punctuation out, or after a balanced pair of
// parentheses ("/wiki/Primer_(film)").
func pathEnd(s string, j int) int {
	last := j
	for k := j; k < len(s); {
		r, size := utf8.DecodeRuneInString(s[k:])
		switch {
		case isPathChar(r):
			k += size
			if isPathEndingChar(r) {
				last = k
			}
		case r == '(':
			e, ok := balancedParensEnd(s, k)
			if !ok {
				return last
			}
			k, last = e, e
		default:
			return last
		}
	}
	return last
}

// balancedParensEnd matches "(...)" at byte k of s, with at most one nested
// pair inside: "(film)", "(Album_(Edited))".
func balancedParensEnd(s string, k int) (int, bool) {
	a := pathCharsEnd(s, k+1)
	if a > k+1 && a < len(s) && s[a] == ')' {
		return a + 1, true
	}
	if a >= len(s) || s[a] != '(' {
		return 0, false
	}
	b := pathCharsEnd(s, a+1)
	if b == a+1 || b >= len(s) || s[b] != ')' {
		return 0, false
	}
	c := pathCharsEnd(s, b+1)
	if c >= len(s) || s[c] != ')' {
		return 0, false
	}
	return c + 1, true
}

func pathCharsEnd(s string, k int) int {
	for k < len(s) {
		r, size := utf8.DecodeRuneInString(s[k:])
		if !isPathChar(r) {
			break
		}
		k += size
	}
	return k
}

// queryEnd returns where the query that starts with "?" at byte j of s ends:
// after its last character that may end a query, or at j (no query) when it
// has none.
func queryEnd(s string, j int) int {
	end := j
	for k := j + 1; k < len(s) && isQueryChar(s[k]); k++ {
		if isQueryEndingChar(s[k]) {
			end = k + 1
		}
	}
	return end
}

// tcoEnd tells whether url is a t.co link and, if so, where its slug (and
// query) ends; -1 when the slug is longer than any t.co slug.
func tcoEnd(url string) (int, bool) {
	n := schemeLen(url)
	if n == 0 || !hasPrefixFold(url[n:], "t.co/") {
		return 0, false
	}
	j := n + len("t.co/")
	k := j
	for k < len(url) && isASCIIAlnum(url[k]) {
		k++
	}
	if k == j {
		return 0, false
	}
	if k-j > maxTcoSlugLength {
		return -1, true
	}
	if k < len(url) && url[k] == '?' {
		k = queryEnd(url, k)
	}
	return k, true
}

// isURLPrecedingChar reports the characters a URL may follow: not an ASCII
// letter or digit (the URL would be part of a word), not @ or $ or # (a
// mention, cashtag or hashtag), and not one of the characters twitter-text
// refuses.
func isURLPrecedingChar(r rune) bool {
	if r < utf8.RuneSelf {
		return !isASCIIAlnum(byte(r)) && r != '@' && r != '$' && r != '#'
	}
	return r != '＠' && r != '＃' && !isInvalidChar(r)
}

// isDomainChar is twitter-text's validDomainChars: anything but its
// punctuation, its spaces, the characters it refuses and directional marks.
// So a label may be Chinese, or an emoji.
func isDomainChar(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiDomainChar[r]
	}
	return !isJSSpace(r) && !isInvalidChar(r) && !isDirectionalMark(r)
}

// asciiDomainChar is isDomainChar below U+0080.
var asciiDomainChar = func() (t [utf8.RuneSelf]bool) {
	for r := range rune(utf8.RuneSelf) {
		t[r] = !strings.ContainsRune("!'#%&()*+,\\-./:;<=>?@[]^_{|}~$", r) && !isJSSpace(r)
	}
	return t
}()

// isJSSpace is twitter-text's spaces group.
func isJSSpace(r rune) bool {
	switch {
	case r >= 0x09 && r <= 0x0D, r == 0x20, r == 0x85, r == 0xA0, r == 0x1680, r == 0x180E,
		r >= 0x2000 && r <= 0x200A, r == 0x2028, r == 0x2029, r == 0x202F, r == 0x205F, r == 0x3000:
		return true
	}
	return false
}

// isDirectionalMark is twitter-text's directionalMarkersGroup.
func isDirectionalMark(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r == 0x061C || r == 0x200E || r == 0x200F || r >= 0x2066 && r <= 0x2069
}

// isASCIIDomainChar: what the labels of twitter-text's validAsciiDomain are
// made of: ASCII letters, digits, "-" and the Latin accents.
func isASCIIDomainChar(r rune) bool {
	if r < utf8.RuneSelf {
		return isASCIIAlnum(byte(r)) || r == '-'
	}
	return isLatinAccent(r)
}

// isLatinAccent is twitter-text's LATIN_ACCENTS_CHARS: Latin-1 letters, Latin
// Extended A and B, some IPA letters, the Hawaiian okina, combining
// diacritics and Latin Extended Additional.
func isLatinAccent(r rune) bool {
	switch {
	case r >= 0x00C0 && r <= 0x00D6, r >= 0x00D8 && r <= 0x00F6, r >= 0x00F8 && r <= 0x024F:
		return true
	case r == 0x0253, r == 0x0254, r == 0x0256, r == 0x0257, r == 0x0259, r == 0x025B,
		r == 0x0263, r == 0x0268, r == 0x026F, r == 0x0272, r == 0x0289, r == 0x028B:
		return true
	case r == 0x02BB, r >= 0x0300 && r <= 0x036F, r >= 0x1E00 && r <= 0x1EFF:
		return true
	}
	return false
}

func isCyrillic(r rune) bool { return r >= 0x0400 && r <= 0x04FF }

// isPathChar is twitter-text's validGeneralUrlPathChars.
func isPathChar(r rune) bool {
	if r < utf8.RuneSelf {
		return isASCIIAlnum(byte(r)) || strings.ContainsRune("!*';:=+,.$/%#[]-_~|&@", r)
	}
	return r == '\u2013' || isLatinAccent(r) || isCyrillic(r)
}

// isPathEndingChar is twitter-text's validUrlPathEndingChars, less the
// balanced parentheses pathEnd handles.
func isPathEndingChar(r rune) bool {
	if r < utf8.RuneSelf {
		return isASCIIAlnum(byte(r)) || strings.ContainsRune("=_#/-+", r)
	}
	return isLatinAccent(r) || isCyrillic(r)
}

// isQueryChar is twitter-text's validUrlQueryChars.
func isQueryChar(c byte) bool {
	return isASCIIAlnum(c) || strings.IndexByte("!?*'@();:&=+$/%#[]-_.,~|", c) >= 0
}

// isQueryEndingChar is twitter-text's validUrlQueryEndingChars.
func isQueryEndingChar(c byte) bool {
	return isASCIIAlnum(c) || strings.IndexByte("-_&=#/", c) >= 0
}

func isASCIIAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isASCIIDigit(c)
}

func isASCIIDigit(c byte) bool { return c >= '0' && c <= '9' }

// hasPrefixFold compares ignoring ASCII case only, as twitter-text's
// expressions do for ASCII (strings.EqualFold would also take "ſ" for "s").
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && asciiEqualFold(s[:len(prefix)], prefix)
}

func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if asciiLower(a[i]) != asciiLower(b[i]) {
			return false
		}
	}
	return true
}

func asciiLower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// jsFold is how a JavaScript expression with the i flag (and no u flag)
// compares a character: by its upper case, unless that leaves the non-ASCII
// range for ASCII; characters outside the Basic Multilingual Plane as they
// are.
func jsFold(r rune) rune {
	if r > 0xFFFF {
		return r
	}
	u := unicode.ToUpper(r)
	if r >= utf8.RuneSelf && u < utf8.RuneSelf {
		return r
	}
	return u
}

package text

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// URLSpan is a URL found in a text: s[Start:End] == URL, offsets in bytes.
type URLSpan struct {
	URL   string `json:"url"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

const (
	// maxURLLength is the longest URL X accepts, counted with a scheme.
	maxURLLength = 4096
	// maxTcoSlugLength is the longest path X's own shortener produces.
	maxTcoSlugLength = 40
	// maxLabelLength is the longest DNS label, in its ASCII (punycode) form.
	maxLabelLength = 63
)

// ExtractURLs finds the URLs in s the way twitter-text's extractor does (the
// URLs X shortens to t.co and weighs 23), with or without a scheme, and returns
// them in order with byte offsets into s.
//
// It implements twitter-text's VALID_URL expression by hand, because RE2 has no
// look-around and that expression leans on it: a URL must follow the start of
// the text or a character other than a letter, a digit, @, $ or #; only http
// and https schemes are recognised; without a scheme the host must end in a
// known top-level domain (the ICANN section of the Public Suffix List, as
// compiled into golang.org/x/net/publicsuffix, replaces twitter-text's own
// list), and a match right after "-", "_", "." or "/" does not count. Paths keep
// balanced parentheses and lose trailing punctuation; t.co links stop after
// their slug; hosts with a DNS label longer than 63 bytes in punycode, and URLs
// longer than 4096 characters, are not URLs.
//
// s is not normalised: callers that weigh text pass its NFC form.
func ExtractURLs(s string) []URLSpan {
	if !strings.Contains(s, ".") {
		return nil // every URL has a dot before its top-level domain
	}
	var spans []URLSpan
	sc := &urlScanner{s: s}
	for pos := 0; pos < len(s); {
		m, ok := sc.find(pos)
		if !ok {
			break
		}
		// Like a regexp's next find, the search goes on after the whole match,
		// even one rejected below.
		pos = m.end
		if m.protoEnd == m.start && m.hasPrec && strings.ContainsRune("-_./", m.prec) {
			continue
		}
		end := m.end
		if slugEnd, isTco := tcoEnd(s[m.start:m.end]); isTco {
			if slugEnd < 0 {
				continue // a t.co slug X never issues
			}
			end = m.start + slugEnd
		}
		if !validHostAndLength(s[m.start:end], s[m.protoEnd:m.domainEnd], m.protoEnd > m.start) {
			continue
		}
		spans = append(spans, URLSpan{URL: s[m.start:end], Start: m.start, End: end})
	}
	return spans
}

// urlMatch is one match of the URL grammar, as byte offsets into the text.
type urlMatch struct {
	hasPrec   bool // false when the URL starts the text
	prec      rune // the character before the URL
	start     int  // the URL, scheme included
	protoEnd  int  // == start without a scheme
	domainEnd int
	end       int
}

// urlScanner finds URL matches in one text. It remembers, per byte offset,
// which host starts there, so a text of many dotted words ("a.a.a.a…") costs
// linear time rather than quadratic: every offset that may start a URL would
// otherwise walk all the labels after it again.
type urlScanner struct {
	s string
	// subdomain[q] and host[q] memoise subdomainEnd and hostEnd: 0 not yet
	// known, -1 no match, else the end offset (always > 0).
	subdomain []int32
	host      []int32
}

// find returns the leftmost URL match that starts at or after pos.
func (sc *urlScanner) find(pos int) (urlMatch, bool) {
	s := sc.s
	for p := pos; p < len(s); {
		c, size := utf8.DecodeRuneInString(s[p:])
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
func (sc *urlScanner) matchAt(u int) (urlMatch, bool) {
	s := sc.s
	if pe := u + schemeLen(s[u:]); pe > u {
		if d, ok := sc.matchDomain(pe, true); ok {
			return finishURL(s, u, pe, d), true
		}
	}
	if d, ok := sc.matchDomain(u, afterScheme(s[:u])); ok {
		return finishURL(s, u, u, d), true
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

func afterScheme(before string) bool {
	return hasSuffixFold(before, "http://") || hasSuffixFold(before, "https://")
}

// finishURL extends a matched host with its optional port, path and query.
func finishURL(s string, start, protoEnd, domainEnd int) urlMatch {
	j := domainEnd
	if j+1 < len(s) && s[j] == ':' && isASCIIDigit(s[j+1]) {
		j++
		for j < len(s) && isASCIIDigit(s[j]) {
			j++
		}
	}
	if j < len(s) && s[j] == '/' {
		j = pathEnd(s, j+1)
	}
	if j < len(s) && s[j] == '?' {
		j = queryEnd(s, j)
	}
	return urlMatch{start: start, protoEnd: protoEnd, domainEnd: domainEnd, end: j}
}

// matchDomain matches a host at byte q and returns where it ends. In
// twitter-text's terms: subdomains, a domain name and a TLD (or punycode TLD);
// or, right after a scheme, one label of any letters before the TLD.
func (sc *urlScanner) matchDomain(q int, afterScheme bool) (int, bool) {
	if sc.host == nil {
		sc.subdomain = make([]int32, len(sc.s)+1)
		sc.host = make([]int32, len(sc.s)+1)
	}
	if e := sc.hostAt(q); e > 0 {
		return int(e), true
	}
	if afterScheme {
		if e, ok := labelEnd(sc.s, q, isUnicodeLabelChar); ok {
			if t, ok := tldEnd(sc.s, e); ok {
				return t, true
			}
		}
	}
	return 0, false
}

// hostAt is the end of the host made of subdomains, a domain name and a TLD
// that starts at byte q, or -1. Subdomains are greedy: the host whose domain
// name and TLD come last wins. So the host at q is the one at the end of q's
// first label when there is one, else the domain name and TLD at q.
func (sc *urlScanner) hostAt(q int) int32 {
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
		e := sc.subdomainAt(p)
		if e < 0 {
			break
		}
		p = int(e)
	}
	for i := len(chain) - 1; i >= 0; i-- {
		if below < 0 {
			below = domainNameAndTLDEnd(sc.s, chain[i])
		}
		sc.host[chain[i]] = below
	}
	return sc.host[q]
}

func (sc *urlScanner) subdomainAt(q int) int32 {
	if sc.subdomain[q] == 0 {
		sc.subdomain[q] = -1
		if e, ok := labelEnd(sc.s, q, isSubdomainChar); ok {
			sc.subdomain[q] = int32(e)
		}
	}
	return sc.subdomain[q]
}

// domainNameAndTLDEnd matches a domain name label and a TLD at byte q of s.
func domainNameAndTLDEnd(s string, q int) int32 {
	e, ok := labelEnd(s, q, isDomainChar)
	if !ok {
		return -1
	}
	if t, ok := tldEnd(s, e); ok {
		return int32(t)
	}
	if t, ok := punycodeTLDEnd(s, e); ok {
		return int32(t)
	}
	return -1
}

// labelEnd matches a label followed by a dot at byte q of s: characters for
// which inner is true, starting and ending with a URL character proper (no
// leading or trailing hyphen or underscore). It returns the offset after the dot.
func labelEnd(s string, q int, inner func(rune) bool) (int, bool) {
	j := q
	var first, last rune = -1, -1
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if !inner(r) {
			break
		}
		if first < 0 {
			first = r
		}
		last = r
		j += size
	}
	if j == q || j >= len(s) || s[j] != '.' || isLabelJoiner(first) || isLabelJoiner(last) {
		return 0, false
	}
	return j + 1, true
}

func isLabelJoiner(r rune) bool { return r == '-' || r == '_' }

// tldEnd matches a top-level domain at byte e of s: one that is not followed by
// a letter or digit, "@", "+" or "-" (twitter-text's look-ahead), so "foo.comm"
// and "name.al-x" have none, while "example.comだよ" ends at "com".
func tldEnd(s string, e int) (int, bool) {
	if e >= len(s) {
		return 0, false
	}
	if s[e] < utf8.RuneSelf {
		j := e
		for j < len(s) && isASCIIAlnum(s[j]) {
			j++
		}
		if j == e || !tldMayEndBefore(s, j) || !isTLD(strings.ToLower(s[e:j])) {
			return 0, false
		}
		return j, true
	}
	// An internationalised TLD runs into what follows when no space separates
	// them ("twitter.みんなです"): try the longest candidate first.
	const maxTLDRunes = 24
	var ends []int
	for j := e; j < len(s) && len(ends) < maxTLDRunes; {
		r, size := utf8.DecodeRuneInString(s[j:])
		if r < utf8.RuneSelf || !isUnicodeDomainChar(r) {
			break
		}
		j += size
		ends = append(ends, j)
	}
	for k := len(ends) - 1; k >= 0; k-- {
		if !tldMayEndBefore(s, ends[k]) {
			continue
		}
		ascii, err := idna.Punycode.ToASCII(s[e:ends[k]])
		if err == nil && isTLD(strings.ToLower(ascii)) {
			return ends[k], true
		}
	}
	return 0, false
}

func tldMayEndBefore(s string, j int) bool {
	if j >= len(s) {
		return true
	}
	c := s[j]
	return !isASCIIAlnum(c) && c != '@' && c != '+' && c != '-'
}

// punycodeTLDEnd matches "xn--" and at least one more letter, digit or hyphen.
func punycodeTLDEnd(s string, e int) (int, bool) {
	if !hasPrefixFold(s[e:], "xn--") {
		return 0, false
	}
	j := e + len("xn--")
	for j < len(s) && (isASCIIAlnum(s[j]) || s[j] == '-') {
		j++
	}
	return j, j > e+len("xn--")
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

// validHostAndLength applies twitter-text's last checks: every label of host
// fits a DNS label once in punycode (which twitter-text gets from Java's
// IDN.toASCII), and the URL, with a scheme added when it has none and its host
// in punycode, is at most 4096 characters.
func validHostAndLength(url, host string, hasScheme bool) bool {
	asciiLen := 0
	for label := range strings.SplitSeq(host, ".") {
		n, ok := asciiLabelLen(label)
		if !ok {
			return false
		}
		asciiLen += n + 1
	}
	asciiLen-- // one dot fewer than labels
	length := utf16Len(url) - utf16Len(host) + asciiLen
	if !hasScheme {
		length += len("https://")
	}
	return length <= maxURLLength
}

// asciiLabelLen is the length of a host label in its ASCII form. Java's
// IDN.toASCII (IDNA 2003, without the STD3 rules, so "_" is fine) maps a
// non-ASCII label (lower case, NFKC), refuses one already starting "xn--", and
// encodes it in punycode; an ASCII label is kept as is.
func asciiLabelLen(label string) (int, bool) {
	if isASCII(label) {
		return len(label), len(label) > 0 && len(label) <= maxLabelLength
	}
	mapped := norm.NFKC.String(strings.ToLower(label))
	if hasPrefixFold(mapped, "xn--") {
		return 0, false
	}
	ascii, err := idna.Punycode.ToASCII(mapped)
	if err != nil {
		return 0, false
	}
	return len(ascii), len(ascii) <= maxLabelLength
}

// isURLPrecedingChar reports the characters a URL may follow: not a letter or
// digit (the URL would be part of a word), not @ or $ or # (a mention, cashtag
// or hashtag), and not one of the characters twitter-text refuses.
func isURLPrecedingChar(r rune) bool {
	if r < utf8.RuneSelf {
		return !isASCIIAlnum(byte(r)) && r != '@' && r != '$' && r != '#'
	}
	return r != '＠' && r != '＃' && !isInvalidChar(r)
}

// isDomainChar: what twitter-text's domain names are made of (URL_VALID_CHARS
// and "-").
func isDomainChar(r rune) bool { return isURLChar(r) || r == '-' }

// isSubdomainChar: subdomains also allow "_".
func isSubdomainChar(r rune) bool { return isURLChar(r) || r == '-' || r == '_' }

// isURLChar: ASCII letters and digits and the Latin accented letters
// (twitter-text's URL_VALID_CHARS).
func isURLChar(r rune) bool {
	if r < utf8.RuneSelf {
		return isASCIIAlnum(byte(r))
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

// isUnicodeDomainChar is twitter-text's URL_VALID_UNICODE_CHARS: anything but
// ASCII punctuation, white space, separators and General Punctuation.
func isUnicodeDomainChar(r rune) bool {
	if r < utf8.RuneSelf {
		return !strings.ContainsRune("-_!\"#$%&'()*+,./:;<=>?@[]^`{|}~ \t\n\v\f\r", r)
	}
	return !unicode.Is(unicode.Z, r) && (r < 0x2000 || r > 0x206F)
}

func isUnicodeLabelChar(r rune) bool { return isUnicodeDomainChar(r) || r == '-' }

// isPathChar is twitter-text's URL_VALID_GENERAL_PATH_CHARS.
func isPathChar(r rune) bool {
	if r < utf8.RuneSelf {
		return isASCIIAlnum(byte(r)) || strings.ContainsRune("!*';:=+,.$/%#[]-_~|&@", r)
	}
	return r == '\u2013' || isLatinAccent(r) || isCyrillic(r)
}

// isPathEndingChar is twitter-text's URL_VALID_PATH_ENDING_CHARS, less the
// balanced parentheses pathEnd handles.
func isPathEndingChar(r rune) bool {
	if r < utf8.RuneSelf {
		return isASCIIAlnum(byte(r)) || strings.ContainsRune("=_#/-+", r)
	}
	return isLatinAccent(r) || isCyrillic(r)
}

// isQueryChar is twitter-text's URL_VALID_URL_QUERY_CHARS.
func isQueryChar(c byte) bool {
	return isASCIIAlnum(c) || strings.IndexByte("!?*'();:&=+$/%#[]-_.,~|@", c) >= 0
}

// isQueryEndingChar is twitter-text's URL_VALID_URL_QUERY_ENDING_CHARS.
func isQueryEndingChar(c byte) bool {
	return isASCIIAlnum(c) || strings.IndexByte("-_&=#/", c) >= 0
}

func isASCIIAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isASCIIDigit(c)
}

func isASCIIDigit(c byte) bool { return c >= '0' && c <= '9' }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// hasPrefixFold and hasSuffixFold compare ignoring ASCII case only, as
// twitter-text's expressions do (strings.EqualFold would also take "ſ" for "s").
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && asciiEqualFold(s[:len(prefix)], prefix)
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && asciiEqualFold(s[len(s)-len(suffix):], suffix)
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

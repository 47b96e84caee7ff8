package text

//go:generate go run ./internal/gentwittertext -o twittertext_table.go

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// twemoji recognises emoji the way twitter-text's parseTweet does: with
// twemoji-parser's expression (twemojiSource), which lists the emoji and
// sequences of its time (Emoji 11). A newer emoji sequence is not one emoji
// for twitter-text, so each of its code points weighs on its own, and so it
// does here: X's counter in the dashboard (the same library) and ours agree.
//
// The expression has no loops: only groups, alternatives, "?", classes and
// one negative look-ahead. So it is expanded once into every text it
// matches, each with its rank in JavaScript's order of trying them, and a
// match at a position is the lowest-ranked text that starts there: what a
// backtracking engine finds first.
type twemojiTable struct {
	// byPrefix holds every prefix of every text the expression matches: a
	// prefix that is also a whole text has its alternatives, in rank order.
	byPrefix map[string][]twemojiAlt
	first    [0x20000 / 64]uint64 // runes an emoji may start with, as bits
}

// twemojiAlt is one text the expression matches: its rank, and the text that
// must not follow it ((?!…)), if any.
type twemojiAlt struct {
	rank    int
	notNext string
}

var twemojiOnce = sync.OnceValue(func() *twemojiTable {
	t, err := buildTwemoji(twemojiSource)
	if err != nil {
		panic("text: twemoji expression: " + err.Error()) // generated data, tested
	}
	return t
})

// twemojiAt returns the length in bytes of the emoji twemoji-parser finds at
// byte i of s, or 0.
func twemojiAt(s string, i int) int {
	t := twemojiOnce()
	r, _ := utf8.DecodeRuneInString(s[i:])
	if r >= 0x20000 || t.first[r/64]&(1<<(r%64)) == 0 {
		return 0
	}
	best, bestLen := -1, 0
	for j := i; j < len(s); {
		_, size := utf8.DecodeRuneInString(s[j:])
		j += size
		alts, ok := t.byPrefix[s[i:j]]
		if !ok {
			break // no emoji goes on like this
		}
		for _, alt := range alts {
			if (best < 0 || alt.rank < best) && (alt.notNext == "" || !strings.HasPrefix(s[j:], alt.notNext)) {
				best, bestLen = alt.rank, j-i
			}
		}
	}
	return bestLen
}

// emojiSpans lists the emoji twemoji-parser finds in s, in order, as its
// global expression does: from the start, each search going on after the
// last match. Each span is [start, end) in bytes.
func emojiSpans(s string) [][2]int {
	var spans [][2]int
	for i := 0; i < len(s); {
		if n := twemojiAt(s, i); n > 0 {
			spans = append(spans, [2]int{i, i + n})
			i += n
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return spans
}

// A parsed expression over UTF-16 code units.
type (
	reNode interface{}
	reAlt  []reNode // alternatives, each a reSeq
	reSeq  []reNode // items in order
	reUnit uint16
	reCls  [][2]uint16
	reOpt  struct{ node reNode } // greedy "?"
	reNot  struct{ node reNode } // (?!…)
)

func buildTwemoji(src string) (*twemojiTable, error) {
	p := &reParser{src: src}
	node, err := p.alt()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.src) {
		return nil, fmt.Errorf("unexpected %q at %d", p.src[p.pos], p.pos)
	}
	paths, err := expand(node)
	if err != nil {
		return nil, err
	}
	t := &twemojiTable{byPrefix: map[string][]twemojiAlt{}}
	for rank, pa := range paths {
		s, err := unitsString(pa.units)
		if err != nil {
			return nil, err
		}
		not, err := unitsString(pa.not)
		if err != nil {
			return nil, err
		}
		if s == "" {
			return nil, fmt.Errorf("the expression matches the empty text")
		}
		t.byPrefix[s] = append(t.byPrefix[s], twemojiAlt{rank: rank, notNext: not})
		for k := range s {
			if _, ok := t.byPrefix[s[:k]]; k > 0 && !ok {
				t.byPrefix[s[:k]] = nil
			}
		}
		r, _ := utf8.DecodeRuneInString(s)
		if r >= 0x20000 {
			return nil, fmt.Errorf("an emoji starts with U+%04X, beyond the table", r)
		}
		t.first[r/64] |= 1 << (r % 64)
	}
	return t, nil
}

// unitsString decodes UTF-16 units that must pair up into code points.
func unitsString(units []uint16) (string, error) {
	for i := 0; i < len(units); i++ {
		u := rune(units[i])
		if utf16.IsSurrogate(u) {
			if u >= 0xDC00 || i+1 >= len(units) || units[i+1] < 0xDC00 || units[i+1] > 0xDFFF {
				return "", fmt.Errorf("lone surrogate U+%04X in an expanded emoji", u)
			}
			i++
		}
	}
	return string(utf16.Decode(units)), nil
}

// twemojiPath is one way through the expression.
type twemojiPath struct {
	units []uint16
	not   []uint16 // a look-ahead the text must not continue with
}

// expand lists every path through node in the order a backtracking engine
// tries them. A look-ahead may only end a path.
func expand(node reNode) ([]twemojiPath, error) {
	switch n := node.(type) {
	case reAlt:
		var out []twemojiPath
		for _, a := range n {
			ps, err := expand(a)
			if err != nil {
				return nil, err
			}
			out = append(out, ps...)
		}
		return out, nil
	case reSeq:
		out := []twemojiPath{{}}
		for _, item := range n {
			ps, err := expand(item)
			if err != nil {
				return nil, err
			}
			var next []twemojiPath
			for _, head := range out {
				for _, tail := range ps {
					not := tail.not
					if head.not != nil {
						// The look-ahead is decided by what follows it here.
						switch {
						case len(tail.units) == 0:
							if tail.not != nil {
								return nil, fmt.Errorf("two look-aheads in a row")
							}
							not = head.not
						case len(tail.units) < len(head.not):
							return nil, fmt.Errorf("a look-ahead longer than what follows it")
						case slices.Equal(tail.units[:len(head.not)], head.not):
							continue // the look-ahead forbids this path
						}
					}
					next = append(next, twemojiPath{
						units: append(append([]uint16(nil), head.units...), tail.units...),
						not:   not,
					})
				}
			}
			out = next
		}
		return out, nil
	case reUnit:
		return []twemojiPath{{units: []uint16{uint16(n)}}}, nil
	case reCls:
		var out []twemojiPath
		for _, rg := range n {
			for u := int(rg[0]); u <= int(rg[1]); u++ {
				out = append(out, twemojiPath{units: []uint16{uint16(u)}})
			}
		}
		return out, nil
	case reOpt:
		ps, err := expand(n.node)
		if err != nil {
			return nil, err
		}
		return append(ps, twemojiPath{}), nil
	case reNot:
		ps, err := expand(n.node)
		if err != nil {
			return nil, err
		}
		if len(ps) != 1 || ps[0].not != nil {
			return nil, fmt.Errorf("a look-ahead other than one fixed text")
		}
		return []twemojiPath{{units: nil, not: ps[0].units}}, nil
	}
	return nil, fmt.Errorf("unknown node %T", node)
}

// reParser reads the subset of JavaScript expression syntax twemoji-parser's
// generated expression uses: (?:…), (…), (?!…), |, ?, […] and \uXXXX.
type reParser struct {
	src string
	pos int
}

func (p *reParser) alt() (reNode, error) {
	var alts reAlt
	for {
		seq, err := p.seq()
		if err != nil {
			return nil, err
		}
		alts = append(alts, seq)
		if p.pos < len(p.src) && p.src[p.pos] == '|' {
			p.pos++
			continue
		}
		return alts, nil
	}
}

func (p *reParser) seq() (reSeq, error) {
	var seq reSeq
	for p.pos < len(p.src) && p.src[p.pos] != '|' && p.src[p.pos] != ')' {
		item, err := p.atom()
		if err != nil {
			return nil, err
		}
		if p.pos < len(p.src) && p.src[p.pos] == '?' {
			p.pos++
			item = reOpt{item}
		}
		seq = append(seq, item)
	}
	return seq, nil
}

func (p *reParser) atom() (reNode, error) {
	switch c := p.src[p.pos]; {
	case c == '(':
		p.pos++
		not := false
		switch {
		case strings.HasPrefix(p.src[p.pos:], "?:"):
			p.pos += 2
		case strings.HasPrefix(p.src[p.pos:], "?!"):
			p.pos += 2
			not = true
		}
		inner, err := p.alt()
		if err != nil {
			return nil, err
		}
		if p.pos >= len(p.src) || p.src[p.pos] != ')' {
			return nil, fmt.Errorf("unclosed group at %d", p.pos)
		}
		p.pos++
		if not {
			return reNot{inner}, nil
		}
		return inner, nil
	case c == '[':
		p.pos++
		var cls reCls
		for p.pos < len(p.src) && p.src[p.pos] != ']' {
			lo, err := p.unit()
			if err != nil {
				return nil, err
			}
			hi := lo
			if p.pos+1 < len(p.src) && p.src[p.pos] == '-' && p.src[p.pos+1] != ']' {
				p.pos++
				if hi, err = p.unit(); err != nil {
					return nil, err
				}
			}
			cls = append(cls, [2]uint16{lo, hi})
		}
		if p.pos >= len(p.src) {
			return nil, fmt.Errorf("unclosed class")
		}
		p.pos++
		return cls, nil
	case strings.IndexByte("*+{}^$.", c) >= 0:
		return nil, fmt.Errorf("unsupported operator %q at %d", c, p.pos)
	}
	u, err := p.unit()
	return reUnit(u), err
}

func (p *reParser) unit() (uint16, error) {
	if p.src[p.pos] != '\\' {
		r, size := utf8.DecodeRuneInString(p.src[p.pos:])
		if r > 0xFFFF || r == utf8.RuneError {
			return 0, fmt.Errorf("unsupported literal at %d", p.pos)
		}
		p.pos += size
		return uint16(r), nil
	}
	if strings.HasPrefix(p.src[p.pos:], `\u`) && p.pos+6 <= len(p.src) {
		v, err := strconv.ParseUint(p.src[p.pos+2:p.pos+6], 16, 16)
		if err != nil {
			return 0, fmt.Errorf("bad escape at %d: %w", p.pos, err)
		}
		p.pos += 6
		return uint16(v), nil
	}
	if p.pos+1 < len(p.src) && strings.IndexByte(`*#-.?()[]|/\`, p.src[p.pos+1]) >= 0 {
		p.pos += 2
		return uint16(p.src[p.pos-1]), nil
	}
	return 0, fmt.Errorf("unsupported escape at %d", p.pos)
}

package text

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Ellipsis marks where Fit cut a text.
const Ellipsis = "…"

// ErrTooLong is wrapped by Fit's error when what must survive cannot fit the
// network even with everything else dropped or shortened.
var ErrTooLong = errors.New("text too long")

// Fit joins body and tail with a single space and, when the result is too
// long for the network, shortens it. It is FitLang without a language:
// no typography pass.
func Fit(network, body, tail string) (string, error) {
	return FitLang(network, "", body, tail)
}

// FitLang makes a post of body and tail (joined by a single space) that
// network accepts, in language lang, whose typography (see Typography) it
// applies to every text it measures, so that what it returns is what was
// measured.
//
// Body and tail may carry marks (see Keep, Atom, Optional, Cut, Hashtag).
// When the post is too long, FitLang shortens it in this order, measuring
// after each step, and stops as soon as it fits:
//
//  1. hashtags, the last first;
//  2. optional sentences, the last first (one holding a Keep span stays);
//  3. Cut spans (the title), at a word boundary with an ellipsis, the
//     longest first, down to a first word, then to its first character;
//  4. a body with no Cut span at all (a text written without marks) is
//     shortened as one, the same way, after its last Keep span.
//
// Nothing is ever cut inside a number, an amount, a URL, a mention, a
// hashtag or a grapheme cluster, nor inside an Atom or Keep span; Keep spans
// and the plain text of the tail (the link, by convention) are never
// dropped. When not even step 4 leaves a character of a body without Keep
// spans, the post is the tail alone. Where something was dropped, the spaces
// around it collapse into one. Marks never reach the result.
//
// The result always passes Check. The error names what is wrong: an
// unknown network, invalid UTF-8 or a character the network refuses,
// nothing to post, or (wrapping ErrTooLong) what must survive does not fit.
func FitLang(network, lang, body, tail string) (string, error) {
	if !slices.Contains(Networks, NetworkOf(network)) {
		return "", unknownNetwork(network)
	}
	if err := refusedText(network, "body", StripMarks(body)); err != nil {
		return "", err
	}
	if err := refusedText(network, "tail", StripMarks(tail)); err != nil {
		return "", err
	}
	f := newFitter(network, lang, body, tail)
	if f.empty() {
		return "", errors.New("text: nothing to post: body and tail are both empty")
	}
	if out, ok := f.fits(); ok {
		return out, nil
	}
	for _, step := range []func() (string, bool){f.dropHashtags, f.dropOptionals, f.cutSpans, f.cutBody} {
		if out, ok := step(); ok {
			return out, nil
		}
	}
	out := f.render()
	r, _ := Check(network, out)
	return "", fmt.Errorf("text: what must stay weighs %d on %s, over the %d allowed: %w", r.WeightedLength, network, r.Max, ErrTooLong)
}

// fitter holds a post being shortened: its pieces and what has been dropped
// or cut so far.
type fitter struct {
	network, lang string
	pieces        []piece
	dropped       []bool // per piece
	cut           []int  // per piece: byte offset kept, or -1 for all of it
	noBody        bool   // the body is dropped whole (step 4 could keep nothing)
	optCount      int
}

func newFitter(network, lang, body, tail string) *fitter {
	f := &fitter{network: network, lang: lang}
	if isBlank(StripMarks(body)) {
		body = ""
	}
	if isBlank(StripMarks(tail)) {
		tail = ""
	}
	f.pieces = append(parseMarks(body, false, &f.optCount), parseMarks(tail, true, &f.optCount)...)
	f.dropped = make([]bool, len(f.pieces))
	f.cut = make([]int, len(f.pieces))
	for i := range f.cut {
		f.cut[i] = -1
	}
	return f
}

func (f *fitter) empty() bool {
	for _, p := range f.pieces {
		if !isBlank(p.text) {
			return false
		}
	}
	return true
}

// fits renders the post as it stands and measures it.
func (f *fitter) fits() (string, bool) {
	out := f.render()
	r, err := Check(f.network, out)
	return out, err == nil && r.Valid
}

// render writes the post as it stands: marks gone, the spaces around what
// was dropped collapsed, body and tail joined by a space, typography applied.
func (f *fitter) render() string {
	var body, tail joiner
	for i, p := range f.pieces {
		j := &body
		if p.tail {
			j = &tail
		}
		if f.dropped[i] || !p.tail && f.noBody {
			j.gap = true
			continue
		}
		t := p.text
		if f.cut[i] >= 0 {
			t = t[:f.cut[i]] + Ellipsis
		}
		j.write(t)
	}
	return Typography(f.lang, join(body.String(), tail.String()))
}

// joiner concatenates pieces, collapsing the white space where one was
// dropped: a gap keeps one line break (or two, a paragraph), else one space,
// a no-break one if there was one; at either end of the text, nothing.
type joiner struct {
	strings.Builder
	gap     bool   // something was dropped since the last write
	pending string // white space held back at a gap
}

func (j *joiner) write(t string) {
	if !j.gap && j.pending == "" {
		j.WriteString(t)
		return
	}
	if j.gap {
		// Move the white space the builder ends with into pending.
		s := j.String()
		trimmed := strings.TrimRightFunc(s, isCollapsible)
		if len(trimmed) < len(s) {
			j.pending += s[len(trimmed):]
			j.Reset()
			j.WriteString(trimmed)
		}
		j.gap = false
	}
	rest := strings.TrimLeftFunc(t, isCollapsible)
	j.pending += t[:len(t)-len(rest)]
	if rest == "" {
		return // white space only: wait for what follows
	}
	if j.Len() > 0 {
		j.WriteString(collapse(j.pending))
	}
	j.pending = ""
	j.WriteString(rest)
}

func (j *joiner) String() string {
	s := j.Builder.String()
	if j.gap || j.pending != "" {
		s = strings.TrimRightFunc(s, isCollapsible)
	}
	return s
}

func isCollapsible(r rune) bool { return unicode.IsSpace(r) }

// collapse reduces white space left around a dropped piece to one
// separator: its line breaks (at most two), else its first no-break space,
// else one space.
func collapse(ws string) string {
	if n := strings.Count(ws, "\n"); n > 0 {
		return strings.Repeat("\n", min(n, 2))
	}
	for _, r := range ws {
		if r == '\u00a0' || r == '\u202f' {
			return string(r)
		}
	}
	if ws == "" {
		return ""
	}
	return " "
}

// dropHashtags drops Hashtag spans, the last first, as few as it takes.
func (f *fitter) dropHashtags() (string, bool) {
	var groups [][]int
	for i, p := range f.pieces {
		if p.kind == pieceTag && !f.dropped[i] {
			groups = append(groups, []int{i})
		}
	}
	return f.dropLast(groups)
}

// dropOptionals drops optional sentences, the last first, as few as it
// takes, except those that hold a Keep span.
func (f *fitter) dropOptionals() (string, bool) {
	kept := map[int]bool{}
	members := make([][]int, f.optCount)
	for i, p := range f.pieces {
		for _, o := range p.opts {
			if p.kind == pieceKeep {
				kept[o] = true
			}
			members[o] = append(members[o], i)
		}
	}
	var groups [][]int
	for o, m := range members {
		if !kept[o] && len(m) > 0 {
			groups = append(groups, m)
		}
	}
	return f.dropLast(groups)
}

// dropLast drops the fewest last groups of pieces that make the post fit,
// found by bisection (dropping more never makes a post longer); when none
// does, all of them stay dropped.
func (f *fitter) dropLast(groups [][]int) (string, bool) {
	if len(groups) == 0 {
		return "", false
	}
	base := slices.Clone(f.dropped)
	drop := func(n int) {
		copy(f.dropped, base)
		for _, g := range groups[len(groups)-n:] {
			for _, i := range g {
				f.dropped[i] = true
			}
		}
	}
	// lastFitting finds the largest k such that keeping k groups fits.
	k, ok := lastFitting(len(groups), func(k int) bool {
		drop(len(groups) - k)
		_, ok := f.fits()
		return ok
	})
	if !ok {
		drop(len(groups))
		return "", false
	}
	drop(len(groups) - k)
	return f.fits()
}

// cutSpans shortens the Cut spans still shown, the longest first: each is
// held to a common length, cut at its last cut point within it (or its
// first, when it has none within), and the longest length that fits is
// found by bisection over the spans' cut points.
func (f *fitter) cutSpans() (string, bool) {
	type span struct {
		i    int
		cuts []int // ascending
	}
	var spans []span
	var caps []int
	for i, p := range f.pieces {
		if p.kind == pieceCut && !f.dropped[i] {
			cuts := cutPoints(p.text, nil, 0)
			spans = append(spans, span{i: i, cuts: cuts})
			caps = append(caps, cuts...)
		}
	}
	if len(spans) == 0 {
		return "", false
	}
	slices.Sort(caps)
	caps = slices.Compact(caps)
	apply := func(c int) {
		for _, s := range spans {
			switch k, _ := slices.BinarySearch(s.cuts, c+1); {
			case len(f.pieces[s.i].text) <= c:
				f.cut[s.i] = -1
			case k > 0:
				f.cut[s.i] = s.cuts[k-1]
			case len(s.cuts) > 0:
				f.cut[s.i] = s.cuts[0]
			default:
				f.cut[s.i] = -1 // one grapheme: nothing to cut
			}
		}
	}
	k, ok := lastFitting(len(caps), func(k int) bool {
		apply(caps[k])
		_, ok := f.fits()
		return ok
	})
	if !ok {
		apply(0)
		return "", false
	}
	apply(caps[k])
	return f.fits()
}

// cutBody shortens a body that has no Cut span as one text (a text written
// without marks), after its last Keep span; when no cut fits and the body
// has no Keep span, it drops the body: the post is the tail alone.
func (f *fitter) cutBody() (string, bool) {
	var text strings.Builder
	var atoms [][2]int
	min := 0
	var idx []int // body pieces shown, in order
	for i, p := range f.pieces {
		if p.tail || f.dropped[i] {
			continue
		}
		if p.kind == pieceCut {
			return "", false // step 3 had its chance
		}
		start := text.Len()
		text.WriteString(p.text)
		switch p.kind {
		case pieceKeep:
			min = text.Len()
			atoms = append(atoms, [2]int{start, text.Len()})
		case pieceAtom, pieceTag:
			atoms = append(atoms, [2]int{start, text.Len()})
		}
		idx = append(idx, i)
	}
	if len(idx) == 0 {
		return "", false
	}
	whole := text.String()
	cuts := cutPoints(whole, atoms, min)
	// Replace the body's pieces by one plain piece holding the whole body.
	saved, savedDropped, savedCut := slices.Clone(f.pieces), slices.Clone(f.dropped), slices.Clone(f.cut)
	first := idx[0]
	for _, i := range idx[1:] {
		f.dropped[i] = true
	}
	f.pieces[first] = piece{kind: piecePlain, text: whole}
	k, ok := lastFitting(len(cuts), func(k int) bool {
		f.cut[first] = cuts[k]
		_, ok := f.fits()
		return ok
	})
	if ok {
		f.cut[first] = cuts[k]
		return f.fits()
	}
	if min == 0 && !isBlank(f.tailText()) {
		f.noBody = true
		if out, ok := f.fits(); ok {
			return out, true
		}
	}
	f.pieces, f.dropped, f.cut, f.noBody = saved, savedDropped, savedCut, false
	return "", false
}

func (f *fitter) tailText() string {
	var b strings.Builder
	for i, p := range f.pieces {
		if p.tail && !f.dropped[i] {
			b.WriteString(p.text)
		}
	}
	return b.String()
}

// join puts a single space between body and tail when both are there.
func join(body, tail string) string {
	switch {
	case body == "":
		return tail
	case tail == "":
		return body
	}
	return body + " " + tail
}

// refusedText names what makes s impossible to post on network whatever the
// cut: invalid UTF-8 anywhere, and on X the characters it refuses.
func refusedText(network, part, s string) error {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return fmt.Errorf("text: %s is not valid UTF-8 at byte %d", part, i)
			}
		}
		if NetworkOf(network) == NetworkX && isInvalidChar(r) {
			return fmt.Errorf("text: %s contains U+%04X at byte %d, which X refuses", part, r, i)
		}
	}
	return nil
}

// lastFitting returns the largest k in [0, n) for which fits holds. Weight
// grows with the cut almost everywhere, so a bisection finds it with few
// measures; fits is asked about every answer.
func lastFitting(n int, fits func(int) bool) (int, bool) {
	best := -1
	for lo, hi := 0, n-1; lo <= hi; {
		mid := int(uint(lo+hi) >> 1)
		if fits(mid) {
			best, lo = mid, mid+1
		} else {
			hi = mid - 1
		}
	}
	return best, best >= 0
}

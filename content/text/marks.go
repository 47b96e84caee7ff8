package text

import (
	"strings"
	"unicode/utf8"
)

// Marks tell Fit what each part of a text is, so that shortening is decided
// in one place rather than template by template. A mark is a pair of Unicode
// noncharacters (U+FDD0–U+FDD9, which Unicode sets aside for a program's
// internal use and which no one types) around a span: Fit reads them and
// strips them, so they never reach a post, and Inert removes any from the
// text strangers send, so that no one can forge one.
//
//	Keep      never cut, never dropped: the creator credit, the link
//	Atom      never cut inside (a number, an amount, a name); dropped only
//	          with the optional sentence around it
//	Optional  a sentence the post can do without: dropped whole, last first
//	Cut       shortened at a word boundary with an ellipsis: a title, an
//	          excerpt
//	Hashtag   dropped first
//
// Spans may nest in an optional one; the others hold plain text. A text
// without marks still fits: see Fit.
const (
	keepOpen  = '\uFDD0'
	keepClose = '\uFDD1'
	atomOpen  = '\uFDD2'
	atomClose = '\uFDD3'
	optOpen   = '\uFDD4'
	optClose  = '\uFDD5'
	cutOpen   = '\uFDD6'
	cutClose  = '\uFDD7'
	tagOpen   = '\uFDD8'
	tagClose  = '\uFDD9'
)

// OptionalStart and OptionalEnd enclose an optional sentence (see Optional),
// for templates, which write the sentence between two helpers.
const (
	OptionalStart = string(optOpen)
	OptionalEnd   = string(optClose)
)

func wrap(open, close rune, s string) string {
	if s == "" {
		return ""
	}
	return string(open) + s + string(close)
}

// Keep marks what Fit never cuts or drops: the creator credit, the link.
func Keep(s string) string { return wrap(keepOpen, keepClose, s) }

// Atom marks what Fit never cuts inside: a number, an amount, a name.
func Atom(s string) string { return wrap(atomOpen, atomClose, s) }

// Optional marks a sentence Fit may drop whole.
func Optional(s string) string { return wrap(optOpen, optClose, s) }

// Cut marks what Fit may shorten at a word boundary, with an ellipsis: a
// title, an excerpt.
func Cut(s string) string { return wrap(cutOpen, cutClose, s) }

// Hashtag marks a hashtag, which Fit drops before anything else.
func Hashtag(s string) string { return wrap(tagOpen, tagClose, s) }

// isMark reports the runes marks are made of.
func isMark(r rune) bool { return r >= keepOpen && r <= tagClose }

// HasMarks reports whether s carries any mark.
func HasMarks(s string) bool {
	return strings.ContainsFunc(s, isMark)
}

// StripMarks removes the marks from s.
func StripMarks(s string) string {
	if !HasMarks(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isMark(r) {
			return -1
		}
		return r
	}, s)
}

// pieceKind is what a piece of a marked text is.
type pieceKind uint8

const (
	piecePlain pieceKind = iota
	pieceKeep
	pieceAtom
	pieceCut
	pieceTag
)

// piece is a run of a marked text of one kind, marks stripped. opts lists
// the optional spans around it, outermost first, by index.
type piece struct {
	kind pieceKind
	text string
	opts []int
	tail bool // in the tail: its plain text is kept like Keep
}

// parseMarks splits a marked text into pieces. It forgives what a template
// written by hand may do to marks (a span cut short by printf, a stray close
// mark): a close mark ends the innermost span it closes and any opened
// inside it, one that closes nothing is ignored, and a span still open at
// the end ends there. Marks inside a leaf span (Keep, Atom, Cut, Hashtag)
// are ignored but for its own close mark.
func parseMarks(s string, tail bool, nextOpt *int) []piece {
	var out []piece
	var opts []int // open optional spans
	leaf := piecePlain
	var b strings.Builder
	flush := func() {
		if b.Len() == 0 {
			return
		}
		out = append(out, piece{kind: leaf, text: b.String(), opts: append([]int(nil), opts...), tail: tail})
		b.Reset()
	}
	for _, r := range s {
		if !isMark(r) {
			b.WriteRune(r)
			continue
		}
		if leaf != piecePlain {
			if r == closeOf(leaf) {
				flush()
				leaf = piecePlain
			}
			continue
		}
		switch r {
		case optOpen:
			flush()
			opts = append(opts, *nextOpt)
			*nextOpt++
		case optClose:
			if len(opts) > 0 {
				flush()
				opts = opts[:len(opts)-1]
			}
		case keepOpen, atomOpen, cutOpen, tagOpen:
			flush()
			leaf = kindOf(r)
		}
	}
	flush()
	return out
}

func kindOf(open rune) pieceKind {
	switch open {
	case keepOpen:
		return pieceKeep
	case atomOpen:
		return pieceAtom
	case cutOpen:
		return pieceCut
	case tagOpen:
		return pieceTag
	}
	return piecePlain
}

func closeOf(k pieceKind) rune {
	switch k {
	case pieceKeep:
		return keepClose
	case pieceAtom:
		return atomClose
	case pieceCut:
		return cutClose
	case pieceTag:
		return tagClose
	}
	return utf8.RuneError
}

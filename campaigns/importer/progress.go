package importer

import (
	"fmt"
	"io"
	"strings"

	"golang.org/x/term"
)

// progress shows how an import goes: a bar redrawn in place on a terminal,
// plain lines elsewhere (logs, CI) so nothing fills up with carriage returns.
// A nil *progress shows nothing.
type progress struct {
	w     io.Writer
	tty   bool
	every int
	size  int64
	shown int // rows at the last display
}

// ttyRedraw is how many rows go by between redraws of the bar: often enough
// to look live, rarely enough to cost nothing.
const ttyRedraw = 500

func newProgress(w io.Writer, every int, size int64) *progress {
	if w == nil {
		return nil
	}
	if every <= 0 {
		every = 10000
	}
	p := &progress{w: w, every: every, size: size}
	if f, ok := w.(interface{ Fd() uintptr }); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
	}
	return p
}

func (p *progress) update(s *Summary, read int64) {
	if p == nil {
		return
	}
	step := p.every
	if p.tty {
		step = ttyRedraw
	}
	if s.Rows-p.shown < step {
		return
	}
	p.shown = s.Rows
	p.show(s, read)
}

func (p *progress) done(s *Summary, read int64) {
	if p == nil {
		return
	}
	p.show(s, read)
	if p.tty {
		fmt.Fprintln(p.w)
	}
}

func (p *progress) show(s *Summary, read int64) {
	line := counts(s)
	if p.size > 0 {
		pct := min(read*100/p.size, 100)
		if p.tty {
			line = bar(pct, 30) + fmt.Sprintf(" %3d%%  ", pct) + line
		} else {
			line = fmt.Sprintf("%d%%  ", pct) + line
		}
	}
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
	} else {
		fmt.Fprintln(p.w, "importer: "+line)
	}
}

func counts(s *Summary) string {
	line := fmt.Sprintf("%d rows, %d accepted, %d rejected", s.Rows, s.Accepted, s.Rejected)
	if s.Skipped > 0 {
		line += fmt.Sprintf(", %d skipped", s.Skipped)
	}
	return line
}

// bar draws [#####.....] for pct percent over width cells.
func bar(pct int64, width int) string {
	n := int(pct) * width / 100
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", width-n) + "]"
}

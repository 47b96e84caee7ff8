package mapping

import (
	"fmt"
	"maps"
	"math/bits"
	"slices"
	"strconv"
	"strings"
)

// Tally counts, over the records of one page or one file, which of the
// mapping's paths matched. A path that matched none of them means the mapping
// does not fit the source (a renamed field, a path typed wrong): an error of
// the source, not a page of records rejected one by one, or worse, of zeros.
type Tally struct {
	mp      *Mapper
	records int
	matched [64]int
	keys    []string // the first record's keys, to help fix the mapping
}

// NewTally starts counting for one page or file.
func (mp *Mapper) NewTally() *Tally { return &Tally{mp: mp} }

func (t *Tally) add(mask uint64, rec any) {
	t.records++
	for mask != 0 {
		i := bits.TrailingZeros64(mask)
		t.matched[i]++
		mask &^= 1 << uint(i)
	}
	if t.keys == nil {
		if m, ok := rec.(map[string]any); ok {
			t.keys = slices.Sorted(maps.Keys(m))
		} else {
			t.keys = []string{}
		}
	}
}

// Records is how many records were mapped (skipped ones are not counted).
func (t *Tally) Records() int { return t.records }

// Unmatched lists the paths without a default that matched none of the
// records, in field order; nil when there were no records.
func (t *Tally) Unmatched() []MappedPath {
	if t.records == 0 {
		return nil
	}
	var out []MappedPath
	for f := range numFields {
		if p := t.mp.paths[f]; p != "" && t.matched[f] == 0 {
			if _, def := t.mp.m.defaultOf(f); !def {
				out = append(out, MappedPath{Setting: fields[f].setting, Path: p})
			}
		}
	}
	for i, p := range t.mp.tpl {
		if t.matched[int(numFields)+i] == 0 {
			out = append(out, p)
		}
	}
	return out
}

// Err is an *UnmatchedError when some path matched no record, else nil.
func (t *Tally) Err() error {
	if u := t.Unmatched(); len(u) > 0 {
		return &UnmatchedError{Paths: u, Records: t.records, Keys: t.keys}
	}
	return nil
}

// UnmatchedError: paths of the mapping matched none of a page's or a file's
// records.
type UnmatchedError struct {
	Paths   []MappedPath
	Records int
	Keys    []string // the first record's keys
}

func (e *UnmatchedError) Error() string {
	parts := make([]string, len(e.Paths))
	for i, p := range e.Paths {
		parts[i] = fmt.Sprintf("mapping.%s %q", p.Setting, p.Path)
	}
	msg := fmt.Sprintf("%s matched none of the %d records: the mapping does not fit this source", strings.Join(parts, ", "), e.Records)
	if len(e.Keys) > 0 {
		keys := e.Keys
		more := ""
		if len(keys) > 30 {
			keys, more = keys[:30], ", … ("+strconv.Itoa(len(e.Keys)-30)+" more)"
		}
		msg += " (a record has: " + strings.Join(keys, ", ") + more + ")"
	}
	return msg
}

package importer

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// csv streams records keyed by the header's column names.
func (im *run) csv(br *bufio.Reader) error {
	cr := csv.NewReader(br)
	if im.o.Comma != 0 {
		cr.Comma = im.o.Comma
	}
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("importer: the CSV file has no header row")
		}
		return fmt.Errorf("importer: unable to read the CSV header: %w", err)
	}
	cols := make([]string, len(header))
	index := make(map[string]bool, len(header))
	for i, h := range header {
		// Exports often carry a BOM and padded names ("backers ").
		cols[i] = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		index[cols[i]] = true
	}
	if err := im.setMapping(index); err != nil {
		return err
	}
	// A path is a column, or goes into a column holding JSON
	// ("creator.name" in a "creator" column).
	for _, p := range im.mapper.Mapping().Paths() {
		col, _, _ := strings.Cut(p.Path, ".")
		if !p.Defaulted && !index[p.Path] && !index[col] {
			return fmt.Errorf("importer: the CSV header has no %q column (mapping.%s); it has %s", p.Path, p.Setting, strings.Join(cols, ", "))
		}
	}
	for {
		if err := im.ctx.Err(); err != nil {
			return fmt.Errorf("importer: stopped after %d rows: %w", im.sum.Rows, err)
		}
		fields, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return fmt.Errorf("importer: unable to read the CSV file: %w", err)
			}
			// The reader resumes at the next record; the broken one
			// counts as a rejected row.
			im.sum.Rows++
			msg := pe.Err.Error()
			if errors.Is(err, csv.ErrFieldCount) {
				msg = fmt.Sprintf("has %d fields, the header has %d", len(fields), len(cols))
			}
			im.reject(RowError{Row: pe.StartLine, Field: "", Message: msg})
			im.progress.update(&im.sum, im.bytes.n)
			continue
		}
		line, _ := cr.FieldPos(0)
		rec := make(map[string]any, len(cols))
		for i, v := range fields {
			if _, dup := rec[cols[i]]; !dup {
				rec[cols[i]] = strings.Clone(v) // ReuseRecord: fields are overwritten next read
			}
		}
		if err := im.record(line, rec); err != nil {
			return err
		}
	}
}

// Package importer loads campaigns from a CSV or JSON file into the tracker:
// a platform's export, or a public dataset such as Kickstarter's
// (KickstarterCSV reads its columns as they are). The file is streamed and
// handed over in batches, so a file of hundreds of thousands of rows does not
// sit in memory. A bad row is counted and its reason kept; it never stops the
// others.
package importer

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/campaigns/poll"
)

// Formats.
const (
	FormatCSV  = "csv"
	FormatJSON = "json"
)

// Defaults for Options.
const (
	DefaultBatchSize = 500
	// maxKeptErrors bounds Summary.Errors: a file of a million bad rows keeps
	// the first reasons, and counts the rest.
	maxKeptErrors = 1000
)

// KickstarterCSV reads the public Kickstarter project datasets
// (ks-projects-2018: ID, name, category, main_category, currency, deadline,
// goal, launched, pledged, state, backers, country, usd pledged,
// usd_pledged_real, usd_goal_real). Amounts are in the project's currency,
// major units; deadline is a date, launched a "2006-01-02 15:04:05" time, both
// UTC. The dataset has no URL, language or creator, so they are synthesized:
// the URL from URLTemplate (https://www.kickstarter.com/projects/{id}, which
// Kickstarter redirects by numeric id), lang "en", creator "Unknown creator";
// Options.URLTemplate, DefaultLang and DefaultCreator override them. State
// "suspended" reads as canceled; "undefined" rows are rejected.
var KickstarterCSV = poll.Mapping{
	ID: "ID", Title: "name", Category: "main_category", Currency: "currency",
	Deadline: "deadline", Goal: "goal", LaunchedAt: "launched", Pledged: "pledged",
	State: "state", Backers: "backers",
	Money:          poll.MoneyMajor,
	States:         map[string]campaigns.State{"suspended": campaigns.StateCanceled},
	URLTemplate:    "https://www.kickstarter.com/projects/{id}",
	DefaultLang:    "en",
	DefaultCreator: "Unknown creator",
}

// Options configures an import.
type Options struct {
	// Format is FormatCSV, FormatJSON or "" to sniff from the first byte.
	Format string
	// Mapping says where each field is: CSV paths are column names (header
	// row), JSON paths are dotted paths. Default KickstarterCSV for CSV,
	// poll.PresetKickstarter for JSON.
	Mapping *poll.Mapping
	// ItemsPath, for JSON, is the top-level key holding the array of
	// records; empty for a top-level array or a stream of objects (JSON
	// Lines). RecordPath unwraps each record (e.g. "data" in dumps that wrap
	// every project).
	ItemsPath  string
	RecordPath string
	Comma      rune // CSV separator; default ','

	// Override the mapping's synthesized values when set.
	URLTemplate    string
	DefaultLang    string
	DefaultCreator string

	// Progress receives a progress bar when it is a terminal, else a line
	// every ProgressEvery rows and one at the end; nil for silence.
	Progress      io.Writer
	ProgressEvery int   // default 10000
	Size          int64 // total bytes, for a percentage; found by Stat when r is a file

	Now       func() time.Time // decides derived states; default time.Now
	BatchSize int              // campaigns per Ingest; default DefaultBatchSize
}

// RowError is a row that did not make a campaign. Row is the line where the
// record starts in a CSV file (the header is line 1), or the record's
// 1-based position in a JSON file.
type RowError struct {
	Row     int    `json:"row"`
	ID      string `json:"id,omitempty"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Summary says what an import did.
type Summary struct {
	Rows     int        // records read
	Accepted int        // valid and taken by the tracker (counted before their batch goes: see Import's error)
	Rejected int        // did not map or validate, or the tracker refused them; Accepted+Rejected == Rows
	Stale    int        // accepted, but the tracker had a newer snapshot
	Fired    int        // milestones the import made fire
	Errors   []RowError // the first reasons for rejection, in file order
}

// Import reads r and ingests its campaigns. On an error that stops the
// import (unreadable file, syntax error in JSON, the tracker failing) it
// returns the summary so far with the error; what was ingested stays.
func Import(ctx context.Context, r io.Reader, o Options, ing campaigns.Ingester) (Summary, error) {
	if ing == nil {
		return Summary{}, errors.New("importer: no ingester")
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Size == 0 {
		if f, ok := r.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
				o.Size = st.Size()
			}
		}
	}
	cr := &countingReader{r: r}
	br := bufio.NewReaderSize(cr, 64<<10)
	format := o.Format
	if format == "" {
		var err error
		if format, err = sniff(br); err != nil {
			return Summary{}, err
		}
	}
	var m poll.Mapping
	switch format {
	case FormatCSV:
		m = KickstarterCSV
	case FormatJSON:
		m = poll.PresetKickstarter
	default:
		return Summary{}, fmt.Errorf("importer: format %q is not csv or json", format)
	}
	if o.Mapping != nil {
		m = *o.Mapping
	}
	if o.URLTemplate != "" {
		m.URLTemplate = o.URLTemplate
	}
	if o.DefaultLang != "" {
		m.DefaultLang = o.DefaultLang
	}
	if o.DefaultCreator != "" {
		m.DefaultCreator = o.DefaultCreator
	}
	if err := m.Check(); err != nil {
		return Summary{}, fmt.Errorf("importer: %w", err)
	}

	im := &run{ctx: ctx, o: o, m: m, ing: ing, now: o.Now(), bytes: cr,
		progress: newProgress(o.Progress, o.ProgressEvery, o.Size)}
	var err error
	if format == FormatCSV {
		err = im.csv(br)
	} else {
		err = im.json(br)
	}
	// Rows read before a JSON syntax error are good: store them, unless it
	// is the tracker that failed (after a cancel, flush reports the cancel).
	if !im.ingestFailed {
		if ferr := im.flush(); err == nil {
			err = ferr
		}
	}
	im.progress.done(&im.sum, cr.n)
	return im.sum, err
}

// sniff decides the format from the first significant byte.
func sniff(br *bufio.Reader) (string, error) {
	head, err := br.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return "", fmt.Errorf("importer: unable to read: %w", err)
	}
	head = bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\ufeff")), " \t\r\n")
	if len(head) == 0 {
		return "", errors.New("importer: the file is empty")
	}
	if head[0] == '[' || head[0] == '{' {
		return FormatJSON, nil
	}
	return FormatCSV, nil
}

// run is one import in progress.
type run struct {
	ctx      context.Context
	o        Options
	m        poll.Mapping
	ing      campaigns.Ingester
	now      time.Time
	bytes    *countingReader
	progress *progress
	batch    []campaigns.Campaign
	rows     []int // row of each campaign in batch
	sum      Summary
	// ingestFailed stops the final flush from retrying a batch the tracker
	// refused: the caller decides whether to run the import again.
	ingestFailed bool
}

// record maps one record and queues it, or notes why not.
func (im *run) record(row int, rec any) error {
	im.sum.Rows++
	if im.o.RecordPath != "" {
		if m, ok := rec.(map[string]any); ok {
			rec = m[im.o.RecordPath]
		}
	}
	c, err := im.m.Map(rec, im.now)
	if err != nil {
		re := RowError{Row: row, ID: c.ID, Message: err.Error()}
		if fe, ok := errors.AsType[*campaigns.FieldError](err); ok {
			re.Field, re.Message = fe.Field, fe.Message
		}
		im.reject(re)
	} else {
		im.sum.Accepted++
		im.batch = append(im.batch, c)
		im.rows = append(im.rows, row)
		if len(im.batch) >= im.o.BatchSize {
			if err := im.flush(); err != nil {
				return err
			}
		}
	}
	im.progress.update(&im.sum, im.bytes.n)
	return nil
}

func (im *run) reject(re RowError) {
	im.sum.Rejected++
	if len(im.sum.Errors) < maxKeptErrors {
		im.sum.Errors = append(im.sum.Errors, re)
	}
}

func (im *run) flush() error {
	if len(im.batch) == 0 {
		return nil
	}
	if err := im.ctx.Err(); err != nil {
		return fmt.Errorf("importer: stopped after %d rows: %w", im.sum.Rows, err)
	}
	res, err := im.ing.Ingest(im.ctx, im.batch)
	if err != nil {
		im.ingestFailed = true
		return fmt.Errorf("importer: unable to ingest %d campaigns (rows up to %d): %w", len(im.batch), im.sum.Rows, err)
	}
	im.sum.Stale += res.Stale
	im.sum.Fired += len(res.Fired)
	// The tracker has the last word on validity: what it refused moves
	// from accepted to rejected, so the counts still add up to the rows.
	for _, r := range res.Rejected {
		re := RowError{Row: im.rowOf(r.ID), ID: r.ID, Message: fmt.Sprint(r.Err)}
		if fe, ok := errors.AsType[*campaigns.FieldError](r.Err); ok {
			re.Field, re.Message = fe.Field, fe.Message
		}
		im.sum.Accepted--
		im.reject(re)
	}
	im.batch, im.rows = im.batch[:0], im.rows[:0]
	return nil
}

// rowOf finds the row of a campaign in the current batch, 0 if none.
func (im *run) rowOf(id string) int {
	for i, c := range im.batch {
		if c.ID == id {
			return im.rows[i]
		}
	}
	return 0
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Package importer loads campaigns from a CSV or JSON file into the tracker:
// a platform's export, or a public dataset such as Kickstarter's. The mapping
// engine is the poll's (campaigns/mapping), so any CSV with a header row, or
// any JSON, is read with a mapping in the config; presets cover Ulule's and
// Kickstarter's shapes. The file is streamed and handed over in batches, so a
// file of hundreds of thousands of rows does not sit in memory. A bad row is
// counted and its reason kept; it never stops the others. A mapped path that
// matches no record of the whole file (or no column of the header) is an
// error: the mapping does not fit the file.
package importer

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/campaigns/mapping"
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

// Options configures an import.
type Options struct {
	// Format is FormatCSV, FormatJSON or "" to sniff from the first byte.
	Format string
	// Mapping says where each field is: CSV paths are column names (header
	// row, a JSON cell may be descended into), JSON paths are dotted paths.
	// Nil means Preset.
	Mapping *mapping.Mapping
	// Preset names the mapping when Mapping is nil (mapping.PresetNames);
	// "" means kickstarter. With CSV, kickstarter reads the public datasets'
	// columns (kickstarter-dataset) when the header has them.
	Preset string
	// Location is the file's time zone (source_timezone): times without a
	// zone are read in it, a date alone as the end of that day for a
	// deadline. Default UTC.
	Location *time.Location
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
	Rows     int // records read
	Accepted int // valid and taken by the tracker (counted before their batch goes: see Import's error)
	Rejected int // did not map or validate, repeated an id, or the tracker refused them
	Skipped  int // left out on purpose: their state is in the mapping's skip_states
	Stale    int // accepted, but the tracker had a newer snapshot
	Fired    int // milestones the import made fire
	// Unposted are fired milestones over the cap of posts per batch
	// (campaigns.max_posts_per_delivery), recorded without a post.
	Unposted int
	Errors   []RowError // the first reasons for rejection, in file order
}

// Rows == Accepted + Rejected + Skipped.

// Run is the summary as a source health run (err: what stopped the import).
func (s Summary) Run(at time.Time, err error) campaigns.SourceRun {
	run := campaigns.SourceRun{At: at, Records: s.Rows, Accepted: s.Accepted, Skipped: s.Skipped}
	for _, e := range s.Errors {
		run.Reject(campaigns.SourceRejection{Where: fmt.Sprintf("row %d", e.Row), ID: e.ID, Field: e.Field, Message: e.Message})
	}
	run.Rejected = s.Rejected
	switch {
	case err != nil:
		run.Error = err.Error()
	case s.Unposted > 0:
		run.Error = campaigns.UnpostedProblem(s.Unposted)
	}
	return run
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
	if format != FormatCSV && format != FormatJSON {
		return Summary{}, fmt.Errorf("importer: format %q is not csv or json", format)
	}
	if o.Mapping == nil {
		if _, ok := mapping.Preset(o.preset(nil)); !ok {
			return Summary{}, fmt.Errorf("importer: preset %q is not one of %v", o.Preset, mapping.PresetNames())
		}
	}

	im := &run{ctx: ctx, o: o, ing: ing, now: o.Now(), bytes: cr, seed: maphash.MakeSeed(),
		progress: newProgress(o.Progress, o.ProgressEvery, o.Size)}
	var err error
	if format == FormatCSV {
		err = im.csv(br)
	} else if err = im.setMapping(nil); err == nil {
		err = im.json(br)
	}
	// Rows read before a JSON syntax error are good: store them, unless it
	// is the tracker that failed (after a cancel, flush reports the cancel).
	if !im.ingestFailed {
		if ferr := im.flush(); err == nil {
			err = ferr
		}
	}
	if err == nil && im.tally != nil {
		if terr := im.tally.Err(); terr != nil {
			err = fmt.Errorf("importer: %w", terr)
		}
	}
	im.progress.done(&im.sum, cr.n)
	return im.sum, err
}

// preset is the preset to read with when no mapping is given. header is the
// CSV header, nil for JSON. Kickstarter data comes as CSV in two shapes: the
// public datasets' columns (ID, launched, backers), and the project objects
// flattened, nested ones as JSON cells (id, launched_at, backers_count).
func (o Options) preset(header map[string]bool) string {
	switch {
	case o.Preset != "" && o.Preset != "kickstarter":
		return o.Preset
	case header != nil && !header["backers_count"]:
		return "kickstarter-dataset"
	}
	return "kickstarter"
}

// setMapping settles the mapping once the header (CSV) is known.
func (im *run) setMapping(header map[string]bool) error {
	var m mapping.Mapping
	if im.o.Mapping != nil {
		m = *im.o.Mapping
	} else {
		m, _ = mapping.Preset(im.o.preset(header)) // checked by Import
	}
	m = m.Override(mapping.Mapping{URLTemplate: im.o.URLTemplate, DefaultLang: im.o.DefaultLang, DefaultCreator: im.o.DefaultCreator})
	mp, err := mapping.New(m, im.o.Location)
	if err != nil {
		return fmt.Errorf("importer: %w", err)
	}
	im.mapper, im.tally = mp, mp.NewTally()
	return nil
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
	mapper   *mapping.Mapper
	tally    *mapping.Tally
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
	// seen maps a hash of each id taken to its row, to refuse the same id
	// again: 8+4 bytes a row where the ids themselves would be several
	// times that on a dataset of 400,000 rows. Two ids sharing a 64-bit hash
	// (odds of one in 10^8 at that size) would be reported as one.
	seen map[uint64]int
	seed maphash.Seed
}

// record maps one record and queues it, or notes why not.
func (im *run) record(row int, rec any) error {
	im.sum.Rows++
	if im.o.RecordPath != "" {
		if m, ok := rec.(map[string]any); ok {
			rec = m[im.o.RecordPath]
		}
	}
	c, err := im.mapper.Map(rec, im.now, im.tally)
	if err == nil {
		// A file holds one snapshot per campaign. The first one of an id
		// has gone to the tracker by now (the file is streamed): the later
		// ones are refused, naming the row of the first.
		h := maphash.String(im.seed, c.ID)
		if first, dup := im.seen[h]; dup {
			err = &campaigns.FieldError{Field: "id", Message: fmt.Sprintf("%q was already read at row %d: a file holds one snapshot per campaign, this one is not stored", c.ID, first)}
		} else {
			if im.seen == nil {
				im.seen = make(map[uint64]int)
			}
			im.seen[h] = row
		}
	}
	switch {
	case mapping.IsSkip(err):
		im.sum.Skipped++
	case err != nil:
		re := RowError{Row: row, ID: c.ID, Message: err.Error()}
		if fe, ok := errors.AsType[*campaigns.FieldError](err); ok {
			re.Field, re.Message = fe.Field, fe.Message
		}
		im.reject(re)
	default:
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
	im.sum.Unposted += len(res.Unposted)
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

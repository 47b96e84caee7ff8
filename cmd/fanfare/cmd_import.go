package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/fanfarehq/fanfare/campaigns/importer"
	"github.com/fanfarehq/fanfare/campaigns/poll"
)

const usageCampaignsImport = "[-config FILE] FILE|- [--format csv|json] [--preset kickstarter|ulule] [--items-path P] [--record-path P] [--comma C] [--url-template T] [--lang L] [--creator NAME] [--json]"

// cmdCampaignsImport loads a CSV or JSON file of campaigns into the tracker,
// firing the milestones the daemon would (first sight records passed ones
// silently). A bad row is reported and skipped; what was read before an error
// that stops the import stays imported.
func cmdCampaignsImport(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("campaigns import", usageCampaignsImport)
	path := c.configFlag(fs)
	format := fs.String("format", "", "csv or json (default: from the first byte)")
	preset := fs.String("preset", "", "field mapping: kickstarter (CSV: the public ks-projects dataset; JSON: project objects) or ulule (JSON); default kickstarter")
	itemsPath := fs.String("items-path", "", "JSON: the top-level key holding the array of records (default: a top-level array or JSON lines)")
	recordPath := fs.String("record-path", "", "JSON: the key that wraps each record (e.g. data)")
	comma := fs.String("comma", ",", "CSV: the separator")
	urlTemplate := fs.String("url-template", "", "the URL of records that have none, {id} replaced by the id")
	lang := fs.String("lang", "", "the language of records that do not say")
	creator := fs.String("creator", "", "the creator name of records that do not say")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errUsage
	}
	o := importer.Options{
		Format: *format, ItemsPath: *itemsPath, RecordPath: *recordPath,
		URLTemplate: *urlTemplate, DefaultLang: *lang, DefaultCreator: *creator,
	}
	switch *format {
	case "", importer.FormatCSV, importer.FormatJSON:
	default:
		return fmt.Errorf("--format %q is not csv or json", *format)
	}
	sep := []rune(*comma)
	if len(sep) != 1 {
		return fmt.Errorf("--comma %q is not one character", *comma)
	}
	o.Comma = sep[0]
	switch *preset {
	case "", "kickstarter":
		if *format == importer.FormatJSON {
			o.Mapping = &poll.PresetKickstarter
		}
	case "ulule":
		if *format != importer.FormatJSON {
			return errors.New("--preset ulule reads JSON: add --format json")
		}
		o.Mapping = &poll.PresetUlule
	default:
		return fmt.Errorf("--preset %q is not kickstarter or ulule", *preset)
	}

	var in io.Reader = c.stdin
	if pos[0] != "-" {
		f, err := os.Open(pos[0])
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	// A bar on a terminal only: in a pipe or a log it would be noise.
	if isTerminal(c.stderr) {
		o.Progress = c.stderr
	}
	p, err := c.openCampaigns(ctx, *path)
	if err != nil {
		return err
	}
	defer p.close()
	sum, err := importer.Import(ctx, in, o, p.tracker)
	if *asJSON {
		if werr := writeJSON(c.stdout, importJSON(sum)); werr != nil && err == nil {
			err = werr
		}
	} else if perr := sum.Print(c.stdout); perr != nil && err == nil {
		err = perr
	}
	if err != nil {
		return fmt.Errorf("import stopped (what was read before stays imported): %w", err)
	}
	return nil
}

// importSummary is `campaigns import --json`.
type importSummary struct {
	Rows     int                 `json:"rows"`
	Accepted int                 `json:"accepted"`
	Rejected int                 `json:"rejected"`
	Stale    int                 `json:"stale"`
	Fired    int                 `json:"fired"`
	Errors   []importer.RowError `json:"errors"`
}

func importJSON(s importer.Summary) importSummary {
	errs := s.Errors
	if errs == nil {
		errs = []importer.RowError{}
	}
	return importSummary{Rows: s.Rows, Accepted: s.Accepted, Rejected: s.Rejected, Stale: s.Stale, Fired: s.Fired, Errors: errs}
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/campaigns/importer"
	"github.com/fanfarehq/fanfare/campaigns/mapping"
)

const usageCampaignsImport = "[-config FILE] FILE|- [--format csv|json] [--preset NAME] [--mapping FILE.yaml] [--timezone ZONE] [--items-path P] [--record-path P] [--comma C] [--url-template T] [--lang L] [--creator NAME] [--json]"

// errNothingImported makes `campaigns import` exit 1 after its summary when no
// row was taken: a wrong file or mapping must not look like a success in a
// script.
var errNothingImported = errors.New("nothing was imported: every row was rejected or skipped (see the reasons above)")

// cmdCampaignsImport loads a CSV or JSON file of campaigns into the tracker,
// firing the milestones the daemon would (first sight records passed ones
// silently). A bad row is reported and skipped; what was read before an error
// that stops the import stays imported. The mapping comes from --mapping, else
// --preset, else campaigns.import in the configuration, else a Kickstarter
// preset chosen by the file's shape.
func cmdCampaignsImport(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("campaigns import", usageCampaignsImport)
	path := c.configFlag(fs)
	format := fs.String("format", "", "csv or json (default: from the first byte)")
	preset := fs.String("preset", "", "field mapping preset: "+strings.Join(mapping.PresetNames(), ", ")+" (default: campaigns.import in the configuration, else kickstarter)")
	mappingFile := fs.String("mapping", "", "a YAML file holding a mapping (the keys of campaigns.import.mapping); over --preset when both are given")
	zone := fs.String("timezone", "", "the file's time zone for times without one, e.g. UTC (default: campaigns.import.source_timezone, else timezone)")
	itemsPath := fs.String("items-path", "", "JSON: the top-level key holding the array of records (default: a top-level array or JSON lines)")
	recordPath := fs.String("record-path", "", "JSON: the key that wraps each record (e.g. data)")
	comma := fs.String("comma", ",", "CSV: the separator")
	urlTemplate := fs.String("url-template", "", "the URL of records that have none, {id} replaced by the id")
	lang := fs.String("lang", "", "the language of records that do not say")
	creator := fs.String("creator", "", "the creator name of records that do not say (default: none; posts leave the credit out)")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errUsage
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
	if *preset != "" {
		if _, ok := mapping.Preset(*preset); !ok {
			return fmt.Errorf("--preset %q is not one of %s", *preset, strings.Join(mapping.PresetNames(), ", "))
		}
	}
	var fileMapping *mapping.Mapping
	if *mappingFile != "" {
		if fileMapping, err = readMappingFile(*mappingFile); err != nil {
			return err
		}
	}
	var loc *time.Location
	if *zone != "" {
		if loc, err = time.LoadLocation(*zone); err != nil {
			return fmt.Errorf("--timezone %q is not an IANA time zone such as Europe/Paris or UTC", *zone)
		}
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
	p, err := c.openCampaigns(ctx, *path)
	if err != nil {
		return err
	}
	defer p.close()
	ic := p.cfg.Campaigns.Import
	o := importer.Options{
		Format: *format, Preset: *preset, Comma: sep[0],
		ItemsPath: firstSet(*itemsPath, ic.ItemsPath), RecordPath: firstSet(*recordPath, ic.RecordPath),
		URLTemplate: *urlTemplate, DefaultLang: *lang, DefaultCreator: *creator,
		Location: loc,
	}
	if o.Location == nil {
		o.Location = p.cfg.SourceLocation(ic.SourceTimezone)
	}
	switch {
	case fileMapping != nil && *preset != "":
		m, _ := mapping.Preset(*preset)
		m = m.Override(*fileMapping)
		o.Mapping = &m
	case fileMapping != nil:
		o.Mapping = fileMapping
	case *preset == "":
		// None configured: the importer picks a preset by the file's shape.
		m, ok, err := sourceMapping(ic.Preset, &ic.Mapping)
		if err != nil {
			return fmt.Errorf("campaigns.import: %w", err)
		}
		if ok {
			o.Mapping = &m
		}
	}
	// A bar on a terminal only: in a pipe or a log it would be noise.
	if isTerminal(c.stderr) {
		o.Progress = c.stderr
	}
	at := time.Now()
	sum, err := importer.Import(ctx, in, o, p.tracker)
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if herr := p.health.RecordRun(hctx, campaigns.SourceImport, sum.Run(at, err)); herr != nil {
		fmt.Fprintf(c.stderr, "fanfare campaigns import: unable to record the import in the source health: %v\n", herr)
	}
	if *asJSON {
		if werr := writeJSON(c.stdout, importJSON(sum)); werr != nil && err == nil {
			err = werr
		}
	} else if perr := sum.Print(c.stdout); perr != nil && err == nil {
		err = perr
	}
	switch {
	case err != nil && sum.Accepted > 0:
		return fmt.Errorf("import stopped (what was read before stays imported): %w", err)
	case err != nil:
		return err
	case sum.Accepted == 0:
		return errNothingImported
	}
	return nil
}

// readMappingFile reads a mapping from YAML, refusing unknown keys and naming
// every problem with its key.
func readMappingFile(path string) (*mapping.Mapping, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--mapping: %w", err)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	var m mapping.Mapping
	if err := dec.Decode(&m); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("--mapping %s: %v", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return &m, nil
}

func firstSet(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// importSummary is `campaigns import --json`.
type importSummary struct {
	Rows     int                 `json:"rows"`
	Accepted int                 `json:"accepted"`
	Rejected int                 `json:"rejected"`
	Skipped  int                 `json:"skipped"`
	Stale    int                 `json:"stale"`
	Fired    int                 `json:"fired"`
	Unposted int                 `json:"unposted"`
	Errors   []importer.RowError `json:"errors"`
}

func importJSON(s importer.Summary) importSummary {
	errs := s.Errors
	if errs == nil {
		errs = []importer.RowError{}
	}
	return importSummary{Rows: s.Rows, Accepted: s.Accepted, Rejected: s.Rejected, Skipped: s.Skipped, Stale: s.Stale, Fired: s.Fired, Unposted: s.Unposted, Errors: errs}
}

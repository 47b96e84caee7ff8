package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/internal/config"
	"github.com/fanfarehq/fanfare/internal/redisconn"
	"github.com/fanfarehq/fanfare/internal/termsafe"
)

// redisWait bounds how long a data command waits for Redis: a person at a
// terminal wants an answer, not the daemon's patient backoff.
const redisWait = 5 * time.Second

// errEmbeddedStore explains why data commands cannot work on the quick start.
var errEmbeddedStore = errors.New("redis.url is empty: the embedded store lives inside the running daemon's memory, " +
	"out of reach of other processes; set redis.url to use this command, or use the dashboard or the JSON API")

// openRedis connects to the configured Redis for a data command and checks that
// it answers. close must be called once done.
func (c *cli) openRedis(ctx context.Context, cfg *config.Loaded) (redis.UniversalClient, func(), error) {
	if cfg.Redis.URL == "" {
		return nil, nil, errEmbeddedStore
	}
	quiet := slog.New(slog.DiscardHandler)
	conn, err := redisconn.Open(cfg.Redis.URL, quiet)
	if err != nil {
		return nil, nil, err
	}
	wctx, cancel := context.WithTimeout(ctx, redisWait)
	defer cancel()
	if err := redisconn.Wait(wctx, conn.Client, quiet); err != nil {
		_ = conn.Close()
		return nil, nil, fmt.Errorf("redis at %s: %w", conn.Addr, err)
	}
	return conn.Client, func() { _ = conn.Close() }, nil
}

// dataCommand is what every command working on the stored data starts with:
// the configuration, and Redis. It is set up by (*cli).setup.
type dataCommand struct {
	cfg   *config.Loaded
	rdb   redis.UniversalClient
	close func()
}

// setup loads the configuration at path and opens its Redis.
func (c *cli) setup(ctx context.Context, path string) (*dataCommand, error) {
	cfg, err := c.loadConfig(path)
	if err != nil {
		return nil, err
	}
	rdb, closeFn, err := c.openRedis(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &dataCommand{cfg: cfg, rdb: rdb, close: closeFn}, nil
}

// actorFlag adds --as, the name recorded in the audit trail.
func (c *cli) actorFlag(fs *flag.FlagSet) *string {
	user, ok := c.lookupEnv("USER")
	def := "cli"
	if ok && strings.TrimSpace(user) != "" {
		def = "cli:" + strings.TrimSpace(user)
	}
	return fs.String("as", def, "who makes the change, as the audit trail records it")
}

// parseArgs parses flags placed before, between or after the positional
// arguments (`posts reject ID --reason TEXT`), which the flag package alone
// does not: it stops at the first argument that is not a flag. Everything
// after "--" is positional.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// flagsSet returns the names of the flags given on the command line, so that an
// explicitly empty value (--link "") can mean "clear it".
func flagsSet(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// writeJSON writes v as one indented JSON document.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	// Text from platforms and creators: bidi and C1 characters escaped, in
	// case the JSON is read on a terminal.
	_, err := w.Write(termsafe.JSON(buf.Bytes()))
	return err
}

// table writes aligned columns; call flush once the rows are written.
type table struct{ tw *tabwriter.Writer }

func newTable(w io.Writer, header ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
	t.row(header...)
	return t
}

func (t *table) row(cells ...string) {
	for i, c := range cells {
		// A tab or a line break in a cell would break the columns.
		cells[i] = strings.Join(strings.Fields(c), " ")
		if cells[i] == "" {
			cells[i] = "-"
		}
	}
	fmt.Fprintln(t.tw, strings.Join(cells, "\t"))
}

func (t *table) flush() error { return t.tw.Flush() }

// clip shortens s to at most n characters for a table cell.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// when formats a time for people, in the platform's time zone; "-" for none.
func when(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(loc).Format("2006-01-02 15:04")
}

// whenFull is when with seconds and the zone, for detail views.
func whenFull(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(loc).Format("2006-01-02 15:04:05 MST")
}

// pagingFlags adds --limit and --offset.
func pagingFlags(fs *flag.FlagSet) (limit, offset *int) {
	return fs.Int("limit", 50, "how many to list (1 to 500)"), fs.Int("offset", 0, "how many to skip")
}

func checkPaging(limit, offset int) error {
	if limit < 1 || limit > 500 {
		return fmt.Errorf("--limit must be from 1 to 500, got %d", limit)
	}
	if offset < 0 {
		return fmt.Errorf("--offset must not be negative, got %d", offset)
	}
	return nil
}

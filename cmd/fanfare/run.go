package main

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

func cmdRun(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("run", "[-config FILE] [--demo]")
	path := c.configFlag(fs)
	demo := fs.Bool("demo", false, "run the built-in demo: campaigns that move in accelerated time, preview publishers")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errUsage
	}
	cfg, err := c.loadConfig(*path)
	if err != nil {
		return err
	}
	m := NewMain(cfg)
	m.Demo = *demo
	m.Logger = newLogger(c.stderr, cfg.Log.Format, cfg.Log.Level)
	m.Console = c.stdout
	slog.SetDefault(m.Logger)
	m.Logger.Info("fanfare starting", "version", versionString(), "demo", *demo, "config", *path)
	if err := m.Run(ctx); err != nil {
		_ = m.Close()
		if ctx.Err() != nil {
			// Stopped by a signal while starting (e.g. waiting for Redis): an
			// orderly stop, not a failure.
			m.Logger.Info("fanfare stopped before it was ready", "reason", err)
			return nil
		}
		return err
	}
	<-ctx.Done()
	m.Logger.Info("fanfare stopping: signal received")
	start := time.Now()
	err = m.Close()
	m.Logger.Info("fanfare stopped", "took", time.Since(start).Round(time.Millisecond).String())
	return err
}

func newLogger(w interface{ Write([]byte) (int, error) }, format, level string) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(strings.ToUpper(level)))
	opts := &slog.HandlerOptions{Level: lvl}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// isTerminal reports whether f is a terminal (progress bars, colours).
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}

package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content/composer"
	"github.com/fanfarehq/fanfare/web"
)

const (
	usageDeadLettersList   = "[-config FILE] [--limit N] [--json]"
	usageDeadLettersReplay = "[-config FILE] ID..."
	usageDeadLettersDrop   = "[-config FILE] ID..."
)

// deadLetters opens both dead-letter stores of the configured Redis.
func (c *cli) deadLetters(ctx context.Context, path string) (*dataCommand, composer.DeadLetterBox, error) {
	d, err := c.setup(ctx, path)
	if err != nil {
		return nil, composer.DeadLetterBox{}, err
	}
	stream, err := campaigns.NewEventStream(d.rdb, d.cfg.Redis.Prefix)
	if err != nil {
		d.close()
		return nil, composer.DeadLetterBox{}, err
	}
	return d, composer.DeadLetterBox{Stream: stream, Composer: composer.NewRedisDeadLetters(d.rdb, d.cfg.Redis.Prefix, nil)}, nil
}

func cmdDeadLettersList(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("deadletters list", usageDeadLettersList)
	path := c.configFlag(fs)
	limit := fs.Int("limit", 100, "how many of each store to list (0: all kept)")
	asJSON := fs.Bool("json", false, `print {"items":[...],"total":N,...} for scripts`)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return errUsage
	}
	if *limit < 0 {
		return fmt.Errorf("--limit must not be negative, got %d", *limit)
	}
	d, box, err := c.deadLetters(ctx, *path)
	if err != nil {
		return err
	}
	defer d.close()
	list, err := box.List(ctx, *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.stdout, web.NewList(list, len(list), 0, len(list)))
	}
	loc := d.cfg.Location()
	t := newTable(c.stdout, "ID", "SET ASIDE", "EVENT", "TRIES", "ERROR")
	for _, dl := range list {
		tries := ""
		if dl.Attempts > 0 {
			tries = strconv.Itoa(dl.Attempts)
		}
		t.row(dl.ID, when(dl.At, loc), dl.EventID, tries, clip(dl.Error, 80))
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%d dead letter(s)\n", len(list))
	return nil
}

func cmdDeadLettersReplay(ctx context.Context, c *cli, args []string) error {
	return deadLettersEach(ctx, c, "deadletters replay", usageDeadLettersReplay, args, "replayed",
		func(ctx context.Context, box composer.DeadLetterBox, id string) error { return box.Replay(ctx, id) })
}

func cmdDeadLettersDrop(ctx context.Context, c *cli, args []string) error {
	return deadLettersEach(ctx, c, "deadletters drop", usageDeadLettersDrop, args, "dropped",
		func(ctx context.Context, box composer.DeadLetterBox, id string) error { return box.Drop(ctx, id) })
}

// deadLettersEach applies do to each id given, says what became of each,
// and fails when one of them failed.
func deadLettersEach(ctx context.Context, c *cli, name, usage string, args []string, verb string,
	do func(context.Context, composer.DeadLetterBox, string) error) error {
	fs := c.flags(name, usage)
	path := c.configFlag(fs)
	ids, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return errUsage
	}
	for _, id := range ids {
		if _, _, err := campaigns.DeadLetterID(id); err != nil {
			return fmt.Errorf("%s: not an id that deadletters list shows", id)
		}
	}
	d, box, err := c.deadLetters(ctx, *path)
	if err != nil {
		return err
	}
	defer d.close()
	var errs []error
	for _, id := range ids {
		err := do(ctx, box, id)
		switch {
		case errors.Is(err, campaigns.ErrDeadLetterNotFound):
			errs = append(errs, fmt.Errorf("%s: no such dead letter (deadletters list shows them)", id))
		case err != nil:
			errs = append(errs, fmt.Errorf("%s: %w", id, err))
		default:
			fmt.Fprintf(c.stdout, "%s %s\n", verb, id)
		}
	}
	return errors.Join(errs...)
}

package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/curator"
	"github.com/fanfarehq/fanfare/web"
)

const (
	usageFeedsList   = "[-config FILE] [--json]"
	usageFeedsAdd    = "[-config FILE] --url URL [--keywords a,b] [--lang fr] [--auto-approve] [--networks x,facebook] [--schedule SPEC]"
	usageFeedsRemove = "[-config FILE] --url URL"
	usageFeedsFetch  = "[-config FILE] --url URL [--json]"
)

func cmdFeedsList(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("feeds list", usageFeedsList)
	path := c.configFlag(fs)
	asJSON := fs.Bool("json", false, `print {"items":[...],"total":N,...} for scripts`)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return errUsage
	}
	d, err := c.setup(ctx, *path)
	if err != nil {
		return err
	}
	defer d.close()
	feeds, err := curator.NewRegistry(d.rdb, d.cfg.Redis.Prefix).List(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.stdout, web.NewList(feeds, len(feeds), 0, len(feeds)))
	}
	loc := d.cfg.Location()
	t := newTable(c.stdout, "URL", "FROM", "LANG", "KEYWORDS", "NETWORKS", "AUTO", "LAST FETCH", "STATUS", "ITEMS", "CURATED")
	for _, f := range feeds {
		from := "cli/api"
		if f.FromConfig {
			from = "config"
		}
		auto := "no"
		if f.AutoApprove {
			auto = "yes"
		}
		status := f.LastStatus
		if f.LastError != "" {
			status += ": " + clip(f.LastError, 50)
		}
		t.row(f.URL, from, f.Lang, strings.Join(f.Keywords, ","), strings.Join(f.Networks, ","), auto,
			when(f.LastFetch, loc), status, strconv.Itoa(f.Items), strconv.Itoa(f.Curated))
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%d feed(s)\n", len(feeds))
	return nil
}

func cmdFeedsAdd(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("feeds add", usageFeedsAdd)
	path := c.configFlag(fs)
	url := fs.String("url", "", "the feed's URL (RSS, Atom or JSON Feed)")
	keywords := fs.String("keywords", "", "comma-separated: an item is relevant when it names one (or links to a tracked campaign)")
	lang := fs.String("lang", "", "the feed's language, when the document does not say (fr, en...)")
	auto := fs.Bool("auto-approve", false, "approve this feed's posts without review")
	networks := fs.String("networks", "", "comma-separated networks to post to (default: every enabled one)")
	schedule := fs.String("schedule", "", "cron spec for this feed (default: schedule.feeds)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || *url == "" {
		return errUsage
	}
	f := content.Feed{URL: *url, Keywords: splitList(*keywords), Lang: *lang, AutoApprove: *auto,
		Networks: splitList(*networks), Schedule: *schedule}
	// Refuse a bad feed before connecting: the registry would too, later.
	if _, err := curator.NormalizeFeed(f); err != nil {
		return err
	}
	d, err := c.setup(ctx, *path)
	if err != nil {
		return err
	}
	defer d.close()
	reg := curator.NewRegistry(d.rdb, d.cfg.Redis.Prefix).Only(channelNames(&d.cfg.Config))
	if err := reg.Add(ctx, f); errors.Is(err, content.ErrFeedFromConfig) {
		return fmt.Errorf("%s is listed in the configuration file: change it there", *url)
	} else if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "feed added: %s\n", strings.TrimSpace(*url))
	return nil
}

func cmdFeedsRemove(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("feeds remove", usageFeedsRemove)
	path := c.configFlag(fs)
	url := fs.String("url", "", "the feed's URL, as feeds list shows it")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || *url == "" {
		return errUsage
	}
	d, err := c.setup(ctx, *path)
	if err != nil {
		return err
	}
	defer d.close()
	err = curator.NewRegistry(d.rdb, d.cfg.Redis.Prefix).Remove(ctx, *url)
	switch {
	case errors.Is(err, content.ErrFeedFromConfig):
		return fmt.Errorf("%s is listed in the configuration file: remove it there", *url)
	case errors.Is(err, content.ErrFeedNotFound):
		return fmt.Errorf("no feed %s (feeds list shows them)", *url)
	case err != nil:
		return err
	}
	fmt.Fprintf(c.stdout, "feed removed: %s\n", strings.TrimSpace(*url))
	return nil
}

// cmdFeedsFetch fetches one feed and prints its items without storing
// anything: it needs no Redis, so it can check a feed before adding it. It
// fetches as the daemon would: a feed on a private address is refused unless
// the configuration (if any) says feeds.allow_private.
func cmdFeedsFetch(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("feeds fetch", usageFeedsFetch)
	path := c.configFlag(fs)
	url := fs.String("url", "", "the feed's URL (RSS, Atom or JSON Feed)")
	asJSON := fs.Bool("json", false, `print one {"title","link","published"} object per line`)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || *url == "" {
		return errUsage
	}
	cfg, err := c.loadConfig(*path)
	if err != nil {
		return err
	}
	cur := curator.NewCurator(nil, "", curator.Options{UserAgent: "Fanfare/" + versionString(),
		DenyPrivate: !cfg.Feeds.AllowPrivate}, nil, nil)
	items, err := cur.FetchOnce(ctx, *url)
	if errors.Is(err, curator.ErrForbiddenAddress) {
		// The dashboard says "unreachable" alone, so that a feed URL cannot
		// probe the network; whoever runs the CLI runs the daemon.
		return fmt.Errorf("%s: the feed's address is loopback or private: the daemon refuses it too unless feeds.allow_private is true (%w)",
			strings.TrimSpace(*url), curator.ErrForbiddenAddress)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return curator.WriteJSONLines(c.stdout, items)
	}
	t := newTable(c.stdout, "PUBLISHED", "TITLE", "LINK")
	for _, it := range items {
		pub := "-"
		if !it.Published.IsZero() {
			pub = it.Published.UTC().Format("2006-01-02 15:04Z")
		}
		t.row(pub, clip(it.Title, 60), it.Link)
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%d item(s)\n", len(items))
	return nil
}

// splitList reads "a, b,,c" as [a b c].
func splitList(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

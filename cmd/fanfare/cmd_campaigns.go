package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content/composer"
	"github.com/fanfarehq/fanfare/internal/config"
	"github.com/fanfarehq/fanfare/internal/termsafe"
	"github.com/fanfarehq/fanfare/web"
)

const (
	usageCampaignsList = "[-config FILE] [--state S] [--limit N] [--offset N] [--json]"
	usageCampaignsShow = "[-config FILE] ID [--json]"
)

// campaignsCommand is a data command on the tracker.
type campaignsCommand struct {
	*dataCommand
	tracker *campaigns.Tracker
	health  *campaigns.HealthStore
}

func (c *cli) openCampaigns(ctx context.Context, path string) (*campaignsCommand, error) {
	d, err := c.setup(ctx, path)
	if err != nil {
		return nil, err
	}
	opts := trackerOptions(d.cfg)
	// Rejected rows are reported by the import summary; the tracker's own
	// warning per row would drown it.
	opts.Logger = slog.New(slog.DiscardHandler)
	tr, err := campaigns.NewTracker(d.rdb, d.cfg.Redis.Prefix, milestoneRules(d.cfg), opts)
	if err != nil {
		d.close()
		return nil, err
	}
	health, err := campaigns.NewHealthStore(d.rdb, d.cfg.Redis.Prefix)
	if err != nil {
		d.close()
		return nil, err
	}
	return &campaignsCommand{dataCommand: d, tracker: tr, health: health}, nil
}

// trackerOptions are the tracker's settings from the configuration, alike in
// the daemon and the CLI.
func trackerOptions(cfg *config.Loaded) campaigns.TrackerOptions {
	return campaigns.TrackerOptions{
		EndedTTL:   cfg.Campaigns.EndedTTL,
		CloseAfter: cfg.Campaigns.CloseAfter,
		URLHosts:   cfg.Campaigns.URLHosts,
		MaxPosts:   cfg.Campaigns.MaxPostsPerDelivery,
	}
}

func cmdCampaignsList(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("campaigns list", usageCampaignsList)
	path := c.configFlag(fs)
	state := fs.String("state", "", "only campaigns in this state: live, successful, failed, canceled, ended")
	limit, offset := pagingFlags(fs)
	asJSON := fs.Bool("json", false, `print {"items":[...],"total":N,...} for scripts`)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return errUsage
	}
	if err := checkPaging(*limit, *offset); err != nil {
		return err
	}
	if _, ok := campaigns.ParseState(*state); !ok && *state != "" {
		return fmt.Errorf("--state %q is not live, successful, failed, canceled or ended", *state)
	}
	p, err := c.openCampaigns(ctx, *path)
	if err != nil {
		return err
	}
	defer p.close()
	cs, total, err := p.tracker.List(ctx, campaigns.ListOptions{State: campaigns.State(*state), Limit: *limit, Offset: *offset})
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.stdout, web.NewList(cs, total, *offset, *limit))
	}
	now := time.Now()
	t := newTable(c.stdout, "ID", "TITLE", "FUNDED", "PLEDGED", "BACKERS", "LEFT", "STATE")
	for _, cp := range cs {
		// Titles and ids come from platforms and creators: escapes are
		// printed, never sent to the terminal.
		t.row(termsafe.String(cp.ID), clip(termsafe.String(cp.Title), 40), strconv.FormatInt(cp.Percent(), 10)+"%",
			formatMoney(cp.Pledged, cp.Currency), strconv.FormatInt(cp.Backers, 10),
			timeLeft(cp, now), string(cp.State))
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%d of %d campaign(s)\n", len(cs), total)
	return nil
}

// timeLeft is the time before the deadline of a live campaign: whole days,
// or hours in the last day, when every hour counts.
func timeLeft(cp campaigns.Campaign, now time.Time) string {
	left := cp.Deadline.Sub(now)
	switch {
	case cp.State.Ended():
		return "-"
	case left <= 0:
		return "past deadline"
	case left < 24*time.Hour:
		return fmt.Sprintf("%dh", int(left.Hours()))
	}
	return fmt.Sprintf("%dd", int(left.Hours()/24))
}

// formatMoney writes an amount as the posts do, in English like the rest of
// the CLI's output: "€1,234.50".
func formatMoney(minor int64, code string) string {
	return composer.FormatMoney(minor, code, "en")
}

// campaignJSON is `campaigns show --json`, the JSON API's shape without history.
type campaignJSON struct {
	Campaign   campaigns.Campaign         `json:"campaign"`
	Milestones []campaigns.FiredMilestone `json:"milestones"`
}

func cmdCampaignsShow(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("campaigns show", usageCampaignsShow)
	path := c.configFlag(fs)
	asJSON := fs.Bool("json", false, `print {"campaign":{...},"milestones":[...]}`)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errUsage
	}
	p, err := c.openCampaigns(ctx, *path)
	if err != nil {
		return err
	}
	defer p.close()
	cp, fired, err := p.tracker.Get(ctx, pos[0])
	if errors.Is(err, campaigns.ErrNotFound) {
		return fmt.Errorf("no campaign with id %q is tracked", pos[0])
	} else if err != nil {
		return err
	}
	if *asJSON {
		if fired == nil {
			fired = []campaigns.FiredMilestone{}
		}
		return writeJSON(c.stdout, campaignJSON{Campaign: cp, Milestones: fired})
	}
	return printCampaign(c.stdout, cp, fired, p.cfg.Location(), time.Now())
}

// printCampaign shows a campaign for a person. Every text that comes from the
// platform goes through termsafe: a title holding ESC sequences or a
// right-to-left override is shown escaped, never interpreted.
func printCampaign(w io.Writer, cp campaigns.Campaign, fired []campaigns.FiredMilestone, loc *time.Location, now time.Time) error {
	safe := termsafe.String
	t := newTable(w, "ID", safe(cp.ID))
	t.row("title", safe(cp.Title))
	t.row("url", safe(cp.URL))
	t.row("state", safe(string(cp.State)))
	if cp.ClosedNote != "" {
		t.row("note", safe(cp.ClosedNote))
	}
	t.row("lang", safe(cp.Lang))
	t.row("funded", fmt.Sprintf("%d%% (%s of %s)", cp.Percent(), formatMoney(cp.Pledged, cp.Currency), formatMoney(cp.Goal, cp.Currency)))
	t.row("backers", strconv.FormatInt(cp.Backers, 10))
	t.row("launched", whenFull(cp.LaunchedAt, loc))
	t.row("deadline", whenFull(cp.Deadline, loc)+" ("+timeLeft(cp, now)+" left)")
	var creator []string
	for _, s := range []string{cp.Creator.Name, cp.Creator.XHandle, cp.Creator.FacebookPage} {
		if s != "" {
			creator = append(creator, safe(s))
		}
	}
	if len(creator) == 0 {
		creator = []string{"-"}
	}
	t.row("creator", strings.Join(creator, ", "))
	if cp.Category != "" {
		t.row("category", safe(cp.Category))
	}
	for i, g := range cp.StretchGoals {
		t.row(fmt.Sprintf("stretch %d", i), formatMoney(g.Amount, cp.Currency)+" "+safe(g.Title))
	}
	t.row("updated", whenFull(cp.UpdatedAt, loc))
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if len(fired) == 0 {
		fmt.Fprintln(w, "No milestone fired yet.")
		return nil
	}
	fmt.Fprintln(w, "Milestones:")
	m := newTable(w, "MILESTONE", "AT", "POSTED")
	for _, f := range fired {
		how := "silent"
		if f.Posted {
			how = "posted"
		}
		m.row(safe(string(f.Milestone)), whenFull(f.At, loc), how)
	}
	return m.flush()
}

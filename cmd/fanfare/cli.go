package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/fanfarehq/fanfare/internal/config"
)

// cli holds what a subcommand may touch, so that tests run commands in-process.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	lookupEnv      func(string) (string, bool)
	// usageShown: a flag set already printed the problem and the usage.
	usageShown bool
}

type command struct {
	name    string // one or two words: "run", "config check"
	usage   string // arguments after the name
	summary string
	run     func(ctx context.Context, c *cli, args []string) error
}

// errUsage makes runCLI print the command's usage and exit 2.
var errUsage = errors.New("usage")

func commands() []command {
	return []command{
		{"run", "[-config FILE] [--demo]", "start the daemon (dashboard, API, jobs)", cmdRun},
		{"config check", "[-config FILE]", "validate the configuration and print it with secrets redacted", cmdConfigCheck},
		{"version", "", "print the version and build information (commit, Go, platform)", cmdVersion},
		{"text check", "--network NETWORK < TEXT", "measure a text against a network's length rules (JSON)", cmdTextCheck},
		{"posts list", usagePostsList, "list posts of the approval queue", cmdPostsList},
		{"posts show", usagePostsShow, "show a post with its audit trail", cmdPostsShow},
		{"posts approve", usagePostsApprove, "approve pending posts", cmdPostsApprove},
		{"posts reject", usagePostsReject, "reject a post, with a reason", cmdPostsReject},
		{"posts edit", usagePostsEdit, "change a post's text or link, or reschedule it", cmdPostsEdit},
		{"posts retry", usagePostsRetry, "send a failed, unknown or duplicate post again", cmdPostsRetry},
		{"posts resolve", usagePostsResolve, "settle an unknown, failed or duplicate post by hand", cmdPostsResolve},
		{"campaigns list", usageCampaignsList, "list tracked campaigns", cmdCampaignsList},
		{"campaigns show", usageCampaignsShow, "show a campaign and its fired milestones", cmdCampaignsShow},
		{"campaigns import", usageCampaignsImport, "load campaigns from a CSV or JSON file", cmdCampaignsImport},
		{"feeds list", usageFeedsList, "list the curated feeds and their last fetch", cmdFeedsList},
		{"feeds add", usageFeedsAdd, "add a feed to curate", cmdFeedsAdd},
		{"feeds remove", usageFeedsRemove, "remove a feed added at run time", cmdFeedsRemove},
		{"feeds fetch", usageFeedsFetch, "fetch one feed and print its items, storing nothing", cmdFeedsFetch},
		{"users hash-password", usageUsersHashPassword, "hash a dashboard password for the configuration", cmdUsersHashPassword},
		{"deadletters list", usageDeadLettersList, "list the milestone events set aside (unreadable, or given up by the composer)", cmdDeadLettersList},
		{"deadletters replay", usageDeadLettersReplay, "put set-aside events back on the event stream", cmdDeadLettersReplay},
		{"deadletters drop", usageDeadLettersDrop, "forget set-aside events", cmdDeadLettersDrop},
	}
}

func runCLI(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr, lookupEnv: os.LookupEnv}
	return c.dispatch(ctx, args)
}

func (c *cli) dispatch(ctx context.Context, args []string) int {
	cmds := commands()
	if len(args) == 0 {
		// No command is a usage error: the help goes with the errors.
		c.printHelp(c.stderr, cmds)
		return 2
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		c.printHelp(c.stdout, cmds)
		return 0
	}
	var match *command
	var rest []string
	for i := range cmds {
		words := strings.Fields(cmds[i].name)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == cmds[i].name {
			if match == nil || len(strings.Fields(match.name)) < len(words) {
				match, rest = &cmds[i], args[len(words):]
			}
		}
	}
	if match == nil {
		var group []string
		for _, cmd := range cmds {
			if strings.HasPrefix(cmd.name, args[0]+" ") {
				group = append(group, "  fanfare "+cmd.name+" "+cmd.usage)
			}
		}
		if len(group) > 0 {
			fmt.Fprintf(c.stderr, "fanfare %s: which one?\n%s\n", args[0], strings.Join(group, "\n"))
			return 2
		}
		fmt.Fprintf(c.stderr, "fanfare: unknown command %q (fanfare help lists them)\n", strings.Join(args, " "))
		return 2
	}
	err := match.run(ctx, c, rest)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case c.usageShown:
		return 2
	case errors.Is(err, errUsage):
		fmt.Fprintf(c.stderr, "usage: fanfare %s %s\n", match.name, match.usage)
		return 2
	default:
		fmt.Fprintf(c.stderr, "fanfare %s: %v\n", match.name, err)
		return 1
	}
}

func (c *cli) printHelp(w io.Writer, cmds []command) {
	sort.SliceStable(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	fmt.Fprintln(w, "fanfare: the community manager's robot for a crowdfunding platform.\n\nUsage:")
	for _, cmd := range cmds {
		fmt.Fprintf(w, "  fanfare %-22s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprintln(w, "\nEvery command takes --help. The configuration file is -config FILE or $FANFARE_CONFIG.")
}

// flags makes a flag set for a command that prints its usage on --help.
func (c *cli) flags(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("fanfare "+name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		c.usageShown = true
		fmt.Fprintf(c.stderr, "usage: fanfare %s %s\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

// configFlag adds -config with $FANFARE_CONFIG as its default.
func (c *cli) configFlag(fs *flag.FlagSet) *string {
	def, _ := c.lookupEnv("FANFARE_CONFIG")
	return fs.String("config", def, "configuration file (default $FANFARE_CONFIG; none: built-in defaults)")
}

func (c *cli) loadConfig(path string) (*config.Loaded, error) {
	if path == "" {
		return config.LoadFile("", configRules)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("unable to read the configuration: %w", err)
	}
	defer f.Close()
	return config.Load(f, path, c.lookupEnv, configRules)
}

func cmdVersion(_ context.Context, c *cli, args []string) error {
	fs := c.flags("version", "[--json]")
	asJSON := fs.Bool("json", false, "print the build information as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return printVersion(c.stdout, *asJSON)
}

func cmdConfigCheck(_ context.Context, c *cli, args []string) error {
	fs := c.flags("config check", "[-config FILE]")
	path := c.configFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errUsage
	}
	l, err := c.loadConfig(*path)
	if err != nil {
		var errs config.Errors
		if errors.As(err, &errs) {
			return fmt.Errorf("%d problem(s):\n%w", len(errs), err)
		}
		return err
	}
	out, err := l.RedactedYAML()
	if err != nil {
		return err
	}
	name := *path
	if name == "" {
		name = "built-in defaults"
	}
	fmt.Fprintf(c.stdout, "# %s: OK (secrets redacted)\n%s", name, out)
	return nil
}

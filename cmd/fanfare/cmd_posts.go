package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/web"
)

// Usages of the posts commands, shared by the command table and --help.
const (
	usagePostsList    = "[-config FILE] [--state S] [--campaign ID] [--network N] [--limit N] [--offset N] [--json]"
	usagePostsShow    = "[-config FILE] ID [--json]"
	usagePostsApprove = "[-config FILE] ID... [--as NAME]"
	usagePostsReject  = "[-config FILE] ID --reason TEXT [--as NAME]"
	usagePostsEdit    = "[-config FILE] ID [--text T | --text-file F] [--link URL] [--at RFC3339] [--as NAME]"
	usagePostsRetry   = "[-config FILE] ID [--as NAME]"
	usagePostsResolve = "[-config FILE] ID (--published --url URL | --discard --reason TEXT) [--as NAME]"
)

// postsCommand is a data command on the approval queue.
type postsCommand struct {
	*dataCommand
	store *content.Store
}

func (c *cli) openPosts(ctx context.Context, path string) (*postsCommand, error) {
	d, err := c.setup(ctx, path)
	if err != nil {
		return nil, err
	}
	store, err := content.NewStore(d.rdb, d.cfg.Redis.Prefix, queueOptions(d.cfg, nil))
	if err != nil {
		d.close()
		return nil, err
	}
	return &postsCommand{dataCommand: d, store: store}, nil
}

// needs says which states each action accepts, for the error a person sees.
var needs = map[string]string{
	"approve": "pending",
	"reject":  "pending or approved",
	"edit":    "pending or approved",
	"retry":   "failed, unknown or duplicate",
	"resolve": "unknown, failed or duplicate",
}

// postError turns the queue's errors into a sentence about the post.
func (p *postsCommand) postError(ctx context.Context, action, id string, err error) error {
	var fe *content.FieldError
	switch {
	case errors.Is(err, content.ErrNotFound):
		return fmt.Errorf("no post with id %q", id)
	case errors.As(err, &fe):
		return fmt.Errorf("cannot %s post %s: %s %s", action, id, fe.Field, fe.Message)
	case errors.Is(err, content.ErrWrongState):
		if cur, gerr := p.store.Get(ctx, id); gerr == nil {
			return fmt.Errorf("cannot %s post %s: it is %s; %s needs a post that is %s", action, id, cur.State, action, needs[action])
		}
	}
	return err
}

func cmdPostsList(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("posts list", usagePostsList)
	path := c.configFlag(fs)
	state := fs.String("state", "", "only posts in this state: "+stateNames())
	campaign := fs.String("campaign", "", "only the posts of this campaign")
	network := fs.String("network", "", "only the posts for this network (x, facebook)")
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
	p, err := c.openPosts(ctx, *path)
	if err != nil {
		return err
	}
	defer p.close()
	posts, total, err := p.store.List(ctx, content.ListOptions{
		State: content.State(*state), CampaignID: *campaign, Network: *network, Limit: *limit, Offset: *offset,
	})
	var fe *content.FieldError
	if errors.As(err, &fe) {
		return fmt.Errorf("--%s: %s (one of %s)", fe.Field, fe.Message, stateNames())
	} else if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.stdout, web.NewList(posts, total, *offset, *limit))
	}
	loc := p.cfg.Location()
	t := newTable(c.stdout, "ID", "STATE", "NETWORK", "KIND", "CAMPAIGN", "SLOT", "UPDATED", "TEXT")
	for _, post := range posts {
		t.row(post.ID, string(post.State), post.Network, kindOf(post), post.CampaignID,
			when(post.ScheduledAt, loc), when(post.UpdatedAt, loc), clip(post.Text, 60))
	}
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%d of %d post(s)\n", len(posts), total)
	return nil
}

func stateNames() string {
	names := make([]string, len(content.States))
	for i, s := range content.States {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// kindOf is the post's kind, with the milestone for milestone posts.
func kindOf(p content.Post) string {
	if p.Milestone != "" {
		return string(p.Kind) + " " + p.Milestone
	}
	return string(p.Kind)
}

func cmdPostsShow(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("posts show", usagePostsShow)
	path := c.configFlag(fs)
	asJSON := fs.Bool("json", false, "print the post as JSON, audit trail included")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errUsage
	}
	p, err := c.openPosts(ctx, *path)
	if err != nil {
		return err
	}
	defer p.close()
	post, err := p.store.Get(ctx, pos[0])
	if err != nil {
		return p.postError(ctx, "show", pos[0], err)
	}
	if *asJSON {
		return writeJSON(c.stdout, post)
	}
	return printPost(c.stdout, post, p.cfg.Location())
}

func printPost(w io.Writer, p content.Post, loc *time.Location) error {
	t := newTable(w, "ID", p.ID)
	field := func(name, v string) {
		if v != "" && v != "-" {
			t.row(name, v)
		}
	}
	field("state", string(p.State))
	field("network", p.Network)
	field("kind", kindOf(p))
	field("campaign", p.CampaignID)
	field("group", p.GroupID)
	field("lang", p.Lang)
	field("link", p.Link)
	field("image", p.ImageURL)
	field("source", p.Source)
	field("priority", fmt.Sprint(p.Priority))
	field("created", whenFull(p.CreatedAt, loc))
	field("updated", whenFull(p.UpdatedAt, loc))
	field("not after", whenFull(p.NotAfter, loc))
	slot := whenFull(p.ScheduledAt, loc)
	if p.SlotNote != "" && !p.ScheduledAt.IsZero() {
		slot += " (" + p.SlotNote + ")"
	}
	field("slot", slot)
	field("published", whenFull(p.PublishedAt, loc))
	field("external id", p.ExternalID)
	field("external url", p.ExternalURL)
	if p.Attempts > 0 {
		field("attempts", fmt.Sprint(p.Attempts))
	}
	field("last error", p.LastError)
	if err := t.flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s\n\n", indent(p.Text))
	if len(p.Audit) == 0 {
		return nil
	}
	fmt.Fprintln(w, "Audit trail:")
	a := newTable(w, "AT", "ACTOR", "ACTION", "STATE", "REASON")
	for _, ch := range p.Audit {
		move := ""
		if ch.To != "" && ch.To != ch.From {
			move = string(ch.From) + " → " + string(ch.To)
			if ch.From == "" {
				move = string(ch.To)
			}
		}
		a.row(whenFull(ch.At, loc), ch.Actor, ch.Action, move, ch.Reason)
	}
	return a.flush()
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ")
}

func cmdPostsApprove(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("posts approve", usagePostsApprove)
	path := c.configFlag(fs)
	actor := c.actorFlag(fs)
	ids, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return errUsage
	}
	p, err := c.openPosts(ctx, *path)
	if err != nil {
		return err
	}
	defer p.close()
	// Each post is approved on its own: one that cannot be does not hold back
	// the others, and every failure is reported.
	var failed []error
	for _, id := range ids {
		post, err := p.store.Approve(ctx, id, *actor)
		if err != nil {
			failed = append(failed, p.postError(ctx, "approve", id, err))
			continue
		}
		fmt.Fprintf(c.stdout, "%s: %s\n", post.ID, post.State)
	}
	switch len(failed) {
	case 0:
		return nil
	case 1:
		return failed[0]
	}
	return fmt.Errorf("%d of %d post(s) not approved:\n%w", len(failed), len(ids), errors.Join(failed...))
}

func cmdPostsReject(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("posts reject", usagePostsReject)
	path := c.configFlag(fs)
	actor := c.actorFlag(fs)
	reason := fs.String("reason", "", "why (required: the audit trail shows it)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errUsage
	}
	if strings.TrimSpace(*reason) == "" {
		return errors.New("--reason is required to reject a post")
	}
	return c.changePost(ctx, *path, "reject", pos[0], func(p *postsCommand) (content.Post, error) {
		return p.store.Reject(ctx, pos[0], *actor, *reason)
	})
}

func cmdPostsEdit(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("posts edit", usagePostsEdit)
	path := c.configFlag(fs)
	actor := c.actorFlag(fs)
	newText := fs.String("text", "", "the new text")
	textFile := fs.String("text-file", "", "read the new text from this file (- for stdin)")
	link := fs.String("link", "", `the new link ("" removes it)`)
	at := fs.String("at", "", "reschedule: the slot, RFC 3339 (2026-05-01T18:30:00+02:00)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errUsage
	}
	set := flagsSet(fs)
	var e content.Edit
	switch {
	case set["text"] && set["text-file"]:
		return errors.New("give --text or --text-file, not both")
	case set["text"]:
		e.Text = newText
	case set["text-file"]:
		s, err := c.readTextFile(*textFile)
		if err != nil {
			return err
		}
		e.Text = &s
	}
	if set["link"] {
		e.Link = link
	}
	if set["at"] {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			return fmt.Errorf("--at %q is not an RFC 3339 time such as 2026-05-01T18:30:00+02:00", *at)
		}
		e.ScheduledAt = &t
	}
	if e.Text == nil && e.Link == nil && e.ScheduledAt == nil {
		return errors.New("nothing to change: give --text, --text-file, --link or --at")
	}
	return c.changePost(ctx, *path, "edit", pos[0], func(p *postsCommand) (content.Post, error) {
		return p.store.Edit(ctx, pos[0], e, *actor)
	})
}

// maxTextFile bounds --text-file: far more than any network accepts.
const maxTextFile = 1 << 20

func (c *cli) readTextFile(name string) (string, error) {
	var r io.Reader = c.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return "", fmt.Errorf("--text-file: %w", err)
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxTextFile+1))
	if err != nil {
		return "", fmt.Errorf("--text-file: %w", err)
	}
	if len(b) > maxTextFile {
		return "", fmt.Errorf("--text-file: %s is larger than %d bytes", name, maxTextFile)
	}
	// Editors end files with a line break that is not part of the post.
	return strings.TrimRight(string(b), "\r\n"), nil
}

func cmdPostsRetry(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("posts retry", usagePostsRetry)
	path := c.configFlag(fs)
	actor := c.actorFlag(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errUsage
	}
	return c.changePost(ctx, *path, "retry", pos[0], func(p *postsCommand) (content.Post, error) {
		return p.store.Retry(ctx, pos[0], *actor)
	})
}

func cmdPostsResolve(ctx context.Context, c *cli, args []string) error {
	fs := c.flags("posts resolve", usagePostsResolve)
	path := c.configFlag(fs)
	actor := c.actorFlag(fs)
	published := fs.Bool("published", false, "the post is on the network after all (give --url)")
	url := fs.String("url", "", "with --published: the post's URL on the network")
	externalID := fs.String("external-id", "", "with --published: the post's id on the network, if known")
	discard := fs.Bool("discard", false, "give the post up (give --reason)")
	reason := fs.String("reason", "", "why (required with --discard)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *published == *discard {
		return errUsage
	}
	r := content.Resolution{Published: *published, Reason: *reason}
	if *published {
		if *url == "" {
			return errors.New("--published needs --url, the post's URL on the network")
		}
		r.ExternalURL, r.ExternalID = *url, *externalID
	} else if strings.TrimSpace(*reason) == "" {
		return errors.New("--discard needs --reason")
	}
	return c.changePost(ctx, *path, "resolve", pos[0], func(p *postsCommand) (content.Post, error) {
		return p.store.Resolve(ctx, pos[0], *actor, r)
	})
}

// changePost runs one change on a post and says where the post now stands.
func (c *cli) changePost(ctx context.Context, path, action, id string, do func(*postsCommand) (content.Post, error)) error {
	p, err := c.openPosts(ctx, path)
	if err != nil {
		return err
	}
	defer p.close()
	post, err := do(p)
	if err != nil {
		return p.postError(ctx, action, id, err)
	}
	line := fmt.Sprintf("%s: %s", post.ID, post.State)
	if !post.ScheduledAt.IsZero() {
		line += ", slot " + whenFull(post.ScheduledAt, p.cfg.Location())
	}
	fmt.Fprintln(c.stdout, line)
	return nil
}

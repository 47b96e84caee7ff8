package main

import (
	"context"

	"github.com/fanfarehq/fanfare/content/text"
)

// cmdTextCheck: `fanfare text check --network x|facebook|instagram|mastodon|bluesky` (or a channel, x@account) reads text on stdin
// and prints {"weighted_length":N,"max":M,"valid":true|false}. One trailing
// newline (what echo adds) is not counted.
func cmdTextCheck(_ context.Context, c *cli, args []string) error {
	fs := c.flags("text check", "--network x|facebook|instagram|mastodon|bluesky < TEXT")
	network := fs.String("network", "", "the network (x, facebook, instagram, mastodon, bluesky) or a channel (x@account)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *network == "" {
		return errUsage
	}
	return text.CheckJSON(*network, c.stdin, c.stdout)
}

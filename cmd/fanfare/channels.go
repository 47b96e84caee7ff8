package main

import (
	"github.com/fanfarehq/fanfare/content/text"
	"github.com/fanfarehq/fanfare/internal/config"
)

// channel is one account Fanfare posts to, as the daemon wires it: its
// channel name ("x", "x@platform_fr"), route, limits in force and quiet
// hours. Credentials stay in the network's section (index finds them).
type channel struct {
	Name    string
	Network string
	Account string
	Route   config.Route
	Limits  config.Limits
	// QuietHours are the account's own; nil: schedule.quiet_hours.
	QuietHours *config.QuietHours
	// Index is the account's place in its network's accounts or pages (0
	// for a network's single account).
	Index int
}

// channelsOf lists the enabled networks' accounts in the order screens show
// them: X's, Facebook's Pages, Instagram, Mastodon, Bluesky.
func channelsOf(c *config.Config) []channel {
	var out []channel
	add := func(network string, i int, a config.Account, lim config.Limits) {
		out = append(out, channel{Name: text.Channel(network, a.Name), Network: network, Account: a.Name,
			Route: a.Route, Limits: a.LimitsOver(lim), QuietHours: a.QuietHours, Index: i})
	}
	n := c.Networks
	if n.X.Enabled {
		for i, a := range n.X.XAccounts() {
			add(text.NetworkX, i, a.Account, n.X.Limits)
		}
	}
	if n.Facebook.Enabled {
		for i, p := range n.Facebook.FacebookPages() {
			add(text.NetworkFacebook, i, p.Account, n.Facebook.Limits)
		}
	}
	if n.Instagram.Enabled {
		add(text.NetworkInstagram, 0, config.Account{Route: n.Instagram.Route}, n.Instagram.Limits)
	}
	if n.Mastodon.Enabled {
		add(text.NetworkMastodon, 0, config.Account{Route: n.Mastodon.Route}, n.Mastodon.Limits)
	}
	if n.Bluesky.Enabled {
		add(text.NetworkBluesky, 0, config.Account{Route: n.Bluesky.Route}, n.Bluesky.Limits)
	}
	return out
}

// channelNames are the enabled channels' names, in channelsOf's order.
func channelNames(c *config.Config) []string {
	var out []string
	for _, ch := range channelsOf(c) {
		out = append(out, ch.Name)
	}
	return out
}

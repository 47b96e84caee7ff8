package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/campaigns/mapping"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/composer"
	"github.com/fanfarehq/fanfare/content/text"
	"github.com/fanfarehq/fanfare/internal/config"
	"github.com/fanfarehq/fanfare/web"
)

// configRules are what Fanfare's parts know about their own options, handed
// to config.Load: package config is plain data and imports none of them.
// Each default and each check below is the part's own (its constant, its
// Check function), so that no knowledge is written twice.
var configRules = config.Rules{Defaults: setPartDefaults, Check: checkPartOptions, Spell: spellMappings}

// setPartDefaults puts the parts' defaults in a configuration before the
// file is read over it, so that `config check` prints what is in force.
func setPartDefaults(c *config.Config) {
	cm := &c.Campaigns
	cm.Milestones = config.Milestones{
		Percent: slices.Clone(campaigns.DefaultPercent),
		Backers: slices.Clone(campaigns.DefaultBackers),
		Ending:  slices.Clone(campaigns.DefaultEnding),
	}
	cm.EndedTTL, cm.CloseAfter, cm.MaxPostsPerDelivery = campaigns.DefaultEndedTTL, campaigns.DefaultCloseAfter, campaigns.DefaultMaxPosts
	for network, lim := range networkLimits(c) {
		lim.GoodHours = slices.Clone(bots.DefaultGoodHours[network])
	}
	c.Redis.ClaimReplicaWait = content.DefaultReplicaWait
	// The composer's order and freshness, so that keys given in the file
	// override them one by one.
	c.Approval.Priority = maps.Clone(composer.DefaultPriority)
	c.Approval.Freshness = maps.Clone(composer.DefaultFreshness)
	c.Approval.MergeWindow = composer.DefaultMergeWindow
}

// networkLimits are each network's own limits, by network name.
func networkLimits(c *config.Config) map[string]*config.Limits {
	n := &c.Networks
	return map[string]*config.Limits{
		text.NetworkX: &n.X.Limits, text.NetworkFacebook: &n.Facebook.Limits, text.NetworkInstagram: &n.Instagram.Limits,
		text.NetworkMastodon: &n.Mastodon.Limits, text.NetworkBluesky: &n.Bluesky.Limits,
	}
}

// checkPartOptions reports the values only a part can judge, each with its
// key and line.
func checkPartOptions(l *config.Loaded) config.Errors {
	var errs config.Errors
	bad := func(key, format string, args ...any) { errs = append(errs, l.Errorf(key, format, args...)) }
	c := &l.Config

	for i, u := range c.Dashboard.Users {
		if err := web.CheckPasswordHash(u.PasswordHash); err != nil {
			msg := strings.TrimPrefix(strings.TrimPrefix(err.Error(), "password_hash: "), "password_hash ")
			bad(fmt.Sprintf("dashboard.users[%d].password_hash", i), "%s", msg)
		}
	}

	cm := c.Campaigns
	if p := cm.Poll; p.URL != "" {
		if p.Preset == "" && !mappingGiven(&p.Mapping) {
			bad("campaigns.poll.mapping", "is required when campaigns.poll.preset is not set (presets: %s)", strings.Join(mapping.PresetNames(), ", "))
		}
		errs = append(errs, checkSourceMapping(l, "campaigns.poll", p.Preset, &p.Mapping)...)
	}
	errs = append(errs, checkSourceMapping(l, "campaigns.import", cm.Import.Preset, &cm.Import.Mapping)...)
	for i, h := range cm.URLHosts {
		if err := campaigns.CheckURLHost(h); err != nil {
			bad(fmt.Sprintf("campaigns.url_hosts[%d]", i), "%v", err)
		}
	}
	if n := cm.MaxPostsPerDelivery; n < 1 || n > 100000 {
		bad("campaigns.max_posts_per_delivery", "must be from 1 to 100000, got %d", n)
	}
	if cm.CloseAfter <= 0 {
		bad("campaigns.close_after", "must be a positive duration such as 72h")
	}
	if cm.EndedTTL <= 0 {
		bad("campaigns.ended_ttl", "must be a positive duration such as 720h")
	}
	checkAscending := func(key string, values []int64) {
		for i, v := range values {
			if v <= 0 || (i > 0 && v <= values[i-1]) {
				bad(key, "must be positive and strictly increasing, got %v", values)
				return
			}
		}
	}
	checkAscending("campaigns.milestones.percent", cm.Milestones.Percent)
	checkAscending("campaigns.milestones.backers", cm.Milestones.Backers)
	for _, d := range cm.Milestones.Ending {
		switch {
		case d <= 0 || d > 90*24*time.Hour:
			bad("campaigns.milestones.ending", "%v is not a duration between 0 and 90 days", d)
		case d%time.Hour != 0:
			// The posts tell the time left in hours (content/composer).
			bad("campaigns.milestones.ending", "%v is not a whole number of hours such as 24h", d)
		}
	}

	checkGoodHours := func(key string, hours []string) {
		if _, err := bots.ParseHourRanges(hours); err != nil {
			bad(key+".good_hours", "%v", err)
		}
	}
	for network, lim := range networkLimits(c) {
		checkGoodHours("networks."+network, lim.GoodHours)
	}
	for i, a := range c.Networks.X.Accounts {
		checkGoodHours(fmt.Sprintf("networks.x.accounts[%d]", i), a.GoodHours)
	}
	for i, p := range c.Networks.Facebook.Pages {
		checkGoodHours(fmt.Sprintf("networks.facebook.pages[%d]", i), p.GoodHours)
	}

	for i, rule := range c.Approval.AutoApprove {
		if err := content.CheckAutoApproveRule(rule); err != nil {
			bad(fmt.Sprintf("approval.auto_approve[%d]", i), "%q: %v", rule, err)
		}
	}
	for k := range c.Approval.Priority {
		if err := composer.CheckPriorityKey(k); err != nil {
			bad("approval.priority."+k, "is not a milestone (percent:100), a family (percent, ending, story…) or default")
		}
	}
	for k, d := range c.Approval.Freshness {
		if err := composer.CheckFreshnessKey(k); err != nil {
			bad("approval.freshness."+k, "is not a milestone family (launch, percent, backers, stretch, ending, ended) or a milestone such as ending:24h")
		} else if d < 0 {
			bad("approval.freshness."+k, "must not be negative (0s means until the campaign's deadline)")
		}
	}

	channels := channelNames(c) // what a feed's networks may name
	for i, f := range c.Feeds.List {
		for _, n := range f.Networks {
			if !slices.Contains(channels, n) {
				bad(c.Feeds.Key(i)+".networks", "%q is not an enabled network or account (%s)", n, strings.Join(channels, ", "))
			}
		}
	}
	return errs
}

// checkSourceMapping reports the problems of a campaign source's mapping
// (its preset with the mapping's settings over it), each named by its key
// under <section>.mapping.
func checkSourceMapping(l *config.Loaded, section, preset string, node *yaml.Node) config.Errors {
	if preset != "" {
		if _, ok := mapping.Preset(preset); !ok {
			return config.Errors{l.Errorf(section+".preset", "%q is not one of %s", preset, strings.Join(mapping.PresetNames(), ", "))}
		}
	}
	if !mappingGiven(node) && preset == "" {
		return nil
	}
	var over mapping.Mapping
	if mappingGiven(node) {
		if errs := l.Decode(section+".mapping", node, &over); len(errs) > 0 {
			return errs
		}
	}
	var errs config.Errors
	for _, p := range overPreset(preset, node, over).Problems() {
		errs = append(errs, l.Errorf(section+".mapping."+p.Key, "%s", p.Msg))
	}
	return errs
}

// sourceMapping is a campaign source's mapping in force: its preset's
// settings with the configuration's mapping over them (checked when the
// configuration was loaded); ok is false when it names neither.
func sourceMapping(preset string, node *yaml.Node) (m mapping.Mapping, ok bool, err error) {
	if preset == "" && !mappingGiven(node) {
		return mapping.Mapping{}, false, nil
	}
	var over mapping.Mapping
	if mappingGiven(node) {
		if err := node.Decode(&over); err != nil {
			return mapping.Mapping{}, false, fmt.Errorf("mapping: %w", err)
		}
	}
	return overPreset(preset, node, over), true, nil
}

// mappingGiven reports whether the file wrote a mapping: a key left out is
// the zero Node, an empty one a null.
func mappingGiven(n *yaml.Node) bool { return !n.IsZero() && n.Tag != "!!null" }

func overPreset(preset string, node *yaml.Node, over mapping.Mapping) mapping.Mapping {
	m, _ := mapping.Preset(preset) // the zero Mapping without one
	if mappingGiven(node) {
		m = m.Override(over)
	}
	return m
}

// spellMappings writes out the mappings in force, a preset's settings
// spelled out, so that an integrator reads what will be read.
func spellMappings(c *config.Config) error {
	for _, src := range []struct {
		preset string
		node   *yaml.Node
	}{
		{c.Campaigns.Poll.Preset, &c.Campaigns.Poll.Mapping},
		{c.Campaigns.Import.Preset, &c.Campaigns.Import.Mapping},
	} {
		m, ok, err := sourceMapping(src.preset, src.node)
		if err != nil || !ok {
			continue // none, or reported by config check
		}
		var n yaml.Node
		if err := n.Encode(m); err != nil {
			return fmt.Errorf("unable to print a mapping: %w", err)
		}
		*src.node = n
	}
	return nil
}

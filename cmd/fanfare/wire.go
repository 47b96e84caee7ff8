package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/bots/bluesky"
	"github.com/fanfarehq/fanfare/bots/daemon"
	"github.com/fanfarehq/fanfare/bots/facebook"
	"github.com/fanfarehq/fanfare/bots/instagram"
	"github.com/fanfarehq/fanfare/bots/mastodon"
	"github.com/fanfarehq/fanfare/bots/media"
	"github.com/fanfarehq/fanfare/bots/preview"
	"github.com/fanfarehq/fanfare/bots/x"
	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/campaigns/demo"
	"github.com/fanfarehq/fanfare/campaigns/poll"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/composer"
	"github.com/fanfarehq/fanfare/content/curator"
	"github.com/fanfarehq/fanfare/content/stories"
	"github.com/fanfarehq/fanfare/content/text"
	"github.com/fanfarehq/fanfare/internal/clientip"
	"github.com/fanfarehq/fanfare/internal/config"
	"github.com/fanfarehq/fanfare/web"
	"github.com/fanfarehq/fanfare/web/webhook"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// app is the set of wired components.
type app struct {
	handler    http.Handler
	afterStart func(ctx context.Context)

	tracker *campaigns.Tracker
	queue   *content.Store
}

// demoSchedule is how often the demo's campaigns move and its posts go out:
// the quick start must show milestones within a minute.
const (
	demoSourceSpec  = "@every 2s"
	demoPublishSpec = "@every 5s"
	// closeOverdueSpec is how often campaigns past their deadline by
	// campaigns.close_after are closed: the grace is days, a quarter of an
	// hour more is nothing.
	closeOverdueSpec = "@every 15m"
	// demoSpeed plays a 30-day campaign in 15 minutes: launches and the
	// "72 h / 24 h left" moments come within a minute, and a person still has
	// minutes to approve a post before its campaign's deadline expires it.
	demoSpeed = 30 * 24 * 60 * 60 / (15 * 60.0)
)

// wire builds every component from the configuration and registers the jobs.
// Components only know the interfaces they need; this is the one place that
// knows them all.
func (m *Main) wire(ctx context.Context) (*app, error) {
	cfg := m.Config
	rdb := m.conn.Client
	prefix := cfg.Redis.Prefix
	loc := cfg.Location()
	log := m.Logger
	now := m.Now
	d := m.daemon

	publicURL := strings.TrimRight(cfg.HTTP.PublicURL, "/")
	if publicURL == "" {
		publicURL = defaultPublicURL(m.Addr())
		log.Info("http.public_url is empty: links in posts previews, the Atom feed and the login link use "+publicURL, "public_url", publicURL)
	}
	schedule := cfg.Schedule
	// Every account of every enabled network is a channel: its own caps,
	// slots, pause and publisher; its route says which campaigns it takes.
	channels := channelsOf(&cfg.Config)
	if len(channels) == 0 {
		return nil, errors.New("networks: every network is disabled: nothing to publish to")
	}
	if m.Demo {
		// Accelerated time: campaigns move every 2s, posts go out every 5s,
		// without the caps and spacing that protect a real audience.
		schedule.Publish = demoPublishSpec
		schedule.QuietHours = nil
		for i := range channels {
			// No good hours either: they mean nothing in accelerated time.
			channels[i].Limits = config.Limits{MinSpacing: 2 * time.Second, GoodHours: []string{}}
			channels[i].QuietHours = nil
		}
		log.Info("demo mode: campaigns move in accelerated time; posts go to the preview publishers, never to a network")
	}
	routes := map[string]content.Route{}
	for _, ch := range channels {
		routes[ch.Name] = content.Route{Langs: ch.Route.Langs, Categories: ch.Route.Categories}
	}

	// Campaigns.
	trackerOpts := trackerOptions(cfg)
	trackerOpts.Now, trackerOpts.Logger = now, log
	tracker, err := campaigns.NewTracker(rdb, prefix, milestoneRules(cfg), trackerOpts)
	if err != nil {
		return nil, err
	}
	// Source health: every poll and webhook delivery (and CLI import) is
	// recorded, for the dashboard's banner, GET /api/v1/sources and /metrics.
	health, err := campaigns.NewHealthStore(rdb, prefix)
	if err != nil {
		return nil, err
	}
	m.registry.MustRegister(campaigns.NewHealthCollector(health, log))
	events, err := campaigns.NewEventStream(rdb, prefix)
	if err != nil {
		return nil, err
	}
	events.Logger = log

	// Content.
	imp, err := m.wireLinks(publicURL)
	if err != nil {
		return nil, err
	}
	qopts := queueOptions(cfg, now)
	qopts.Linker = imp.linker
	queue, err := content.NewStore(rdb, prefix, qopts)
	if err != nil {
		return nil, fmt.Errorf("approval.auto_approve: %w", err)
	}
	m.wireImpact(imp, queue, tracker)
	networks := channelNames(&cfg.Config)
	mergeWindow := cfg.Approval.MergeWindow
	if mergeWindow == 0 {
		mergeWindow = -1 // the configuration's 0s: never merge
	}
	comp, err := composer.New(composer.Options{
		TemplateDir: cfg.Content.TemplatesDir,
		Now:         now,
		Logger:      log,
		Priority:    cfg.Approval.Priority,
		Freshness:   cfg.Approval.Freshness,
		MergeWindow: mergeWindow,
		PublicURL:   publicURL,
		Networks:    networks,
		Routes:      routes,
		Variants:    imp.bandit,
	})
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	storyJob, err := stories.New(stories.Options{Now: now, Logger: log}, tracker, comp, queue)
	if err != nil {
		return nil, err
	}
	cur := curator.NewCurator(rdb, prefix, curator.Options{
		UserAgent: "Fanfare/" + versionString() + " (+" + publicURL + ")",
		Networks:  curatedChannels(networks),
		Routes:    routes,
		Location:  loc,
		Now:       now,
		Logger:    log,

		DenyPrivate: !cfg.Feeds.AllowPrivate, // feeds.allow_private
	}, queue, tracker)
	if err := cur.Registry().SyncConfig(ctx, configFeeds(cfg.Feeds.List)); err != nil {
		return nil, fmt.Errorf("feeds: %w", err)
	}

	// Publishing.
	pubs, netConfigs, err := m.publishers(publicURL, channels)
	if err != nil {
		return nil, err
	}
	netState := bots.NewNetworks(rdb, prefix, netConfigs, now)
	schedLimits := map[string]bots.NetworkLimits{}
	goodHours := map[string][]bots.HourRange{}
	for _, ch := range channels {
		l := ch.Limits
		schedLimits[ch.Name] = bots.NetworkLimits{DailyCap: l.DailyCap, MinSpacing: l.MinSpacing, CampaignSpacing: l.CampaignSpacing}
		if q := ch.QuietHours; q != nil {
			schedLimits[ch.Name] = withQuiet(schedLimits[ch.Name], q)
		}
		if goodHours[ch.Name], err = bots.ParseHourRanges(l.GoodHours); err != nil {
			return nil, fmt.Errorf("networks: %s: good_hours: %w", ch.Name, err)
		}
	}
	var quiet *bots.QuietHours
	if q := schedule.QuietHours; q != nil {
		quiet = &bots.QuietHours{Start: q.Start, End: q.End}
	}
	engagementJob := bots.NewEngagementJob(rdb, prefix, queue, pubs, bots.EngagementOptions{Now: now, Logger: log})
	imp.eng = engagementJob
	var learner bots.GoodHoursLearner = engagementJob
	if m.Demo {
		learner = nil
	}
	sched, err := bots.NewScheduler(queue, bots.SchedulerOptions{
		Networks: schedLimits, QuietHours: quiet, GoodHours: goodHours, Learner: learner, Folding: cfg.Approval.Digests,
		Location: loc, Now: now, Logger: log,
	})
	if err != nil {
		return nil, err
	}
	var folder *bots.Folder
	if cfg.Approval.Digests {
		folder = bots.NewFolder(queue, sched, comp, tracker, bots.FoldOptions{Now: now, Logger: log})
	}
	publishJob, err := bots.NewPublishJob(queue, netState, sched, pubs, bots.PublishOptions{
		Now: now, Logger: log, Registerer: m.registry, Fold: folder,
		Lease: cfg.Schedule.PublishLease, // schedule.publish_lease
	})
	if err != nil {
		return nil, err
	}
	reconcileJob := bots.NewReconcileJob(rdb, prefix, queue, netState, pubs, bots.ReconcileOptions{Now: now, Logger: log})

	// Sources and jobs.
	hooks, err := webhook.NewHandler(webhook.Options{
		Secrets: cfg.Campaigns.Webhook.Secrets, Ingester: tracker, Now: now, Logger: log,
		Redis: rdb, Prefix: prefix, // replays of a signed delivery change nothing
		Health: health, ClientIP: clientip.Resolver{Trusted: cfg.HTTP.TrustedPrefixes()},
	})
	if err != nil {
		return nil, err
	}
	jobs := []daemon.Job{
		// A run must outlast a publish call (half the lease), or it claims nothing.
		{Name: "publish", Spec: schedule.Publish, Run: publishJob.Run, Timeout: max(4*time.Minute, 2*cfg.Schedule.PublishLease)},
		{Name: "reconcile", Spec: schedule.Reconcile, Run: reconcileJob.Run},
		{Name: "close-overdue", Spec: closeOverdueSpec, Run: func(ctx context.Context) error {
			n, err := tracker.CloseOverdue(ctx)
			if n > 0 {
				log.Info("campaigns closed: still live past their deadline by campaigns.close_after", "closed", n)
			}
			return err
		}},
		{Name: "engagement", Spec: schedule.Engagement, Run: engagementJob.Run, Timeout: 10 * time.Minute},
		{Name: "feeds", Spec: schedule.Feeds, Run: func(ctx context.Context) error {
			rep, err := cur.RefreshAll(ctx)
			if err == nil && rep.Feeds > 0 {
				log.Info("feeds refreshed", "feeds", rep.Feeds, "ok", rep.OK, "not_modified", rep.NotModified, "failed", rep.Failed, "drafts", rep.Drafts)
			}
			return err
		}, Timeout: 10 * time.Minute},
		{Name: "stories", Spec: schedule.Stories, Run: func(ctx context.Context) error {
			rep, err := storyJob.Run(ctx)
			if err == nil {
				log.Info("creator stories drafted", "week", rep.Week, "picked", len(rep.Picked), "created", rep.Created)
			}
			return err
		}},
	}
	if cfg.Campaigns.Poll.URL != "" {
		p := cfg.Campaigns.Poll
		pm, _, err := sourceMapping(p.Preset, &p.Mapping)
		if err != nil {
			return nil, fmt.Errorf("campaigns.poll: %w", err)
		}
		poller, err := poll.NewPoller(poll.Options{
			URL: p.URL, Headers: p.Headers, ItemsPath: p.ItemsPath, NextPath: p.NextPath, PageParam: p.PageParam,
			Mapping: pm, Location: cfg.SourceLocation(p.SourceTimezone), Health: health,
			Timeout: p.Timeout, MaxPages: p.MaxPages, Now: now, Logger: log,
		}, tracker)
		if err != nil {
			return nil, fmt.Errorf("campaigns.poll: %w", err)
		}
		jobs = append(jobs, daemon.Job{Name: "poll", Spec: schedule.Poll, Run: poller.Job()})
	}
	if m.Demo {
		src := demo.NewSource(demo.Options{Now: now, Logger: log, Speed: demoSpeed})
		jobs = append(jobs, daemon.Job{Name: "demo", Spec: demoSourceSpec, Run: src.Job(tracker), Timeout: time.Minute})
	}
	for _, j := range jobs {
		if err := d.Add(j); err != nil {
			return nil, err
		}
	}
	d.Go("composer", func(ctx context.Context) error {
		return comp.Consume(ctx, events, queue, composer.ConsumeOptions{
			Consumer:    d.Holder(),
			Logger:      log,
			DeadLetters: composer.NewRedisDeadLetters(rdb, prefix, now),
		})
	})

	// HTTP.
	webOpts := web.Options{
		Queue:           queue,
		Campaigns:       tracker,
		Sources:         health,
		Feeds:           cur.Registry(),
		FetchFeed:       func(ctx context.Context, url string) error { _, err := cur.RefreshURL(ctx, url); return err },
		Engagement:      engagementJob,
		Networks:        netState,
		ResumeNetwork:   netState.Resume,
		Hooks:           hooks,
		Ready:           m.ready,
		Metrics:         promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}),
		MetricsPublic:   cfg.HTTP.MetricsPublic,
		Users:           webUsers(cfg.Dashboard.Users),
		APITokens:       webTokens(cfg.HTTP.APITokens),
		PublicURL:       publicURL,
		Location:        loc,
		Redis:           rdb,
		Prefix:          prefix,
		Now:             now,
		Logger:          log,
		Version:         versionString(),
		EnabledNetworks: networks,
		SecureCookies:   strings.HasPrefix(publicURL, "https://"),
		Slots:           sched,
		PlatformName:    cfg.Platform.Name,
		DeadLetters:     composer.DeadLetterBox{Stream: events, Composer: composer.NewRedisDeadLetters(rdb, prefix, now)},
		TrustedProxies:  cfg.HTTP.TrustedPrefixes(),
		SessionLifetime: cfg.Dashboard.SessionLifetime,
		SessionIdle:     cfg.Dashboard.SessionIdleTimeout,
	}
	if err := imp.webOptions(&webOpts, queue, cfg.Campaigns.Webhook.Secrets, m); err != nil {
		return nil, err
	}
	srv, err := web.New(webOpts)
	if err != nil {
		return nil, err
	}
	a := &app{handler: srv.Handler(), tracker: tracker, queue: queue}
	if len(cfg.Dashboard.Users) == 0 {
		a.afterStart = func(ctx context.Context) {
			link, err := srv.OneTimeLoginURL(ctx)
			if err != nil {
				log.Error("unable to make a one-time login link", "error", err)
				return
			}
			fmt.Fprintf(m.Console, "\n  Fanfare is running. No dashboard users are configured: log in once with\n\n    %s\n\n  (valid 15 minutes, single use; restart for a new one, or add dashboard.users)\n\n", link)
		}
	}
	return a, nil
}

// publishers builds one publisher per channel: the real client when its
// credentials are set (and not in demo), else the preview publisher.
func (m *Main) publishers(publicURL string, channels []channel) (map[string]bots.Publisher, []bots.NetworkConfig, error) {
	cfg := m.Config
	pubs := map[string]bots.Publisher{}
	var nets []bots.NetworkConfig
	// Campaign images go through the same address guard as feeds.
	images := media.NewFetcher(media.FetcherOptions{UserAgent: "Fanfare/" + versionString() + " (+" + publicURL + ")"})
	for _, ch := range channels {
		pub, err := m.publisher(ch, images)
		if err != nil {
			return nil, nil, fmt.Errorf("networks: %s: %w", ch.Name, err)
		}
		if pub == nil {
			if !m.Demo {
				m.Logger.Warn("network account enabled without credentials: its posts go to the preview publisher, never to the network", "network", ch.Name)
			}
			pub = preview.New(ch.Name, m.conn.Client, cfg.Redis.Prefix, preview.Options{PublicURL: publicURL, Now: m.Now})
			nets = append(nets, bots.NetworkConfig{Name: ch.Name, Enabled: true, Preview: true})
		} else {
			nets = append(nets, bots.NetworkConfig{Name: ch.Name, Enabled: true})
		}
		pubs[ch.Name] = pub
	}
	// The networks (or accounts) that are off still show, as disabled.
	for _, n := range text.Networks {
		if !slices.ContainsFunc(channels, func(ch channel) bool { return ch.Network == n }) {
			nets = append(nets, bots.NetworkConfig{Name: n})
		}
	}
	return pubs, nets, nil
}

// publisher is the real publisher of a channel, or nil when its credentials
// are not all set (or in demo): the preview publisher stands in.
func (m *Main) publisher(ch channel, images *media.Fetcher) (bots.Publisher, error) {
	if m.Demo {
		return nil, nil
	}
	n := m.Config.Networks
	switch ch.Network {
	case content.NetworkX:
		a := n.X.XAccounts()[ch.Index]
		if !a.HasCredentials() {
			return nil, nil
		}
		client, err := x.NewClient(x.Options{
			BaseURL: a.APIBaseURL, ConsumerKey: a.ConsumerKey, ConsumerSecret: a.ConsumerSecret,
			AccessToken: a.AccessToken, AccessTokenSecret: a.AccessTokenSecret, Now: m.Now, Logger: m.Logger.With("channel", ch.Name),
			Redis: m.conn.Client, Prefix: m.Config.Redis.Prefix, // every replica shares the account's rate-limit windows
		})
		if err != nil {
			return nil, err
		}
		return x.NewPublisher(client, x.WithImages(images)), nil
	case content.NetworkFacebook:
		p := n.Facebook.FacebookPages()[ch.Index]
		if !p.HasCredentials() {
			return nil, nil
		}
		client, err := facebook.NewClient(facebook.Options{
			GraphBaseURL: n.Facebook.GraphBaseURL, APIVersion: n.Facebook.APIVersion, PageID: p.PageID,
			PageAccessToken: p.PageAccessToken, AppSecret: p.AppSecret, Now: m.Now, Logger: m.Logger.With("channel", ch.Name),
		})
		if err != nil {
			return nil, err
		}
		return facebook.NewPublisher(client), nil
	case content.NetworkInstagram:
		ig := n.Instagram
		if !ig.HasCredentials() {
			return nil, nil
		}
		client, err := instagram.NewClient(instagram.Options{
			GraphBaseURL: ig.GraphBaseURL, APIVersion: ig.APIVersion, IGUserID: ig.IGUserID,
			AccessToken: ig.AccessToken, AppSecret: ig.AppSecret, Now: m.Now, Logger: m.Logger,
		})
		if err != nil {
			return nil, err
		}
		return instagram.NewPublisher(client), nil
	case content.NetworkMastodon:
		md := n.Mastodon
		if !md.HasCredentials() {
			return nil, nil
		}
		client, err := mastodon.NewClient(mastodon.Options{BaseURL: md.BaseURL, AccessToken: md.AccessToken, Now: m.Now, Logger: m.Logger,
			Redis: m.conn.Client, Prefix: m.Config.Redis.Prefix})
		if err != nil {
			return nil, err
		}
		return mastodon.NewPublisher(client, mastodon.WithImages(images)), nil
	case content.NetworkBluesky:
		bs := n.Bluesky
		if !bs.HasCredentials() {
			return nil, nil
		}
		client, err := bluesky.NewClient(bluesky.Options{PDSURL: bs.PDSURL, Identifier: bs.Identifier, AppPassword: bs.AppPassword, Now: m.Now, Logger: m.Logger,
			Redis: m.conn.Client, Prefix: m.Config.Redis.Prefix})
		if err != nil {
			return nil, err
		}
		return bluesky.NewPublisher(client, bluesky.WithImages(images)), nil
	}
	return nil, fmt.Errorf("unknown network %q", ch.Network)
}

// withQuiet gives a channel's limits its own quiet hours.
func withQuiet(l bots.NetworkLimits, q *config.QuietHours) bots.NetworkLimits {
	l.QuietHours = &bots.QuietHours{Start: q.Start, End: q.End}
	return l
}

// curatedChannels are the channels feed items go to by default: all but
// Instagram's, whose posts are images.
func curatedChannels(channels []string) []string {
	return slices.DeleteFunc(slices.Clone(channels), func(n string) bool { return text.NetworkOf(n) == content.NetworkInstagram })
}

// milestoneRules are the configured thresholds (the tracker's defaults for
// what the configuration leaves out). The daemon and the CLI build the
// tracker with them.
func milestoneRules(cfg *config.Loaded) campaigns.Rules {
	m := cfg.Campaigns.Milestones
	return campaigns.Rules{Percent: m.Percent, Backers: m.Backers, Ending: m.Ending}
}

// queueOptions configure the approval queue alike in the daemon and the CLI:
// the auto-approve rules, the network's own length check on every text, and
// the replicas a claim must reach before a post is sent.
func queueOptions(cfg *config.Loaded, now func() time.Time) content.StoreOptions {
	return content.StoreOptions{Now: now, AutoApprove: cfg.Approval.AutoApprove, Validate: text.Validate,
		ClaimReplicas: cfg.Redis.ClaimReplicas, ClaimReplicaWait: cfg.Redis.ClaimReplicaWait}
}

// defaultPublicURL is the address to print when http.public_url is not set:
// the listening address, with a loopback host when it listens on every
// interface ("[::]:8080" is no address a browser can open).
func defaultPublicURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func configFeeds(feeds []config.Feed) []content.Feed {
	out := make([]content.Feed, 0, len(feeds))
	for _, f := range feeds {
		out = append(out, content.Feed{
			URL: f.URL, Schedule: f.Schedule, Keywords: f.Keywords, Lang: f.Lang,
			AutoApprove: f.AutoApprove, Networks: f.Networks, FromConfig: true,
		})
	}
	return out
}

func webUsers(users []config.User) []web.User {
	out := make([]web.User, 0, len(users))
	for _, u := range users {
		out = append(out, web.User{Name: u.Name, Role: u.Role, PasswordHash: u.PasswordHash})
	}
	return out
}

func webTokens(tokens []config.APIToken) []web.APIToken {
	out := make([]web.APIToken, 0, len(tokens))
	for _, t := range tokens {
		out = append(out, web.APIToken{Name: t.Name, SHA256: t.SHA256, Scopes: t.Scopes})
	}
	return out
}

package main

import (
	"context"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/impact"
	"github.com/fanfarehq/fanfare/web"
	"github.com/fanfarehq/fanfare/web/webhook"
)

// impactParts are the impact's pieces the rest of the wiring takes.
type impactParts struct {
	links   *impact.Links
	linker  content.Linker // nil: links.shortener is off
	service *impact.Service
	bandit  *impact.Bandit
	eng     *bots.EngagementJob // set once built; read when impressions are
}

// wireLinks builds the short links (issue 13) before the queue, which gives
// each new post its own link when links.shortener says so.
func (m *Main) wireLinks(publicURL string) (*impactParts, error) {
	links, err := impact.NewLinks(m.conn.Client, m.Config.Redis.Prefix, impact.LinkOptions{
		PublicURL: publicURL, Location: m.Config.Location(), Now: m.Now, Logger: m.Logger,
	})
	if err != nil {
		return nil, err
	}
	p := &impactParts{links: links}
	if m.Config.ShortLinks() {
		p.linker = links
		m.daemon.Go("clicks", links.Run)
	}
	return p, nil
}

// wireImpact builds the impact service and the variant bandit once the
// queue and the tracker exist, before the composer, which asks the bandit.
// The bandit learns on every replica (each one composes).
func (m *Main) wireImpact(p *impactParts, queue *content.Store, tracker campaigns.Reader) {
	p.service = impact.NewService(p.links, queue, tracker, impact.ServiceOptions{
		Now: m.Now, Logger: m.Logger, Engagement: engagementImpressions{p},
	})
	p.bandit = impact.NewBandit(p.service, 0)
	m.daemon.Go("bandit", p.bandit.Run)
}

// webOptions adds the impact's handlers to the server's options.
func (p *impactParts) webOptions(o *web.Options, queue *content.Store, secrets []string, m *Main) error {
	hook, err := webhook.NewPledgeHandler(webhook.PledgeOptions{Secrets: secrets, Posts: queue, Pledges: p.links, Now: m.Now, Logger: m.Logger})
	if err != nil {
		return err
	}
	o.ShortLinks, o.PledgeHook = p.links, hook
	o.Impact = p.service
	o.Bandit = p.bandit
	return nil
}

// engagementImpressions reads impressions from the engagement readings.
type engagementImpressions struct{ p *impactParts }

func (e engagementImpressions) Impressions(ctx context.Context, ids []string) (map[string]int64, error) {
	if e.p.eng == nil {
		return nil, nil
	}
	latest, err := e.p.eng.Latest(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(latest))
	for id, s := range latest {
		if s.Impressions > 0 {
			out[id] = s.Impressions
		}
	}
	return out, nil
}

var _ web.ShortLinks = (*impact.Links)(nil)

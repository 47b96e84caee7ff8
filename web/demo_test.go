package web

import (
	"fmt"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
)

// demoDesk fills an env the way a real desk looks after a few days: French
// and English campaigns with histories; pending posts of every kind; posts
// approved with the scheduler's notes, one without a slot; published posts
// with engagement; posts expired (superseded, no slot), rejected with a
// person's reason, failed, uncertain and duplicate with the networks' own
// words; a paused network; feeds in every state. The texts other packages
// write are the exact ones they write today.
type demoDesk struct {
	marees, lumen      campaigns.Campaign
	pendingFR          content.Post // Le Chant des Marées, 100 %, X
	pendingEN          content.Post // Lumen, 1000 backers, Facebook
	approved, unplaced content.Post
	published          content.Post
	expired, rejected  content.Post
	failed, unknown    content.Post
	duplicate          content.Post
}

func seedDemoDesk(t *testing.T, e *env) demoDesk {
	t.Helper()
	now := e.clock.Now()
	var d demoDesk
	d.marees = campaigns.Campaign{ID: "chant-des-marees", Title: "Le Chant des Marées — un jeu coopératif", URL: "https://crowd.example.org/projects/chant-des-marees",
		Lang: "fr", Currency: "EUR", Goal: 1_500_000, Pledged: 1_563_400, Backers: 1743, LaunchedAt: now.AddDate(0, 0, -6), Deadline: now.AddDate(0, 0, 24),
		State: campaigns.StateLive, Creator: campaigns.Creator{Name: "Atelier Bigorneau", XHandle: "bigorneaujeux"},
		StretchGoals: []campaigns.StretchGoal{{Amount: 2_000_000, Title: "Plateau en bois"}}}
	d.lumen = campaigns.Campaign{ID: "lumen-sketchbook", Title: "Lumen: the pocket e-ink sketchbook for the road", URL: "https://crowd.example.org/projects/lumen-sketchbook",
		Lang: "en", Currency: "USD", Goal: 4_000_000, Pledged: 2_071_500, Backers: 1014, LaunchedAt: now.Add(-30 * time.Hour), Deadline: now.AddDate(0, 0, 28),
		State: campaigns.StateLive, Creator: campaigns.Creator{Name: "Inkwell Labs", XHandle: "inkwelllabs"}}
	var hist []campaigns.Sample
	for i := range 12 {
		hist = append(hist, campaigns.Sample{At: now.Add(time.Duration(i-12) * 12 * time.Hour), Pledged: int64(i) * 130_000, Backers: int64(i * 140)})
	}
	// Fired out of order, as a hash gives them: the page sorts them.
	e.camps.put(d.marees, []campaigns.FiredMilestone{
		{Milestone: "percent:100", At: now.Add(-time.Hour), Posted: true},
		{Milestone: "backers:1000", At: now.Add(-3 * time.Hour), Posted: true},
		{Milestone: "percent:50", At: now.Add(-48 * time.Hour), Posted: true},
		{Milestone: "backers:100", At: now.Add(-60 * time.Hour), Posted: false},
		{Milestone: "launch", At: now.AddDate(0, 0, -6), Posted: false},
	}, hist)
	e.camps.put(d.lumen, []campaigns.FiredMilestone{{Milestone: "backers:1000", At: now.Add(-2 * time.Hour), Posted: true}}, hist[:3])

	q := e.queue
	draft := func(c campaigns.Campaign, milestone, network, text string) content.Post {
		t.Helper()
		g := c.ID + "/" + milestone
		p, _, err := q.Create(t.Context(), content.Draft{DedupKey: g, GroupID: g, Kind: content.KindMilestone, Network: network, CampaignID: c.ID,
			Milestone: milestone, Lang: c.Lang, Text: text, Variant: milestoneFamily(milestone) + "/v2", Priority: 20,
			NotAfter: now.Add(20 * time.Hour), Actor: "system:composer"})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Second)
		return p
	}
	d.pendingFR = draft(d.marees, "percent:100", "x", "Le Chant des Marées est financé à 100 % ! Bravo @bigorneaujeux https://crowd.example.org/projects/chant-des-marees")
	draft(d.marees, "percent:100", "facebook", "Le Chant des Marées est financé à 100 % ! Merci aux 1 743 contributrices et contributeurs.")
	d.pendingEN = draft(d.lumen, "backers:1000", "facebook", "Lumen just passed 1,000 backers. Thank you all!")
	draft(d.lumen, "backers:1000", "x", "Lumen just passed 1,000 backers! @inkwelllabs https://crowd.example.org/projects/lumen-sketchbook")
	draft(d.marees, "stretch:0", "x", "Objectif bonus débloqué : plateau en bois pour Le Chant des Marées !")
	for i, kind := range []content.Kind{content.KindStory, content.KindCurated, content.KindManual, content.KindDigest} {
		if _, _, err := q.Create(t.Context(), content.Draft{DedupKey: fmt.Sprint("k", i), GroupID: fmt.Sprint("k", i), Kind: kind, Network: "facebook",
			Lang: "fr", Text: "Trois projets financés aujourd'hui : bravo à toutes les équipes !", Actor: "system:stories"}); err != nil {
			t.Fatal(err)
		}
	}

	add := func(p content.Post) content.Post {
		t.Helper()
		p = q.add(p)
		e.clock.Advance(time.Second)
		return p
	}
	audit := func(p content.Post, actor, action, reason string, to content.State) {
		q.mu.Lock()
		defer q.mu.Unlock()
		q.record(q.posts[p.ID], actor, action, to, reason)
	}
	d.approved = add(content.Post{GroupID: "chant-des-marees/percent:50", CampaignID: d.marees.ID, Milestone: "percent:50", Kind: content.KindMilestone,
		Network: "x", Lang: "fr", State: content.StateApproved, Text: "Le Chant des Marées est financé à 50 % !", Variant: "percent/v1",
		ScheduledAt: now.Add(26 * time.Hour), SlotNote: "daily cap 2 reached on " + now.In(e.srv.loc).Format("2006-01-02") + "; quiet hours until 08:00 Europe/Paris"})
	audit(d.approved, "system:composer", "create", "", content.StatePending)
	audit(d.approved, "system:auto-approve", "approve", "rule milestone:percent:50", content.StateApproved)
	audit(d.approved, "system:scheduler", "schedule", d.approved.SlotNote, "")
	add(content.Post{GroupID: "g-min", CampaignID: d.lumen.ID, Milestone: "launch", Kind: content.KindMilestone, Network: "x", Lang: "en",
		State: content.StateApproved, Text: "Lumen is live!", ScheduledAt: now.Add(2 * time.Hour), SlotNote: "retry: not before 11:05:00; min spacing 20m after 10:50 post"})
	d.unplaced = add(content.Post{GroupID: "g-unplaced", CampaignID: d.marees.ID, Milestone: "backers:1000", Kind: content.KindMilestone, Network: "facebook",
		Lang: "fr", State: content.StateApproved, Text: "1 743 contributeurs pour Le Chant des Marées !", NotAfter: now.Add(30 * time.Hour)})
	d.published = add(content.Post{GroupID: "chant-des-marees/percent:50", CampaignID: d.marees.ID, Milestone: "percent:50", Kind: content.KindMilestone,
		Network: "facebook", Lang: "fr", State: content.StatePublished, Text: "Le Chant des Marées est financé à 50 % ! Merci à vous.", Variant: "percent/v1",
		PublishedAt: now.Add(-5 * time.Hour), ExternalURL: "https://facebook.com/1122334455_1", ExternalID: "1122334455_1"})
	audit(d.published, "system:publish", "claim", "attempt 1f2e3d4c5b6a7980", content.StatePublishing)
	audit(d.published, "system:publish", "complete", "", content.StatePublished)
	e.eng.series[d.published.ID] = []bots.EngagementSample{{At: now.Add(-time.Hour), Engagement: bots.Engagement{Likes: 42, Shares: 7, Replies: 5, Impressions: 1800}}}
	e.eng.summary = []bots.EngagementSummary{{Network: "facebook", Kind: "milestone", Variant: "percent/v1", Posts: 3, AvgLikes: 30.5, AvgShares: 4, AvgReplies: 2.3, AvgImpressions: 1500}}
	d.expired = add(content.Post{GroupID: "chant-des-marees/percent:50-old", CampaignID: d.marees.ID, Milestone: "percent:50", Kind: content.KindMilestone,
		Network: "x", Lang: "fr", State: content.StateExpired, Text: "Le Chant des Marées est à mi-chemin !", LastError: "superseded by percent:100"})
	audit(d.expired, "system:composer", "expire", "superseded by percent:100", content.StateExpired)
	add(content.Post{GroupID: "g-noslot", CampaignID: d.lumen.ID, Milestone: "ending:24h", Kind: content.KindMilestone, Network: "x", Lang: "en",
		State: content.StateExpired, Text: "24 hours left for Lumen!",
		LastError: "no slot before not_after 2026-03-11 07:00 CET: the earliest is 2026-03-11 08:00 CET (daily cap 2 reached on 2026-03-10; quiet hours until 08:00 Europe/Paris)"})
	d.rejected = add(content.Post{GroupID: "g-rej", CampaignID: d.marees.ID, Milestone: "backers:1000", Kind: content.KindMilestone, Network: "x", Lang: "fr",
		State: content.StatePending, Text: "Mille contributeurs !"})
	audit(d.rejected, "alice", "reject", "Trop proche de l'annonce d'hier", content.StateRejected)
	d.failed = add(content.Post{GroupID: "g-fail", CampaignID: d.marees.ID, Milestone: "backers:1000", Kind: content.KindMilestone, Network: "x", Lang: "fr",
		State: content.StateFailed, Text: "Mille contributeurs pour Le Chant des Marées !", LastError: "unable to create post: Your Tweet text is too long.",
		UpdatedAt: now.Add(-40 * time.Minute), Attempts: 1})
	audit(d.failed, "system:publish", "complete", "unable to create post: Your Tweet text is too long.", content.StateFailed)
	d.unknown = add(content.Post{GroupID: "g-unk", CampaignID: d.lumen.ID, Milestone: "launch", Kind: content.KindMilestone, Network: "facebook", Lang: "en",
		State: content.StateUnknown, Text: "Lumen is live on the platform.", LastError: "publish lease expired: the request may have gone through",
		UpdatedAt: now.Add(-3 * time.Hour)})
	audit(d.unknown, "system:reconcile", "lease_expired", "publish lease expired: the request may have gone through", content.StateUnknown)
	d.duplicate = add(content.Post{GroupID: "g-dup", CampaignID: d.marees.ID, Milestone: "percent:100", Kind: content.KindMilestone, Network: "facebook",
		Lang: "fr", State: content.StateDuplicate, Text: "Le Chant des Marées est financé à 100 % !", LastError: "unable to publish to feed: (#506) Duplicate status message",
		UpdatedAt: now.Add(-2 * time.Hour)})
	add(content.Post{GroupID: "g-rel", CampaignID: d.lumen.ID, Milestone: "percent:50", Kind: content.KindMilestone, Network: "facebook", Lang: "en",
		State: content.StateApproved, Text: "Lumen is half way!", LastError: "paused: unable to publish to feed: Error validating access token: Session has expired (subcode 463)"})

	e.networks.status[1] = bots.NetworkStatus{Network: "facebook", Enabled: true, Paused: true, Since: now.Add(-90 * time.Minute),
		Reason: "unable to publish to feed: Error validating access token: Session has expired on Friday (subcode 463)"}
	e.feeds.feeds = []content.FeedStatus{
		{Feed: content.Feed{URL: "https://press.example.org/feed.xml", Keywords: []string{"financement participatif"}, FromConfig: true}, Title: "La Presse du jeu",
			LastFetch: now.Add(-20 * time.Minute), LastStatus: "ok", Items: 12, Curated: 3},
		{Feed: content.Feed{URL: "https://blog.example.org/atom.xml", AutoApprove: true}, LastFetch: now.Add(-2 * time.Hour), LastStatus: "error",
			LastError: "feeds: https://blog.example.org/atom.xml: HTTP 503 Service Unavailable"},
		{Feed: content.Feed{URL: "https://new.example.org/rss"}},
	}
	e.slots.quiet = &bots.QuietHours{Start: "22:00", End: "08:00"}
	e.slots.estimate = bots.SlotEstimate{At: now.Add(20 * time.Hour), Note: "daily cap 2 reached on " + now.In(e.srv.loc).Format("2006-01-02") + "; quiet hours until 08:00 Europe/Paris", OK: true}
	return d
}

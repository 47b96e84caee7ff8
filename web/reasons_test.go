package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/text"
	"github.com/fanfarehq/fanfare/internal/redistest"
)

// TestReasonForms holds the exact strings bots and content write for people
// today (each with where it comes from), and what each says in French and
// English. A form that stops matching — a reworded note upstream — fails
// here rather than leaking English into a French page.
func TestReasonForms(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, paris)
	tooLong := text.Validate("x", strings.Repeat("a", 312)).Error()
	blank := text.Validate("facebook", "   ").Error()
	cases := []struct {
		from, raw, fr, en string
		showRaw           bool
	}{
		{"bots nextSlot", "earliest free slot", "premier créneau libre", "earliest free slot", false},
		{"composer merge", "merged with backers:50", "fusionnée avec 50 contributeurs", "merged with 50 backers", false},
		{"content fold", "folded into digest 01KKBH9WE070Z3XAAV255XVCVS", "racontée dans le résumé 01KKBH9WE070Z3XAAV255XVCVS", "told in digest 01KKBH9WE070Z3XAAV255XVCVS", false},
		{"bots fold", "3 more posts folded in", "3 publications de plus regroupées", "3 more posts folded in", false},
		{"bots fold", "1 more posts folded in", "1 publication de plus regroupée", "1 more post folded in", false},
		{"bots prune", "past their freshness before the digest could go out: c1 percent:50, c2 backers:100",
			"2 paliers retirés : ce n'étaient plus des nouvelles quand le résumé a pu partir", "2 milestones left out: they stopped being news before the digest could go out", false},
		{"bots withdraw", "withdrawn percent:50 of Les Sons: la suite: the campaign went back to 49 % funded, under 50 % (a refund)",
			"retirée (financé à 50 % de Les Sons: la suite) : un remboursement a ramené la campagne à 49 %, sous les 50 %",
			"withdrawn (50% funded of Les Sons: la suite): a refund took the campaign back to 49%, under 50%", false},
		{"bots withdraw", "withdrawn backers:100 of Tiny Forest: the campaign went back to 98 backers, under 100 (a refund); withdrawn stretch:0 of Tiny Forest: the campaign went back under stretch goal 0 (a refund)",
			"retirée (100 contributeurs de Tiny Forest) : un remboursement a ramené la campagne à 98 contributeurs, sous les 100 ; retirée (objectif bonus 1 de Tiny Forest) : un remboursement a ramené la campagne sous l'objectif bonus 1",
			"withdrawn (100 backers of Tiny Forest): a refund took the campaign back to 98 backers, under 100; withdrawn (stretch goal 1 of Tiny Forest): a refund took the campaign back under stretch goal 1", false},
		{"bots withdraw", "withdrawn launch of Radio Vélo: the campaign canceled", "retirée (lancement de Radio Vélo) : la campagne a été annulée", "withdrawn (launch of Radio Vélo): the campaign was canceled", false},
		{"bots fold", "digest: the slot the folder made room for", "le créneau gardé pour le résumé", "the slot kept for the digest", false},
		{"bots place", "good hours 09:00–11:00; min spacing 20m after 09:00 post",
			"les heures où le public est là (9 h 00–11 h 00) ; 20 min d'écart avec la publication de 9 h 00", "the audience's hours (09:00–11:00); 20 min apart from the 09:00 post", false},
		{"content supersede", "superseded by percent:100, backers:1000", "remplacée par un palier plus récent : financé à 100 %, 1 000 contributeurs",
			"replaced by a newer milestone: 100% funded, 1,000 backers", false},
		{"content create", "rule approvals of the posts it tells", "toutes les publications regroupées étaient approuvées", "every post it tells was approved", false},

		{"bots nextSlot", "quiet hours until 08:00 Europe/Paris", "heures calmes jusqu'à 8 h 00", "quiet hours until 08:00", false},
		{"bots nextSlot", "daily cap 2 reached on 2026-12-05", "plafond de 2 publications par jour atteint le sam. 5 déc.", "daily cap of 2 posts reached on Sat 5 Dec", false},
		{"bots nextSlot", "daily cap 1 reached on 2027-01-04", "plafond de 1 publication par jour atteint le lun. 4 janv. 2027", "daily cap of 1 post reached on Mon 4 Jan 2027", false},
		{"bots nextSlot", "min spacing 20m after 14:05 post", "20 min d'écart avec la publication de 14 h 05", "20 min apart from the 14:05 post", false},
		{"bots nextSlot", "campaign spacing 6h after its 09:30 post", "6 h d'écart avec la publication de 9 h 30 de cette campagne", "6 h apart from this campaign's 09:30 post", false},
		{"bots nextSlot", "campaign spacing 1h30m after its 09:30 post", "1 h 30 d'écart avec la publication de 9 h 30 de cette campagne", "1 h 30 min apart from this campaign's 09:30 post", false},
		{"bots nextSlot", "daily cap 2 reached on 2026-12-05; quiet hours until 08:00 Europe/Paris",
			"plafond de 2 publications par jour atteint le sam. 5 déc. ; heures calmes jusqu'à 8 h 00", "daily cap of 2 posts reached on Sat 5 Dec; quiet hours until 08:00", false},
		{"bots place", "retry: not before 14:05:09; min spacing 20m after 14:00 post",
			"nouvel essai pas avant 14 h 05 ; 20 min d'écart avec la publication de 14 h 00", "retry not before 14:05; 20 min apart from the 14:00 post", false},
		{"bots place", "slot 14:05 given to more urgent post 01KKBH9WE070Z3XAAV255XVCVS (priority 1, not_after 2026-12-06 00:00)",
			"son créneau de 14 h 05 est allé à une publication plus urgente (01KKBH9WE070Z3XAAV255XVCVS)", "its 14:05 slot went to a more urgent post (01KKBH9WE070Z3XAAV255XVCVS)", false},
		{"bots noSlotReason", "no slot within 60 days: daily cap 1 reached on 2027-02-03",
			"aucun créneau dans les 60 jours (plafond de 1 publication par jour atteint le mer. 3 févr. 2027)", "no slot within 60 days (daily cap of 1 post reached on Wed 3 Feb 2027)", false},
		{"bots noSlotReason", "no slot before not_after 2026-12-06 07:00 CET within 60 days: quiet hours until 08:00 Europe/Paris",
			"aucun créneau avant son échéance, le dim. 6 déc. à 7 h 00, dans les 60 jours (heures calmes jusqu'à 8 h 00)",
			"no slot before its deadline, Sun 6 Dec at 07:00, within 60 days (quiet hours until 08:00)", false},
		{"bots noSlotReason", "no slot before not_after 2026-12-06 07:00 CET: the earliest is 2026-12-06 08:00 CET (daily cap 2 reached on 2026-12-05; quiet hours until 08:00 Europe/Paris)",
			"aucun créneau avant son échéance, le dim. 6 déc. à 7 h 00 : le premier possible était le dim. 6 déc. à 8 h 00 (plafond de 2 publications par jour atteint le sam. 5 déc. ; heures calmes jusqu'à 8 h 00)",
			"no slot before its deadline, Sun 6 Dec at 07:00: the earliest was Sun 6 Dec at 08:00 (daily cap of 2 posts reached on Sat 5 Dec; quiet hours until 08:00)", false},
		{"bots replanMissed", "slot 2026-12-05T13:05:00Z missed: planned again", "son créneau du sam. 5 déc. à 14 h 05 est passé sans envoi : replacée",
			"its slot, Sat 5 Dec at 14:05, passed unsent: placed again", false},
		{"bots publishOne", "not_after passed before it could go out", "son échéance est passée avant qu'elle puisse partir", "its deadline passed before it could go out", false},
		{"bots publishOne", "not sent: unable to create post: dial tcp 10.0.0.1:443: connect: connection refused",
			"non envoyée (le réseau était injoignable) : nouvel essai plus tard", "not sent (the network could not be reached): tried again later", true},
		{"bots publishOne", "rate limited: unable to create post: Too Many Requests", "limite d'envoi du réseau atteinte : nouvel essai plus tard",
			"the network's sending limit was reached: tried again later", true},
		{"bots publishOne", "paused: unable to publish to feed: Error validating access token: Session has expired (subcode 463)",
			"le réseau a refusé le jeton d'accès : retenue jusqu'à la reprise", "the network refused the access token: held until publishing resumes", true},
		{"content Edit", "set by alice", "fixé par alice", "set by alice", false},
		{"content Edit", "set by api:ci", "fixé par API (ci)", "set by API (ci)", false},
		{"content Edit", "changed text, link", "modifié : texte, lien", "changed: text, link", false},
		{"content Edit", "changed scheduled_at", "modifié : heure", "changed: time", false},
		{"content ExpireDue", "not_after passed before the post could go out", "son échéance est passée avant qu'elle puisse partir", "its deadline passed before it could go out", false},
		{"content Supersede", "superseded by percent:100", "remplacée par un palier plus récent : financé à 100 %", "replaced by a newer milestone: 100% funded", false},
		{"content Supersede", "superseded by ending:24h", "remplacée par un palier plus récent : encore 24 heures", "replaced by a newer milestone: 24 hours left", false},
		{"content ExpireLeases", "publish lease expired: the request may have gone through", "l'envoi a pris trop de temps : la publication est peut-être partie",
			"sending took too long: the post may have gone out", false},
		{"content Claim", "attempt 1f2e3d4c5b6a7980", "tentative 1f2e3d4c5b6a7980", "attempt 1f2e3d4c5b6a7980", false},
		{"content Found", "found on the network", "retrouvée sur le réseau", "found on the network", false},
		{"content create", "rule milestone:percent:100", "règle d'approbation automatique : palier · financé à 100 %", "auto-approve rule: milestone · 100% funded", false},
		{"content create", "rule curated", "règle d'approbation automatique : veille", "auto-approve rule: curated news", false},
		{"content checkText", "is empty", "est vide", "is empty", false},
		{"content checkLink", "must be an http or https URL", "doit être une adresse http ou https", "must be an http or https address", false},
		{"content Reject", "is required to reject a post", "un motif est obligatoire", "a reason is required", false},
		{"content Resolve", "is required to discard a post", "un motif est obligatoire", "a reason is required", false},
		{"content Resolve", "the post's URL on the network (http or https) is required", "L'adresse de la publication sur le réseau (https://…) est obligatoire.",
			"The post's address on the network (https://…) is required.", false},
		{"content Edit", "nothing to change", "rien à modifier", "nothing to change", false},
		{"text Validate", tooLong, "fait 312, au-delà de la limite de X (280)", "is 312 long, over X's limit of 280", false},
		{"text Validate", blank, "n'est pas une publication que Facebook accepte (vide, ou un caractère refusé)", "is not a post Facebook accepts (empty, or a character it refuses)", false},
		{"web drafts", "choose at least one network", "choisissez au moins un réseau", "choose at least one network", false},
		{"web drafts", `"mastodon" is not an enabled network (x, facebook)`, "mastodon n'est pas un réseau activé", "mastodon is not an enabled network", false},
		{"web drafts", `"x" is listed twice`, "x figure deux fois", "x is listed twice", false},
		{"web drafts", "is required", "est obligatoire", "is required", false},
		{"web drafts", "must be an absolute http(s) URL", "doit être une adresse http ou https complète", "must be a full http or https address", false},
		{"web drafts", "must be an https URL", "doit être une adresse https", "must be an https address", false},
		{"web drafts", "is not a language tag such as fr or en", "n'est pas un code de langue comme fr ou en", "is not a language code such as fr or en", false},
		{"web drafts", "is in the past", "est dans le passé", "is in the past", false},
		{"web drafts", "is too long or invalid for x: 300/280", "est trop long pour X : 300 sur 280", "is too long for X: 300 out of 280", false},
		{"web feedFault", "no feed with that URL", "aucun flux n'a cette adresse", "no feed has this address", false},
		{"web feedFault", "the feed is listed in the config file: change or remove it there",
			"ce flux est défini dans le fichier de configuration : modifiez-le ou retirez-le là", "this feed is in the configuration file: change or remove it there", false},
		{"web resume", "resuming networks is not available here", "la reprise des réseaux n'est pas disponible ici", "resuming networks is not available here", false},
		{"web resume", "no enabled network mastodon", "aucun réseau activé mastodon", "no enabled network mastodon", false},
		{"web resume", "x is not paused", "X n'est pas en pause", "X is not paused", false},
	}
	fr, en := newLocale("fr"), newLocale("en")
	for _, tc := range cases {
		f := fr.explain(tc.raw, paris, now)
		if !f.Known || norm(f.Text) != tc.fr || f.ShowRaw != tc.showRaw {
			t.Errorf("%s %q:\n fr %q (known %v, raw shown %v)\nwant %q", tc.from, tc.raw, norm(f.Text), f.Known, f.ShowRaw, tc.fr)
		}
		if g := en.explain(tc.raw, paris, now); norm(g.Text) != tc.en {
			t.Errorf("%s %q:\n en %q\nwant %q", tc.from, tc.raw, norm(g.Text), tc.en)
		}
	}

	// An unknown form is never shown as is in the main line: the page says
	// it is a system message and keeps the raw text for "details".
	for _, raw := range []string{"the scheduler had a bad day", "quiet hours until noon Europe/Paris", "daily cap 2 reached on 2026-12-05; something new"} {
		u := fr.explain(raw, paris, now)
		if u.Known || !u.ShowRaw || u.Raw != raw || u.Text != fr.T("reason.unknown") {
			t.Errorf("unknown %q: %+v", raw, u)
		}
	}
}

// TestReasonFormsCoverTheScheduler runs the real scheduler on the real queue
// through its situations (free slot, spacing, campaign spacing, daily cap,
// quiet hours, expiry for want of a slot) and explains every note and reason
// it wrote: none may be unknown.
func TestReasonFormsCoverTheScheduler(t *testing.T) {
	ctx := context.Background()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{t: time.Date(2026, 12, 5, 21, 30, 0, 0, paris)}
	rdb := redistest.Client(t)
	store, err := content.NewStore(rdb, "reasons", content.StoreOptions{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	sched, err := bots.NewScheduler(store, bots.SchedulerOptions{
		Networks:   map[string]bots.NetworkLimits{"x": {DailyCap: 3, MinSpacing: 20 * time.Minute, CampaignSpacing: 90 * time.Minute}},
		QuietHours: &bots.QuietHours{Start: "22:00", End: "08:00"}, Location: paris, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	mk := func(key, campaign string, prio int, notAfter time.Time) {
		p, _, err := store.Create(ctx, content.Draft{DedupKey: key, Kind: content.KindMilestone, Network: "x", CampaignID: campaign,
			Milestone: "percent:50", Text: "post " + key, Priority: prio, NotAfter: notAfter, Actor: "system:composer"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.Approve(ctx, p.ID, "alice"); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Millisecond)
		ids = append(ids, p.ID)
	}
	mk("a", "c1", 10, time.Time{})
	mk("b", "c1", 10, time.Time{})                                 // campaign spacing
	mk("c", "c2", 10, time.Time{})                                 // spacing, then the cap, then quiet hours
	mk("d", "c3", 10, time.Time{})                                 // the day after
	mk("e", "c4", 50, time.Date(2026, 12, 6, 7, 0, 0, 0, paris))   // no slot before not_after: expired
	mk("f", "c5", 50, time.Date(2026, 12, 5, 21, 40, 0, 0, paris)) // expires even sooner
	if err := sched.PlanNetwork(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	fr := newLocale("fr")
	kinds := map[string]bool{}
	for _, id := range ids {
		p, err := store.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, raw := range []string{p.SlotNote, p.LastError} {
			if raw == "" {
				continue
			}
			if e := fr.explain(raw, paris, clock.Now()); !e.Known {
				t.Errorf("the scheduler wrote %q, which the table does not know", raw)
			}
			for _, k := range []string{"earliest", "min spacing", "campaign spacing", "daily cap", "quiet hours", "no slot"} {
				if strings.Contains(raw, k) {
					kinds[k] = true
				}
			}
		}
		for _, c := range p.Audit {
			if e := fr.explain(c.Reason, paris, clock.Now()); !e.Known && isSystemActor(c.Actor) {
				t.Errorf("audit %s by %s: %q is unknown", c.Action, c.Actor, c.Reason)
			}
		}
	}
	t.Logf("notes written: %v", kinds)
	if len(kinds) < 5 {
		t.Errorf("the run wrote only %v: the situations do not cover the notes", kinds)
	}
}

// TestNetworkErrorsExplained: every kind of failure is explained, with the
// next step, in both languages, with no formatting left over.
func TestNetworkErrorsExplained(t *testing.T) {
	for _, lang := range []string{"fr", "en"} {
		l := newLocale(lang)
		for _, kind := range []netErrorKind{netAuth, netRate, netNotSent, netDuplicate, netInvalid, netBlocked, netAmbiguous} {
			for _, network := range []string{"x", "facebook"} {
				e := l.netErrorFor(kind, network, "raw")
				for _, s := range []string{e.What, e.Next} {
					if s == "" || strings.Contains(s, "%!") || strings.Contains(s, "!neterr") {
						t.Errorf("%s %s %s: %q", lang, kind, network, s)
					}
				}
			}
		}
	}
}

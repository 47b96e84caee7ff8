package stories

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/composer"
	"github.com/fanfarehq/fanfare/content/text"
)

// now is a Wednesday of ISO week 2026-W22.
var now = time.Date(2026, 5, 27, 10, 0, 0, 0, time.UTC)

type memSource struct {
	campaigns []campaigns.Campaign
	history   map[string][]campaigns.Sample
	listCalls int
}

func (s *memSource) List(_ context.Context, o campaigns.ListOptions) ([]campaigns.Campaign, int, error) {
	s.listCalls++
	var all []campaigns.Campaign
	for _, c := range s.campaigns {
		if o.State == "" || c.State == o.State {
			all = append(all, c)
		}
	}
	if o.Offset >= len(all) {
		return nil, len(all), nil
	}
	end := min(o.Offset+o.Limit, len(all))
	return all[o.Offset:end], len(all), nil
}

func (s *memSource) History(_ context.Context, id string, since time.Time) ([]campaigns.Sample, error) {
	var out []campaigns.Sample
	for _, h := range s.history[id] {
		if !h.At.Before(since) {
			out = append(out, h)
		}
	}
	return out, nil
}

// memQueue keeps drafts the way the queue does: one post per DedupKey and
// network. It lists posts newest first, like content.Queue.
type memQueue struct {
	posts []content.Post
	now   func() time.Time
}

func (q *memQueue) Create(_ context.Context, d content.Draft) (content.Post, bool, error) {
	for _, p := range q.posts {
		if p.GroupID == d.DedupKey && p.Network == d.Network {
			return p, false, nil
		}
	}
	p := content.Post{ID: d.DedupKey + "|" + d.Network, GroupID: d.DedupKey, Kind: d.Kind, Network: d.Network,
		CampaignID: d.CampaignID, Text: d.Text, Link: d.Link, ImageURL: d.ImageURL, ImageAlt: d.ImageAlt, Lang: d.Lang,
		Variant: d.Variant, Priority: d.Priority, NotAfter: d.NotAfter, CreatedAt: q.now(), State: content.StatePending}
	q.posts = append(q.posts, p)
	return p, true, nil
}

// createOnly hides List: a sink that cannot say what was told before.
type createOnly struct{ q *memQueue }

func (s createOnly) Create(ctx context.Context, d content.Draft) (content.Post, bool, error) {
	return s.q.Create(ctx, d)
}

func (q *memQueue) List(_ context.Context, o content.ListOptions) ([]content.Post, int, error) {
	var out []content.Post
	for i := len(q.posts) - 1; i >= 0; i-- {
		if o.CampaignID == "" || q.posts[i].CampaignID == o.CampaignID {
			out = append(out, q.posts[i])
		}
	}
	total := len(out)
	if o.Offset >= total {
		return nil, total, nil
	}
	return out[o.Offset:min(o.Offset+o.Limit, total)], total, nil
}

func campaign(id, lang string, pct int64, left time.Duration) campaigns.Campaign {
	return campaigns.Campaign{
		ID: id, Title: "Projet " + id, URL: "https://fund.example/p/" + id, Lang: lang, Currency: "EUR",
		Goal: 1_000_000, Pledged: 1_000_000 * pct / 100, Backers: 120,
		LaunchedAt: now.Add(-20 * 24 * time.Hour), Deadline: now.Add(left), State: campaigns.StateLive,
		Creator:  campaigns.Creator{Name: "Créatrice " + id, XHandle: "creator_" + id},
		ImageURL: "https://fund.example/img/" + id + ".jpg",
		Description: "Une idée simple et belle, fabriquée en France. " + strings.Repeat("Des détails qui comptent vraiment pour tout le monde. ", 20) +
			"Fin.",
		Tags: []string{"design"},
	}
}

// fixture: hot (momentum), close (92 %), late (ending, 40 %), plus campaigns
// that must not be picked.
func fixture() *memSource {
	hot := campaign("hot", "en", 70, 20*24*time.Hour)
	close92 := campaign("close", "fr", 92, 15*24*time.Hour)
	late := campaign("late", "fr", 40, 3*24*time.Hour)
	dull := campaign("dull", "fr", 50, 25*24*time.Hour)
	endingFunded := campaign("funded-ending", "en", 130, 2*24*time.Hour)
	done := campaign("done", "fr", 95, 5*24*time.Hour)
	done.State = campaigns.StateSuccessful
	overdue := campaign("overdue", "fr", 95, -time.Hour) // live but past its deadline
	return &memSource{
		campaigns: []campaigns.Campaign{dull, close92, late, hot, endingFunded, done, overdue},
		history: map[string][]campaigns.Sample{
			// hot went from 30 % a week ago to 55 % yesterday to 70 % now.
			"hot": {
				{At: now.Add(-7 * 24 * time.Hour), Pledged: 300_000},
				{At: now.Add(-25 * time.Hour), Pledged: 550_000},
				{At: now.Add(-time.Hour), Pledged: 690_000},
			},
			// dull: 3 % a day, the ordinary pace.
			"dull": {
				{At: now.Add(-7 * 24 * time.Hour), Pledged: 290_000},
				{At: now.Add(-24 * time.Hour), Pledged: 470_000},
			},
		},
	}
}

func newJob(t *testing.T, src CampaignSource, sink DraftSink, clock *time.Time) *Job {
	t.Helper()
	nowFn := func() time.Time { return *clock }
	c, err := composer.New(composer.Options{Now: nowFn, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	j, err := New(Options{Now: nowFn, Logger: slog.New(slog.DiscardHandler)}, src, c, sink)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func pickedIDs(r Report) []string {
	var ids []string
	for _, p := range r.Picked {
		ids = append(ids, p.Campaign.ID)
	}
	return ids
}

func TestScore(t *testing.T) {
	src := fixture()
	tests := []struct {
		id          string
		wantReasons []string
	}{
		{"hot", []string{reasonMomentum}},
		{"close", []string{reasonClose}},
		{"late", []string{reasonEndingSoon}},
		{"dull", nil},
		{"funded-ending", nil},
		{"done", nil},
		{"overdue", nil},
	}
	for _, tt := range tests {
		i := slices.IndexFunc(src.campaigns, func(c campaigns.Campaign) bool { return c.ID == tt.id })
		got := score(src.campaigns[i], src.history[tt.id], now)
		if !slices.Equal(got.Reasons, tt.wantReasons) || (got.Score > 0) != (len(tt.wantReasons) > 0) {
			t.Errorf("score(%s) = %v", tt.id, got)
		}
	}
	hot := score(src.campaigns[3], src.history["hot"], now)
	// 24 h: 70 % − 55 % = 15; 7 d: 70 % − 30 % = 40; 2×15 + 40 = 70.
	if hot.Gain24h != 15 || hot.Gain7d != 40 || hot.Score != 70 {
		t.Errorf("hot: gain24h=%d gain7d=%d score=%d, want 15, 40, 70", hot.Gain24h, hot.Gain7d, hot.Score)
	}
	// Several reasons add up.
	both := campaign("both", "fr", 90, 24*time.Hour)
	both.Pledged = 400_000 // 40 %: behind…
	s := score(both, []campaigns.Sample{{At: now.Add(-24 * time.Hour), Pledged: 100_000}}, now)
	if !slices.Equal(s.Reasons, []string{reasonMomentum, reasonEndingSoon}) || s.Score != 2*30+30+behindBase+10 {
		t.Errorf("both: %v", s)
	}
	// A refund is no momentum.
	if g := gain(both, []campaigns.Sample{{At: now.Add(-time.Hour), Pledged: 900_000}}, now.Add(-24*time.Hour)); g != 0 {
		t.Errorf("gain after a refund = %d, want 0", g)
	}
}

func TestRunPicksAndDrafts(t *testing.T) {
	clock := now
	q := &memQueue{now: func() time.Time { return clock }}
	src := fixture()
	j := newJob(t, src, q, &clock)
	rep, err := j.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// hot 70, late 40+10=50, close 30+14=44.
	if want := []string{"hot", "late", "close"}; !slices.Equal(pickedIDs(rep), want) {
		t.Errorf("picked %v, want %v", pickedIDs(rep), want)
	}
	if rep.Week != "2026-W22" || rep.Considered != 6 || rep.Candidates != 3 || rep.Created != 6 || rep.Existing != 0 {
		t.Errorf("report %+v", rep)
	}
	if len(q.posts) != 6 {
		t.Fatalf("%d posts, want 6", len(q.posts))
	}
	langs := map[string]string{"hot": "en", "late": "fr", "close": "fr"}
	for _, p := range q.posts {
		if p.Kind != content.KindStory || p.GroupID != "story:"+p.CampaignID+":2026-W22" || p.Lang != langs[p.CampaignID] {
			t.Errorf("post %s: kind %s group %s lang %s", p.ID, p.Kind, p.GroupID, p.Lang)
		}
		res, err := text.Check(p.Network, p.Text)
		if err != nil || !res.Valid {
			t.Errorf("post %s: %q not valid on %s: %+v %v", p.ID, p.Text, p.Network, res, err)
		}
		if !strings.Contains(p.Text, "Projet "+p.CampaignID) || !strings.Contains(p.Link, "utm_content=story") {
			t.Errorf("post %s: text %q link %q", p.ID, p.Text, p.Link)
		}
		wantNotAfter := now.Add(7 * 24 * time.Hour)
		if p.CampaignID == "late" {
			wantNotAfter = now.Add(3 * 24 * time.Hour) // its deadline comes first
		}
		if !p.NotAfter.Equal(wantNotAfter) {
			t.Errorf("post %s: not_after %s, want %s", p.ID, p.NotAfter, wantNotAfter)
		}
		switch p.Network {
		case content.NetworkFacebook:
			if p.ImageURL == "" || !strings.Contains(p.Text, "Une idée simple et belle") {
				t.Errorf("facebook story %s: image %q text %q", p.ID, p.ImageURL, p.Text)
			}
			if n := len([]rune(p.Text)); n < 300 {
				t.Errorf("facebook story %s is %d characters, want a longer post", p.ID, n)
			}
			if strings.Contains(p.Text, "Fin.") {
				t.Errorf("facebook story %s: description not cut: %q", p.ID, p.Text)
			}
		case content.NetworkX:
			// X uploads the image and attaches it (bots/x), with its alt text.
			if p.ImageURL == "" || p.ImageAlt == "" || !strings.Contains(p.Text, "@creator_"+p.CampaignID) {
				t.Errorf("x story %s: image %q alt %q text %q", p.ID, p.ImageURL, p.ImageAlt, p.Text)
			}
		}
	}
}

func TestRunNoRepeat(t *testing.T) {
	clock := now
	q := &memQueue{now: func() time.Time { return clock }}
	src := fixture()
	j := newJob(t, src, q, &clock)
	if _, err := j.Run(context.Background()); err != nil {
		t.Fatal(err)
	}

	// Same week, later: same picks, nothing new.
	clock = now.Add(2 * time.Hour)
	rep, err := j.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created != 0 || rep.Existing != 6 || len(q.posts) != 6 {
		t.Errorf("re-run in the same week: %+v, %d posts", rep, len(q.posts))
	}

	// Next week: the three told last week are skipped for 30 days.
	clock = now.Add(7 * 24 * time.Hour)
	src.campaigns = append(src.campaigns, campaign("next", "en", 88, 20*24*time.Hour))
	for i := range src.campaigns {
		src.campaigns[i].Deadline = src.campaigns[i].Deadline.Add(7 * 24 * time.Hour)
	}
	rep, err = j.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// hot has no momentum left a week later; late and close still score.
	if !slices.Equal(pickedIDs(rep), []string{"next"}) || !slices.Equal(rep.Recent, []string{"late", "close"}) {
		t.Errorf("next week picked %v, skipped %v; want next, and late, close skipped", pickedIDs(rep), rep.Recent)
	}

	// Without a lister, only the week key protects: next week repeats.
	q2 := &memQueue{now: func() time.Time { return clock }}
	clock = now
	j2 := newJob(t, fixture(), createOnly{q2}, &clock)
	if _, err := j2.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	rep, err = j2.Run(context.Background())
	if err != nil || rep.Created != 0 || len(q2.posts) != 6 {
		t.Errorf("same-week re-run through a create-only sink: %+v, %d posts, %v", rep, len(q2.posts), err)
	}
}

type failingSource struct{ memSource }

func (f *failingSource) History(context.Context, string, time.Time) ([]campaigns.Sample, error) {
	return nil, errors.New("redis down")
}

func TestRunErrors(t *testing.T) {
	clock := now
	// History failing: the other reasons still pick.
	fs := &failingSource{memSource: *fixture()}
	q := &memQueue{now: func() time.Time { return clock }}
	rep, err := newJob(t, fs, q, &clock).Run(context.Background())
	if err != nil || !slices.Equal(pickedIDs(rep), []string{"late", "close"}) {
		t.Errorf("without history: picked %v, %v", pickedIDs(rep), err)
	}

	if _, err := New(Options{}, nil, nil, nil); err == nil {
		t.Error("New accepted nil dependencies")
	}
	c, _ := composer.New(composer.Options{Logger: slog.New(slog.DiscardHandler)})
	if _, err := New(Options{Count: -1}, fixture(), c, q); err == nil {
		t.Error("New accepted a negative count")
	}
}

func TestRunCount(t *testing.T) {
	clock := now
	q := &memQueue{now: func() time.Time { return clock }}
	c, err := composer.New(composer.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	j, err := New(Options{Now: func() time.Time { return clock }, Logger: slog.New(slog.DiscardHandler), Count: 1}, fixture(), c, q)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := j.Run(context.Background())
	if err != nil || !slices.Equal(pickedIDs(rep), []string{"hot"}) || len(q.posts) != 2 {
		t.Errorf("count 1: picked %v, %d posts, %v", pickedIDs(rep), len(q.posts), err)
	}
}

func TestWeek(t *testing.T) {
	for in, want := range map[time.Time]string{
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC):   "2026-W01",
		time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC):  "2026-W53",
		time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC): "2026-W53",
	} {
		if got := Week(in); got != want {
			t.Errorf("Week(%s) = %s, want %s", in, got, want)
		}
	}
}

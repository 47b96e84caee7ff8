package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
)

// fakeDeadLetters is a DeadLetterStore in memory.
type fakeDeadLetters struct {
	mu       sync.Mutex
	items    []campaigns.DeadLetter
	replayed []string
}

func (f *fakeDeadLetters) List(_ context.Context, limit int) ([]campaigns.DeadLetter, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.items), nil
}

func (f *fakeDeadLetters) take(id string) error {
	i := slices.IndexFunc(f.items, func(d campaigns.DeadLetter) bool { return d.ID == id })
	if i < 0 {
		return campaigns.ErrDeadLetterNotFound
	}
	f.items = slices.Delete(f.items, i, i+1)
	return nil
}

func (f *fakeDeadLetters) Replay(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.take(id); err != nil {
		return err
	}
	f.replayed = append(f.replayed, id)
	return nil
}

func (f *fakeDeadLetters) Drop(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.take(id)
}

// The Problems page lists the milestones set aside in words, in both
// languages, with replay and drop for managers only; replay and drop answer
// with a flash, and an id that is gone says so.
func TestProblemsPageDeadLetters(t *testing.T) {
	at := time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
	dead := &fakeDeadLetters{items: []campaigns.DeadLetter{
		{ID: "composer:7-0", Source: campaigns.DeadComposer, EventID: "42/percent:100", Error: "composer: no template for fr/x/percent.tmpl", Attempts: 10, At: at},
		{ID: "stream:5-0", Source: campaigns.DeadStream, Error: "no event field", At: at.Add(-time.Hour)},
	}}
	e := newEnv(t, func(o *Options) { o.DeadLetters = dead })
	b := e.login("alice")

	doc := b.page("/problems?lang=en")
	items := doc.Find("li.deadletter")
	if items.Length() != 2 {
		t.Fatalf("%d dead letters shown, want 2", items.Length())
	}
	first := items.First()
	if got := first.Find(".milestone").Text(); got != "100% funded" {
		t.Errorf("milestone %q, want it in words", got)
	}
	if got := first.Find(`a[href="/campaigns/42"]`).Length(); got != 1 {
		t.Error("no link to the campaign")
	}
	if txt := first.Text(); !strings.Contains(txt, "10 tries") || !strings.Contains(txt, "Drafting gave up") || !strings.Contains(txt, "no template") {
		t.Errorf("first dead letter says %q", txt)
	}
	if txt := items.Eq(1).Text(); !strings.Contains(txt, "An entry that could not be read") || !strings.Contains(txt, "Unreadable") {
		t.Errorf("second dead letter says %q", txt)
	}
	if n := first.Find("form").Length(); n != 2 {
		t.Errorf("%d forms for a manager, want replay and drop", n)
	}
	checkFrench(t, "/problems", b.page("/problems?lang=fr"), EnglishWords())
	if got := b.page("/problems?lang=fr").Find("li.deadletter").First().Text(); !strings.Contains(got, "10 essais") {
		t.Errorf("French dead letter says %q", got)
	}
	b.page("/problems?lang=en") // the answers below in English

	if msg := b.flash(b.postForm("/problems/deadletters/replay", url.Values{"id": {"composer:7-0"}})); !strings.Contains(msg, "Milestone put back") {
		t.Errorf("replay flash %q", msg)
	}
	if !slices.Equal(dead.replayed, []string{"composer:7-0"}) {
		t.Errorf("replayed %v", dead.replayed)
	}
	if msg := b.flash(b.postForm("/problems/deadletters/drop", url.Values{"id": {"stream:5-0"}})); msg != "Milestone dropped." {
		t.Errorf("drop flash %q", msg)
	}
	resp := b.postForm("/problems/deadletters/drop", url.Values{"id": {"stream:5-0"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(b.flash(resp), "no longer set aside") {
		t.Errorf("dropping a gone id: status %d", resp.StatusCode)
	}
	if got := b.page("/problems?lang=en").Find(".deadletters .empty").Text(); got != "No milestone set aside." {
		t.Errorf("empty list says %q", got)
	}

	dead.items = append(dead.items, campaigns.DeadLetter{ID: "stream:9-0", Source: campaigns.DeadStream, Error: "x", At: at})
	v := e.login("victor")
	if n := v.page("/problems").Find("li.deadletter form").Length(); n != 0 {
		t.Errorf("a viewer sees %d forms", n)
	}
	if resp := v.postForm("/problems/deadletters/drop", url.Values{"id": {"stream:9-0"}}); resp.StatusCode == http.StatusSeeOther && len(dead.items) == 0 {
		t.Error("a viewer dropped a dead letter")
	}
	if len(dead.items) != 1 {
		t.Errorf("items left %v, want the viewer's target still there", dead.items)
	}
}

package content

import (
	"context"
	"strings"
	"sync"
	"testing"
)

// fakeLinker gives each post "https://f.example/r/<post id>", except the
// kinds it leaves alone, and remembers what it was asked.
type fakeLinker struct {
	mu       sync.Mutex
	made     map[string]string // post id -> target
	unlinked []string
	skip     Kind
}

func (l *fakeLinker) Link(_ context.Context, postID, _ string, kind Kind, target string) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if kind == l.skip {
		return "", nil
	}
	if _, ok := l.made[postID]; !ok {
		l.made[postID] = target
	}
	return "https://f.example/r/" + postID, nil
}

func (l *fakeLinker) Unlink(_ context.Context, postID string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.unlinked = append(l.unlinked, postID)
	delete(l.made, postID)
	return nil
}

func TestLinkerGivesEachPostItsOwnLink(t *testing.T) {
	ctx := context.Background()
	const long = "https://platform.example/p/1?utm_source=x&utm_content=percent%3A50"
	tooLong := func(network, text string) error {
		if len(text) > 120 {
			return errTooLongForTest
		}
		return nil
	}
	for _, tc := range []struct {
		name     string
		d        Draft
		wantOwn  bool
		validate func(network, text string) error
	}{
		{"milestone: text and link", Draft{DedupKey: "a", Kind: KindMilestone, Network: NetworkX, CampaignID: "c1", Milestone: "percent:50",
			Text: "Half way! " + long, Link: long, Lang: "en"}, true, nil},
		{"no link: nothing to do", Draft{DedupKey: "b", Kind: KindManual, Network: NetworkX, Text: "Hello", Lang: "en"}, false, nil},
		{"kind the linker skips", Draft{DedupKey: "c", Kind: KindCurated, Network: NetworkX, Text: "News " + long, Link: long, Lang: "en"}, false, nil},
		{"own link would make the text invalid: kept as written", Draft{DedupKey: "d", Kind: KindMilestone, Network: NetworkX, CampaignID: "c1", Milestone: "percent:50",
			Text: strings.Repeat("a", 120-len(long)) + long, Link: long, Lang: "en"}, false, func(n, text string) error {
			if strings.Contains(text, "f.example") {
				return errTooLongForTest
			}
			return tooLong(n, text)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := &fakeLinker{made: map[string]string{}, skip: KindCurated}
			s, _ := newTestStore(t, StoreOptions{Linker: l, Validate: tc.validate})
			p := mustCreate(t, s, tc.d)
			own := "https://f.example/r/" + p.ID
			if got := p.Link == own && strings.Contains(p.Text, own) && !strings.Contains(p.Text, long); got != tc.wantOwn {
				t.Fatalf("own link used = %v, want %v: link %q text %q", got, tc.wantOwn, p.Link, p.Text)
			}
			if !tc.wantOwn && p.Link != tc.d.Link {
				t.Fatalf("link %q, want the draft's %q", p.Link, tc.d.Link)
			}
		})
	}

	t.Run("a link written short is replaced by the own link written short", func(t *testing.T) {
		l := &fakeLinker{made: map[string]string{}}
		s, _ := newTestStore(t, StoreOptions{Linker: l})
		p := mustCreate(t, s, Draft{DedupKey: "f", Kind: KindMilestone, Network: NetworkBluesky, CampaignID: "c1", Milestone: "percent:50",
			Text: "Half way! platform.example/p/1 #Films", Link: long, Lang: "en"})
		if want := "Half way! f.example/r/" + p.ID + " #Films"; p.Text != want || p.Link != "https://f.example/r/"+p.ID {
			t.Fatalf("text %q link %q, want %q and the own link", p.Text, p.Link, want)
		}
	})

	t.Run("duplicate draft: its link is forgotten; a rewrite keeps the link", func(t *testing.T) {
		l := &fakeLinker{made: map[string]string{}}
		s, _ := newTestStore(t, StoreOptions{Linker: l})
		d := Draft{DedupKey: "e", Kind: KindMilestone, Network: NetworkX, CampaignID: "c1", Milestone: "percent:50",
			Text: "Half way! " + long, Link: long, Lang: "en"}
		p := mustCreate(t, s, d)
		again, created, err := s.Create(ctx, d)
		if err != nil || created || again.ID != p.ID {
			t.Fatalf("second create: %v %v %s", err, created, again.ID)
		}
		if len(l.unlinked) != 1 || l.unlinked[0] == p.ID {
			t.Fatalf("unlinked %v, want the duplicate's id only", l.unlinked)
		}
		next := "https://platform.example/p/1?utm_source=x&utm_content=percent%3A100"
		q, changed, err := s.Revise(ctx, p, Revision{Covers: p.Covers, Milestone: "percent:100", Text: "Funded! " + next, Link: next,
			Actor: "system:composer", Action: "merge", Reason: "test"})
		if err != nil || !changed {
			t.Fatalf("revise: %v %v", err, changed)
		}
		if own := "https://f.example/r/" + p.ID; q.Link != own || q.Text != "Funded! "+own {
			t.Fatalf("revised link %q text %q, want the post's own link", q.Link, q.Text)
		}
		if l.made[p.ID] != long {
			t.Fatalf("the link's target changed to %q", l.made[p.ID])
		}
	})
}

type testErr string

func (e testErr) Error() string { return string(e) }

const errTooLongForTest = testErr("too long")

package web

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
)

func TestDigestPageAndKindFilter(t *testing.T) {
	e := newEnv(t, nil)
	for _, c := range []campaigns.Campaign{
		{ID: "a", Title: "Les Sons de la Ville", URL: "https://fund.example/p/sons", Creator: campaigns.Creator{Name: "Atelier A"}},
		{ID: "b", Title: "Tiny Forest", URL: "https://fund.example/p/forest", Creator: campaigns.Creator{Name: "Green Hands"}},
	} {
		e.camps.put(c, nil, nil)
	}
	milestonePair(t, e.queue, "42", "percent:50")
	d := e.queue.add(content.Post{Kind: content.KindDigest, Network: "x", Lang: "fr", State: content.StateApproved,
		Milestone: "percent:100", Text: "Financés aujourd'hui : « Les Sons de la Ville » et 1 autre https://fanfare.example.org/digests/p900",
		Covers: []content.Cover{{CampaignID: "a", Milestone: "percent:100"}, {CampaignID: "b", Milestone: "ended:successful"}}})

	var l List[content.Post]
	if st, _ := e.api("GET", "/api/v1/posts?kind=digest", "", &l); st != 200 || l.Total != 1 || l.Items[0].ID != d.ID ||
		len(l.Items[0].Covers) != 2 || l.Items[0].Covers[1].CampaignID != "b" {
		t.Fatalf("kind=digest: %d %+v", st, l)
	}
	if st, er := e.api("GET", "/api/v1/posts?kind=thread", "", nil); st != 400 || er.Field != "kind" {
		t.Errorf("kind=thread: %d %+v", st, er)
	}

	get := func() (int, string) {
		resp, err := http.Get(e.ts.URL + "/digests/" + d.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// Before it goes out, a digest is a draft: nobody outside sees it.
	if st, _ := get(); st != http.StatusNotFound {
		t.Errorf("approved digest page: %d, want 404", st)
	}
	e.queue.mu.Lock()
	e.queue.posts[d.ID].State = content.StatePublished
	e.queue.mu.Unlock()
	st, body := get()
	if st != 200 {
		t.Fatalf("published digest page: %d", st)
	}
	for _, want := range []string{`lang="fr"`, "Les campagnes de ce récapitulatif", "Les Sons de la Ville", "Tiny Forest",
		"par Atelier A", "par Green Hands", "https://fund.example/p/forest?utm_campaign=fanfare-digest&amp;utm_content=" + d.ID} {
		if !strings.Contains(body, want) {
			t.Errorf("digest page lacks %q", want)
		}
	}
	// Other posts have no public page.
	x, _ := milestonePair(t, e.queue, "43", "percent:50")
	if resp, _ := http.Get(e.ts.URL + "/digests/" + x.ID); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a milestone post's digest page: %d", resp.StatusCode)
	}
}

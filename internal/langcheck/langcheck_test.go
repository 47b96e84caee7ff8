package langcheck

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestLeaks(t *testing.T) {
	voc := Vocabulary([]string{"Waiting for approval", "the post"}, []string{"post"})
	doc, err := html.Parse(strings.NewReader(`<html lang="fr"><head><title>waiting</title></head><body>
<p>En attente d'approbation</p><p title="for you">Publication</p><span lang="en">the approval</span>
<code>waiting</code><a href="https://example.org/waiting">https://example.org/waiting</a><p>l'approval</p><p>post</p></body></html>`))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(Leaks(doc, "fr", voc), "; ")
	if got != "approval in l'approval; for in for you" {
		t.Errorf("leaks: %s", got)
	}
}

func TestWordsSkipIdentifiers(t *testing.T) {
	got := Words("tentative 7e07f955f51be821 · post 01KKBXAD40R6MXXVNB8GYNNNXK, 2e édition")
	want := []string{"tentative", "post", "édition"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Words = %q, want %q", got, want)
	}
}

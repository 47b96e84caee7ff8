package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/bots/bluesky/bskyfake"
	"github.com/fanfarehq/fanfare/bots/facebook/fbfake"
	"github.com/fanfarehq/fanfare/bots/instagram/igfake"
	"github.com/fanfarehq/fanfare/bots/mastodon/mastodonfake"
	"github.com/fanfarehq/fanfare/bots/x/xfake"
	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/internal/config"
	"github.com/fanfarehq/fanfare/internal/redistest"
	"github.com/fanfarehq/fanfare/web/webhook"
)

// childConfigEnv, when set, makes the test binary run `fanfare run` with
// that configuration file instead of the tests: a daemon a test can kill.
const childConfigEnv = "FANFARE_TEST_CHILD_CONFIG"

// TestRoutedAccountsOnePostEach is issue 14's "done when": a French and an
// English campaign cross 50 %; each becomes exactly one post on each account
// that routes it: the French one on the French X account (image attached),
// the English one on the English account, both on the Page, on Instagram
// (with the image), on Mastodon and on Bluesky (link facet and card). The
// daemon is killed (SIGKILL) while the networks hold its requests; a new one
// on the same Redis finishes the work, and no network gets a second copy.
func TestRoutedAccountsOnePostEach(t *testing.T) {
	fr := xfake.Credentials{ConsumerKey: "ck", ConsumerSecret: "cs", AccessToken: "at-fr", AccessTokenSecret: "ats-fr"}
	en := xfake.Credentials{ConsumerKey: "ck", ConsumerSecret: "cs", AccessToken: "at-en", AccessTokenSecret: "ats-en"}
	xfr, xen := xfake.NewServer(t, fr), xfake.NewServer(t, en)
	fb := fbfake.NewServer(t, "4242", "page-token", "app-secret")
	ig := igfake.NewServer(t, "ig-token", "app-secret")
	md := mastodonfake.NewServer(t, "md-token")
	bs := bskyfake.NewServer(t, "abcd-efgh-ijkl-mnop")
	images := imageServer(t)

	// The networks hold the first request that creates a post, and create it
	// after the daemon is dead.
	const hold = 3 * time.Second
	xfr.HangNext(hold)
	fb.HangNext(hold)
	ig.HangNext("POST /media_publish", hold)
	md.HangNext("POST /api/v1/statuses", hold)
	bs.HangNext("com.atproto.repo.putRecord", hold)

	addr := freeAddr(t)
	yaml := fmt.Sprintf(`
redis:
  url: %s
  prefix: e2e
http:
  listen: %s
campaigns:
  webhook:
    secrets: [%q]
schedule:
  publish: "@every 1s"
  reconcile: "@every 1s"
  quiet_hours: null
approval:
  auto_approve: [milestone]
networks:
  x:
    enabled: true
    consumer_key: ck
    consumer_secret: cs
    min_spacing: 1s
    campaign_spacing: 0s
    good_hours: []
    accounts:
      - name: platform_fr
        route: {langs: [fr]}
        api_base_url: %s
        access_token: at-fr
        access_token_secret: ats-fr
      - name: platform_en
        route: {langs: [en]}
        api_base_url: %s
        access_token: at-en
        access_token_secret: ats-en
  facebook:
    enabled: true
    graph_base_url: %s
    page_id: "4242"
    page_access_token: page-token
    app_secret: app-secret
    min_spacing: 1s
    campaign_spacing: 0s
    good_hours: []
  instagram:
    enabled: true
    graph_base_url: %s
    ig_user_id: %q
    access_token: ig-token
    app_secret: app-secret
    min_spacing: 1s
    campaign_spacing: 0s
    good_hours: []
  mastodon:
    enabled: true
    base_url: %s
    access_token: md-token
    min_spacing: 1s
    campaign_spacing: 0s
    good_hours: []
  bluesky:
    enabled: true
    pds_url: %s
    identifier: %s
    app_password: abcd-efgh-ijkl-mnop
    min_spacing: 1s
    campaign_spacing: 0s
    good_hours: []
`, redistest.URL(t), addr, e2eWebhookSecret, xfr.URL, xen.URL, fb.URL, ig.URL, igfake.UserID, md.URL, bs.URL, bskyfake.Handle)
	redistest.Client(t) // flush
	path := filepath.Join(t.TempDir(), "fanfare.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}

	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), childConfigEnv+"="+path)
	var out bytes.Buffer
	child.Stdout, child.Stderr = &out, &out
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // runs after kill (cleanups run last first): out is no longer written
		if t.Failed() {
			t.Logf("the killed daemon's log:\n%s", out.String())
		}
	})
	killed := false
	kill := func() {
		if !killed {
			killed = true
			_ = child.Process.Kill() // SIGKILL: no shutdown, leases left behind
			_ = child.Wait()
		}
	}
	t.Cleanup(kill)
	base := "http://" + addr
	waitFor(t, "the child daemon to be ready", 20*time.Second, func() (bool, error) {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false, nil
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, nil
	})

	now := time.Now().UTC()
	camp := func(id, lang string, pledged int64, updated time.Time) map[string]any {
		return map[string]any{
			"id": id, "title": "Projet " + id, "url": "https://www.example.org/projects/" + id,
			"image_url": images.URL + "/" + id + ".jpg",
			"lang":      lang, "currency": "EUR", "goal": 1_000_000, "pledged": pledged, "backers": 30,
			"launched_at": now.Add(-10 * 24 * time.Hour).Format(time.RFC3339),
			"deadline":    now.Add(20 * 24 * time.Hour).Format(time.RFC3339),
			"state":       "live", "updated_at": updated.Format(time.RFC3339Nano),
			"creator": map[string]any{"name": "Studio " + id},
		}
	}
	for _, c := range []struct{ id, lang string }{{"phare", "fr"}, {"lighthouse", "en"}} {
		signedPost(t, base, camp(c.id, c.lang, 400_000, now.Add(-2*time.Minute)))
		signedPost(t, base, camp(c.id, c.lang, 550_000, now.Add(-time.Minute)))
	}

	// Kill the daemon once a network holds one of its requests.
	queue, err := content.NewStore(redistest.NewClient(t), "e2e", content.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	inState := func(s content.State) int {
		_, n, err := queue.List(context.Background(), content.ListOptions{State: s})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	waitFor(t, "a post being published", 30*time.Second, func() (bool, error) { return inState(content.StatePublishing) > 0, nil })
	time.Sleep(500 * time.Millisecond)
	kill()

	// A new daemon on the same Redis, once the dead one's leases are over.
	clock := &shiftClock{}
	clock.shift(3 * time.Minute)
	loaded, err := config.LoadFile(path, configRules)
	if err != nil {
		t.Fatal(err)
	}
	startMain(t, loaded, func(m *Main) {
		m.Now = clock.Now
		if os.Getenv("E2E_DEBUG") != "" {
			m.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
		}
	})

	want := map[string]int{"x@platform_fr": 1, "x@platform_en": 1, "facebook": 2, "instagram": 2, "mastodon": 2, "bluesky": 2}
	counts := func() map[string]int {
		return map[string]int{"x@platform_fr": len(xfr.Posts()), "x@platform_en": len(xen.Posts()), "facebook": len(fb.Posts()),
			"instagram": len(ig.Media()), "mastodon": len(md.Statuses()), "bluesky": len(bs.Records())}
	}
	polls := 0
	waitFor(t, "every post published", 90*time.Second, func() (bool, error) {
		if polls++; polls%100 == 0 {
			t.Logf("published %d, unknown %d, publishing %d, approved %d, failed %d; on the networks %v", inState(content.StatePublished),
				inState(content.StateUnknown), inState(content.StatePublishing), inState(content.StateApproved), inState(content.StateFailed), counts())
		}
		return inState(content.StatePublished) == 10 && fmt.Sprint(counts()) == fmt.Sprint(want), nil
	})
	// More publish and reconcile ticks send nothing again.
	time.Sleep(3 * time.Second)
	if got := counts(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("posts per account = %v, want %v", got, want)
	}

	// The French campaign on the French account, with its image and alt text.
	if p := xfr.Posts()[0]; !strings.Contains(p.Text, "phare") || len(p.MediaIDs) != 1 {
		t.Errorf("French X account: %q with media %v, want the French campaign with its image", p.Text, p.MediaIDs)
	} else if media, ok := xfr.MediaByID(p.MediaIDs[0]); !ok || media.Alt != "Projet phare" {
		t.Errorf("X image %+v, want alt text %q", media, "Projet phare")
	}
	if p := xen.Posts()[0]; !strings.Contains(p.Text, "lighthouse") || len(p.MediaIDs) != 1 {
		t.Errorf("English X account: %q with media %v, want the English campaign with its image", p.Text, p.MediaIDs)
	}
	for _, p := range ig.Media() {
		if !strings.Contains(p.Caption, "www.example.org/projects/") || strings.Contains(p.Caption, "https://") {
			t.Errorf("Instagram caption %q: want the campaign's address written plainly", p.Caption)
		}
	}
	for _, r := range bs.Records() {
		js, _ := json.Marshal(r.Value)
		if !strings.Contains(string(js), `"app.bsky.richtext.facet#link"`) || !strings.Contains(string(js), "utm_source=bluesky") ||
			!strings.Contains(string(js), `"app.bsky.embed.external"`) {
			t.Errorf("Bluesky record without its link facet to the tagged link and its card: %s", js)
		}
	}
	for _, s := range md.Statuses() {
		if !strings.Contains(s.Text, "utm_source=mastodon") || len(s.MediaIDs) != 1 {
			t.Errorf("Mastodon status %q with media %v: want the tagged link and the image", s.Text, s.MediaIDs)
		}
	}
}

// imageServer serves a small JPEG (what Instagram takes) at every path.
func imageServer(t *testing.T) *httptest.Server {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	img.Set(1, 1, color.Black)
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write(b.Bytes())
	}))
	t.Cleanup(srv.Close)
	return srv
}

// freeAddr is a 127.0.0.1 address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// signedPost delivers a campaign to a daemon's webhook.
func signedPost(t *testing.T, base string, campaign map[string]any) {
	t.Helper()
	body, _ := json.Marshal(campaign)
	req, _ := http.NewRequest("POST", base+"/hooks/campaigns", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(webhook.SignatureHeader, webhook.Sign(e2eWebhookSecret, time.Now(), body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		t.Fatalf("webhook = %d %s", resp.StatusCode, b.String())
	}
}

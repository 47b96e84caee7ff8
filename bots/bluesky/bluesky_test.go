package bluesky

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/bots/bluesky/bskyfake"
	"github.com/fanfarehq/fanfare/bots/internal/nettest"
	"github.com/fanfarehq/fanfare/bots/media/mediatest"
)

const appPassword = "abcd-efgh-ijkl-mnop"

func newTestPublisher(t *testing.T, pds string, edit ...func(*Options)) *Publisher {
	t.Helper()
	c := nettest.New(t, NewClient, Options{PDSURL: pds, Identifier: "@" + bskyfake.Handle, AppPassword: appPassword,
		HTTPClient: &http.Client{Timeout: 2 * time.Second}, Logger: slog.New(slog.DiscardHandler)}, edit...)
	return NewPublisher(c, WithImages(nettest.Images()))
}

const postID = "01JD5Q3ZK8M4R2X9V7T6W5Y3AB" // a ULID

func TestRecordKey(t *testing.T) {
	k := RecordKey(postID)
	if !ValidTID(k) || k != RecordKey(postID) || k == RecordKey("01JD5Q3ZK8M4R2X9V7T6W5Y3AC") {
		t.Fatalf("RecordKey = %q", k)
	}
	// The TID's time is the ULID's millisecond.
	ms, _ := ulidMillis(postID)
	var v uint64
	for i := range 13 {
		v = v<<5 | uint64(strings.IndexByte(tidAlphabet, k[i]))
	}
	if got := (v >> 10) / 1000; got != ms {
		t.Errorf("TID time %d ms, want the ULID's %d", got, ms)
	}
	for _, id := range []string{"p1", "", "x/y", strings.Repeat("Z", 26)} {
		if k := RecordKey(id); !ValidTID(k) {
			t.Errorf("RecordKey(%q) = %q is not a TID", id, k)
		}
	}
}

func TestCheckTextAndFacets(t *testing.T) {
	if c := CheckText(strings.Repeat("é", 300)); !c.Valid || c.Length != 300 {
		t.Errorf("300 graphemes: %+v", c)
	}
	if c := CheckText(strings.Repeat("👨‍👩‍👧", 300)); c.Valid || c.Length != 300 {
		t.Errorf("300 families but over 3000 bytes: %+v", c)
	}
	if c := CheckText(strings.Repeat("a", 301)); c.Valid {
		t.Errorf("301 accepted")
	}
	text := "Bravo @alice.bsky.social ! Financé 🎉 : https://fanfare.example/c/7 et fanfare.fr/c/8. #BD #2026 (@bob.example.com)"
	links := LinkFacets(text)
	if len(links) != 2 || text[links[0].Index.ByteStart:links[0].Index.ByteEnd] != "https://fanfare.example/c/7" ||
		links[1].Features[0].URI != "https://fanfare.fr/c/8" {
		t.Errorf("links %+v", links)
	}
	ms := Mentions(text)
	if len(ms) != 2 || ms[0].Handle != "alice.bsky.social" || text[ms[0].Start:ms[0].End] != "@alice.bsky.social" || ms[1].Handle != "bob.example.com" {
		t.Errorf("mentions %+v", ms)
	}
	tags := TagFacets(text)
	if len(tags) != 1 || tags[0].Features[0].Tag != "BD" || text[tags[0].Index.ByteStart:tags[0].Index.ByteEnd] != "#BD" {
		t.Errorf("tags %+v", tags)
	}
	if len(Mentions("mail me at a@b.com or @nodot")) != 0 {
		t.Error("an address or a dotless name is not a mention")
	}
}

func TestPublishPost(t *testing.T) {
	images := mediatest.NewServer(t)
	cover := images.Put("/cover.jpg", mediatest.JPEG(120, 63), "image/jpeg")
	pds := bskyfake.NewServer(t, appPassword)
	pds.AddHandle("alice.bsky.social", "did:plc:alice")
	p := newTestPublisher(t, pds.URL)
	ctx := context.Background()
	text := "Jardins & Cie est financé ! Bravo @alice.bsky.social @unknown.example.org → https://fanfare.example/c/7 #jardin"
	rc, err := p.Publish(ctx, bots.Message{PostID: postID, Text: text, Link: "https://fanfare.example/c/7",
		ImageURL: cover, ImageAlt: "Jardins & Cie", LinkDescription: "Des jardins partagés", Lang: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	recs := pds.Records()
	if len(recs) != 1 || recs[0].RKey != RecordKey(postID) || recs[0].Text != text {
		t.Fatalf("records %+v", recs)
	}
	if rc.ID != "at://"+bskyfake.DID+"/app.bsky.feed.post/"+RecordKey(postID) || rc.URL != "https://bsky.app/profile/"+bskyfake.Handle+"/post/"+RecordKey(postID) {
		t.Errorf("receipt %+v", rc)
	}
	v := recs[0].Value
	facets, _ := v["facets"].([]any)
	var kinds []string
	for _, f := range facets {
		feat := f.(map[string]any)["features"].([]any)[0].(map[string]any)
		kinds = append(kinds, feat["$type"].(string))
	}
	if strings.Join(kinds, ",") != FeatureMention+","+FeatureLink+","+FeatureTag {
		t.Errorf("facets %v (the unknown handle must stay text)", kinds)
	}
	ext := v["embed"].(map[string]any)["external"].(map[string]any)
	if ext["uri"] != "https://fanfare.example/c/7" || ext["title"] != "Jardins & Cie" || ext["description"] != "Des jardins partagés" || ext["thumb"] == nil {
		t.Errorf("external embed %+v", ext)
	}
	if langs := v["langs"].([]any); len(langs) != 1 || langs[0] != "fr" {
		t.Errorf("langs %v", langs)
	}
	// Reconcile and engagement.
	found, ok, err := p.FindRecent(ctx, text, time.Now().Add(-time.Minute))
	if err != nil || !ok || found.ID != rc.ID {
		t.Errorf("FindRecent = %+v %v %v", found, ok, err)
	}
	pds.SetCounts(RecordKey(postID), 9, 2, 1, 3)
	eng, err := p.Engagement(ctx, []string{rc.ID, "at://" + bskyfake.DID + "/app.bsky.feed.post/3lzzzzzzzzzzz"})
	if err != nil || len(eng) != 1 || eng[rc.ID] != (bots.Engagement{Likes: 9, Shares: 3, Replies: 3}) {
		t.Errorf("Engagement = %+v, %v", eng, err)
	}
	if pds.Logins() != 1 {
		t.Errorf("%d logins, want 1 (the session is kept)", pds.Logins())
	}
}

func TestPublishImageWithoutLinkAndTooLargeThumb(t *testing.T) {
	images := mediatest.NewServer(t)
	small := images.Put("/small.png", mediatest.PNG(40, 20), "image/png")
	big := images.Put("/big.png", mediatest.Padded(MaxThumbBytes+1), "image/png")
	pds := bskyfake.NewServer(t, appPassword)
	p := newTestPublisher(t, pds.URL)
	if _, err := p.Publish(context.Background(), bots.Message{PostID: "a", Text: "image seule", ImageURL: small, ImageAlt: "Une affiche"}); err != nil {
		t.Fatal(err)
	}
	img := pds.Records()[0].Value["embed"].(map[string]any)["images"].([]any)[0].(map[string]any)
	if img["alt"] != "Une affiche" || img["aspectRatio"].(map[string]any)["width"] != float64(40) {
		t.Errorf("image embed %+v", img)
	}
	if _, err := p.Publish(context.Background(), bots.Message{PostID: "b", Text: "trop lourde", Link: "https://fanfare.example/c/1", ImageURL: big}); err != nil {
		t.Fatal(err)
	}
	ext := pds.Records()[1].Value["embed"].(map[string]any)["external"].(map[string]any)
	if ext["thumb"] != nil || ext["title"] != "fanfare.example" {
		t.Errorf("card %+v: want no thumb and the host as title", ext)
	}
}

// TestRetryMeetsTheFirstRecord: after an ambiguous failure, whether the
// publisher reads the key back at once or a later retry meets InvalidSwap,
// there is one record and the receipt is the first one.
func TestRetryMeetsTheFirstRecord(t *testing.T) {
	for _, tt := range nettest.LostAnswers("com.atproto.repo.putRecord", 500) {
		t.Run(tt.Name, func(t *testing.T) {
			pds := bskyfake.NewServer(t, appPassword)
			p := newTestPublisher(t, pds.URL, func(o *Options) { o.HTTPClient = tt.HTTPClient })
			m := bots.Message{PostID: postID, Text: "Financé ! https://fanfare.example/c/7", Link: "https://fanfare.example/c/7"}
			if err := p.Verify(context.Background()); err != nil { // log in before the fault
				t.Fatal(err)
			}
			tt.Inject(pds)
			rc1, err := p.Publish(context.Background(), m)
			if err != nil {
				t.Logf("first attempt: %v", err) // read back found it, or ambiguous
				if bots.ClassifyError(err) != bots.KindAmbiguous {
					t.Fatalf("first attempt: %v, want ambiguous or success", err)
				}
			}
			rc2, err := p.Publish(context.Background(), m)
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			if recs := pds.Records(); len(recs) != 1 || rc2.ID != "at://"+bskyfake.DID+"/app.bsky.feed.post/"+recs[0].RKey {
				t.Fatalf("records %+v, receipt %+v", recs, rc2)
			}
			if rc1.ID != "" && rc1.ID != rc2.ID {
				t.Errorf("receipts differ: %s, %s", rc1.ID, rc2.ID)
			}
		})
	}
	// A different text at the post's key is reported as a duplicate.
	pds := bskyfake.NewServer(t, appPassword)
	p := newTestPublisher(t, pds.URL)
	if _, err := p.Publish(context.Background(), bots.Message{PostID: postID, Text: "version 1"}); err != nil {
		t.Fatal(err)
	}
	_, err := p.Publish(context.Background(), bots.Message{PostID: postID, Text: "version 2"})
	if bots.ClassifyError(err) != bots.KindDuplicate || len(pds.Records()) != 1 {
		t.Errorf("edited text: %v, %d records", err, len(pds.Records()))
	}
}

func TestSessionRefreshAndAuth(t *testing.T) {
	pds := bskyfake.NewServer(t, appPassword)
	p := newTestPublisher(t, pds.URL)
	ctx := context.Background()
	if _, err := p.Publish(ctx, bots.Message{PostID: "1", Text: "un"}); err != nil {
		t.Fatal(err)
	}
	pds.ExpireTokens()
	if _, err := p.Publish(ctx, bots.Message{PostID: "2", Text: "deux"}); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	if pds.Logins() != 1 || pds.Refreshes() != 1 || len(pds.Records()) != 2 {
		t.Errorf("logins %d refreshes %d records %d", pds.Logins(), pds.Refreshes(), len(pds.Records()))
	}
	pds.RevokeSessions()
	_, err := p.Publish(ctx, bots.Message{PostID: "3", Text: "trois"})
	var be *bots.Error
	if !errors.As(err, &be) || be.Kind != bots.KindAuth || !strings.Contains(be.Message, "Invalid identifier or password") {
		t.Errorf("revoked app password: %v", err)
	}
	if err := p.Verify(ctx); bots.ClassifyError(err) != bots.KindAuth {
		t.Errorf("Verify: %v", err)
	}
	wrong := newTestPublisher(t, pds.URL, func(o *Options) { o.AppPassword = "nope" })
	if err := wrong.Verify(ctx); bots.ClassifyError(err) != bots.KindAuth {
		t.Errorf("wrong password: %v", err)
	}
}

func TestErrorsAndRateLimits(t *testing.T) {
	reset := time.Now().Add(3 * time.Minute).Truncate(time.Second)
	tests := []struct {
		name  string
		setup func(*bskyfake.Server)
		text  string
		kind  bots.ErrorKind
		msg   string
		retry time.Time
	}{
		{name: "429", setup: func(s *bskyfake.Server) {
			s.Fail("com.atproto.repo.putRecord", 429, "RateLimitExceeded", "Rate Limit Exceeded", map[string]string{"ratelimit-remaining": "0", "ratelimit-reset": itoa(int(reset.Unix()))})
		}, kind: bots.KindRateLimited, msg: "RateLimitExceeded", retry: reset},
		{name: "invalid record", setup: func(s *bskyfake.Server) {
			s.Fail("com.atproto.repo.putRecord", 400, "InvalidRequest", "Invalid app.bsky.feed.post record", nil)
		}, kind: bots.KindInvalid, msg: "InvalidRequest"},
		{name: "account taken down", setup: func(s *bskyfake.Server) {
			s.Fail("com.atproto.repo.putRecord", 400, "AccountTakedown", "Account has been taken down", nil)
		}, kind: bots.KindAuth},
		{name: "too long: refused without sending", text: strings.Repeat("x", 301), kind: bots.KindInvalid, msg: "301 graphemes"},
		{name: "502", setup: func(s *bskyfake.Server) {
			s.Fail("com.atproto.repo.putRecord", 502, "UpstreamFailure", "bad gateway", nil)
		}, kind: bots.KindAmbiguous},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pds := bskyfake.NewServer(t, appPassword)
			if tt.setup != nil {
				tt.setup(pds)
			}
			p := newTestPublisher(t, pds.URL)
			text := tt.text
			if text == "" {
				text = "post " + tt.name
			}
			_, err := p.Publish(context.Background(), bots.Message{PostID: "p", Text: text})
			var be *bots.Error
			if !errors.As(err, &be) || be.Kind != tt.kind || !strings.Contains(be.Message, tt.msg) || !strings.HasPrefix(be.Error(), "bluesky: ") {
				t.Fatalf("err %v, want %s %q", err, tt.kind, tt.msg)
			}
			if !tt.retry.IsZero() && !be.RetryAt.Equal(tt.retry) {
				t.Errorf("RetryAt %v, want %v", be.RetryAt, tt.retry)
			}
			if len(pds.Records()) != 0 {
				t.Errorf("records %+v", pds.Records())
			}
		})
	}
	// The headers' window is respected without a violation.
	pds := bskyfake.NewServer(t, appPassword)
	pds.SetRateLimit(2, 5*time.Minute)
	p := newTestPublisher(t, pds.URL)
	for i := range 2 {
		if _, err := p.Publish(context.Background(), bots.Message{PostID: itoa(i), Text: "post " + itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := p.Publish(context.Background(), bots.Message{PostID: "3", Text: "post 3"})
	if bots.ClassifyError(err) != bots.KindRateLimited || pds.Violations() != 0 || len(pds.Records()) != 2 {
		t.Errorf("third post: %v, violations %d", err, pds.Violations())
	}
}

// TestCreateRecordWithTakenKeyIsA500 documents why the publisher writes with
// putRecord: the reference PDS answers createRecord on a taken key with a
// bare 500, the fake too.
func TestCreateRecordWithTakenKeyIsA500(t *testing.T) {
	pds := bskyfake.NewServer(t, appPassword)
	p := newTestPublisher(t, pds.URL)
	ctx := context.Background()
	if _, err := p.Publish(ctx, bots.Message{PostID: postID, Text: "un"}); err != nil {
		t.Fatal(err)
	}
	body := map[string]any{"repo": bskyfake.DID, "collection": PostCollection, "rkey": RecordKey(postID),
		"record": PostRecord{Type: PostCollection, Text: "un", CreatedAt: time.Now().UTC().Format(time.RFC3339)}}
	err := p.c.do(ctx, call{op: "create record", nsid: "com.atproto.repo.createRecord", post: true, body: body}, nil)
	if be := (*bots.Error)(nil); !errors.As(err, &be) || be.Status != 500 || be.Kind != bots.KindAmbiguous {
		t.Errorf("createRecord on a taken key: %v", err)
	}
}

// TestShortLinkLeadsToTheTaggedLink: the composer writes the link short (host
// and path); its facet leads to the message's full, tagged link.
func TestShortLinkLeadsToTheTaggedLink(t *testing.T) {
	pds := bskyfake.NewServer(t, appPassword)
	p := newTestPublisher(t, pds.URL)
	link := "https://fanfare.example/c/7?utm_source=bluesky&utm_content=percent%3A50"
	text := "Jardins & Cie à 50 % ! fanfare.example/c/7 et https://autre.example/x #jardin"
	if _, err := p.Publish(context.Background(), bots.Message{PostID: postID, Text: text, Link: link}); err != nil {
		t.Fatal(err)
	}
	var uris []string
	for _, f := range pds.Records()[0].Value["facets"].([]any) {
		feat := f.(map[string]any)["features"].([]any)[0].(map[string]any)
		if feat["$type"] == FeatureLink {
			uris = append(uris, feat["uri"].(string))
		}
	}
	if want := []string{link, "https://autre.example/x"}; strings.Join(uris, " ") != strings.Join(want, " ") {
		t.Errorf("link facets %q, want %q (the short link to the tagged one, another link as written)", uris, want)
	}
}

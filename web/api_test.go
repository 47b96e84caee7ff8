package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
)

// api calls the API with the manager token and decodes the answer into out.
func (e *env) api(method, path, body string, out any) (int, apiError) {
	e.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, e.ts.URL+path, r)
	req.Header.Set("Authorization", "Bearer "+testToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp := e.browser().do(req)
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 {
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			e.t.Errorf("%s %s: error with content type %q", method, path, ct)
		}
		var er struct {
			Error apiError `json:"error"`
		}
		if err := json.Unmarshal(raw, &er); err != nil || er.Error.Code == "" || er.Error.Message == "" {
			e.t.Errorf("%s %s: %d without the error shape: %s", method, path, resp.StatusCode, raw)
		}
		return resp.StatusCode, er.Error
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
	return resp.StatusCode, apiError{}
}

func TestAPIPosts(t *testing.T) {
	e := newEnv(t, nil)
	for i := range 7 {
		milestonePair(t, e.queue, fmt.Sprint(40+i), "percent:50")
		e.clock.Advance(time.Second)
	}
	var l List[content.Post]
	if st, _ := e.api("GET", "/api/v1/posts?state=pending&limit=5&offset=10", "", &l); st != 200 || l.Total != 14 || len(l.Items) != 4 || l.Offset != 10 || l.Limit != 5 {
		t.Fatalf("page: %d total=%d items=%d", st, l.Total, len(l.Items))
	}
	if st, _ := e.api("GET", "/api/v1/posts?network=facebook&campaign_id=42", "", &l); st != 200 || l.Total != 1 || l.Items[0].Network != "facebook" {
		t.Errorf("filter: %d %+v", st, l)
	}
	for _, q := range []string{"state=nope", "limit=0", "limit=501", "offset=-1", "limit=x"} {
		st, er := e.api("GET", "/api/v1/posts?"+q, "", nil)
		if st != 400 || er.Code != "invalid" || er.Field == "" {
			t.Errorf("%s: %d %+v", q, st, er)
		}
	}
	id := l.Items[0].ID
	var p content.Post
	if st, _ := e.api("GET", "/api/v1/posts/"+id, "", &p); st != 200 || p.ID != id {
		t.Errorf("get: %d %+v", st, p)
	}
	if st, er := e.api("GET", "/api/v1/posts/nope", "", nil); st != 404 || er.Code != "not_found" {
		t.Errorf("missing: %d %+v", st, er)
	}
	// edit
	if st, _ := e.api("PATCH", "/api/v1/posts/"+id, `{"text":"Nouveau texte","not_after":"2026-04-01T00:00:00Z"}`, &p); st != 200 || p.Text != "Nouveau texte" || p.NotAfter.IsZero() {
		t.Errorf("patch: %d %+v", st, p)
	}
	if st, er := e.api("PATCH", "/api/v1/posts/"+id, `{"scheduled_at":"2026-03-10T09:00:00Z"}`, nil); st != 422 || er.Field != "scheduled_at" {
		t.Errorf("a slot in the past: %d %+v", st, er)
	}
	if st, er := e.api("PATCH", "/api/v1/posts/"+id, `{"text":"x","colour":"red"}`, nil); st != 400 || er.Field != "colour" {
		t.Errorf("unknown field: %d %+v", st, er)
	}
	if st, er := e.api("PATCH", "/api/v1/posts/"+id, `{"text":`, nil); st != 400 || er.Code != "invalid" {
		t.Errorf("malformed: %d %+v", st, er)
	}
	if st, er := e.api("PATCH", "/api/v1/posts/"+id, `{"text":12}`, nil); st != 400 || er.Field != "text" {
		t.Errorf("wrong type: %d %+v", st, er)
	}
	if st, er := e.api("PATCH", "/api/v1/posts/"+id, `{"text":"`+strings.Repeat("é", 70000)+`"}`, nil); st != 422 || er.Field != "text" {
		t.Errorf("too long for facebook: %d %+v", st, er)
	}
	if st, er := e.api("PATCH", "/api/v1/posts/"+id, `{"text":"`+strings.Repeat("a", maxBody)+`"}`, nil); st != 413 || er.Code != "too_large" {
		t.Errorf("over 1 MiB: %d %+v", st, er)
	}
	// reject needs a reason; approve; wrong state
	if st, er := e.api("POST", "/api/v1/posts/"+id+"/reject", `{}`, nil); st != 422 || er.Field != "reason" {
		t.Errorf("reject without reason: %d %+v", st, er)
	}
	if st, er := e.api("POST", "/api/v1/posts/"+id+"/reject", ``, nil); st != 400 || er.Code != "invalid" {
		t.Errorf("reject without body: %d %+v", st, er)
	}
	if st, _ := e.api("POST", "/api/v1/posts/"+id+"/approve", "", &p); st != 200 || p.State != content.StateApproved {
		t.Errorf("approve: %d %s", st, p.State)
	}
	if st, er := e.api("POST", "/api/v1/posts/"+id+"/approve", "", nil); st != 409 || er.Code != "wrong_state" {
		t.Errorf("approve twice: %d %+v", st, er)
	}
	if st, er := e.api("POST", "/api/v1/posts/"+id+"/approve", `{"force":true}`, nil); st != 400 || er.Field != "force" {
		t.Errorf("approve with unknown field: %d %+v", st, er)
	}
	e.api("GET", "/api/v1/posts?state=pending&limit=1", "", &l)
	other := l.Items[0].ID
	if st, _ := e.api("POST", "/api/v1/posts/"+other+"/reject", `{"reason":"duplicate news"}`, &p); st != 200 || p.State != content.StateRejected {
		t.Errorf("reject: %d %s", st, p.State)
	}
}

func TestAPIRetryAndResolve(t *testing.T) {
	e := newEnv(t, nil)
	failed := e.queue.add(content.Post{Network: "x", State: content.StateFailed, Text: "a", LastError: "nope"})
	unknown := e.queue.add(content.Post{Network: "x", State: content.StateUnknown, Text: "b"})
	other := e.queue.add(content.Post{Network: "x", State: content.StateUnknown, Text: "c"})
	var p content.Post
	if st, _ := e.api("POST", "/api/v1/posts/"+failed.ID+"/retry", "", &p); st != 200 || p.State != content.StateApproved {
		t.Errorf("retry: %d %s", st, p.State)
	}
	if st, er := e.api("POST", "/api/v1/posts/"+failed.ID+"/retry", "", nil); st != 409 {
		t.Errorf("retry approved: %d %+v", st, er)
	}
	for body, field := range map[string]string{`{}`: "published", `{"published":true}`: "url", `{"published":false}`: "reason"} {
		if st, er := e.api("POST", "/api/v1/posts/"+unknown.ID+"/resolve", body, nil); st != 422 || er.Field != field {
			t.Errorf("%s: %d %+v", body, st, er)
		}
	}
	if st, _ := e.api("POST", "/api/v1/posts/"+unknown.ID+"/resolve", `{"published":true,"url":"https://x.com/fanfare/status/1"}`, &p); st != 200 || p.State != content.StatePublished || p.ExternalURL == "" {
		t.Errorf("resolve published: %d %+v", st, p)
	}
	if st, _ := e.api("POST", "/api/v1/posts/"+other.ID+"/resolve", `{"published":false,"reason":"not on the account"}`, &p); st != 200 || p.State == content.StateUnknown {
		t.Errorf("resolve discarded: %d %s", st, p.State)
	}
}

func TestAPICreateManualPost(t *testing.T) {
	e := newEnv(t, nil)
	var l List[content.Post]
	st, _ := e.api("POST", "/api/v1/posts", `{"networks":["x","facebook"],"text":"Live ce soir !","link":"https://example.org/live","lang":"fr","approve":true,"scheduled_at":"2026-03-10T19:00:00Z"}`, &l)
	if st != 201 || len(l.Items) != 2 {
		t.Fatalf("create: %d %+v", st, l)
	}
	for _, p := range l.Items {
		if p.State != content.StateApproved || p.Kind != content.KindManual || p.GroupID != l.Items[0].GroupID || p.Audit[0].Actor != "api:ci" {
			t.Errorf("post %+v", p)
		}
	}
	for body, field := range map[string]string{
		`{"networks":[],"text":"a"}`:                                          "networks",
		`{"networks":["mastodon"],"text":"a"}`:                                "networks",
		`{"networks":["x"],"text":"  "}`:                                      "text",
		`{"networks":["x"],"text":"a","link":"ftp://x"}`:                      "link",
		`{"networks":["x"],"text":"a","image_url":"http://i"}`:                "image_url",
		`{"networks":["x"],"text":"` + strings.Repeat("a", 300) + `"}`:        "text",
		`{"networks":["x"],"text":"a","scheduled_at":"2020-01-01T00:00:00Z"}`: "scheduled_at",
	} {
		if st, er := e.api("POST", "/api/v1/posts", body, nil); st != 422 || er.Field != field {
			t.Errorf("%.60s: %d %+v, want field %s", body, st, er, field)
		}
	}
}

func TestAPICampaigns(t *testing.T) {
	e := newEnv(t, nil)
	c := testCampaign(e.clock.Now())
	e.camps.put(c, []campaigns.FiredMilestone{{Milestone: "launch", At: c.LaunchedAt, Posted: true}},
		[]campaigns.Sample{{At: c.LaunchedAt, Pledged: 0}, {At: e.clock.Now(), Pledged: c.Pledged}})
	done := c
	done.ID, done.State = "7", campaigns.StateSuccessful
	e.camps.put(done, nil, nil)
	var l List[campaigns.Campaign]
	if st, _ := e.api("GET", "/api/v1/campaigns?state=live", "", &l); st != 200 || l.Total != 1 || l.Items[0].ID != "42" {
		t.Errorf("list live: %d %+v", st, l)
	}
	if st, _ := e.api("GET", "/api/v1/campaigns?limit=1&offset=1", "", &l); st != 200 || l.Total != 2 || len(l.Items) != 1 || l.Items[0].ID != "7" {
		t.Errorf("paging: %d %+v", st, l)
	}
	if st, er := e.api("GET", "/api/v1/campaigns?state=won", "", nil); st != 400 || er.Field != "state" {
		t.Errorf("bad state: %d %+v", st, er)
	}
	var d campaignDetail
	if st, _ := e.api("GET", "/api/v1/campaigns/42", "", &d); st != 200 || d.Campaign.ID != "42" || len(d.Milestones) != 1 || len(d.History) != 2 {
		t.Errorf("detail: %d %+v", st, d)
	}
	var raw map[string]any
	e.api("GET", "/api/v1/campaigns/7", "", &raw)
	if _, ok := raw["milestones"].([]any); !ok {
		t.Errorf("empty milestones must be [], got %v", raw["milestones"])
	}
	if st, er := e.api("GET", "/api/v1/campaigns/nope", "", nil); st != 404 || er.Code != "not_found" {
		t.Errorf("missing: %d %+v", st, er)
	}
}

func TestAPIFeedsAuditNetworks(t *testing.T) {
	e := newEnv(t, nil)
	if st, _ := e.api("POST", "/api/v1/feeds", `{"url":"https://blog.example.org/feed","keywords":["jeu"],"networks":["x"]}`, nil); st != 201 {
		t.Errorf("add: %d", st)
	}
	e.feeds.feeds = append(e.feeds.feeds, content.FeedStatus{Feed: content.Feed{URL: "https://press.example.org/rss", FromConfig: true}})
	if st, er := e.api("POST", "/api/v1/feeds", `{"url":"https://press.example.org/rss"}`, nil); st != 409 || er.Code != "conflict" {
		t.Errorf("add over a config feed: %d %+v", st, er)
	}
	if st, er := e.api("DELETE", "/api/v1/feeds?url=https://press.example.org/rss", "", nil); st != 409 || er.Code != "conflict" {
		t.Errorf("remove a config feed: %d %+v", st, er)
	}
	if st, er := e.api("DELETE", "/api/v1/feeds?url=https://nowhere.example.org/rss", "", nil); st != 404 || er.Code != "not_found" {
		t.Errorf("remove a missing feed: %d %+v", st, er)
	}
	if st, er := e.api("POST", "/api/v1/feeds", `{"url":"file:///etc/passwd"}`, nil); st != 422 || er.Field != "url" {
		t.Errorf("bad url: %d %+v", st, er)
	}
	var fl List[content.FeedStatus]
	if st, _ := e.api("GET", "/api/v1/feeds?limit=1", "", &fl); st != 200 || fl.Total != 2 || len(fl.Items) != 1 || fl.Items[0].Keywords[0] != "jeu" {
		t.Errorf("list: %d %+v", st, fl)
	}
	if st, er := e.api("DELETE", "/api/v1/feeds", "", nil); st != 400 || er.Field != "url" {
		t.Errorf("delete without url: %d %+v", st, er)
	}
	if st, _ := e.api("DELETE", "/api/v1/feeds?url=https://blog.example.org/feed", "", nil); st != 204 {
		t.Errorf("delete: %d", st)
	}
	milestonePair(t, e.queue, "42", "launch")
	var al List[content.AuditLine]
	if st, _ := e.api("GET", "/api/v1/audit?limit=1", "", &al); st != 200 || len(al.Items) != 1 || al.Items[0].Actor != "system:composer" {
		t.Errorf("audit: %d %+v", st, al)
	}
	var nl List[map[string]any]
	if st, _ := e.api("GET", "/api/v1/networks", "", &nl); st != 200 || nl.Total != 2 {
		t.Errorf("networks: %d %+v", st, nl)
	}
}

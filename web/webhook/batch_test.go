package webhook

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
)

type healthLog struct {
	mu   sync.Mutex
	runs []campaigns.SourceRun
}

func (h *healthLog) RecordRun(_ context.Context, source string, run campaigns.SourceRun) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if source != campaigns.SourceWebhook {
		panic(source)
	}
	h.runs = append(h.runs, run)
	return nil
}

// post delivers a body signed now and returns the raw answer.
func post(t *testing.T, h http.Handler, body []byte) (int, []byte) {
	t.Helper()
	code, _, raw := deliver(t, h, body, Sign("whsec_current", testNow, body))
	return code, []byte(raw)
}

// A batch of six where one creator's X handle is not a handle: the five
// others are stored, the sixth is named with its field and reason, and the
// delivery is recorded in the source health.
func TestBatchOfSixWithOneBadHandle(t *testing.T) {
	var batch []any
	for i, id := range []string{"ks-101", "ks-102", "ks-103", "ks-104", "ks-105", "ks-106"} {
		c := campaignMap(id)
		if i == 3 {
			c["creator"] = map[string]any{"name": "Les Éditions du Phare", "x_handle": "@editions du phare"}
		}
		batch = append(batch, c)
	}
	ing, health := &fakeIngester{}, &healthLog{}
	h := newTestHandler(t, Options{Secrets: []string{"whsec_current"}, Ingester: ing, Now: func() time.Time { return testNow },
		Logger: discardLogger(), Health: health})
	code, raw := post(t, h, mustJSON(t, map[string]any{"campaigns": batch}))
	if code != http.StatusAccepted {
		t.Fatalf("status %d: %s", code, raw)
	}
	var res Response
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatal(err)
	}
	if res.Accepted != 5 || len(res.Rejected) != 1 {
		t.Fatalf("response = %s", raw)
	}
	if rj := res.Rejected[0]; rj.ID != "ks-104" || rj.Field != "campaigns[3].creator.x_handle" || !strings.Contains(rj.Message, "is not an X handle") {
		t.Errorf("rejected = %+v", rj)
	}
	if len(ing.calls) != 1 || len(ing.calls[0]) != 5 {
		t.Errorf("ingested %v", ing.calls)
	}
	run := health.runs[0]
	if run.Records != 6 || run.Accepted != 5 || run.Rejected != 1 || run.Failed() || run.Rejections[0].Where != "campaigns[3]" {
		t.Errorf("health run = %+v", run)
	}
}

// When every campaign is refused the answer is a 400 that still lists them
// all, and the source health says the delivery failed.
func TestBatchAllRejected(t *testing.T) {
	health := &healthLog{}
	h := newTestHandler(t, Options{Secrets: []string{"whsec_current"}, Ingester: &fakeIngester{}, Now: func() time.Time { return testNow },
		Logger: discardLogger(), Health: health})
	body := mustJSON(t, map[string]any{"campaigns": []any{
		with(campaignMap("a"), "url", "https://platform.example@phish.example/a"),
		with(campaignMap("b"), "pledged", json.Number("2750.00")),
	}})
	code, raw := post(t, h, body)
	var eb ErrorBody
	if err := json.Unmarshal(raw, &eb); err != nil || code != http.StatusBadRequest {
		t.Fatalf("status %d body %s", code, raw)
	}
	if eb.Error.Field != "campaigns[0].url" || len(eb.Rejected) != 2 || eb.Rejected[1].Field != "campaigns[1].pledged" {
		t.Errorf("body = %s", raw)
	}
	if run := health.runs[0]; !run.Failed() || run.Rejected != 2 || !strings.Contains(run.Problem(), "campaigns[0]: campaigns[0].url") {
		t.Errorf("health run = %+v (%q)", run, run.Problem())
	}
	// A body that is not a campaign at all is a failed delivery too.
	code, _ = post(t, h, []byte(`{"campaigns":{}}`))
	if code != http.StatusBadRequest || len(health.runs) != 2 || !strings.Contains(health.runs[1].Error, "campaigns: must be an array") {
		t.Errorf("status %d, runs %+v", code, health.runs)
	}
}

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/web"
)

// The platform renames a field of its listing: the daemon's poll fails, and
// the operator sees it in the API and in /metrics, while /readyz stays ready
// (the dashboard and the webhook still work).
func TestFailingPollIsVisible(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "campaigns", "mapping", "testdata", "ulule-search.json"))
	if err != nil {
		t.Fatal(err)
	}
	listing := strings.ReplaceAll(string(raw), `"amount_raised"`, `"amount"`)
	platform := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, listing)
	}))
	defer platform.Close()
	m := startMain(t, testConfig(t, fmt.Sprintf(`
campaigns:
  poll:
    url: %s/v1/search/projects
    preset: ulule
    items_path: projects
schedule:
  poll: "@every 1s"
http:
  metrics_public: true
%s`, platform.URL, e2eAPITokenYAML("admin"))))

	get := func(path string) (int, string) {
		req, _ := http.NewRequest("GET", m.URL()+path, nil)
		req.Header.Set("Authorization", "Bearer "+e2eAPIToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	var list web.List[campaigns.SourceHealth]
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		_, body := get("/api/v1/sources")
		if err := json.Unmarshal([]byte(body), &list); err == nil && list.Total > 0 {
			break
		}
	}
	if list.Total != 1 || list.Items[0].Source != "poll" || !list.Items[0].Failing ||
		!strings.Contains(list.Items[0].LastError, `mapping.pledged "amount_raised" matched none of the 4 records`) {
		t.Fatalf("GET /api/v1/sources = %+v", list)
	}
	_, metrics := get("/metrics")
	if !strings.Contains(metrics, `fanfare_source_failing{source="poll"} 1`) || !strings.Contains(metrics, `fanfare_source_records_total{outcome="rejected",source="poll"}`) {
		t.Errorf("/metrics lacks the source health:\n%s", grepLines(metrics, "fanfare_source_"))
	}
	if code, body := get("/readyz"); code != http.StatusOK {
		t.Errorf("/readyz = %d %s", code, body)
	}
}

func grepLines(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

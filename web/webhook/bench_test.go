package webhook

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkHandler measures a signed 100-campaign batch through the whole
// handler (signature, strict parse, validation) with a no-op ingester.
func BenchmarkHandler(b *testing.B) {
	items := make([]any, 100)
	for i := range items {
		items[i] = campaignMap(fmt.Sprint(i))
	}
	body := mustJSON(b, map[string]any{"campaigns": items})
	h := newTestHandler(b, Options{Secrets: []string{"s"}, Ingester: &fakeIngester{}, Now: func() time.Time { return testNow }, Logger: discardLogger()})
	header := Sign("s", testNow, body)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/hooks/campaigns", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(SignatureHeader, header)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusAccepted {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	b.ReportMetric(float64(b.N*len(items))/b.Elapsed().Seconds(), "campaigns/s")
}

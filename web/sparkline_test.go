package web

import (
	"encoding/xml"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
)

func TestSparkline(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	sample := func(h int, p int64) campaigns.Sample {
		return campaigns.Sample{At: t0.Add(time.Duration(h) * time.Hour), Pledged: p}
	}
	cases := []struct {
		name    string
		samples []campaigns.Sample
		goal    int64
	}{
		{"rising past goal", []campaigns.Sample{sample(0, 0), sample(1, 500), sample(5, 900), sample(48, 1500)}, 1000},
		{"one sample", []campaigns.Sample{sample(0, 300)}, 1000},
		{"same instant", []campaigns.Sample{sample(0, 1), sample(0, 2), sample(0, 3)}, 0},
		{"refund", []campaigns.Sample{sample(0, 800), sample(2, 400)}, 1000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := string(Sparkline(tc.samples, tc.goal, 200, 40, "pledges"))
			var svg struct {
				Polyline struct {
					Points string `xml:"points,attr"`
				} `xml:"polyline"`
				Line []struct{} `xml:"line"`
			}
			if err := xml.Unmarshal([]byte(out), &svg); err != nil {
				t.Fatalf("not XML: %v\n%s", err, out)
			}
			pts := strings.Fields(svg.Polyline.Points)
			if len(pts) != len(tc.samples) {
				t.Fatalf("%d points for %d samples", len(pts), len(tc.samples))
			}
			prevX := -1.0
			for i, p := range pts {
				xs, ys, _ := strings.Cut(p, ",")
				x, err1 := strconv.ParseFloat(xs, 64)
				y, err2 := strconv.ParseFloat(ys, 64)
				if err1 != nil || err2 != nil || x < 0 || x > 200 || y < 0 || y > 40 {
					t.Errorf("point %d %q outside the 200x40 box", i, p)
				}
				if x < prevX {
					t.Errorf("point %d goes back in time", i)
				}
				prevX = x
				// higher pledge, higher on screen (smaller y)
				if i > 0 {
					_, pys, _ := strings.Cut(pts[i-1], ",")
					py, _ := strconv.ParseFloat(pys, 64)
					if (tc.samples[i].Pledged > tc.samples[i-1].Pledged) != (y < py) && tc.samples[i].Pledged != tc.samples[i-1].Pledged {
						t.Errorf("point %d: pledge %d→%d but y %.1f→%.1f", i, tc.samples[i-1].Pledged, tc.samples[i].Pledged, py, y)
					}
				}
			}
			if (tc.goal > 0) != (len(svg.Line) == 1) {
				t.Errorf("goal line drawn %d times for goal %d", len(svg.Line), tc.goal)
			}
			if strings.Contains(out, "style=") {
				t.Error("inline style: the CSP blocks it")
			}
		})
	}
	if Sparkline(nil, 100, 200, 40, "pledges") != "" {
		t.Error("no samples must draw nothing")
	}
}

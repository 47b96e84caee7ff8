package curator

import (
	"context"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/content"
)

// A feed's schedule is read in the platform's time zone: "0 14 * * *" in
// Paris is 13:00 UTC in March (CET), not 14:00 UTC.
func TestRefreshAll_ScheduleInLocation(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatalf("time zone data: %v", err)
	}
	fx := newFixture(t, Options{Location: paris})
	var n atomic.Int64
	u := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
		io.WriteString(w, rss("News"))
	})
	mustAdd(t, fx.c, content.Feed{URL: u, Schedule: "0 14 * * *"})
	// t0 is 12:00 UTC, 13:00 in Paris.
	steps := []struct {
		advance time.Duration
		fetches int64
	}{{0, 1}, {30 * time.Minute, 1}, {30 * time.Minute, 2}, {time.Hour, 2}, {23 * time.Hour, 3}}
	for i, s := range steps {
		fx.clock.Add(s.advance)
		if _, err := fx.c.RefreshAll(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n.Load() != s.fetches {
			t.Errorf("step %d (%s UTC): %d fetches; want %d", i, fx.clock.Now().UTC().Format("15:04"), n.Load(), s.fetches)
		}
	}
}

func TestIsDue(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatalf("time zone data: %v", err)
	}
	last := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC) // 13:00 Paris
	tests := []struct {
		spec string
		loc  *time.Location
		now  time.Time
		want bool
	}{
		{"0 14 * * *", paris, last.Add(59 * time.Minute), false},
		{"0 14 * * *", paris, last.Add(time.Hour), true},
		{"0 14 * * *", time.UTC, last.Add(time.Hour), false},
		{"0 14 * * *", time.UTC, last.Add(2 * time.Hour), true},
		// CRON_TZ wins over the location.
		{"CRON_TZ=UTC 0 14 * * *", paris, last.Add(time.Hour), false},
		// A seconds field, as schedule.* accepts.
		{"30 0 13 * * *", paris, last.Add(29 * time.Second), false},
		{"30 0 13 * * *", paris, last.Add(30 * time.Second), true},
		{"30 0 13 * * *", time.UTC, last.Add(30 * time.Second), false},
		{"30 0 13 * * *", time.UTC, last.Add(time.Hour + 30*time.Second), true},
		{"@every 30m", paris, last.Add(29 * time.Minute), false},
		{"@every 30m", paris, last.Add(30 * time.Minute), true},
	}
	for _, tt := range tests {
		f := content.FeedStatus{Feed: content.Feed{Schedule: tt.spec}, LastFetch: last}
		if got := isDue(f, tt.now, tt.loc); got != tt.want {
			t.Errorf("isDue(%q in %s, now %s) = %v, want %v", tt.spec, tt.loc, tt.now.Format(time.TimeOnly), got, tt.want)
		}
	}
}

func TestNormalizeFeedSchedules(t *testing.T) {
	for _, spec := range []string{"30 0 9 * * *", "@every 45s", "CRON_TZ=Europe/Paris 0 8 * * 1-5", "@daily"} {
		if _, err := NormalizeFeed(content.Feed{URL: "https://a.example/", Schedule: spec}); err != nil {
			t.Errorf("%q: %v", spec, err)
		}
	}
	for _, spec := range []string{"every hour", "@every 100ms", "61 * * * *"} {
		if _, err := NormalizeFeed(content.Feed{URL: "https://a.example/", Schedule: spec}); err == nil {
			t.Errorf("%q accepted", spec)
		}
	}
}

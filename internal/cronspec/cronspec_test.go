package cronspec

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	base := time.Date(2026, 11, 26, 10, 0, 7, 300e6, time.UTC)
	tests := []struct {
		spec    string
		next    time.Time
		wantErr string
	}{
		{spec: "@every 5s", next: time.Date(2026, 11, 26, 10, 0, 10, 0, time.UTC)},
		{spec: "@every 1m", next: time.Date(2026, 11, 26, 10, 1, 0, 0, time.UTC)},
		{spec: "*/15 * * * *", next: time.Date(2026, 11, 26, 10, 15, 0, 0, time.UTC)},
		{spec: "30 * * * * *", next: time.Date(2026, 11, 26, 10, 0, 30, 0, time.UTC)},
		{spec: "CRON_TZ=Europe/Paris 0 10 * * 2", next: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)},
		{spec: "@hourly", next: time.Date(2026, 11, 26, 11, 0, 0, 0, time.UTC)},
		{spec: "every 5s", wantErr: `cron spec "every 5s"`},
		{spec: "@every 100ms", wantErr: "at least 1s"},
		{spec: "61 * * * *", wantErr: "cron spec"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			s, err := Parse(tt.spec)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse(%q) error = %v, want %q", tt.spec, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Next(base); !got.Equal(tt.next) {
				t.Fatalf("Next = %v, want %v", got, tt.next)
			}
		})
	}
}

func TestTickIsSharedByReplicas(t *testing.T) {
	s, _ := Parse("@every 5s")
	a := Tick(s, time.Date(2026, 1, 1, 0, 0, 10, 3e6, time.UTC))
	b := Tick(s, time.Date(2026, 1, 1, 0, 0, 10, 900e6, time.UTC))
	if !a.Equal(b) || a.Second() != 10 {
		t.Fatalf("ticks differ: %v vs %v", a, b)
	}
}

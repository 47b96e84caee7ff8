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

func TestTickOfSpecIsLastActivation(t *testing.T) {
	tests := []struct {
		spec string
		now  time.Time
		want time.Time
	}{
		// A run that starts 3.2s late still belongs to the :00 tick.
		{"*/15 * * * *", time.Date(2026, 1, 1, 10, 15, 3, 200e6, time.UTC), time.Date(2026, 1, 1, 10, 15, 0, 0, time.UTC)},
		{"* * * * * *", time.Date(2026, 1, 1, 10, 15, 3, 200e6, time.UTC), time.Date(2026, 1, 1, 10, 15, 3, 0, time.UTC)},
		{"@hourly", time.Date(2026, 1, 1, 10, 59, 59, 0, time.UTC), time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)},
		{"0 10 * * 2", time.Date(2025, 12, 30, 10, 0, 42, 0, time.UTC), time.Date(2025, 12, 30, 10, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		s, err := Parse(tt.spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := Tick(s, tt.now); !got.Equal(tt.want) {
			t.Errorf("Tick(%q, %v) = %v, want %v", tt.spec, tt.now, got, tt.want)
		}
	}
}

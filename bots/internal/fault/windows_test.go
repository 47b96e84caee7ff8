package fault

import (
	"testing"
	"time"
)

func TestWindows(t *testing.T) {
	var ws Windows
	ws.SetLimit(2, time.Minute)
	t0 := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	if w := ws.Peek("a", t0); w.Remaining != 2 || !w.Reset.Equal(t0.Add(time.Minute)) {
		t.Fatalf("peek %+v", w)
	}
	for i, want := range []int{1, 0} {
		if w, ok := ws.Take("a", t0.Add(time.Duration(i)*time.Second)); !ok || w.Remaining != want || !w.Reset.Equal(t0.Add(time.Minute)) {
			t.Fatalf("take %d: %+v %v", i, w, ok)
		}
	}
	if w, ok := ws.Take("a", t0.Add(59*time.Second)); ok || w.Remaining != 0 || ws.Violations() != 1 {
		t.Fatalf("spent window: %+v %v, %d violations", w, ok, ws.Violations())
	}
	if _, ok := ws.Take("b", t0); !ok {
		t.Fatal("another route has its own window")
	}
	// The next window starts at the first request after the last one ended.
	t1 := t0.Add(90 * time.Second)
	if w, ok := ws.Take("a", t1); !ok || w.Remaining != 1 || !w.Reset.Equal(t1.Add(time.Minute)) {
		t.Fatalf("new window: %+v %v", w, ok)
	}
}

package server

import (
	"log/slog"
	"testing"
	"time"
)

// fakeTimer is a tallyLog timer that fires only when the test says.
type fakeTimer struct {
	at      time.Time
	f       func()
	stopped bool
}

func (f *fakeTimer) Stop() bool { f.stopped = true; return true }

// A flood of events is at most a line a second per kind, and every event is
// counted in some line: the first at once, the rest when their second ends
// (a timer), or at flush.
func TestTallyLog(t *testing.T) {
	rec := newRecorder()
	l := newTallyLog(slog.New(rec))
	now := time.Unix(1000, 0)
	var timers []*fakeTimer
	l.clock = func() time.Time { return now }
	l.after = func(d time.Duration, f func()) stopper {
		ft := &fakeTimer{at: now.Add(d), f: f}
		timers = append(timers, ft)
		return ft
	}
	fire := func() { // the clock reaches the last timer, which fires
		ft := timers[len(timers)-1]
		now = ft.at
		ft.f()
	}
	lines := func() int { rec.mu.Lock(); defer rec.mu.Unlock(); return len(rec.records) }
	add := func(n int, kind string) {
		for range n {
			l.add(kind, slog.LevelWarn, "refused connections", "reason", kind)
			now = now.Add(time.Millisecond)
		}
	}

	add(1, "a")
	if lines() != 1 || len(timers) != 0 {
		t.Fatalf("the first event: %d lines, %d timers; want it written at once", lines(), len(timers))
	}
	add(500, "a") // within the same second
	if lines() != 1 || len(timers) != 1 {
		t.Fatalf("500 more within the second: %d lines, %d timers; want one line due", lines(), len(timers))
	}
	add(300, "b") // another kind has its own second
	if lines() != 2 {
		t.Fatalf("another kind: %d lines; want its first at once", lines())
	}
	fire() // b's second ends
	fire2 := timers[0]
	now = fire2.at
	fire2.f() // a's second ends
	if lines() != 4 {
		t.Fatalf("both seconds ended: %d lines; want 4", lines())
	}
	if a, b := countOf(rec, "refused connections", func(r slog.Record) bool { return attr(r, "reason") == "a" }),
		countOf(rec, "refused connections", func(r slog.Record) bool { return attr(r, "reason") == "b" }); a != 501 || b != 300 {
		t.Errorf("counted %d of a and %d of b; want 501 and 300", a, b)
	}
	add(2, "a") // within a second of a's last line: due later
	l.flush()
	if got := countOf(rec, "refused connections", func(r slog.Record) bool { return attr(r, "reason") == "a" }); got != 503 {
		t.Errorf("after flush, %d of a counted; want 503", got)
	}
	if !timers[len(timers)-1].stopped {
		t.Error("flush left a timer running")
	}
	now = now.Add(2 * time.Second)
	add(1, "a") // quiet for a second: at once again
	if got := countOf(rec, "refused connections", nil); got != 804 {
		t.Errorf("%d counted in all; want 804", got)
	}
}

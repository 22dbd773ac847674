package server

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// tallyEvery is how often at most a tallyLog writes a line of one kind.
const tallyEvery = time.Second

// tallyLog writes events that can come in floods (refused connections,
// accept errors) without letting them flood the log, and without losing
// any: for each kind, the first event after a quiet second is written at
// once; those that follow within the second are counted, and written
// together in one line when it ends, with their count and the attributes
// of the last of them. flush writes what is still pending, at once.
type tallyLog struct {
	log   *slog.Logger
	clock func() time.Time                    // time.Now; tests swap it
	after func(time.Duration, func()) stopper // time.AfterFunc; tests swap it

	mu sync.Mutex
	by map[string]*tally
}

// stopper is what a timer offers: time.AfterFunc's *time.Timer.
type stopper interface{ Stop() bool }

// tally is one kind's events since its last line.
type tally struct {
	level   slog.Level
	msg     string
	attrs   []any     // the last event's
	count   int64     // events since the last line
	written time.Time // when the last line was written
	timer   stopper   // the pending line, if one is due
}

func newTallyLog(log *slog.Logger) *tallyLog {
	return &tallyLog{
		log: log, clock: time.Now,
		after: func(d time.Duration, f func()) stopper { return time.AfterFunc(d, f) },
		by:    make(map[string]*tally),
	}
}

// add counts one event of kind, to be written at level as msg with attrs
// (those of the last event of a second are written) and its count, under
// the key "count".
func (l *tallyLog) add(kind string, level slog.Level, msg string, attrs ...any) {
	now := l.clock()
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.by[kind]
	if t == nil {
		t = &tally{}
		l.by[kind] = t
	}
	t.level, t.msg, t.attrs = level, msg, attrs
	t.count++
	switch {
	case t.timer != nil: // a line is already due
	case now.Sub(t.written) >= tallyEvery:
		l.writeLocked(t, now)
	default:
		t.timer = l.after(t.written.Add(tallyEvery).Sub(now), func() { l.due(kind) })
	}
}

// due writes the line a timer was set for.
func (l *tallyLog) due(kind string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t := l.by[kind]; t != nil && t.timer != nil {
		t.timer = nil
		if t.count > 0 {
			l.writeLocked(t, l.clock())
		}
	}
}

// flush writes every count still pending, at once: the server is stopping.
func (l *tallyLog) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock()
	for _, t := range l.by {
		if t.timer != nil {
			t.timer.Stop()
			t.timer = nil
		}
		if t.count > 0 {
			l.writeLocked(t, now)
		}
	}
}

func (l *tallyLog) writeLocked(t *tally, now time.Time) {
	l.log.Log(context.Background(), t.level, t.msg, append(t.attrs, "count", t.count)...)
	t.count, t.attrs, t.written = 0, nil, now
}

package server

import (
	"log/slog"
	"net"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The accept back-off doubles while errors go on, and is forgotten only
// after a quiet second: a success between two errors does not reset it,
// which under a lasting shortage of descriptors retried (and logged)
// hundreds of times a second.
func TestAcceptRetry(t *testing.T) {
	t0 := time.Unix(1000, 0)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	var a acceptRetry
	for _, step := range []struct {
		at     time.Time
		failed bool          // an error (else a success)
		want   time.Duration // the back-off after the step
	}{
		{ms(0), true, 5 * time.Millisecond},
		{ms(5), false, 5 * time.Millisecond}, // one success: still short of descriptors
		{ms(6), true, 10 * time.Millisecond},
		{ms(16), true, 20 * time.Millisecond},
		{ms(40), false, 20 * time.Millisecond},
		{ms(41), true, 40 * time.Millisecond},
		{ms(100), true, 80 * time.Millisecond},
		{ms(200), true, 160 * time.Millisecond},
		{ms(400), true, 320 * time.Millisecond},
		{ms(800), true, 640 * time.Millisecond},
		{ms(1500), true, time.Second},
		{ms(2500), true, time.Second},
		{ms(3499), false, time.Second}, // 999 ms after the last error
		{ms(3500), false, 0},           // a quiet second: forgotten
		{ms(3600), true, 5 * time.Millisecond},
	} {
		if step.failed {
			if got := a.failed(step.at); got != step.want {
				t.Fatalf("error at %v: wait %v; want %v", step.at.Sub(t0), got, step.want)
			}
		} else {
			a.accepted(step.at)
		}
		if a.delay != step.want {
			t.Fatalf("after the step at %v: back-off %v; want %v", step.at.Sub(t0), a.delay, step.want)
		}
	}
}

// countOf sums the "count" attribute of the records with message msg.
func countOf(r *recorder, msg string, match func(slog.Record) bool) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var n int64
	for _, rec := range r.records {
		if rec.Message == msg && (match == nil || match(rec)) {
			rec.Attrs(func(a slog.Attr) bool {
				if a.Key == "count" {
					n += a.Value.Int64()
				}
				return true
			})
		}
	}
	return n
}

// flakyListener fails its first Accepts with EMFILE, as a process out of
// descriptors does, then accepts for real.
type flakyListener struct {
	net.Listener
	mu       sync.Mutex
	failures int
	calls    int
}

func (l *flakyListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	l.calls++
	fail := l.calls <= l.failures
	l.mu.Unlock()
	if fail {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	}
	return l.Listener.Accept()
}

// TestAcceptErrorsDoNotStopServe: EMFILE from Accept is retried, not fatal,
// and the connection waiting in the backlog is served once it clears.
func TestAcceptErrorsDoNotStopServe(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &flakyListener{Listener: inner, failures: 4}
	rec := newRecorder()
	s := &Server{Logger: slog.New(rec)}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	c := dial(t, inner.Addr().String())
	defer func() {
		c.Close()
		s.Close()
		<-served
	}()
	errorLines := func() int {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		n := 0
		for _, r := range rec.records {
			if r.Level == slog.LevelError {
				n++
			}
		}
		return n
	}
	defer func() {
		// 4 errors within 75 ms: the first at once, the others counted in
		// the line that follows the second.
		if n := errorLines(); n > 2 {
			t.Errorf("%d error lines for 4 accept errors in a burst; want at most 2", n)
		}
	}()

	reply := make([]byte, 5)
	roundTrip(t, c, []byte("hello"), reply)
	if string(reply) != "HELLO" {
		t.Fatalf("reply %q; want HELLO", reply)
	}
	ln.mu.Lock()
	calls := ln.calls
	ln.mu.Unlock()
	if calls < 5 {
		t.Errorf("Accept called %d times; want the 4 failures retried", calls)
	}
	select {
	case err := <-served:
		t.Fatalf("Serve returned %v after accept errors", err)
	default:
	}
	s.Close() // writes the failures counted but not yet reported
	if n := countOf(rec, "accept failed; retrying", nil); n != 4 {
		t.Errorf("reported %d accept failures; want 4", n)
	}
}

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

func TestBackoff(t *testing.T) {
	tests := []struct{ prev, want time.Duration }{
		{0, 5 * time.Millisecond},
		{5 * time.Millisecond, 10 * time.Millisecond},
		{320 * time.Millisecond, 640 * time.Millisecond},
		{640 * time.Millisecond, time.Second},
		{time.Second, time.Second},
	}
	for _, tc := range tests {
		if got := backoff(tc.prev); got != tc.want {
			t.Errorf("backoff(%v) = %v; want %v", tc.prev, got, tc.want)
		}
	}
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
	retries := 0
	rec.mu.Lock()
	for _, r := range rec.records {
		if r.Message == "accept failed; retrying" {
			retries++
		}
	}
	rec.mu.Unlock()
	if retries != 4 {
		t.Errorf("logged %d accept failures; want 4", retries)
	}
	select {
	case err := <-served:
		t.Fatalf("Serve returned %v after accept errors", err)
	default:
	}
}

package server

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

// watching is an Observer that counts bytes and closes and lets a test wait
// until a condition on them holds.
type watching struct {
	nopObserver
	mu      sync.Mutex
	in, out int64
	closed  int
	changed chan struct{} // closed and replaced on every change
}

func newWatching() *watching { return &watching{changed: make(chan struct{})} }

func (w *watching) update(f func()) {
	w.mu.Lock()
	f()
	close(w.changed)
	w.changed = make(chan struct{})
	w.mu.Unlock()
}

func (w *watching) Received(n int)                    { w.update(func() { w.in += int64(n) }) }
func (w *watching) Sent(n int)                        { w.update(func() { w.out += int64(n) }) }
func (w *watching) Closed(CloseReason, time.Duration) { w.update(func() { w.closed++ }) }

// waitUntil waits until cond holds (called under w.mu), or fails the test
// after a generous deadline.
func (w *watching) waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	for {
		w.mu.Lock()
		ok, changed := cond(), w.changed
		w.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			w.mu.Lock()
			defer w.mu.Unlock()
			t.Fatalf("never %s: received %d, sent %d, closed %d", what, w.in, w.out, w.closed)
		}
	}
}

// smallBuffer returns a dialer's or listener's Control that sets a socket's
// send or receive buffer to the least the kernel allows, before it connects
// or listens: an accepted socket inherits it from its listener.
func smallBuffer(opt int) func(_, _ string, rc syscall.RawConn) error {
	return func(_, _ string, rc syscall.RawConn) error {
		var err error
		rc.Control(func(fd uintptr) { err = setsockoptInt(fd, syscall.SOL_SOCKET, opt, 1) })
		return err
	}
}

// liveHeap is the heap in use after the garbage collector has run, twice so
// that sync.Pool's victim cache is emptied too.
func liveHeap() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// Memory follows load down as well as up: after a burst of clients that send
// and do not read, each of which makes the server hold a pending reply, the
// server's heap returns to about where it was once they are gone. (The
// epoll engine once kept every such buffer on free lists that were never
// trimmed.)
func TestMemoryAfterNonReaders(t *testing.T) {
	const clients = 300
	const atLeast = 4 << 10                                         // pending per client: a 16 KiB read, less what the small buffers took
	lc := net.ListenConfig{Control: smallBuffer(syscall.SO_SNDBUF)} // the server can hold little of a reply
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	obs := newWatching()
	s := &Server{Observer: obs, Logger: slog.New(slog.DiscardHandler), Engine: testEngine}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	defer func() {
		s.Close()
		<-served
	}()
	before := liveHeap()

	d := net.Dialer{Control: smallBuffer(syscall.SO_RCVBUF)} // and the client takes little of it
	msg := bytes.Repeat([]byte("x"), 16<<10)
	conns := make([]net.Conn, clients)
	for i := range conns {
		c, err := d.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		conns[i] = c
		if _, err := c.Write(msg); err != nil { // one buffer's worth; never read
			t.Fatal(err)
		}
	}
	obs.waitUntil(t, "held a pending reply for every client", func() bool { return obs.in-obs.out >= clients*atLeast })
	held := liveHeap()
	for _, c := range conns {
		c.Close() // unread replies: a reset
	}
	obs.waitUntil(t, "closed every client", func() bool { return obs.closed == clients })
	after := liveHeap()
	t.Logf("heap: %d KiB before, %d KiB while %d clients did not read, %d KiB after they left",
		before>>10, held>>10, clients, after>>10)
	if held < before+clients*atLeast/2 {
		t.Fatalf("the heap grew only %d KiB while %d clients did not read: the test's premise (a pending reply each) failed", (held-before)>>10, clients)
	}
	if after > before+(held-before)/4 {
		t.Errorf("the heap kept %d KiB of the %d KiB the non-readers took, after they left; want it back to within a quarter",
			(after-before)>>10, (held-before)>>10)
	}
}

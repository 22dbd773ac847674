package client

import (
	"bytes"
	"context"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/upcase/upcase/internal/upper"
)

// waitLimit fails a test that waits longer than this for a signal; it is a
// guard against hangs, never a measurement.
const waitLimit = 10 * time.Second

// fakeServer listens on loopback, runs handle on the first connection it
// accepts and closes that connection when handle returns. It is for the
// server behaviours servertest's real server never shows: closing after one
// read (the lesson's server.py), resetting. The cleanup waits for handle.
func fakeServer(t *testing.T, handle func(c *net.TCPConn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		handle(c.(*net.TCPConn))
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
	return ln.Addr().String()
}

// lessonServer is the lesson's server.py: read once, send it back
// upper-cased, close.
func lessonServer(c *net.TCPConn) {
	buf := make([]byte, 1024)
	n, _ := c.Read(buf)
	upper.ASCII(buf[:n])
	c.Write(buf[:n])
}

// batchServer answers only at the end: it reads until the client's FIN and
// then sends everything back upper-cased.
func batchServer(c *net.TCPConn) {
	all, _ := io.ReadAll(c)
	upper.ASCII(all)
	c.Write(all)
}

// resetServer reads once and then resets the connection (RST).
func resetServer(c *net.TCPConn) {
	buf := make([]byte, 1024)
	c.Read(buf)
	c.SetLinger(0)
}

// connect dials addr and closes the connection when the test ends.
func connect(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := Dial(context.Background(), addr, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// upperCopy is what the server must send back for p.
func upperCopy(p []byte) []byte {
	q := bytes.Clone(p)
	upper.ASCII(q)
	return q
}

// syncBuffer is a bytes.Buffer that may be written from one goroutine while
// another waits for its contents.
type syncBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{changed: make(chan struct{}, 1)} }

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	select {
	case b.changed <- struct{}{}:
	default:
	}
	return n, err
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor waits until the buffer contains want, failing the test after
// waitLimit.
func (b *syncBuffer) waitFor(t *testing.T, want string) {
	t.Helper()
	timer := time.NewTimer(waitLimit)
	defer timer.Stop()
	for !bytes.Contains([]byte(b.String()), []byte(want)) {
		select {
		case <-b.changed:
		case <-timer.C:
			t.Fatalf("timed out waiting for %q; got %q", want, b.String())
		}
	}
}

package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"
)

// start serves s on loopback and returns its address; the cleanup closes it.
// (servertest does the same for other packages; it cannot be imported here.)
func start(t testing.TB, s *Server) string {
	t.Helper()
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if s.Engine == EngineAuto && s.TLSConfig == nil {
		s.Engine = testEngine
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	t.Cleanup(func() {
		s.Close()
		if err := <-served; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v; want ErrServerClosed", err)
		}
	})
	return ln.Addr().String()
}

func dial(t testing.TB, addr string) *net.TCPConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c.(*net.TCPConn)
}

// roundTrip writes msg and reads exactly len(msg) bytes of reply.
func roundTrip(t testing.TB, c net.Conn, msg []byte, reply []byte) {
	if _, err := c.Write(msg); err != nil {
		t.Fatalf("write: %v", err)
	}
	if _, err := io.ReadFull(c, reply[:len(msg)]); err != nil {
		t.Fatalf("read reply: %v", err)
	}
}

// recorder is a slog.Handler that keeps every record, so a test can wait for
// the server to report something instead of sleeping.
type recorder struct {
	mu      sync.Mutex
	records []slog.Record
	changed chan struct{} // closed and replaced on every record
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{})} }

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) WithAttrs(as []slog.Attr) slog.Handler {
	return &attrHandler{r: r, attrs: as}
}
func (r *recorder) WithGroup(string) slog.Handler { return r }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	r.records = append(r.records, rec.Clone())
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
	return nil
}

// attrHandler carries the attributes added by Logger.With into each record.
type attrHandler struct {
	r     *recorder
	attrs []slog.Attr
}

func (h *attrHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *attrHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &attrHandler{r: h.r, attrs: append(append([]slog.Attr{}, h.attrs...), as...)}
}
func (h *attrHandler) WithGroup(string) slog.Handler { return h }
func (h *attrHandler) Handle(ctx context.Context, rec slog.Record) error {
	rec = rec.Clone()
	rec.AddAttrs(h.attrs...)
	return h.r.Handle(ctx, rec)
}

// attr returns the string value of key in rec.
func attr(rec slog.Record, key string) string {
	var v string
	rec.Attrs(func(a slog.Attr) bool {
		if a.Key == key {
			v = a.Value.String()
			return false
		}
		return true
	})
	return v
}

// waitFor returns the first record for which match is true, waiting for it
// to be logged; it fails the test if none comes within a generous deadline.
func (r *recorder) waitFor(t *testing.T, what string, match func(slog.Record) bool) slog.Record {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	seen := 0
	for {
		r.mu.Lock()
		for ; seen < len(r.records); seen++ {
			if match(r.records[seen]) {
				rec := r.records[seen]
				r.mu.Unlock()
				return rec
			}
		}
		changed := r.changed
		r.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("the server never logged %s", what)
		}
	}
}

// closedWith matches the "closed" record of the connection from peer.
func closedWith(peer string) func(slog.Record) bool {
	return func(rec slog.Record) bool {
		return attr(rec, "peer") == peer && rec.Message == "closed"
	}
}

// waitCount waits until n records match.
func (r *recorder) waitCount(t *testing.T, what string, n int, match func(slog.Record) bool) {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		count := 0
		for _, rec := range r.records {
			if match(rec) {
				count++
			}
		}
		changed := r.changed
		r.mu.Unlock()
		if count >= n {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("the server logged %s %d times, not %d", what, count, n)
		}
	}
}

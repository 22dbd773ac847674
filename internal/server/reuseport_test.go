//go:build linux

package server

import (
	"errors"
	"log/slog"
	"net"
	"syscall"
	"testing"
)

// TestReusePort: with ReusePort two servers listen on one address and both
// are served; without it the second cannot listen, and says why.
func TestReusePort(t *testing.T) {
	lc := ListenConfig{ReusePort: true}
	a, err := lc.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := a.Addr().String()
	if _, err := Listen(addr); !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("a plain Listen on the same address: %v; want address in use", err)
	}
	b, err := lc.Listen(addr)
	if err != nil {
		t.Fatalf("a second ReusePort listener on %s: %v", addr, err)
	}
	recA, recB := newRecorder(), newRecorder()
	for _, s := range []struct {
		ln  net.Listener
		rec *recorder
	}{{a, recA}, {b, recB}} {
		srv := &Server{Logger: slog.New(s.rec), Engine: testEngine}
		served := make(chan error, 1)
		go func() { served <- srv.Serve(s.ln) }()
		t.Cleanup(func() { srv.Close(); <-served })
	}
	// The kernel spreads connections by a hash of their addresses: enough
	// connections reach both. (Each is logged as accepted before it is
	// answered.)
	accepted := func(rec *recorder) bool {
		for _, r := range rec.all() {
			if r.Message == "accepted: three-way handshake complete" {
				return true
			}
		}
		return false
	}
	for i := 0; i < 200 && !(accepted(recA) && accepted(recB)); i++ {
		c := dial(t, addr)
		if !served(t, c) {
			t.Fatal("a connection was not served")
		}
		c.Close()
	}
	if !accepted(recA) || !accepted(recB) {
		t.Errorf("200 connections did not reach both listeners (a: %v, b: %v)", accepted(recA), accepted(recB))
	}
}

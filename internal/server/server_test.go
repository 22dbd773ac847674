package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/upcase/upcase/internal/upper"
)

func upcased(p []byte) []byte {
	q := bytes.Clone(p)
	upper.ASCII(q)
	return q
}

func TestEchoesUpperCased(t *testing.T) {
	every := make([]byte, 256)
	for i := range every {
		every[i] = byte(i)
	}
	tests := []struct {
		name string
		msg  []byte
		want []byte
	}{
		{"lesson hello", []byte("hello"), []byte("HELLO")},
		{"line", []byte("Hello, World!\n"), []byte("HELLO, WORLD!\n")},
		{"every byte value", every, upcased(every)},
		{"utf8 left alone", []byte("straße"), []byte("STRAßE")},
		{"one byte", []byte("z"), []byte("Z")},
	}
	addr := start(t, &Server{})
	c := dial(t, addr)
	reply := make([]byte, 1024)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			roundTrip(t, c, tc.msg, reply)
			if got := reply[:len(tc.msg)]; !bytes.Equal(got, tc.want) {
				t.Errorf("reply to %q = %q; want %q", tc.msg, got, tc.want)
			}
		})
	}
}

// TestManyMessagesOneConnection is the communication loop: one connection,
// many messages, each answered.
func TestManyMessagesOneConnection(t *testing.T) {
	c := dial(t, start(t, &Server{}))
	reply := make([]byte, 64)
	for i := range 2000 {
		msg := fmt.Appendf(nil, "message %d of many\n", i)
		roundTrip(t, c, msg, reply)
		if got, want := reply[:len(msg)], upcased(msg); !bytes.Equal(got, want) {
			t.Fatalf("message %d: reply %q; want %q", i, got, want)
		}
	}
}

func TestConcurrentClients(t *testing.T) {
	addr := start(t, &Server{})
	const clients, rounds = 150, 20
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := range clients {
		wg.Go(func() {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			reply := make([]byte, 64)
			for r := range rounds {
				msg := fmt.Appendf(nil, "client %d round %d", i, r)
				if _, err := c.Write(msg); err != nil {
					errs <- err
					return
				}
				if _, err := io.ReadFull(c, reply[:len(msg)]); err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(reply[:len(msg)], upcased(msg)) {
					errs <- fmt.Errorf("client %d: reply %q to %q", i, reply[:len(msg)], msg)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestHalfCloseLargeStream sends several MiB, half-closes, and expects every
// byte back and then the server's FIN.
func TestHalfCloseLargeStream(t *testing.T) {
	rec := newRecorder()
	c := dial(t, start(t, &Server{Logger: slog.New(rec)}))
	data := make([]byte, 6<<20)
	for i := range data {
		data[i] = byte(i*7 + i>>9)
	}
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(c) // ends with the server's FIN
		got <- b
	}()
	if _, err := c.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := c.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if b := <-got; !bytes.Equal(b, upcased(data)) {
		t.Fatalf("got %d bytes back, want %d, upper-cased", len(b), len(data))
	}
	r := rec.waitFor(t, "the close", closedWith(c.LocalAddr().String()))
	if got := attr(r, "reason"); got != string(ReasonFIN) {
		t.Errorf("close reason %q; want %q", got, ReasonFIN)
	}
	if got, want := attr(r, "received"), fmt.Sprint(len(data)); got != want {
		t.Errorf("received = %s; want %s", got, want)
	}
}

// TestResetDoesNotDisturbOthers resets one connection in the middle of a
// stream and checks that the others, and new ones, are served.
func TestResetDoesNotDisturbOthers(t *testing.T) {
	rec := newRecorder()
	addr := start(t, &Server{Logger: slog.New(rec)})
	other := dial(t, addr)
	reply := make([]byte, 16)
	roundTrip(t, other, []byte("before"), reply)

	bad := dial(t, addr)
	if _, err := bad.Write(bytes.Repeat([]byte("x"), 1<<20)); err != nil {
		t.Fatal(err)
	}
	bad.SetLinger(0)
	peer := bad.LocalAddr().String()
	bad.Close() // RST

	r := rec.waitFor(t, "the reset connection's close", closedWith(peer))
	if got := attr(r, "reason"); got != string(ReasonRST) {
		t.Errorf("close reason %q; want %q", got, ReasonRST)
	}
	roundTrip(t, other, []byte("after"), reply)
	if string(reply[:5]) != "AFTER" {
		t.Errorf("other connection got %q after the reset; want AFTER", reply[:5])
	}
	roundTrip(t, dial(t, addr), []byte("new"), reply)
	if string(reply[:3]) != "NEW" {
		t.Errorf("new connection got %q; want NEW", reply[:3])
	}
}

// TestShutdownLetsConversationsFinish: after Shutdown, no new connection is
// accepted, but an open one goes on until the client half-closes.
func TestShutdownLetsConversationsFinish(t *testing.T) {
	rec := newRecorder()
	s := &Server{Logger: slog.New(rec)}
	addr := start(t, s)
	c := dial(t, addr)
	reply := make([]byte, 16)
	roundTrip(t, c, []byte("one"), reply)

	done := make(chan error, 1)
	go func() { done <- s.Shutdown(context.Background()) }()
	rec.waitFor(t, "the shutdown", func(r slog.Record) bool { return strings.HasPrefix(r.Message, "shutting down") })
	if nc, err := net.Dial("tcp", addr); !errors.Is(err, syscall.ECONNREFUSED) {
		if err == nil {
			nc.Close()
		}
		t.Fatalf("dial after Shutdown: %v; want connection refused", err)
	}
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned %v with a connection open", err)
	default:
	}
	roundTrip(t, c, []byte("two"), reply)
	if string(reply[:3]) != "TWO" {
		t.Fatalf("reply during drain %q; want TWO", reply[:3])
	}
	c.CloseWrite()
	if err := <-done; err != nil {
		t.Fatalf("Shutdown = %v; want nil once the conversation ended", err)
	}
	if _, err := c.Read(reply); err != io.EOF {
		t.Errorf("read after the server's close: %v; want EOF", err)
	}
}

func TestShutdownTimesOut(t *testing.T) {
	s := &Server{}
	c := dial(t, start(t, s))
	roundTrip(t, c, []byte("x"), make([]byte, 1))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown with an open connection and a done context = %v; want context.Canceled", err)
	}
}

// TestCloseLosesNoReply: when the server ends a connection that still has
// unread input and unsent replies, the client gets every reply the server
// wrote, a correct prefix of the upper-cased stream, and then a FIN, never an
// RST that would discard them.
func TestCloseLosesNoReply(t *testing.T) {
	rec := newRecorder()
	s := &Server{Logger: slog.New(rec)}
	c := dial(t, start(t, s))
	data := bytes.Repeat([]byte("abcdefghijklmnopqrstuvwxyz0123456789\n"), (4<<20)/37)
	wrote := make(chan error, 1)
	go func() {
		_, err := c.Write(data) // may not finish: the server stops reading
		wrote <- err
	}()
	// Wait until the server has read and answered some of it.
	rec.waitFor(t, "a reply", func(r slog.Record) bool { return r.Message == "sent" })
	closed := make(chan struct{})
	go func() {
		s.Close()
		close(closed)
	}()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("read after server close: %v (%d bytes); want a clean EOF", err, len(got))
	}
	if len(got) == 0 || !bytes.Equal(got, upcased(data[:len(got)])) {
		t.Fatalf("got %d bytes that are not a prefix of the upper-cased stream", len(got))
	}
	c.Close() // the client's FIN ends the server's linger
	<-closed
	<-wrote
	r := rec.waitFor(t, "the close", closedWith(c.LocalAddr().String()))
	if reason := attr(r, "reason"); reason != string(ReasonDrain) {
		t.Errorf("close reason %q; want %q", reason, ReasonDrain)
	}
}

func TestPanicStaysInConnection(t *testing.T) {
	rec := newRecorder()
	s := &Server{Logger: slog.New(rec)}
	s.transform = func(p []byte) {
		if bytes.Contains(p, []byte("boom")) {
			panic("boom")
		}
		upper.ASCII(p)
	}
	addr := start(t, s)
	good := dial(t, addr)
	reply := make([]byte, 8)
	roundTrip(t, good, []byte("ok"), reply)

	bad := dial(t, addr)
	bad.Write([]byte("boom"))
	if n, err := bad.Read(reply); err == nil {
		t.Fatalf("the panicking connection answered %q; want it closed", reply[:n])
	}
	bad.Close() // our FIN ends the server's linger
	r := rec.waitFor(t, "the panic", closedWith(bad.LocalAddr().String()))
	if got := attr(r, "reason"); got != string(ReasonPanic) {
		t.Errorf("close reason %q; want %q", got, ReasonPanic)
	}
	roundTrip(t, good, []byte("still"), reply)
	if string(reply[:5]) != "STILL" {
		t.Errorf("other connection got %q; want STILL", reply[:5])
	}
	roundTrip(t, dial(t, addr), []byte("new"), reply)
	if string(reply[:3]) != "NEW" {
		t.Errorf("new connection got %q; want NEW", reply[:3])
	}
}

func TestServeAfterShutdown(t *testing.T) {
	s := &Server{Logger: slog.New(slog.DiscardHandler)}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Serve(ln); !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve after Shutdown = %v; want ErrServerClosed", err)
	}
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Serve left its listener open")
	}
}

func TestListenError(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tests := []struct {
		name, addr string
		want       string
		is         error
	}{
		{"in use", busy.Addr().String(), "address already in use", syscall.EADDRINUSE},
		{"no port", "127.0.0.1", "missing port", nil},
		{"bad port", "127.0.0.1:99999", "invalid port", nil},
		// Dotted decimal that is no IPv4 address: said as upcase ip says it,
		// not looked up as a name.
		{"dotted, out of range", "256.1.1.1:8080", "256 is not 0-255", nil},
		{"dotted, three numbers", "10.0.0:8080", "an IPv4 address has 4 numbers separated by dots, not 3", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := Listen(tc.addr)
			if err == nil {
				ln.Close()
				t.Fatalf("Listen(%q) succeeded", tc.addr)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.addr) || !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Errorf("Listen(%q) error %q; want one line naming the address and %q", tc.addr, msg, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("Listen(%q) error %v is not %v", tc.addr, err, tc.is)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		err     error
		writing bool
		want    CloseReason
	}{
		{io.EOF, false, ReasonFIN},
		{&net.OpError{Op: "read", Err: syscall.ECONNRESET}, false, ReasonRST},
		{&net.OpError{Op: "write", Err: syscall.EPIPE}, true, ReasonRST},
		{&net.OpError{Op: "read", Err: errDeadline()}, false, ReasonIdle},
		{&net.OpError{Op: "write", Err: errDeadline()}, true, ReasonLimit},
		{fmt.Errorf("read: %w", net.ErrClosed), false, ReasonDrain},
		{errors.New("something else"), false, ReasonError},
	}
	for _, tc := range tests {
		if got := classify(tc.err, tc.writing); got != tc.want {
			t.Errorf("classify(%v, writing=%v) = %q; want %q", tc.err, tc.writing, got, tc.want)
		}
	}
}

func errDeadline() error {
	c1, c2 := net.Pipe()
	defer c1.Close()
	defer c2.Close()
	c1.SetReadDeadline(time.Unix(1, 0))
	_, err := c1.Read(make([]byte, 1))
	return err
}

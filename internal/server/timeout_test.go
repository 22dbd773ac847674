package server

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"syscall"
	"testing"
	"time"
)

// TestIdleTimeout: a client that sends nothing is closed with a FIN once the
// idle timeout passes, and the close is reported as idle.
func TestIdleTimeout(t *testing.T) {
	rec := newRecorder()
	c := dial(t, start(t, &Server{IdleTimeout: 50 * time.Millisecond, Logger: slog.New(rec)}))
	reply := make([]byte, 5)
	roundTrip(t, c, []byte("hello"), reply) // activity first; then silence
	if rest, err := io.ReadAll(c); err != nil || len(rest) != 0 {
		t.Fatalf("idle connection: read %q, %v; want a clean EOF", rest, err)
	}
	c.Close()
	r := rec.waitFor(t, "the idle close", closedWith(c.LocalAddr().String()))
	if got := attr(r, "reason"); got != string(ReasonIdle) {
		t.Errorf("close reason %q; want %q", got, ReasonIdle)
	}
}

// TestWriteTimeout: a client that sends and never reads is disconnected once
// its replies have waited the write timeout, and other clients are served
// meanwhile.
func TestWriteTimeout(t *testing.T) {
	rec := newRecorder()
	addr := start(t, &Server{WriteTimeout: 100 * time.Millisecond, Linger: 20 * time.Millisecond, Logger: slog.New(rec)})
	hog := dial(t, addr)
	go func() { // writes until the server gives up on it
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for {
			if _, err := hog.Write(chunk); err != nil {
				return
			}
		}
	}()
	other := dial(t, addr)
	reply := make([]byte, 5)
	roundTrip(t, other, []byte("hello"), reply)
	if string(reply) != "HELLO" {
		t.Errorf("other client got %q while one did not read; want HELLO", reply)
	}
	r := rec.waitFor(t, "the non-reader's close", closedWith(hog.LocalAddr().String()))
	if got := attr(r, "reason"); got != string(ReasonLimit) {
		t.Errorf("close reason %q; want %q", got, ReasonLimit)
	}
	hog.Close()
}

// nilAddrListener hands out connections that know no addresses, as some
// wrapped or exotic connections do.
type nilAddrListener struct{ net.Listener }

func (l nilAddrListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return nilAddrConn{c.(*net.TCPConn)}, nil
}

type nilAddrConn struct{ *net.TCPConn }

func (nilAddrConn) RemoteAddr() net.Addr { return nil }
func (nilAddrConn) LocalAddr() net.Addr  { return nil }

func TestConnWithoutAddress(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Logger: slog.New(newRecorder())}
	served := make(chan error, 1)
	go func() { served <- s.Serve(nilAddrListener{inner}) }()
	c := dial(t, inner.Addr().String())
	reply := make([]byte, 5)
	roundTrip(t, c, []byte("hello"), reply)
	if string(reply) != "HELLO" {
		t.Errorf("reply %q; want HELLO", reply)
	}
	c.Close()
	s.Close()
	<-served
}

func TestCloseTwiceAndServeAfterClose(t *testing.T) {
	s := &Server{}
	start(t, s)
	if err := s.Close(); err != nil {
		t.Errorf("first Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Serve(ln); err != ErrServerClosed {
		t.Errorf("Serve after Close = %v; want ErrServerClosed", err)
	}
}

// TestResetDuringLinger: a client that resets while the server lingers for its
// FIN ends the linger at once, and the close keeps the reason the server
// gave it.
func TestResetDuringLinger(t *testing.T) {
	rec := newRecorder()
	s := &Server{Linger: time.Minute, Logger: slog.New(rec)}
	c := dial(t, start(t, s))
	roundTrip(t, c, []byte("x"), make([]byte, 1))
	closed := make(chan struct{})
	go func() {
		s.Close()
		close(closed)
	}()
	// The server's FIN arrives: it is lingering for ours. Reset instead.
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("read: %v; want the server's FIN", err)
	}
	c.Write([]byte("late")) // unread input, so the linger sees data then the reset
	c.SetLinger(0)
	c.Close()
	<-closed
	r := rec.waitFor(t, "the close", closedWith(c.LocalAddr().String()))
	if got := attr(r, "reason"); got != string(ReasonDrain) {
		t.Errorf("close reason %q; want %q (the server ended it; the reset came during its linger)", got, ReasonDrain)
	}
}

func TestLazyDeadline(t *testing.T) {
	t0 := time.Unix(1000, 0)
	d := lazyDeadline{timeout: 16 * time.Second}
	steps := []struct {
		at      time.Duration // after t0
		due     bool
		atLeast time.Duration // the deadline, after t0, when due
	}{
		{0, true, 17 * time.Second},
		{500 * time.Millisecond, false, 0},
		{999 * time.Millisecond, false, 0},
		{time.Second, true, 18 * time.Second},
		{1500 * time.Millisecond, false, 0},
		{10 * time.Second, true, 27 * time.Second},
	}
	for _, st := range steps {
		now := t0.Add(st.at)
		if got := d.due(now); got != st.due {
			t.Fatalf("due at +%v = %v; want %v", st.at, got, st.due)
		}
		if st.due {
			if got := d.next().Sub(t0); got != st.atLeast {
				t.Errorf("deadline set at +%v is +%v; want +%v", st.at, got, st.atLeast)
			}
		}
		// Whatever happens, the deadline never falls short of the timeout.
		if dl := d.set.Add(d.timeout + d.timeout/16); dl.Before(now.Add(d.timeout)) {
			t.Errorf("at +%v the deadline +%v is less than a timeout away", st.at, dl.Sub(t0))
		}
	}
}

// slowReader reads all it can from c at about rate bytes a second, in small
// reads, until EOF or an error, and returns what it read.
func slowReader(c net.Conn, rate int) ([]byte, error) {
	const step = 64
	var got []byte
	buf := make([]byte, step)
	pace := time.NewTicker(time.Second * step / time.Duration(rate))
	defer pace.Stop()
	for range pace.C { // the client's pace, not a wait of the test
		n, err := c.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			return got, err
		}
	}
	return got, nil
}

// TestSlowReader: a client that reads its replies slowly but steadily is
// served to the end, although each buffer of reply waits longer than the
// write timeout; the same client is closed for the limit when the minimum
// rate is above its pace. (The write timeout once counted only from when a
// reply began to wait, so any reader slower than a buffer per timeout was
// cut as if it did not read at all.)
func TestSlowReader(t *testing.T) {
	const (
		pace  = 4 << 10 // the client's bytes a second
		sent  = 8 << 10
		bufSz = 4 << 10 // a buffer waits 1 s at that pace: longer than the timeout
	)
	for _, tc := range []struct {
		name    string
		minRate int
		served  bool
	}{
		{"steady above the minimum rate", pace / 32, true},
		{"slower than the minimum rate", pace * 16, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lc := net.ListenConfig{Control: smallBuffer(syscall.SO_SNDBUF)} // the kernel holds little of a reply
			ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			obs := &counting{}
			s := &Server{BufferSize: bufSz, WriteTimeout: 500 * time.Millisecond, WriteMinRate: tc.minRate,
				Observer: obs, Logger: slog.New(slog.DiscardHandler), Engine: testEngine}
			served := make(chan error, 1)
			go func() { served <- s.Serve(ln) }()
			defer func() {
				s.Close()
				<-served
			}()
			d := net.Dialer{Control: smallBuffer(syscall.SO_RCVBUF)}
			c, err := d.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(60 * time.Second)) // fail, not hang
			msg := bytes.Repeat([]byte("slow reader "), sent/12+1)[:sent]
			go func() {
				c.Write(msg)
				c.(*net.TCPConn).CloseWrite()
			}()
			got, err := slowReader(c, pace)
			if tc.served {
				if err != io.EOF || !bytes.Equal(got, upcased(msg)) {
					t.Errorf("read %d of %d bytes, %v; want every reply, then EOF", len(got), len(msg), err)
				}
				return
			}
			if len(got) >= len(msg) {
				t.Errorf("read all %d bytes; want the connection closed for the minimum rate", len(got))
			}
			s.Close()
			obs.mu.Lock()
			defer obs.mu.Unlock()
			if obs.closed[ReasonLimit] != 1 {
				t.Errorf("closes %v; want one for the limit", obs.closed)
			}
		})
	}
}

package server

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"
)

// startUDP serves s over UDP on 127.0.0.1 and returns the address. With
// the goroutine engine (the package's second run) datagrams are read one at
// a time; otherwise, on Linux, in batches.
func startUDP(t testing.TB, s *Server) string {
	t.Helper()
	if s.Engine == EngineAuto {
		s.Engine = testEngine
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serveUDPOn(t, s, pc)
	return pc.LocalAddr().String()
}

// serveUDPOn serves s on pc until the test's cleanup closes it.
func serveUDPOn(t testing.TB, s *Server, pc net.PacketConn) {
	t.Helper()
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	served := make(chan error, 1)
	go func() { served <- s.ServePacket(pc) }()
	t.Cleanup(func() {
		s.Close()
		if err := <-served; !errors.Is(err, ErrServerClosed) {
			t.Errorf("ServePacket returned %v; want ErrServerClosed", err)
		}
	})
}

func dialUDP(t testing.TB, addr string) *net.UDPConn {
	t.Helper()
	c, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c.(*net.UDPConn)
}

// exchange sends one datagram and returns the reply datagram.
func exchange(t *testing.T, c *net.UDPConn, msg []byte) []byte {
	t.Helper()
	c.SetDeadline(time.Now().Add(10 * time.Second)) // fail, not hang: loopback does not lose an unhurried datagram
	if _, err := c.Write(msg); err != nil {
		t.Fatalf("send %d bytes: %v", len(msg), err)
	}
	buf := make([]byte, 70000)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatalf("reply to %d bytes: %v", len(msg), err)
	}
	return buf[:n]
}

func TestUDPRoundTrips(t *testing.T) {
	c := dialUDP(t, startUDP(t, &Server{UDPRate: NoLimit}))
	every := make([]byte, 256)
	for i := range every {
		every[i] = byte(i)
	}
	sizes := []int{0, 1, 100, 1472, 9000, 65507} // 65507: the largest UDP payload over IPv4
	for _, size := range sizes {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			msg := bytes.Repeat(every, size/256+1)[:size]
			got := exchange(t, c, msg)
			if !bytes.Equal(got, upcased(msg)) {
				t.Errorf("reply to %d bytes: %d bytes, not the request upper-cased", size, len(got))
			}
			if len(got) > len(msg) {
				t.Errorf("reply longer than request: %d > %d", len(got), len(msg))
			}
		})
	}
}

func TestUDPConcurrentSenders(t *testing.T) {
	addr := startUDP(t, &Server{UDPRate: NoLimit})
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Go(func() {
			c, err := net.Dial("udp", addr)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			buf := make([]byte, 100)
			for j := range 100 {
				msg := fmt.Appendf(nil, "sender %d datagram %d", i, j)
				c.SetDeadline(time.Now().Add(10 * time.Second))
				c.Write(msg)
				n, err := c.Read(buf)
				if err != nil || !bytes.Equal(buf[:n], upcased(msg)) {
					errs <- fmt.Errorf("sender %d datagram %d: %q, %v", i, j, buf[:n], err)
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

// TestUDPRateLimit: one source sending a burst gets at most the rate's worth
// of replies; the rest are dropped and counted.
func TestUDPRateLimit(t *testing.T) {
	rec, obs := newRecorder(), &counting{}
	c := dialUDP(t, startUDP(t, &Server{UDPRate: 5, LimitLoopback: true, Logger: slog.New(rec), Observer: obs}))
	const sent = 40
	for i := range sent {
		c.Write(fmt.Appendf(nil, "burst %d", i))
	}
	// Wait until the server has handled every one of them.
	rec.waitCount(t, "the whole burst handled", sent, func(r slog.Record) bool {
		return r.Message == "datagram sent" || r.Message == "datagram dropped"
	})
	obs.mu.Lock()
	defer obs.mu.Unlock()
	dropped := obs.dropped[DropRate]
	answered := sent - dropped
	// 5 in the burst, plus one for each fifth of a second the burst took.
	if answered < 5 || dropped < sent/2 {
		t.Errorf("%d answered, %d dropped for rate, of %d sent at once at 5/s; want 5 or a few more answered", answered, dropped, sent)
	}
}

// By default a loopback source is not held to the rate: no other machine
// can forge it, and a load test from the server's own machine uses it for
// every socket.
func TestUDPRateLoopbackExempt(t *testing.T) {
	rec, obs := newRecorder(), &counting{}
	c := dialUDP(t, startUDP(t, &Server{UDPRate: 5, Logger: slog.New(rec), Observer: obs}))
	const sent = 40
	buf := make([]byte, 64)
	for i := range sent { // one at a time: a burst could overflow the socket buffer
		msg := fmt.Appendf(nil, "steady %d", i)
		c.Write(msg)
		c.SetReadDeadline(time.Now().Add(10 * time.Second)) // fail, not hang
		n, err := c.Read(buf)
		if err != nil || !bytes.Equal(buf[:n], upcased(msg)) {
			t.Fatalf("datagram %d from loopback at UDPRate 5: %q, %v; want its reply", i, buf[:n], err)
		}
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if obs.dropped[DropRate] != 0 {
		t.Errorf("%d dropped for rate from loopback; want none", obs.dropped[DropRate])
	}
}

func TestReflectivePorts(t *testing.T) {
	rec, obs := newRecorder(), &counting{}
	addr := startUDP(t, &Server{Logger: slog.New(rec), Observer: obs})
	// Binding a port below 1024 needs root: skip that part otherwise.
	c, err := net.DialUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 19}, mustUDPAddr(t, addr))
	if errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EADDRINUSE) {
		t.Skipf("cannot send from port 19 here: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("chargen says hi"))
	r := rec.waitFor(t, "the drop", func(r slog.Record) bool { return r.Message == "datagram dropped" })
	if got := attr(r, "reason"); got != string(DropPort) {
		t.Errorf("drop reason %q; want %q", got, DropPort)
	}
}

func mustUDPAddr(t *testing.T, addr string) *net.UDPAddr {
	a, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// fullPacketConn delivers one datagram that fills the whole buffer, as one
// too large for it would, then blocks until closed.
type fullPacketConn struct {
	net.PacketConn
	once sync.Once
}

func (f *fullPacketConn) ReadFrom(p []byte) (int, net.Addr, error) {
	sent := false
	f.once.Do(func() { sent = true })
	if sent {
		for i := range p {
			p[i] = 'a'
		}
		return len(p), &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5555}, nil
	}
	return f.PacketConn.ReadFrom(p)
}

func TestUDPTruncatedIsDropped(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	s := &Server{Logger: slog.New(rec)}
	served := make(chan error, 1)
	go func() { served <- s.ServePacket(&fullPacketConn{PacketConn: pc}) }()
	r := rec.waitFor(t, "the drop", func(r slog.Record) bool { return r.Message == "datagram dropped" })
	if got := attr(r, "reason"); got != string(DropTruncated) {
		t.Errorf("drop reason %q; want %q", got, DropTruncated)
	}
	s.Close()
	<-served
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, r := range rec.records {
		if r.Message == "datagram sent" {
			t.Error("a datagram too large for the buffer was answered in part")
		}
	}
}

// TestUDPPanicCostsOneDatagram: a transform that panics on one datagram
// drops that one; the next is answered.
func TestUDPPanicCostsOneDatagram(t *testing.T) {
	rec := newRecorder()
	s := &Server{Logger: slog.New(rec)}
	s.transform = func(p []byte) {
		if bytes.Contains(p, []byte("boom")) {
			panic("boom")
		}
		upcasedInPlace(p)
	}
	c := dialUDP(t, startUDP(t, s))
	c.Write([]byte("boom"))
	r := rec.waitFor(t, "the drop", func(r slog.Record) bool { return r.Message == "datagram dropped" })
	if got := attr(r, "reason"); got != string(DropPanic) {
		t.Errorf("drop reason %q; want %q", got, DropPanic)
	}
	if got := exchange(t, c, []byte("after")); string(got) != "AFTER" {
		t.Errorf("reply after the panic %q; want AFTER", got)
	}
}

func upcasedInPlace(p []byte) { copy(p, upcased(p)) }

//go:build linux

package server

import (
	"bytes"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/upcase/upcase/internal/netpoll"
	"golang.org/x/sys/unix"
)

// steerMmsg replaces the batch loop's system calls for one test: recv and
// send see (and may change) each call's messages. Tests that use it must
// not run in parallel.
func steerMmsg(t *testing.T, recv, send func(fd uintptr, hs []unix.Mmsghdr) (int, syscall.Errno)) {
	saved := mmsgCalls
	t.Cleanup(func() { mmsgCalls = saved })
	if recv != nil {
		mmsgCalls.recv = recv
	}
	if send != nil {
		mmsgCalls.send = send
	}
}

// payload is message h's bytes: received (h.Len) or to send (the iovec).
func payload(h *unix.Mmsghdr, received bool) []byte {
	n := int(h.Hdr.Iov.Len)
	if received {
		n = int(h.Len)
	}
	return unsafe.Slice(h.Hdr.Iov.Base, n)
}

// queuedSocket is a UDP socket on addr ("127.0.0.1:0", "[::1]:0") whose
// datagrams, sent before it is served, wait in its receive queue, so that
// the server's first recvmmsg reads them all at once.
func queuedSocket(t *testing.T, addr string) net.PacketConn {
	t.Helper()
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s here: %v", addr, err)
	}
	return pc
}

// sender is a client socket on a chosen local address.
func sender(t *testing.T, local string, to net.Addr) *net.UDPConn {
	t.Helper()
	c, err := net.DialUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort(local)), to.(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// replies reads n datagrams from c.
func replies(t *testing.T, c *net.UDPConn, n int) []string {
	t.Helper()
	var got []string
	buf := make([]byte, 100)
	for range n {
		c.SetReadDeadline(time.Now().Add(10 * time.Second)) // fail, not hang
		m, err := c.Read(buf)
		if err != nil {
			t.Fatalf("%s: reply %d of %d: %v", c.LocalAddr(), len(got)+1, n, err)
		}
		got = append(got, string(buf[:m]))
	}
	return got
}

// nothingMore checks that no datagram waits for c: the server has finished
// sending when it is called, and loopback delivers during the send.
func nothingMore(t *testing.T, c *net.UDPConn) {
	t.Helper()
	c.SetReadDeadline(time.Now())
	buf := make([]byte, 100)
	if n, err := c.Read(buf); err == nil {
		t.Errorf("%s got %q; want no reply", c.LocalAddr(), buf[:n])
	}
}

// handled waits until the server has sent or dropped n datagrams, and
// returns how many of each.
func handled(t *testing.T, rec *recorder, n int) (sent int, dropped map[string]int, notSent int) {
	t.Helper()
	done := func(r slog.Record) bool {
		return r.Message == "datagram sent" || r.Message == "datagram dropped" || r.Message == "datagram not sent"
	}
	rec.waitCount(t, "every datagram handled", n, done)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	dropped = map[string]int{}
	for _, r := range rec.records {
		switch r.Message {
		case "datagram sent":
			sent++
		case "datagram dropped":
			dropped[attr(r, "reason")]++
		case "datagram not sent":
			notSent++
		}
	}
	return sent, dropped, notSent
}

// TestUDPBatchMixed: one batch holding, from four senders, datagrams to
// answer, one cut short, one from a denied source and one over its source's
// rate: each is answered or dropped as alone, and each sender gets its own
// replies, in order.
func TestUDPBatchMixed(t *testing.T) {
	var mu sync.Mutex
	var batches []int
	steerMmsg(t, func(fd uintptr, hs []unix.Mmsghdr) (int, syscall.Errno) {
		n, errno := netpoll.RecvMmsg(fd, hs)
		if errno != 0 {
			return n, errno
		}
		mu.Lock()
		batches = append(batches, n)
		mu.Unlock()
		for i := range n {
			if bytes.HasPrefix(payload(&hs[i], true), []byte("trunc")) {
				hs[i].Hdr.Flags |= unix.MSG_TRUNC // as the kernel says of one longer than its buffer
			}
		}
		return n, 0
	}, nil)

	pc := queuedSocket(t, "127.0.0.1:0")
	a := sender(t, "127.0.0.1:0", pc.LocalAddr())
	denied := sender(t, "127.0.0.2:0", pc.LocalAddr())
	limited := sender(t, "127.0.0.3:0", pc.LocalAddr())
	d := sender(t, "127.0.0.4:0", pc.LocalAddr())
	sends := []struct {
		c   *net.UDPConn
		msg string
	}{
		{a, "a1"}, {limited, "c1"}, {denied, "b1"}, {a, "trunc a2"}, {d, "d1"},
		{limited, "c2"}, {a, "a3"}, {limited, "c3"}, {d, "d2"},
	}
	for _, s := range sends {
		if _, err := s.c.Write([]byte(s.msg)); err != nil {
			t.Fatal(err)
		}
	}

	rec := newRecorder()
	serveUDPOn(t, &Server{
		UDPRate: 2, LimitLoopback: true, // c3 is over: 2 a second, in bursts of 2
		Deny:   []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")},
		Logger: slog.New(rec),
	}, pc)

	for _, want := range []struct {
		c    *net.UDPConn
		msgs []string
	}{
		{a, []string{"A1", "A3"}}, // the truncated one took no token
		{limited, []string{"C1", "C2"}},
		{d, []string{"D1", "D2"}},
	} {
		if got := replies(t, want.c, len(want.msgs)); fmt.Sprint(got) != fmt.Sprint(want.msgs) {
			t.Errorf("%s got %q; want %q", want.c.LocalAddr(), got, want.msgs)
		}
	}
	sent, dropped, notSent := handled(t, rec, len(sends))
	if want := map[string]int{"truncated": 1, "denied": 1, "rate": 1}; sent != 6 || notSent != 0 || fmt.Sprint(dropped) != fmt.Sprint(want) {
		t.Errorf("%d sent, %d not sent, dropped %v; want 6, 0, %v", sent, notSent, dropped, want)
	}
	for _, c := range []*net.UDPConn{a, denied, limited, d} {
		nothingMore(t, c)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(batches) == 0 || batches[0] != len(sends) {
		t.Errorf("recvmmsg read batches of %v; want the %d queued datagrams in the first", batches, len(sends))
	}
}

// TestUDPBatchPartialWrite: when sendmmsg stops at a reply it cannot send,
// that reply alone is lost (logged, not counted as sent); the replies before
// and after it go out, in order.
func TestUDPBatchPartialWrite(t *testing.T) {
	var calls []int
	steerMmsg(t, nil, func(fd uintptr, hs []unix.Mmsghdr) (int, syscall.Errno) {
		calls = append(calls, len(hs))
		// As the kernel does: the messages before the first failing one
		// are sent and counted; if the first fails, its error.
		for i := range hs {
			if bytes.HasPrefix(payload(&hs[i], false), []byte("FAIL")) {
				if i == 0 {
					return -1, unix.EPERM
				}
				return netpoll.SendMmsg(fd, hs[:i])
			}
		}
		return netpoll.SendMmsg(fd, hs)
	})
	pc := queuedSocket(t, "127.0.0.1:0")
	c := sender(t, "127.0.0.1:0", pc.LocalAddr())
	msgs := []string{"one", "fail two", "fail three", "four", "fail five"}
	for _, m := range msgs {
		c.Write([]byte(m))
	}
	rec, obs := newRecorder(), &counting{}
	serveUDPOn(t, &Server{Logger: slog.New(rec), Observer: obs}, pc)

	if got, want := replies(t, c, 2), []string{"ONE", "FOUR"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %q; want %q", got, want)
	}
	sent, dropped, notSent := handled(t, rec, len(msgs))
	if sent != 2 || notSent != 3 || len(dropped) != 0 {
		t.Errorf("%d sent, %d not sent, dropped %v; want 2, 3, none", sent, notSent, dropped)
	}
	obs.mu.Lock()
	if obs.out != len("ONE")+len("FOUR") {
		t.Errorf("Observer.Sent counted %d bytes; want %d", obs.out, len("ONE")+len("FOUR"))
	}
	obs.mu.Unlock()
	nothingMore(t, c)
	// "one" goes, then "FAIL TWO" and "FAIL THREE" fail alone, then "FOUR"
	// goes, then "FAIL FIVE" fails alone.
	if want := []int{5, 4, 3, 2, 1}; fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Errorf("sendmmsg called with %v messages; want %v", calls, want)
	}
}

// TestUDPBatchIPv6: on an IPv6 socket, each of two senders gets its own
// replies from one batch, in order.
func TestUDPBatchIPv6(t *testing.T) {
	pc := queuedSocket(t, "[::1]:0")
	x := sender(t, "[::1]:0", pc.LocalAddr())
	y := sender(t, "[::1]:0", pc.LocalAddr())
	for i := range 5 {
		x.Write(fmt.Appendf(nil, "x%d", i))
		y.Write(fmt.Appendf(nil, "y%d", i))
	}
	serveUDPOn(t, &Server{}, pc)
	if got := fmt.Sprint(replies(t, x, 5)); got != "[X0 X1 X2 X3 X4]" {
		t.Errorf("first sender got %s", got)
	}
	if got := fmt.Sprint(replies(t, y, 5)); got != "[Y0 Y1 Y2 Y3 Y4]" {
		t.Errorf("second sender got %s", got)
	}
}

// TestUDPNoAllocationPerDatagram: the batch loop answers a datagram without
// a heap allocation (in the server or this client), counted over the whole
// process for many round trips.
func TestUDPNoAllocationPerDatagram(t *testing.T) {
	c := dialUDP(t, startBatchUDP(t, &Server{}))
	msg := []byte("hello, allocation-free datagrams")
	buf := make([]byte, 64)
	ping := func() {
		c.Write(msg)
		if n, err := c.Read(buf); err != nil || n != len(msg) {
			t.Fatalf("reply: %d bytes, %v", n, err)
		}
	}
	c.SetDeadline(time.Now().Add(time.Minute)) // fail, not hang
	for range 100 {
		ping()
	}
	const datagrams = 5000
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range datagrams {
		ping()
	}
	runtime.ReadMemStats(&after)
	if n := after.Mallocs - before.Mallocs; n > datagrams/100 {
		t.Errorf("%d allocations over %d datagrams; want none per datagram", n, datagrams)
	}
}

// startBatchUDP is startUDP with the batch loop, whatever the test run's
// engine.
func startBatchUDP(t testing.TB, s *Server) string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serveUDPOn(t, s, pc)
	return pc.LocalAddr().String()
}

// TestUDPBatchLargest: through the real kernel, a datagram of the
// largest size is answered whole, not taken for one cut short.
func TestUDPBatchLargest(t *testing.T) {
	pc := queuedSocket(t, "[::1]:0")
	c := sender(t, "[::1]:0", pc.LocalAddr())
	big := bytes.Repeat([]byte("z"), slotLen) // 65527: the most IPv6 carries
	if _, err := c.Write(big); err != nil {
		t.Skipf("cannot send %d bytes over IPv6 loopback: %v", len(big), err)
	}
	c.Write([]byte("small"))
	serveUDPOn(t, &Server{}, pc)
	buf := make([]byte, 70000)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := c.Read(buf)
	if err != nil || !bytes.Equal(buf[:n], bytes.ToUpper(big)) {
		t.Fatalf("reply to %d bytes: %d bytes, %v; want it whole, upper-cased", len(big), n, err)
	}
	if got := fmt.Sprint(replies(t, c, 1)); got != "[SMALL]" {
		t.Errorf("then %s; want [SMALL]", got)
	}
}

// BenchmarkUDPRoundTrip is one client's ping-pong through ServePacket, read
// in batches and one at a time.
func BenchmarkUDPRoundTrip(b *testing.B) {
	for _, engine := range []Engine{EngineAuto, EngineGoroutine} {
		b.Run("engine="+engine.String(), func(b *testing.B) {
			c := dialUDP(b, startBatchUDP(b, &Server{Engine: engine, UDPRate: NoLimit}))
			msg, buf := make([]byte, 64), make([]byte, 64)
			b.ReportAllocs()
			b.SetBytes(64)
			for b.Loop() {
				c.Write(msg)
				if _, err := c.Read(buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

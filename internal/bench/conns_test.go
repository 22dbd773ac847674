package bench

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/upcase/upcase/internal/upper"
)

// A seen is what a test server saw of one connection. Its fields are set
// before done is closed.
type seen struct {
	remote netip.AddrPort
	bytes  int64         // received (and answered)
	end    error         // what ended the reading: io.EOF is the client's FIN
	done   chan struct{} // closed by endSeen
}

func endSeen(s *seen, bytes int64, err error) {
	s.bytes, s.end = bytes, err
	close(s.done)
}

// connLog is a TCP server on 127.0.0.1 that records every connection it
// accepts, in order. handle serves connection i (from 0); nil means
// serveCounting. Each handler must call endSeen once.
type connLog struct {
	addr     string
	handle   func(i int, c net.Conn, s *seen)
	mu       sync.Mutex
	ln       net.Listener
	conns    []*seen
	live     []net.Conn
	accepted chan struct{} // closed (and replaced) at every accept, to wake wait
	wg       sync.WaitGroup
}

func newConnLog(t *testing.T, handle func(i int, c net.Conn, s *seen)) *connLog {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &connLog{ln: ln, addr: ln.Addr().String(), handle: handle, accepted: make(chan struct{})}
	l.serve(ln)
	t.Cleanup(func() {
		l.kill()
		l.wg.Wait()
	})
	return l
}

// serve accepts on ln until it is closed.
func (l *connLog) serve(ln net.Listener) {
	l.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s := &seen{remote: c.RemoteAddr().(*net.TCPAddr).AddrPort(), done: make(chan struct{})}
			l.mu.Lock()
			i := len(l.conns)
			l.conns = append(l.conns, s)
			l.live = append(l.live, c)
			close(l.accepted)
			l.accepted = make(chan struct{})
			l.mu.Unlock()
			l.wg.Go(func() {
				defer c.Close()
				if l.handle != nil {
					l.handle(i, c, s)
				} else {
					serveCounting(c, s)
				}
			})
		}
	})
}

// kill closes the listener and resets every connection, as a server that
// dies does.
func (l *connLog) kill() {
	l.mu.Lock()
	ln, live := l.ln, l.live
	l.live = nil
	l.mu.Unlock()
	ln.Close()
	for _, c := range live {
		c.(*net.TCPConn).SetLinger(0)
		c.Close()
	}
}

// restart listens again at the same address.
func (l *connLog) restart(t *testing.T) {
	ln, err := net.Listen("tcp", l.addr)
	if err != nil {
		t.Error(err)
		return
	}
	l.mu.Lock()
	l.ln = ln
	l.mu.Unlock()
	l.serve(ln)
}

// waitLimit bounds every wait of connLog: reached only when the test fails.
const waitLimit = 10 * time.Second

// wait is for after Run has returned, having opened opened connections: it
// returns what the server saw of each connection bench opened, once each
// has been served to its end, and fails the test if the server does not
// accept that many.
//
// When Run returns, connections bench rightly counts as opened may not have
// been accepted yet: a worker that redials just before the end of the run
// and closes the connection unused completed a handshake, so the
// connection waits in the listener's accept queue. So wait first waits for
// the server to have accepted opened connections. Then, so that a
// connection bench did not count cannot hide in that queue either, it
// opens one of its own (the sentinel) and waits for the server to accept
// it: the accept queue is first in, first out, so every connection whose
// handshake completed before the sentinel's has been accepted by then. The
// sentinel is left out of what wait returns; what remains is what the
// server accepted from bench, for the caller to compare with opened. (Were
// a handshake of bench's ever to complete after the sentinel's, an extra
// connection could go unseen; a correct count cannot fail.)
func (l *connLog) wait(t *testing.T, opened int64) []seen {
	t.Helper()
	timeout := time.NewTimer(waitLimit)
	defer timeout.Stop()
	if !l.waitAccepted(timeout.C, func(conns []*seen) bool { return int64(len(conns)) >= opened }) {
		t.Fatalf("the server accepted %d connections in %v; bench opened %d", len(l.snapshot()), waitLimit, opened)
	}
	// The sentinel is the connection from its address accepted after
	// those: on loopback it may reuse the port of one of bench's, closed.
	before := len(l.snapshot())
	sentinel, err := net.Dial("tcp", l.addr)
	if err != nil {
		t.Fatalf("the test's own connection, after bench's: %v", err)
	}
	from := sentinel.LocalAddr().(*net.TCPAddr).AddrPort()
	at := -1 // the sentinel's place among the connections accepted
	accepted := l.waitAccepted(timeout.C, func(conns []*seen) bool {
		at = slices.IndexFunc(conns[before:], func(s *seen) bool { return s.remote == from })
		return at >= 0
	})
	sentinel.Close()
	if !accepted {
		t.Fatalf("the server did not accept the test's own connection from %s in %v", from, waitLimit)
	}
	var out []seen
	for i, s := range l.snapshot() {
		select {
		case <-s.done:
		case <-timeout.C:
			t.Fatalf("the server's connection %d from %s never ended", i, s.remote)
		}
		if i != before+at {
			out = append(out, *s)
		}
	}
	return out
}

// waitAccepted waits until ok holds of the connections accepted so far, or
// until timeout; it reports whether ok held.
func (l *connLog) waitAccepted(timeout <-chan time.Time, ok func([]*seen) bool) bool {
	for {
		l.mu.Lock()
		done, next := ok(l.conns), l.accepted
		l.mu.Unlock()
		if done {
			return true
		}
		select {
		case <-next:
		case <-timeout:
			return false
		}
	}
}

// snapshot is the connections accepted so far.
func (l *connLog) snapshot() []*seen {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.conns)
}

// serveCounting upper-cases like serveUpper, and records the bytes and how
// the connection ended.
func serveCounting(c net.Conn, s *seen) { serveCountingFrom(c, s, 0) }

// serveCountingFrom is serveCounting on a connection that has carried
// total bytes already.
func serveCountingFrom(c net.Conn, s *seen, total int64) {
	buf := make([]byte, 16<<10)
	for {
		n, err := c.Read(buf)
		upper.ASCII(buf[:n])
		total += int64(n)
		_, werr := c.Write(buf[:n])
		if err != nil || werr != nil {
			if err == nil {
				err = werr
			}
			closeWrite(c)
			endSeen(s, total, err)
			return
		}
	}
}

var (
	src2 = netip.MustParseAddr("127.0.0.2")
	src3 = netip.MustParseAddr("127.0.0.3")
)

// --source: connections come from the source addresses in turn, redials
// included, over TCP and UDP.
func TestSource(t *testing.T) {
	for _, p := range []int{1, 3} {
		l := newConnLog(t, nil)
		res := mustRun(t, Config{Addr: l.addr, Conns: 3, Pipeline: p, MsgsPerConn: 7, Source: []netip.Addr{src2, src3}})
		wantClean(t, res)
		conns := l.wait(t, res.ConnsOpened)
		if int64(len(conns)) != res.ConnsOpened {
			t.Errorf("pipeline %d: the server accepted %d connections; bench says it opened %d", p, len(conns), res.ConnsOpened)
		}
		from := map[netip.Addr]int{}
		for _, s := range conns {
			from[s.remote.Addr()]++
		}
		if len(from) != 2 || from[src2]-from[src3] > 1 || from[src3]-from[src2] > 1 {
			t.Errorf("pipeline %d: connections came from %v; want 127.0.0.2 and 127.0.0.3 in turn", p, from)
		}
		if strings.Join(res.Source, ",") != "127.0.0.2,127.0.0.3" {
			t.Errorf("Result.Source = %v", res.Source)
		}
	}

	// UDP: each socket from a source in turn.
	pc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu   sync.Mutex
		from = map[netip.Addr]bool{}
		wg   sync.WaitGroup
	)
	wg.Go(func() {
		buf := make([]byte, 64<<10)
		for {
			n, a, err := pc.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			mu.Lock()
			from[a.Addr()] = true
			mu.Unlock()
			upper.ASCII(buf[:n])
			pc.WriteToUDPAddrPort(buf[:n], a)
		}
	})
	defer func() {
		pc.Close()
		wg.Wait()
	}()
	res := mustRun(t, Config{Addr: pc.LocalAddr().String(), UDP: true, Conns: 2, Source: []netip.Addr{src2, src3}})
	wantClean(t, res)
	mu.Lock()
	defer mu.Unlock()
	if len(from) != 2 || !from[src2] || !from[src3] {
		t.Errorf("UDP datagrams came from %v; want 127.0.0.2 and 127.0.0.3", from)
	}
}

// A source of the wrong family, or that is not an address of this machine.
func TestSourceErrors(t *testing.T) {
	for _, tc := range []struct {
		src  string
		addr string
		want string // "" for no error
	}{
		{"127.0.0.2", "127.0.0.1:8080", ""},
		{"::1", "[::1]:8080", ""},
		{"::ffff:127.0.0.2", "127.0.0.1:8080", ""},
		{"127.0.0.2", "localhost:8080", ""}, // a name: its addresses of the source's family are dialled
		{"::1", "127.0.0.1:8080", "::1 is IPv6 but 127.0.0.1 is IPv4"},
		{"127.0.0.2", "[::1]:8080", "127.0.0.2 is IPv4 but ::1 is IPv6"},
		{"fe80::1%lo", "[::1]:8080", "takes no zone"},
	} {
		err := CheckSource(netip.MustParseAddr(tc.src), tc.addr)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("CheckSource(%s, %s) = %v; want %q", tc.src, tc.addr, err, tc.want)
		}
	}
	_, err := Run(context.Background(), Config{Addr: "127.0.0.1:1", Source: []netip.Addr{netip.MustParseAddr("::1")}})
	if err == nil || !strings.Contains(err.Error(), "Source") {
		t.Errorf("Run with an IPv6 source to an IPv4 address: %v; want an error naming Source", err)
	}
	// 192.0.2.1 (TEST-NET-1) is no address of this machine: the one-line
	// error says so, and names both ends.
	addr := freeAddr(t, "tcp")
	_, err = Run(context.Background(), Config{Addr: addr, Conns: 1, Source: []netip.Addr{netip.MustParseAddr("192.0.2.1")}})
	if !errors.Is(err, syscall.EADDRNOTAVAIL) || !strings.Contains(err.Error(), "connect to "+addr+" from 192.0.2.1: cannot assign requested address") {
		t.Errorf("Run from 192.0.2.1: %v; want cannot assign requested address, naming both ends", err)
	}
}

// --msgs-per-conn: every connection but the last of each worker carries
// exactly that many messages and ends politely (the server reads the FIN
// after the last of them); every message sent reaches the server; and the
// server sees as many connections as bench says it opened.
func TestMsgsPerConn(t *testing.T) {
	const size, n, conns = 16, 5, 2
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"ping-pong", Config{}},
		{"pipelined", Config{Pipeline: 3}},
		{"pipelined larger than the window", Config{Pipeline: 8}},
		{"open loop", Config{Rate: 2000}},
		{"open loop pipelined", Config{Rate: 2000, Pipeline: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newConnLog(t, nil)
			cfg := tc.cfg
			cfg.Addr, cfg.Size, cfg.Conns, cfg.MsgsPerConn = l.addr, size, conns, n
			res := mustRun(t, cfg)
			wantClean(t, res)
			got := l.wait(t, res.ConnsOpened)
			if int64(len(got)) != res.ConnsOpened || res.FailedConnsTotal != 0 {
				t.Fatalf("server accepted %d connections; bench opened %d, %d failed", len(got), res.ConnsOpened, res.FailedConnsTotal)
			}
			var total int64
			short := 0
			for i, s := range got {
				total += s.bytes
				if !errors.Is(s.end, io.EOF) {
					t.Errorf("connection %d ended with %v; want the client's FIN", i, s.end)
				}
				switch {
				case s.bytes > n*size:
					t.Errorf("connection %d carried %d bytes; want at most %d messages of %d", i, s.bytes, n, size)
				case s.bytes < n*size:
					short++
				}
			}
			if short > conns {
				t.Errorf("%d connections carried fewer than %d messages; only the last of each of the %d workers may", short, n, conns)
			}
			if total != res.Sent*size {
				t.Errorf("the server received %d bytes; bench sent %d messages of %d", total, res.Sent, size)
			}
			if min := (res.Sent + n - 1) / n; res.ConnsOpened < min || res.ConnsOpened > min+conns {
				t.Errorf("%d connections for %d messages at %d each; want from %d to %d", res.ConnsOpened, res.Sent, n, min, min+conns)
			}
		})
	}
}

// A connection reset mid-run is one error and one failed connection, listed
// with the addresses the server saw; the worker opens another and goes on.
// The run is stopped once the connection after the kill has carried a
// message: how long the kill takes to come (20 round trips, slow under a
// loaded -race build) does not decide whether there is time for another.
func TestConnectionKilledMidRun(t *testing.T) {
	for _, p := range []int{1, 4} {
		ctx, cancel := context.WithCancel(context.Background())
		l := newConnLog(t, func(i int, c net.Conn, s *seen) {
			if i > 0 {
				if i == 1 {
					buf := make([]byte, 16)
					if _, err := io.ReadFull(c, buf); err != nil {
						endSeen(s, 0, err)
						return
					}
					upper.ASCII(buf)
					c.Write(buf)
					cancel() // the worker went on after the kill: enough
					serveCountingFrom(c, s, 16)
					return
				}
				serveCounting(c, s)
				return
			}
			// The first connection: answer some messages, then reset.
			buf := make([]byte, 16)
			var total int64
			for total < 20*16 {
				k, err := io.ReadFull(c, buf)
				total += int64(k)
				if err != nil {
					endSeen(s, total, err)
					return
				}
				upper.ASCII(buf)
				c.Write(buf)
			}
			c.(*net.TCPConn).SetLinger(0)
			c.Close()
			endSeen(s, total, errors.New("killed by the test"))
		})
		res, err := Run(ctx, Config{Addr: l.addr, Conns: 1, Pipeline: p, Size: 16, Duration: time.Hour, Timeout: mustTimeout})
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("pipeline %d: Run: %v; want it stopped after the connection that followed the kill", p, err)
		}
		got := l.wait(t, res.ConnsOpened)
		if len(got) < 2 || res.ConnsOpened != int64(len(got)) {
			t.Fatalf("pipeline %d: %d connections accepted, %d opened; want the killed one and more", p, len(got), res.ConnsOpened)
		}
		if res.Errors != 1 || res.FailedConnsTotal != 1 || len(res.FailedConns) != 1 || !res.Failed() || res.Mismatches != 0 {
			t.Fatalf("pipeline %d: errors %d, failed connections %d %v, mismatches %d; want exactly the killed one",
				p, res.Errors, res.FailedConnsTotal, res.FailedConns, res.Mismatches)
		}
		f := res.FailedConns[0]
		if f.Local != got[0].remote.String() || f.Remote != l.addr || f.Error == "" {
			t.Errorf("pipeline %d: failed %+v; want local %s (as the server saw it), remote %s, and why", p, f, got[0].remote, l.addr)
		}
		if got[1].bytes == 0 {
			t.Errorf("pipeline %d: nothing was sent on the connection opened after the kill", p)
		}
		var text strings.Builder
		res.WriteText(&text)
		for _, want := range []string{"  connections  " + itoa(res.ConnsOpened) + " opened, 1 failed\n", "  failed       " + f.Local + " → " + l.addr + " at "} {
			if !strings.Contains(text.String(), want) {
				t.Errorf("the report lacks %q:\n%s", want, text.String())
			}
		}
		b, _ := json.Marshal(res)
		var m struct {
			FailedConns []map[string]any `json:"failed_conns"`
		}
		json.Unmarshal(b, &m)
		if len(m.FailedConns) != 1 || m.FailedConns[0]["local"] != f.Local || m.FailedConns[0]["remote"] != l.addr || m.FailedConns[0]["error"] == "" {
			t.Errorf("JSON failed_conns = %v", m.FailedConns)
		}
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// A server that dies mid-run: its connections fail, new ones are refused
// (each a connection failure, listed with its source) and dialled again
// after a back-off; when it is back, load goes on.
//
// With one connection at a time the counts are exact. Connection 0's
// handler kills the server: it closes the listener, then resets connection
// 0; so bench sees its connection fail only once nothing listens, and every
// dial is refused until the dialer restarts the server at the third
// refusal, before it returns that refusal. Hence no connection bench opened
// was ever in the dead listener's accept queue (closing the listener would
// have reset it unaccepted: opened by bench, never seen by the server), the
// server accepts exactly what bench opened (connection 0 and the one after
// the restart), and exactly 3 dials are refused. That the refusals are
// spaced by a back-off is TestRefusingServer's to show.
func TestServerDiesAndComesBack(t *testing.T) {
	// The handler reaches l through an atomic: bench's epoll engine writes
	// with raw system calls, which tell the race detector nothing.
	var lp atomic.Pointer[connLog]
	var once, back sync.Once
	l := newConnLog(t, func(i int, c net.Conn, s *seen) {
		l := lp.Load()
		if i == 0 {
			buf := make([]byte, 16)
			if _, err := io.ReadFull(c, buf); err == nil {
				upper.ASCII(buf)
				c.Write(buf)
			}
			once.Do(l.kill) // the first message answered: the server dies
			endSeen(s, 16, errors.New("killed"))
			return
		}
		serveCounting(c, s)
	})
	lp.Store(l)
	refused := 0
	dialer := func(ctx context.Context, network string, local netip.Addr, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, local, addr)
		if errors.Is(err, syscall.ECONNREFUSED) {
			if refused++; refused == 3 {
				back.Do(func() { l.restart(t) }) // the third refusal: it is back
			}
		}
		return c, err
	}
	res := mustRun(t, Config{Addr: l.addr, Conns: 1, Size: 16, Duration: 500 * time.Millisecond, Dial: dialer, Source: []netip.Addr{src2}})
	got := l.wait(t, res.ConnsOpened)
	if res.ConnFailures != 3 || res.DialsRefused != 3 || res.Errors != 1 || res.FailedConnsTotal != 4 || !res.Failed() {
		t.Errorf("conn failures %d (refused %d), errors %d, failed connections %d; want the broken one and 3 refused",
			res.ConnFailures, res.DialsRefused, res.Errors, res.FailedConnsTotal)
	}
	for _, f := range res.FailedConns[1:] {
		if f.Local != "127.0.0.2" || f.Remote != l.addr || !strings.Contains(f.Error, "connection refused") {
			t.Errorf("failed connection %+v; want a refusal from 127.0.0.2 to %s", f, l.addr)
		}
	}
	if len(got) != 2 || got[1].bytes == 0 || res.ConnsOpened != 2 {
		t.Errorf("after the server came back: %d connections accepted (bench: %d opened); want the killed one and load on one more", len(got), res.ConnsOpened)
	}
}

// A run stopped while its workers dial again and back off stops at once:
// no dial after the one during which it was stopped, that dial not counted
// as a failure (each failure listed is a connection the server reset), and
// the result over the time until the stop.
func TestCancelWhileRedialling(t *testing.T) {
	l := newConnLog(t, func(i int, c net.Conn, s *seen) {
		_, err := c.Read(make([]byte, 1)) // reset every connection at its first byte
		c.(*net.TCPConn).SetLinger(0)
		endSeen(s, 0, err)
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dials := 0
	dialer := func(ctx2 context.Context, network string, local netip.Addr, addr string) (net.Conn, error) {
		if dials++; dials == 4 {
			cancel()
		}
		return dial(ctx2, network, local, addr)
	}
	res, err := Run(ctx, Config{Addr: l.addr, Conns: 1, Duration: time.Hour, Dial: dialer})
	if !errors.Is(err, context.Canceled) || res == nil || !res.Interrupted {
		t.Fatalf("Run = %+v, %v; want the result so far, interrupted, and context.Canceled", res, err)
	}
	if dials != 4 || res.ConnFailures != 0 || res.FailedConnsTotal != res.Errors || res.Errors != res.ConnsOpened {
		t.Errorf("%d dials, %d opened, %d failed to open, %d errors, %d failed connections; want 4 dials, the last cut short by the stop and not a failure, and each connection opened a failure",
			dials, res.ConnsOpened, res.ConnFailures, res.Errors, res.FailedConnsTotal)
	}
	wantStoppedEarly(t, res, time.Hour)
	l.wait(t, res.ConnsOpened)
}

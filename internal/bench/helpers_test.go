package bench

import (
	"context"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/upcase/upcase/internal/upper"
)

// tcpServer calls handle for every connection accepted on 127.0.0.1 at a
// free port and returns the address. When the test ends the listener and
// the connections are closed and the handlers waited for.
func tcpServer(t testing.TB, handle func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveOn(t, ln, handle)
}

// serveOn is tcpServer on a listener of the test's own, which it closes
// when the test ends.
func serveOn(t testing.TB, ln net.Listener, handle func(c net.Conn)) string {
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() {
				defer c.Close()
				handle(c)
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// serveUpper is a plain upper-casing server: read, upper-case, write back.
func serveUpper(c net.Conn) { serveWith(c, upper.ASCII) }

// serveEcho is an RFC 862 echo server.
func serveEcho(c net.Conn) { serveWith(c, func([]byte) {}) }

func serveWith(c net.Conn, transform func([]byte)) {
	buf := make([]byte, 16<<10)
	for {
		n, err := c.Read(buf)
		transform(buf[:n])
		if _, werr := c.Write(buf[:n]); werr != nil || err != nil {
			closeWrite(c)
			return
		}
	}
}

// closeWrite sends FIN after the last reply, as upcase's server does at EOF.
func closeWrite(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
}

// serveByteByByte upper-cases and answers every byte in its own write, so
// replies come split at every possible point.
func serveByteByByte(c net.Conn) {
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		upper.ASCII(buf[:n])
		for i := range n {
			if _, err := c.Write(buf[i : i+1]); err != nil {
				return
			}
		}
		if err != nil {
			closeWrite(c)
			return
		}
	}
}

// swapPairs answers messages of size bytes two at a time, in the wrong
// order, correctly upper-cased.
func swapPairs(size int) func(net.Conn) {
	return func(c net.Conn) {
		buf := make([]byte, 2*size)
		for {
			if _, err := io.ReadFull(c, buf); err != nil {
				return
			}
			upper.ASCII(buf)
			c.Write(buf[size:])
			c.Write(buf[:size])
		}
	}
}

// holdUntil answers nothing until it has n bytes, then upper-cases
// everything: a client that does not keep n bytes in flight never gets a
// reply.
func holdUntil(n int) func(net.Conn) {
	return func(c net.Conn) {
		buf := make([]byte, n)
		if _, err := io.ReadFull(c, buf); err != nil {
			return
		}
		upper.ASCII(buf)
		if _, err := c.Write(buf); err != nil {
			return
		}
		serveUpper(c)
	}
}

// stallOnce upper-cases, but once it has read after bytes it stops for d
// before it answers them: a server pause (a GC, a lock, a full disk). The
// message that crossed after waits the whole stall. stalled is closed when
// the stall begins.
func stallOnce(after int, d time.Duration, stalled chan<- struct{}) func(net.Conn) {
	var once sync.Once
	return func(c net.Conn) {
		buf := make([]byte, 16<<10)
		total := 0
		for {
			n, err := c.Read(buf)
			if total += n; total >= after {
				once.Do(func() {
					close(stalled)
					time.Sleep(d) // the server's stall, not a wait of the test
				})
			}
			upper.ASCII(buf[:n])
			if _, werr := c.Write(buf[:n]); werr != nil || err != nil {
				return
			}
		}
	}
}

// closeAfter upper-cases at least n bytes and then closes the connection.
func closeAfter(n int) func(net.Conn) {
	return func(c net.Conn) {
		buf := make([]byte, 4096)
		for total := 0; total < n; {
			m, err := c.Read(buf)
			upper.ASCII(buf[:m])
			if _, werr := c.Write(buf[:m]); werr != nil || err != nil {
				return
			}
			total += m
		}
	}
}

// silent reads and never answers; got is closed at the first byte.
func silent(got chan<- struct{}) func(net.Conn) {
	var once sync.Once
	return func(c net.Conn) {
		buf := make([]byte, 4096)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
			once.Do(func() { close(got) })
		}
	}
}

// udpServer answers datagrams on 127.0.0.1 at a free port with transform
// applied, except that it drops every dropEvery-th one (0: none).
func udpServer(t testing.TB, dropEvery int, transform func([]byte)) string {
	t.Helper()
	pc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		buf := make([]byte, 64<<10)
		for i := 1; ; i++ {
			n, from, err := pc.ReadFromUDPAddrPort(buf) // no allocation per datagram
			if err != nil {
				return
			}
			if dropEvery > 0 && i%dropEvery == 0 {
				continue
			}
			transform(buf[:n])
			pc.WriteToUDPAddrPort(buf[:n], from)
		}
	})
	t.Cleanup(func() {
		pc.Close()
		wg.Wait()
	})
	return pc.LocalAddr().String()
}

// freeAddr is a loopback address where nobody listens (TCP or UDP).
func freeAddr(t testing.TB, network string) string {
	t.Helper()
	if network == "udp" {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer pc.Close()
		return pc.LocalAddr().String()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// mustRun's defaults: a short run, and over TCP a long Timeout, so that a
// reply that a busy machine delays by more than DefaultTimeout is not
// taken for a missing one. A correct server's replies are all in when the
// run ends, so the Timeout costs nothing unless one is really missing.
const (
	mustDuration = 200 * time.Millisecond
	mustTimeout  = 10 * time.Second
)

// mustRun runs cfg (short by default) and fails the test on an error.
func mustRun(t testing.TB, cfg Config) *Result {
	t.Helper()
	if cfg.Duration == 0 {
		cfg.Duration = mustDuration
	}
	if cfg.Timeout == 0 && !cfg.UDP {
		cfg.Timeout = mustTimeout
	}
	if cfg.Conns == 0 {
		cfg.Conns = 2
	}
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if want := testEngine; cfg.Engine == EngineAuto && want != EngineAuto && res.Engine != want {
		t.Fatalf("ran on the %s engine; the tests asked for %s", res.Engine, want)
	}
	if res == nil {
		t.Fatal("Run returned a nil Result and no error")
	}
	return res
}

// wantClean fails unless res answered messages without any failure.
func wantClean(t testing.TB, res *Result) {
	t.Helper()
	if res.Messages == 0 || res.Failed() {
		t.Errorf("messages %d, mismatches %d, errors %d, conn failures %d (%s); want messages and no failure",
			res.Messages, res.Mismatches, res.Errors, res.ConnFailures, res.FirstError)
	}
}

package bench

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/upcase/upcase/internal/upper"
)

// Every loop (write-then-read, pipelined, open loop, large messages) checks
// replies against what it sent, and passes against a correct server.
func TestCorrectServerPasses(t *testing.T) {
	addr := tcpServer(t, serveUpper)
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"ping-pong", Config{}},
		{"one byte", Config{Size: 1}},
		{"pipelined", Config{Pipeline: 16}},
		{"pipelined one byte", Config{Pipeline: 7, Size: 1}},
		{"large messages", Config{Size: 200 << 10}}, // more than one buffer: pipelined
		{"open loop", Config{Rate: 2000}},
		{"open loop pipelined", Config{Rate: 2000, Pipeline: 4}},
		// Without a file descriptor: Write and io.ReadFull.
		{"plain exchanger", Config{Dial: dialHiding, Engine: EngineGoroutine}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Addr = addr
			res := mustRun(t, tc.cfg)
			wantClean(t, res)
			if limit := int64(tc.cfg.Rate * mustDuration.Seconds()); tc.cfg.Rate > 0 && res.Sent > limit {
				t.Errorf("sent %d at %v msgs/s in %v; the schedule has only %d", res.Sent, tc.cfg.Rate, mustDuration, limit)
			}
			if res.Sent < res.Messages {
				t.Errorf("sent %d < messages %d", res.Sent, res.Messages)
			}
			if res.Bytes != res.Messages*int64(res.Size) {
				t.Errorf("bytes %d; want messages × size = %d", res.Bytes, res.Messages*int64(res.Size))
			}
			if n := res.Latency.TotalCount(); n != res.Messages {
				t.Errorf("histogram holds %d latencies; want one per message, %d", n, res.Messages)
			}
		})
	}
}

// dialHiding dials TCP, and hides the connection's file descriptor.
func dialHiding(ctx context.Context, network string, _ netip.Addr, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	return struct{ net.Conn }{c}, err
}

// A message bigger than the socket buffers, to a server that does not read
// yet: the raw exchanger can write only part of it, and finishes the usual
// way, with Write.
//
// The premise is made certain, and checked. The server's receive buffer is
// 16 KiB from the handshake on (set on the listener: bytes can arrive
// before Accept), the client's send buffer the least the kernel allows, so
// together they cannot hold a 64 KiB message while the server does not
// read; and it does not read until the client's connection sees the
// exchanger call Write for the rest of the message, which it does only
// after a short write of its own. Were the kernel ever to take the whole
// message at once, that Write would not come, the exchanger would wait for
// a reply until the run's timeout, and the test fails on its premise; were
// bench to give Write the whole message, it fails too.
func TestPartialWrite(t *testing.T) {
	const size = maxChunk // the most the raw exchanger sends in one message
	lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
		return setsockopt(rc, syscall.SOL_SOCKET, syscall.SO_RCVBUF, 16<<10)
	}}
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		once   sync.Once
		took   atomic.Int64          // what the exchanger's own first write took
		rested = make(chan struct{}) // closed when the rest is given to Write
		ran    = make(chan struct{}) // closed when Run has returned
	)
	addr := serveOn(t, ln, func(c net.Conn) {
		select {
		case <-rested:
			serveUpper(c)
		case <-ran: // the premise failed: the test says so
		}
	})
	dial := func(ctx context.Context, network string, _ netip.Addr, addr string) (net.Conn, error) {
		var d net.Dialer
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		tc := c.(*net.TCPConn)
		if err := tc.SetWriteBuffer(1); err != nil { // the kernel's least
			tc.Close()
			return nil, err
		}
		return &restConn{TCPConn: tc, onWrite: func(n int) {
			once.Do(func() {
				took.Store(int64(size - n))
				close(rested)
			})
		}}, nil
	}
	res := mustRun(t, Config{Addr: addr, Conns: 1, Size: size, Dial: dial, Engine: EngineGoroutine})
	close(ran)
	select {
	case <-rested:
		if took.Load() == 0 { // an empty socket takes something at once
			t.Fatalf("Write was given a whole %d-byte message: the raw exchanger did not write part of it first", size)
		}
	default:
		t.Fatalf("the exchanger never wrote the rest of a %d-byte message with Write: the kernel took it whole, and the test's premise is gone", size)
	}
	wantClean(t, res)
}

// restConn is a TCP connection that calls onWrite with the length of every
// Write made on it. The raw exchanger writes with a system call of its own
// (through SyscallConn, which restConn keeps), and calls Write only for the
// rest of a message the socket did not take whole.
type restConn struct {
	*net.TCPConn
	onWrite func(n int)
}

func (c *restConn) Write(p []byte) (int, error) {
	c.onWrite(len(p))
	return c.TCPConn.Write(p)
}

// setsockopt sets an integer socket option on rc's socket.
func setsockopt(rc syscall.RawConn, level, opt, value int) error {
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = setsockoptInt(fd, level, opt, value) }); err != nil {
		return err
	}
	return serr
}

// An echo server does not upper-case: with the default expectation every
// loop catches it, and with --expect=echo or none it passes.
func TestEchoServer(t *testing.T) {
	addr := tcpServer(t, serveEcho)
	for _, p := range []int{1, 8} {
		res := mustRun(t, Config{Addr: addr, Pipeline: p})
		if res.Mismatches == 0 || !res.Failed() {
			t.Errorf("pipeline %d: expect=upper against an echo server: %d mismatches of %d; want some", p, res.Mismatches, res.Messages)
		}
		wantClean(t, mustRun(t, Config{Addr: addr, Pipeline: p, Expect: ExpectEcho}))
		wantClean(t, mustRun(t, Config{Addr: addr, Pipeline: p, Expect: ExpectNone}))
	}
}

// A 1-byte message is a lower-case letter only half the time; an echo server
// is still caught.
func TestEchoServerOneByte(t *testing.T) {
	res := mustRun(t, Config{Addr: tcpServer(t, serveEcho), Size: 1})
	if res.Mismatches == 0 {
		t.Errorf("1-byte messages against an echo server: no mismatch in %d messages", res.Messages)
	}
}

// TCP is a byte stream: a server that answers byte by byte is still answered
// correctly, whichever loop reassembles the replies.
func TestSplitReplies(t *testing.T) {
	addr := tcpServer(t, serveByteByByte)
	for _, p := range []int{1, 5} {
		res := mustRun(t, Config{Addr: addr, Pipeline: p, Size: 100})
		wantClean(t, res)
	}
}

// A server that sends the right replies in the wrong order is caught.
func TestReorderCaught(t *testing.T) {
	const size = 16
	res := mustRun(t, Config{Addr: tcpServer(t, swapPairs(size)), Size: size, Pipeline: 2})
	if res.Mismatches == 0 {
		t.Errorf("replies swapped in pairs: no mismatch in %d messages", res.Messages)
	}
}

// With --pipeline=P, P messages really are in flight on each connection: a
// server that answers nothing until it holds P messages still gets load.
func TestPipelineKeepsWindowFull(t *testing.T) {
	const size, depth = 10, 8
	res := mustRun(t, Config{Addr: tcpServer(t, holdUntil(size*depth)), Size: size, Pipeline: depth})
	wantClean(t, res)
}

// A server that closes mid-run is an error, named in FirstError; each
// such connection is listed, and the worker opens another. The run lasts
// until it has: the server's second connection stops it.
func TestServerCloses(t *testing.T) {
	for _, p := range []int{1, 4} {
		ctx, cancel := context.WithCancel(t.Context())
		var accepted atomic.Int32
		closes := closeAfter(160)
		addr := tcpServer(t, func(c net.Conn) {
			if accepted.Add(1) == 2 {
				cancel() // the worker dialled again after the close: enough
			}
			closes(c)
		})
		res, err := Run(ctx, Config{Addr: addr, Conns: 1, Pipeline: p, Duration: time.Hour, Timeout: mustTimeout})
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("pipeline %d: Run: %v; want it stopped once the worker dialled again", p, err)
		}
		// A close with requests still unread sends RST, not FIN: either is
		// fine, as long as it is reported.
		if res.Errors == 0 || !strings.Contains(res.FirstError, "closed the connection") && !strings.Contains(res.FirstError, "reset") {
			t.Errorf("pipeline %d: errors %d, first error %q; want the server's close reported", p, res.Errors, res.FirstError)
		}
		if res.FailedConnsTotal != res.Errors || res.ConnsOpened < res.Errors {
			t.Errorf("pipeline %d: errors %d, failed connections %d, opened %d; want each error a failed connection, each opened",
				p, res.Errors, res.FailedConnsTotal, res.ConnsOpened)
		}
	}
}

// A server that never answers: the run still ends, Timeout after Duration,
// and the missing replies are an error.
func TestSilentServer(t *testing.T) {
	for _, p := range []int{1, 4} {
		got := make(chan struct{})
		res := mustRun(t, Config{Addr: tcpServer(t, silent(got)), Conns: 1, Pipeline: p,
			Duration: 50 * time.Millisecond, Timeout: 50 * time.Millisecond})
		if res.Errors != 1 || !strings.Contains(res.FirstError, "missing") {
			t.Errorf("pipeline %d: errors %d, first error %q; want one error for the missing replies", p, res.Errors, res.FirstError)
		}
		if res.Messages != 0 {
			t.Errorf("pipeline %d: %d messages from a silent server", p, res.Messages)
		}
	}
}

// A server that sends what it was not asked for is caught.
func TestUnaskedBytes(t *testing.T) {
	addr := tcpServer(t, func(c net.Conn) {
		c.Write([]byte("unasked"))
		serveUpper(c)
	})
	for _, p := range []int{1, 4} {
		if res := mustRun(t, Config{Addr: addr, Pipeline: p}); !res.Failed() {
			t.Errorf("pipeline %d: a server that speaks first passed", p)
		}
	}
}

// Replies during the warmup are checked but not counted.
func TestWarmup(t *testing.T) {
	res := mustRun(t, Config{Addr: tcpServer(t, serveUpper), Warmup: 100 * time.Millisecond, Duration: 100 * time.Millisecond})
	wantClean(t, res)
	if res.Sent <= res.Messages {
		t.Errorf("sent %d, counted %d; want the warmup's messages sent but not counted", res.Sent, res.Messages)
	}
}

// A server that sends one byte more than it was sent, right after its
// fifth reply and in the same write: the extra byte is a mismatch and a
// failure of the connection, and the five replies before it still count.
// (Later connections are closed unanswered, so the count is exact on the
// epoll engine; the goroutine engine reads the extra byte as the start of
// the next reply, and counts more, all mismatched.)
func TestMoreBytesThanSent(t *testing.T) {
	var conns atomic.Int64
	addr := tcpServer(t, func(c net.Conn) {
		if conns.Add(1) > 1 {
			return
		}
		buf := make([]byte, 16)
		for i := 1; ; i++ {
			if _, err := io.ReadFull(c, buf); err != nil {
				return
			}
			upper.ASCII(buf)
			out := buf
			if i == 5 {
				out = append(append([]byte{}, buf...), 'x')
			}
			if _, err := c.Write(out); err != nil {
				return
			}
		}
	})
	res, err := Run(context.Background(), Config{Addr: addr, Conns: 1, Size: 16, Duration: 300 * time.Millisecond, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if res.Messages < 5 || res.Mismatches == 0 || !res.Failed() {
		t.Errorf("messages %d, mismatches %d, failed %v (%s); want the 5 replies before the extra byte counted, and a mismatch", res.Messages, res.Mismatches, res.Failed(), res.FirstError)
	}
}

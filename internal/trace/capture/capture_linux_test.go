//go:build linux

package capture

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/upcase/upcase/internal/trace"
	"github.com/upcase/upcase/internal/trace/tracetest"
	"golang.org/x/sys/unix"
)

func TestCaptureUDPOnce(t *testing.T) {
	tracetest.NeedRoot(t)
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	addr := netip.MustParseAddrPort(pc.LocalAddr().String())
	cp := startCapture(t, Config{Port: addr.Port()})
	conn, err := net.Dial("udp", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	send := func(msgs ...string) {
		for _, m := range msgs {
			if _, err := conn.Write([]byte(m)); err != nil {
				t.Fatal(err)
			}
		}
	}
	send("one", "two")
	expect(t, cp, addr, "one", "two")
	// A loopback packet passes lo twice; the copy must not show up. A copy
	// would come before a datagram sent after it, so the next event must be
	// that datagram: no need to wait and see that nothing more comes.
	send("last")
	expect(t, cp, addr, "last")
}

// expect fails the test unless the next events captured are UDP datagrams
// to addr with the payloads want, in order.
func expect(t *testing.T, cp *captured, addr netip.AddrPort, want ...string) {
	t.Helper()
	for _, w := range want {
		select {
		case ev := <-cp.events:
			if ev.Kind != trace.KindUDP || string(ev.Payload) != w || ev.Dst != addr {
				t.Errorf("got %s %q, want a UDP datagram %q to %s", ev, ev.Payload, w, addr)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("datagram %q not captured", w)
		}
	}
}

// TestCaptureTimeIsWhenPassed checks that a frame's time is when it passed
// the interface, not when Next read it, from the moment NewCapture returns:
// a datagram that has reached its socket (which the kernel hands it to after
// the capture) before Next is called has a time before the call. A packet
// socket's own receive timestamps come on a moment after it asks for them,
// from a work queue, and stamp a frame when it is read until then.
func TestCaptureTimeIsWhenPassed(t *testing.T) {
	tracetest.NeedRoot(t)
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	c, err := Open(Config{Port: netip.MustParseAddrPort(pc.LocalAddr().String()).Port()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	conn, err := net.Dial("udp", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	sent := time.Now()
	if _, err := conn.Write([]byte("when")); err != nil {
		t.Fatal(err)
	}
	pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, _, err := pc.ReadFrom(make([]byte, 16)); err != nil {
		t.Fatal(err)
	}
	read := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	f, err := c.Next(ctx)
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	if f.Time.Before(sent) || f.Time.After(read) {
		t.Errorf("frame stamped %s; want between the send at %s and the receipt at %s, before Next read it",
			f.Time.Format("15:04:05.000000"), sent.Format("15:04:05.000000"), read.Format("15:04:05.000000"))
	}
}

func TestCaptureCloseAndCancel(t *testing.T) {
	tracetest.NeedRoot(t)
	c, err := Open(Config{Port: 9}) // nothing talks to the discard port here
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := c.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Next with a deadline: got %v, want context.DeadlineExceeded", err)
	}
	if _, err := c.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Next with an expired context: got %v", err)
	}

	done := make(chan error, 1)
	go func() {
		_, err := c.Next(context.Background())
		done <- err
	}()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, os.ErrClosed) {
			t.Errorf("Next after Close: got %v, want os.ErrClosed", err)
		}
	case <-time.After(waitKernel):
		t.Fatal("Next did not return after Close")
	}
}

func TestCaptureErrors(t *testing.T) {
	if _, err := Open(Config{Interface: "no-such-if0"}); err == nil || !strings.Contains(err.Error(), "no-such-if0") {
		t.Errorf("NewCapture on a missing interface: got %v, want an error naming it", err)
	}
}

// TestCaptureWithoutCapNetRaw drops CAP_NET_RAW from one thread (Linux
// capabilities are per thread) and opens a capture from it.
func TestCaptureWithoutCapNetRaw(t *testing.T) {
	done := make(chan error, 1)
	go func() {
		// Never unlocked: the thread ends with this goroutine, and its
		// reduced capabilities with it.
		runtime.LockOSThread()
		hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
		var data [2]unix.CapUserData
		if err := unix.Capget(&hdr, &data[0]); err != nil {
			done <- err
			return
		}
		data[unix.CAP_NET_RAW/32].Effective &^= 1 << (unix.CAP_NET_RAW % 32)
		if err := unix.Capset(&hdr, &data[0]); err != nil {
			done <- err
			return
		}
		_, err := Open(Config{})
		done <- err
	}()
	err := <-done
	if !errors.Is(err, os.ErrPermission) || !errors.Is(err, unix.EPERM) {
		t.Fatalf("got %v, want an error wrapping EPERM", err)
	}
	for _, w := range []string{"CAP_NET_RAW", "root", "setcap cap_net_raw+ep", "namespace"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%q does not say %q", err, w)
		}
	}
}

//go:build linux

package trace

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

	"golang.org/x/sys/unix"
)

func TestCaptureUDPOnce(t *testing.T) {
	needRoot(t)
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	addr := netip.MustParseAddrPort(pc.LocalAddr().String())
	cp := startCapture(t, CaptureConfig{Port: addr.Port()})
	conn, err := net.Dial("udp", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, m := range []string{"one", "two"} {
		if _, err := conn.Write([]byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []string{"one", "two"} {
		select {
		case ev := <-cp.events:
			if ev.Kind != KindUDP || string(ev.Payload) != want || ev.Dst != addr {
				t.Errorf("got %s %q, want a UDP datagram %q to %s", ev, ev.Payload, want, addr)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("datagram %q not captured", want)
		}
	}
	// A loopback packet passes lo twice; the copy must not show up.
	select {
	case ev := <-cp.events:
		t.Errorf("captured once more: %s %q", ev, ev.Payload)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestCaptureCloseAndCancel(t *testing.T) {
	needRoot(t)
	c, err := NewCapture(CaptureConfig{Port: 9}) // nothing talks to the discard port here
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
	case <-time.After(time.Second):
		t.Fatal("Next did not return after Close")
	}
}

func TestCaptureErrors(t *testing.T) {
	if _, err := NewCapture(CaptureConfig{Interface: "no-such-if0"}); err == nil || !strings.Contains(err.Error(), "no-such-if0") {
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
		_, err := NewCapture(CaptureConfig{})
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

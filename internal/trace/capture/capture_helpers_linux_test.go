//go:build linux

package capture

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/upcase/upcase/internal/trace"
	"golang.org/x/sys/unix"
)

// captured runs a Socket in a goroutine and hands over its decoded events.
type captured struct {
	events chan trace.Event
	done   chan error
	cancel context.CancelFunc
}

// startCapture opens a capture on lo for port and starts reading it; the
// test's cleanup stops it and waits for the reader to end.
func startCapture(t *testing.T, cfg Config) *captured {
	t.Helper()
	c, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cp := &captured{events: make(chan trace.Event, 1024), done: make(chan error, 1), cancel: cancel}
	go func() {
		defer close(cp.events)
		for {
			f, err := c.Next(ctx)
			if err != nil {
				cp.done <- err
				return
			}
			ev, err := trace.DecodeFrame(f)
			if err != nil {
				t.Errorf("decode a captured frame: %v", err)
				continue
			}
			cp.events <- ev
		}
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-cp.done; !errors.Is(err, context.Canceled) {
			t.Errorf("Next after cancel: got %v, want context.Canceled", err)
		}
		if err := c.Close(); err != nil {
			t.Error(err)
		}
	})
	return cp
}

// until feeds the captured events of client's connection to the tracker
// until cond holds for the conversation, failing the test after a few
// seconds. Other traffic on the port, from tests running beside this one,
// is passed over.
func (cp *captured) until(t *testing.T, tr *trace.Tracker, conv **trace.Conversation, client netip.AddrPort, what string, cond func(c *trace.Conversation) bool) {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for *conv == nil || !cond(*conv) {
		select {
		case ev, ok := <-cp.events:
			if !ok {
				t.Fatalf("capture ended waiting for %s", what)
			}
			if ev.Src != client && ev.Dst != client {
				t.Logf("passed over: %s", ev)
				continue
			}
			c, _, err := tr.Add(ev)
			if err != nil {
				t.Fatalf("track %s: %v", ev, err)
			}
			if *conv == nil {
				*conv = c
			} else if c != *conv {
				t.Fatalf("segment of another conversation: %s", ev)
			}
		case <-timeout:
			t.Fatalf("no %s within 5 s", what)
		}
	}
}

// kernelState reads a connection's TCP state from the kernel (TCP_INFO).
func kernelState(t *testing.T, c net.Conn) trace.State {
	t.Helper()
	rc, err := c.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var info *unix.TCPInfo
	var ierr error
	if err := rc.Control(func(fd uintptr) { info, ierr = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO) }); err != nil {
		t.Fatal(err)
	}
	if ierr != nil {
		t.Fatal(ierr)
	}
	s, ok := trace.StateFromLinux(info.State)
	if !ok {
		t.Fatalf("kernel state %d unknown", info.State)
	}
	return s
}

// waitKernel bounds a wait for what must come: long enough that a loaded
// machine running -race never reaches it when the product is right.
const waitKernel = 30 * time.Second

// kernelAgrees polls the kernel's states of the client's and the server's
// sockets until they are want (the kernel may lag the capture by a
// moment), failing after waitKernel.
func kernelAgrees(t *testing.T, client, server net.Conn, want trace.States) {
	t.Helper()
	deadline := time.Now().Add(waitKernel)
	for {
		got := trace.States{Client: kernelState(t, client), Server: kernelState(t, server)}
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("kernel says %+v, the trace inferred %+v", got, want)
		}
		time.Sleep(time.Millisecond)
	}
}

// echo sends msg from the client, has the server answer it upper-cased and
// the client read the answer.
func echo(t *testing.T, client, server net.Conn, msg string) {
	t.Helper()
	if _, err := client.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(server, buf); err != nil {
		t.Fatal(err)
	}
	if _, err := server.Write([]byte(strings.ToUpper(string(buf)))); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(client, buf); err != nil {
		t.Fatal(err)
	}
}

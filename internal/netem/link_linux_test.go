package netem

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// needLink skips the test where a Link cannot be made, except in CI (CI=true),
// where that is a failure: CI machines must run it.
func needLink(t *testing.T) {
	t.Helper()
	if err := Available(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %v", err)
		}
		t.Skip(err)
	}
}

// newLink makes a Link that the test's cleanup removes.
func newLink(t *testing.T) *Link {
	t.Helper()
	needLink(t)
	l, err := NewLink("netem-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Error(err)
		}
		for _, ns := range []*Namespace{l.A, l.B} {
			if _, err := os.Stat(filepath.Join(netnsDir, ns.Name)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("namespace %s still there after Close: %v", ns.Name, err)
			}
		}
	})
	return l
}

// listenA listens on AddrA inside namespace A.
func listenA(t *testing.T, l *Link) net.Listener {
	t.Helper()
	var ln net.Listener
	if err := l.A.Do(func() (err error) {
		ln, err = net.Listen("tcp", netip.AddrPortFrom(AddrA, 0).String())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// dialFromB connects from namespace B to ln.
func dialFromB(l *Link, ln net.Listener, timeout time.Duration) (c net.Conn, err error) {
	err = l.B.Do(func() error {
		c, err = net.DialTimeout("tcp", ln.Addr().String(), timeout)
		return err
	})
	return c, err
}

// sendAcross sends msg from c (in B) to ln's next connection (in A) with a
// half-close, and fails the test unless A reads exactly msg.
func sendAcross(t *testing.T, c net.Conn, ln net.Listener, msg []byte) {
	t.Helper()
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	go func() {
		c.Write(msg)
		c.(*net.TCPConn).CloseWrite()
	}()
	s.SetReadDeadline(time.Now().Add(guard))
	got, err := io.ReadAll(s)
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("A read %d bytes (%v); want the %d sent, intact", len(got), err, len(msg))
	}
}

// TestLink: a TCP conversation from B to A over a Link works with the Relay
// running, only then, and each namespace's counters are its own.
func TestLink(t *testing.T) {
	l := newLink(t)
	ln := listenA(t, l)

	// Without a relay nothing crosses: the SYN waits in DevA's queue.
	if c, err := dialFromB(l, ln, 100*time.Millisecond); err == nil {
		c.Close()
		t.Fatal("dialled A from B with no relay running")
	}

	r := &Relay{}
	stop := startRelay(t, r, l.DevA, l.DevB)
	c, err := dialFromB(l, ln, guard)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sendAcross(t, c, ln, bytes.Repeat([]byte("through the tunnel "), 10000))
	if err := stop(); err != nil {
		t.Fatalf("Run = %v", err)
	}
	ab, ba := r.Stats()
	if ab.Delivered == 0 || ba.Delivered == 0 || ab.Dropped+ba.Dropped+ab.Overflowed+ba.Overflowed != 0 {
		t.Errorf("Stats = %+v, %+v; want packets delivered both ways, none dropped", ab, ba)
	}

	counters := func(ns *Namespace) map[string]int64 {
		m, err := ns.SNMP()
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	a, b := counters(l.A), counters(l.B)
	// B tried twice: once with no relay.
	if a["TcpPassiveOpens"] != 1 || a["TcpActiveOpens"] != 0 || b["TcpPassiveOpens"] != 0 || b["TcpActiveOpens"] != 2 {
		t.Errorf("A opened %d passively, %d actively; B %d passively, %d actively; want 1, 0, 0, 2",
			a["TcpPassiveOpens"], a["TcpActiveOpens"], b["TcpPassiveOpens"], b["TcpActiveOpens"])
	}
}

// TestCorruptionIsDropped: every segment the relay corrupts on its way to A
// is dropped by A's TCP as a checksum error, and retransmitted: the data
// arrives intact.
func TestCorruptionIsDropped(t *testing.T) {
	l := newLink(t)
	ln := listenA(t, l)
	before, err := l.A.SNMP()
	if err != nil {
		t.Fatal(err)
	}
	r := &Relay{Faults: Faults{Corrupt: 0.2}, Seed: 1}
	stop := startRelay(t, r, l.DevA, l.DevB)
	c, err := dialFromB(l, ln, guard)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sendAcross(t, c, ln, bytes.Repeat([]byte("check me "), 100000))
	stop()
	after, err := l.A.SNMP()
	if err != nil {
		t.Fatal(err)
	}
	_, toA := r.Stats()
	csum := after["TcpInCsumErrors"] - before["TcpInCsumErrors"]
	t.Logf("corrupted on the way to A: %d of %d packets; A's TcpInCsumErrors rose by %d", toA.Corrupted, toA.Packets, csum)
	if toA.Corrupted == 0 || csum != toA.Corrupted {
		t.Errorf("A's TcpInCsumErrors rose by %d; want the %d segments corrupted on the way", csum, toA.Corrupted)
	}
}

// TestNamespaceDo: Do runs its function in the namespace, and leaves no
// thread behind in it.
func TestNamespaceDo(t *testing.T) {
	l := newLink(t)
	var inA, inB, home string
	read := func(dst *string) func() error {
		return func() (err error) { *dst, err = os.Readlink("/proc/thread-self/ns/net"); return err }
	}
	if err := errors.Join(l.A.Do(read(&inA)), l.B.Do(read(&inB)), read(&home)()); err != nil {
		t.Fatal(err)
	}
	if inA == inB || inA == home || inB == home {
		t.Errorf("namespaces: A %s, B %s, this thread %s; want three different", inA, inB, home)
	}
	// After Do the thread is back home, or gone.
	for range 20 {
		var here string
		if err := read(&here)(); err != nil || here != home {
			t.Fatalf("a thread is in %s (%v) after Do; want %s", here, err, home)
		}
		l.A.Do(func() error { return nil })
	}
}

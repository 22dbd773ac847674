package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// udpServer answers datagrams upper-cased, except those for which drop says
// so; it stops when the test ends.
func udpServer(t *testing.T, drop func(n int) bool) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { pc.Close(); <-done })
	go func() {
		defer close(done)
		buf := make([]byte, 65536)
		for n := 1; ; n++ {
			k, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if !drop(n) {
				pc.WriteTo(bytes.ToUpper(buf[:k]), from)
			}
		}
	}()
	return pc.LocalAddr().String()
}

func dialUDPTest(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestUDPAllAnswered(t *testing.T) {
	c := dialUDPTest(t, udpServer(t, func(int) bool { return false }))
	var in strings.Builder
	for i := range 500 {
		fmt.Fprintf(&in, "line %d\n", i)
	}
	in.WriteString("last, no newline")
	var out, errw bytes.Buffer
	if err := UDP(context.Background(), c, strings.NewReader(in.String()), &out, &errw, 10*time.Second); err != nil {
		t.Fatalf("UDP: %v (%s)", err, errw.String())
	}
	want := strings.ToUpper(in.String())
	if got := out.String(); len(got) != len(want) {
		t.Errorf("got %d bytes of replies; want %d", len(got), len(want))
	}
	for _, line := range strings.SplitAfter(want, "\n") {
		if !strings.Contains(out.String(), line) {
			t.Errorf("reply %q missing", line)
			break
		}
	}
}

// TestUDPLostReplies: a server that drops every third datagram; each loss is
// reported plainly, the client goes on, and the result says how many.
func TestUDPLostReplies(t *testing.T) {
	c := dialUDPTest(t, udpServer(t, func(n int) bool { return n%3 == 0 }))
	in := "one\ntwo\nthree\nfour\nfive\nsix\nseven\n"
	var out, errw bytes.Buffer
	err := UDP(context.Background(), c, strings.NewReader(in), &out, &errw, 200*time.Millisecond)
	if !errors.Is(err, ErrLost) || !strings.Contains(err.Error(), "2 of 7 datagrams") {
		t.Fatalf("UDP = %v; want 2 of 7 lost", err)
	}
	if got := strings.Count(errw.String(), "UDP does not retransmit"); got != 2 {
		t.Errorf("%d loss reports; want 2:\n%s", got, errw.String())
	}
	for _, word := range []string{"ONE", "TWO", "FOUR", "FIVE", "SEVEN"} {
		if !strings.Contains(out.String(), word) {
			t.Errorf("reply %s missing from %q", word, out.String())
		}
	}
	if !strings.Contains(errw.String(), `"three"`) || !strings.Contains(errw.String(), `"six"`) {
		t.Errorf("the loss reports do not name the lines lost:\n%s", errw.String())
	}
}

func TestUDPLineTooLong(t *testing.T) {
	c := dialUDPTest(t, udpServer(t, func(int) bool { return false }))
	in := strings.Repeat("x", MaxDatagram+10) + "\n"
	err := UDP(context.Background(), c, strings.NewReader(in), &bytes.Buffer{}, &bytes.Buffer{}, time.Second)
	if err == nil || !strings.Contains(err.Error(), "does not fit in one datagram") {
		t.Errorf("UDP with an over-long line = %v; want it refused", err)
	}
}

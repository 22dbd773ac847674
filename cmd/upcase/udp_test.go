package main

import (
	"bytes"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// startServeUDP starts `upcase serve --udp` on a free loopback port.
func startServeUDP(t *testing.T, args ...string) (*proc, string) {
	t.Helper()
	p := startUpcase(t, append([]string{"serve", "--udp", "--addr=127.0.0.1:0"}, args...)...)
	return p, p.waitRecord(t, listening).str("addr")
}

// TestUDPThroughTheBinary: lines piped through `upcase client --udp` to
// `upcase serve --udp` each come back as one upper-cased datagram.
func TestUDPThroughTheBinary(t *testing.T) {
	_, addr := startServeUDP(t, "--udp-rate=0")
	var in strings.Builder
	for i := range 300 {
		fmt.Fprintf(&in, "datagram %d, every one answered\n", i)
	}
	out, stderr, code := runClient(t, []byte(in.String()), "--udp", "--addr="+addr)
	if code != 0 {
		t.Fatalf("client --udp exit %d: %s", code, stderr)
	}
	if got, want := string(out), strings.ToUpper(in.String()); len(got) != len(want) {
		t.Fatalf("got %d bytes back; want %d", len(got), len(want))
	}
}

// TestUDPLossReported: against a port where nothing answers, the client says
// plainly that UDP does not retransmit and exits non-zero with the count.
func TestUDPLossReported(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0") // receives, never answers
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	_, stderr, code := runClient(t, []byte("one\ntwo\n"), "--udp", "--timeout=200ms", "--addr="+pc.LocalAddr().String())
	if code == 0 {
		t.Fatal("exit 0 with every datagram lost")
	}
	if !strings.Contains(stderr, "UDP does not retransmit") || !strings.Contains(stderr, "2 of 2 datagrams") {
		t.Errorf("stderr %q; want the losses reported and counted", stderr)
	}
}

// TestUDPNobodyListening: the README's example. Where nothing listens, the
// host answers ICMP port unreachable, which fails the next send; the client
// says so once, in plain words, and goes on: each datagram is reported lost.
func TestUDPNobodyListening(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close() // nobody listens there now
	_, stderr, code := runClient(t, []byte("one\ntwo\nthree\n"), "--udp", "--timeout=200ms", "--addr="+addr)
	if code != 1 || strings.Count(stderr, "nobody listens on "+addr+": the host answered ICMP port unreachable\n") != 1 ||
		strings.Count(stderr, "within 200ms: UDP does not retransmit\n") != 3 || !strings.Contains(stderr, "3 of 3 datagrams") || strings.Contains(stderr, "connection refused") {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 1, nobody listens said once, each of the 3 datagrams reported lost, and no raw error", code, stderr)
	}
}

// TestUDPLargestAndConcurrent: 20 senders at once, then datagrams up to the
// largest UDP payload; every reply is exactly the request upper-cased and
// never longer. (Twenty 64 KiB datagrams at once would overflow the socket's
// receive buffer: UDP would be right to drop some.)
func TestUDPLargestAndConcurrent(t *testing.T) {
	_, addr := startServeUDP(t, "--udp-rate=0")
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
			buf := make([]byte, 65536)
			for _, size := range []int{1, 64, 512, 1472} {
				msg := bytes.Repeat([]byte{byte('a' + i)}, size)
				c.SetDeadline(time.Now().Add(10 * time.Second))
				c.Write(msg)
				n, err := c.Read(buf)
				if err != nil || n > len(msg) || !bytes.Equal(buf[:n], upcased(msg)) {
					errs <- fmt.Errorf("sender %d, %d bytes: got %d bytes, %v", i, size, n, err)
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
	c, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, 65536)
	for _, size := range []int{8192, 32768, 65507} {
		msg := bytes.Repeat([]byte("maximum "), size/8+1)[:size]
		c.SetDeadline(time.Now().Add(10 * time.Second))
		c.Write(msg)
		n, err := c.Read(buf)
		if err != nil || n > len(msg) || !bytes.Equal(buf[:n], upcased(msg)) {
			t.Errorf("%d bytes: got %d bytes, %v", size, n, err)
		}
	}
}

// TestUnicodeThroughTheBinary: --unicode over TCP, with characters split
// across writes, invalid UTF-8 passed through; over UDP a datagram whose
// reply would be longer is dropped, not answered.
func TestUnicodeThroughTheBinary(t *testing.T) {
	_, addr := startServe(t, "--unicode")
	in := []byte("straße ﬁ héllo привет ωμέγα \xff\xfe ok")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := range in { // one byte at a time: every character split
		if _, err := c.Write(in[i : i+1]); err != nil {
			t.Fatal(err)
		}
	}
	c.(*net.TCPConn).CloseWrite()
	var got bytes.Buffer
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := got.ReadFrom(c); err != nil {
		t.Fatal(err)
	}
	want := "STRASSE FI HÉLLO ПРИВЕТ ΩΜΈΓΑ \xff\xfe OK"
	if got.String() != want {
		t.Errorf("--unicode over TCP: %q; want %q", got.String(), want)
	}

	p, uaddr := startServeUDP(t, "--unicode", "-v")
	u, err := net.Dial("udp", uaddr)
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	u.Write([]byte("ΐ"))                                                        // 2 bytes whose upper case is 6
	p.waitRecord(t, func(r record) bool { return r.str("reason") == "longer" }) // dropped, not answered
	u.SetDeadline(time.Now().Add(10 * time.Second))
	u.Write([]byte("straße")) // 7 bytes, STRASSE is 7: answered
	buf := make([]byte, 64)
	n, err := u.Read(buf)
	if err != nil || string(buf[:n]) != "STRASSE" {
		t.Errorf("--unicode over UDP: %q, %v; want STRASSE (and nothing for ΐ)", buf[:n], err)
	}
}

// TestIPv6 round trips over [::1] for TCP and UDP, and --addr=:PORT serving
// both families.
func TestIPv6(t *testing.T) {
	if ln, err := net.Listen("tcp", "[::1]:0"); err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	} else {
		ln.Close()
	}
	p := startUpcase(t, "serve", "--addr=[::1]:0")
	addr := p.waitRecord(t, listening).str("addr")
	if out, stderr, code := runClient(t, []byte("hello v6"), "--addr="+addr); code != 0 || string(out) != "HELLO V6" {
		t.Errorf("TCP over [::1]: %q, exit %d, %s", out, code, stderr)
	}
	_, uaddr := startServeUDPAt(t, "[::1]:0")
	if out, stderr, code := runClient(t, []byte("hello v6\n"), "--udp", "--addr="+uaddr); code != 0 || string(out) != "HELLO V6\n" {
		t.Errorf("UDP over [::1]: %q, exit %d, %s", out, code, stderr)
	}

	// --addr=:PORT: every address, both families.
	p = startUpcase(t, "serve", "--addr=:0")
	all := p.waitRecord(t, listening).str("addr")
	_, port, _ := net.SplitHostPort(all)
	for _, host := range []string{"127.0.0.1", "::1"} {
		a := net.JoinHostPort(host, port)
		if out, stderr, code := runClient(t, []byte("both"), "--addr="+a); code != 0 || string(out) != "BOTH" {
			t.Errorf("--addr=:PORT reached at %s: %q, exit %d, %s", a, out, code, stderr)
		}
	}
}

func startServeUDPAt(t *testing.T, addr string) (*proc, string) {
	t.Helper()
	p := startUpcase(t, "serve", "--udp", "--addr="+addr)
	return p, p.waitRecord(t, listening).str("addr")
}

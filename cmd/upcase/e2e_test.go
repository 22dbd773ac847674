package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/upcase/upcase/internal/upper"
)

func upcased(p []byte) []byte {
	q := bytes.Clone(p)
	upper.ASCII(q)
	return q
}

// runClient runs `upcase client` with stdin as its input (a pipe, so nc-style)
// and returns stdout, stderr and the exit code. Safe from any goroutine.
func runClient(t *testing.T, stdin []byte, args ...string) (stdout []byte, stderr string, code int) {
	t.Helper()
	cmd := exec.Command("upcase", append([]string{"client"}, args...)...)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Error(err) // not Fatal: runClient is called from other goroutines too
		return nil, err.Error(), -1
	}
	return out.Bytes(), errb.String(), cmd.ProcessState.ExitCode()
}

// TestPipeEveryByte streams every byte value, 8 MiB of them, through the real
// client and server processes, half-closes at the end, and expects every byte
// back upper-cased and then a clean exit.
func TestPipeEveryByte(t *testing.T) {
	_, addr := startServe(t)
	var in []byte
	for range 32768 {
		for b := range 256 {
			in = append(in, byte(b))
		}
	}
	out, stderr, code := runClient(t, in, "--addr="+addr)
	if code != 0 {
		t.Fatalf("client exit %d: %s", code, stderr)
	}
	if !bytes.Equal(out, upcased(in)) {
		t.Fatalf("client printed %d bytes; want the %d bytes of input upper-cased", len(out), len(in))
	}
}

// TestPipeLesson: the lesson's exchange through the nc-style client.
func TestPipeLesson(t *testing.T) {
	_, addr := startServe(t)
	out, stderr, code := runClient(t, []byte("hello"), addr)
	if code != 0 || string(out) != "HELLO" {
		t.Fatalf("client printed %q, exit %d (%s); want HELLO, 0", out, code, stderr)
	}
}

// TestManyConcurrentClients: 100 client processes at once against one server
// process, each streaming its own 64 KiB, all answered exactly.
func TestManyConcurrentClients(t *testing.T) {
	_, addr := startServe(t)
	const clients = 100
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := range clients {
		wg.Go(func() {
			in := bytes.Repeat(fmt.Appendf(nil, "client %d says hello\n", i), 3000)
			// A generous connect timeout: 100 race-built processes start at once.
			out, stderr, code := runClient(t, in, "--addr="+addr, "--timeout=5m")
			if code != 0 || !bytes.Equal(out, upcased(in)) {
				errs <- fmt.Errorf("client %d: exit %d, %d of %d bytes right: %s", i, code, len(out), len(in), stderr)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestResetClientsDoNotDisturbServer: clients that reset mid-stream are
// narrated as RST, and the server goes on serving.
func TestResetClientsDoNotDisturbServer(t *testing.T) {
	p, addr := startServe(t, "-v")
	steady, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer steady.Close()
	reply := make([]byte, 16)
	for i := range 10 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.Write(bytes.Repeat([]byte("reset me "), 50000))
		c.(*net.TCPConn).SetLinger(0)
		peer := c.LocalAddr().String()
		c.Close()
		p.output.waitFor(t, p, regexp.MustCompile(`peer=`+regexp.QuoteMeta(peer)+` reason=rst`))
		msg := fmt.Appendf(nil, "still here %d", i)
		steady.Write(msg)
		if _, err := io.ReadFull(steady, reply[:len(msg)]); err != nil {
			t.Fatalf("steady connection after reset %d: %v", i, err)
		}
	}
}

// TestNarration: -v tells each socket step in order.
func TestNarration(t *testing.T) {
	p, addr := startServe(t, "-v")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("hello"))
	io.ReadFull(c, make([]byte, 5))
	c.(*net.TCPConn).CloseWrite()
	io.ReadAll(c)
	c.Close()
	peer := regexp.QuoteMeta(c.LocalAddr().String())
	steps := []string{
		`msg="accepted: three-way handshake complete" peer=` + peer,
		`msg=received peer=` + peer + ` bytes=5`,
		`msg=sent peer=` + peer + ` bytes=5`,
		`msg="peer finished sending \(FIN\)" peer=` + peer,
		`msg=closed peer=` + peer + ` reason=fin received=5 sent=5`,
	}
	p.output.waitFor(t, p, regexp.MustCompile(`(?s)`+strings.Join(steps, `.*`)))
	if !strings.Contains(p.output.String(), "backlog=") {
		t.Errorf("listening line lacks the backlog:\n%s", p.output.String())
	}
}

// TestQuietByDefault: without -v, one line saying where it listens, and that
// only this machine can reach a loopback address.
func TestQuietByDefault(t *testing.T) {
	p, addr := startServe(t)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("quiet"))
	io.ReadFull(c, make([]byte, 5))
	c.Close()
	p.signal(t, syscall.SIGTERM)
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit %d after SIGTERM", code)
	}
	out := p.output.String()
	first, _, _ := strings.Cut(out, "\n")
	if !strings.Contains(first, "only this machine can connect") {
		t.Errorf("first line %q does not say the address is loopback only", first)
	}
	for _, word := range []string{"accepted", "received", "closed"} {
		if strings.Contains(out, word) {
			t.Errorf("without -v the server printed %q:\n%s", word, out)
		}
	}
}

// TestSIGTERMDrains: on SIGTERM the server refuses new connections at once
// but the conversation in flight goes on until the client ends it, and the
// server exits 0.
func TestSIGTERMDrains(t *testing.T) {
	p, addr := startServe(t, "--drain=1m")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	reply := make([]byte, 16)
	c.Write([]byte("before"))
	io.ReadFull(c, reply[:6])

	p.signal(t, syscall.SIGTERM)
	p.output.waitFor(t, p, regexp.MustCompile(`shutting down`))
	if nc, err := net.Dial("tcp", addr); err == nil {
		nc.Close()
		t.Errorf("a new connection was accepted while draining")
	}
	c.Write([]byte("during"))
	if _, err := io.ReadFull(c, reply[:6]); err != nil || string(reply[:6]) != "DURING" {
		t.Fatalf("reply while draining: %q, %v; want DURING", reply[:6], err)
	}
	c.(*net.TCPConn).CloseWrite()
	if rest, err := io.ReadAll(c); err != nil || len(rest) != 0 {
		t.Errorf("after half-close: %q, %v; want a clean EOF", rest, err)
	}
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit %d after SIGTERM; want 0", code)
	}
}

// TestDrainDeadline: a client that keeps its connection open past --drain is
// closed with a FIN, after all its replies, and the server exits 0.
func TestDrainDeadline(t *testing.T) {
	p, addr := startServe(t, "--drain=100ms", "-v")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	reply := make([]byte, 6)
	c.Write([]byte("before"))
	io.ReadFull(c, reply)
	p.signal(t, syscall.SIGINT)
	p.output.waitFor(t, p, regexp.MustCompile(`shutting down`))
	// Input the server may or may not get to before the drain ends: whatever
	// it answered must arrive intact, followed by a FIN, not an RST.
	msg := bytes.Repeat([]byte("keep talking "), 10000)
	go c.Write(msg)
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("reading after the drain: %v; want every reply, then EOF", err)
	}
	if !bytes.Equal(got, upcased(msg[:len(got)])) {
		t.Errorf("got %d bytes that are not a prefix of the replies", len(got))
	}
	c.Close()
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit %d after SIGINT; want 0", code)
	}
	if !strings.Contains(p.output.String(), "reason=drain") {
		t.Errorf("the close was not reported as drain:\n%s", p.output.String())
	}
}

// TestBindConflict: a port in use makes serve fail at once with one line.
func TestBindConflict(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	p := startUpcase(t, "serve", "--addr="+ln.Addr().String())
	if code := p.wait(t); code == 0 {
		t.Fatal("serve on a busy port exited 0")
	}
	out := strings.TrimSpace(p.output.String())
	if strings.Count(out, "\n") != 0 || !strings.Contains(out, ln.Addr().String()) || !strings.Contains(out, "address already in use") {
		t.Errorf("stderr %q; want one line naming %s and 'address already in use'", out, ln.Addr())
	}
}

// TestSecondSignalStopsAtOnce: during a long drain, a second SIGINT ends the
// server without waiting.
func TestSecondSignalStopsAtOnce(t *testing.T) {
	p, addr := startServe(t, "--drain=10m")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("x"))
	io.ReadFull(c, make([]byte, 1))
	p.signal(t, syscall.SIGINT)
	p.output.waitFor(t, p, regexp.MustCompile(`shutting down`))
	p.signal(t, syscall.SIGINT)
	if code := p.wait(t); code == 0 {
		t.Errorf("exit 0 after a second SIGINT; want the signal's non-zero status")
	}
}

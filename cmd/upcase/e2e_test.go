package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
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
	p, addr := startServe(t, "-v", "--log-format=json")
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
		if r := p.waitRecord(t, closeOf(peer)); r.str("reason") != "rst" {
			t.Errorf("reset %d: the connection from %s was closed for %q; want rst", i, peer, r.str("reason"))
		}
		msg := fmt.Appendf(nil, "still here %d", i)
		steady.Write(msg)
		if _, err := io.ReadFull(steady, reply[:len(msg)]); err != nil {
			t.Fatalf("steady connection after reset %d: %v", i, err)
		}
	}
}

// TestNarration: -v tells each socket step in order: accepted (naming the
// server's end), the bytes received and sent, closed and why.
func TestNarration(t *testing.T) {
	p, addr := startServe(t, "-v", "--log-format=json")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("hello"))
	io.ReadFull(c, make([]byte, 5))
	c.(*net.TCPConn).CloseWrite()
	io.ReadAll(c)
	c.Close()
	peer := c.LocalAddr().String()
	closed := p.waitRecord(t, closeOf(peer))
	if closed.str("reason") != "fin" || closed.str("received") != "5" || closed.str("sent") != "5" {
		t.Errorf("closed: reason %q, received %q, sent %q; want fin, 5, 5", closed.str("reason"), closed.str("received"), closed.str("sent"))
	}
	var steps []record // the connection's records, up to its close
	for _, r := range p.records() {
		if r.str("peer") != peer {
			continue
		}
		steps = append(steps, r)
		if r.has("reason") {
			break
		}
	}
	if steps[0].str("local") != addr {
		t.Errorf("the first step %v does not name the server's end, %s: want the accept first", steps[0], addr)
	}
	moved := 0
	for _, r := range steps {
		n, _ := strconv.Atoi(r.str("bytes"))
		moved += n
	}
	if moved != 10 {
		t.Errorf("the steps before the close moved %d bytes; want 5 received and 5 sent:\n%v", moved, steps)
	}
	if !p.waitRecord(t, listening).has("backlog") {
		t.Errorf("the listening record lacks the backlog")
	}
}

// TestQuietByDefault: without -v, nothing about connections; the listening
// record says who can reach the server, which is not the same on loopback
// as on all interfaces.
func TestQuietByDefault(t *testing.T) {
	p, addr := startServe(t, "--log-format=json")
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
	for _, r := range p.records() {
		if r.has("peer") {
			t.Errorf("without -v the server logged a connection: %v", r)
		}
	}
	loopback := p.waitRecord(t, listening).str("reach")
	all := startUpcase(t, "serve", "--addr=0.0.0.0:0", "--log-format=json")
	if everyone := all.waitRecord(t, listening).str("reach"); loopback == "" || loopback == everyone {
		t.Errorf("listening on loopback, the reach is %q; on all interfaces %q: want it said, and different", loopback, everyone)
	}
}

// TestSIGTERMDrains: on SIGTERM the server stops accepting (new connections
// are refused) but the conversation in flight goes on until the client ends
// it, and the server exits 0.
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
	p.waitUntil(t, "refused connection while draining", func() bool { return refuses(t, addr) })
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
	p, addr := startServe(t, "--drain=100ms", "-v", "--log-format=json")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	reply := make([]byte, 6)
	c.Write([]byte("before"))
	io.ReadFull(c, reply)
	p.signal(t, syscall.SIGINT)
	p.waitUntil(t, "refused connection once draining", func() bool { return refuses(t, addr) })
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
	if r := p.waitRecord(t, closeOf(c.LocalAddr().String())); r.str("reason") != "drain" {
		t.Errorf("the connection was reported closed for %q; want drain", r.str("reason"))
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
	// The first signal is handled once the server stops accepting.
	p.waitUntil(t, "refused connection once draining", func() bool { return refuses(t, addr) })
	p.signal(t, syscall.SIGINT)
	if code := p.wait(t); code == 0 {
		t.Errorf("exit 0 after a second SIGINT; want the signal's non-zero status")
	}
}

//go:build unix

package main

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/term"
)

// terminal is the far side of the pseudo-terminal `upcase client` runs on: the
// terminal emulator showing its output, the user typing at it, and (through
// tty, which the test keeps open) the shell that reads the terminal once the
// client has exited.
type terminal struct {
	ptmx *os.File // the emulator's side
	tty  *os.File // the client's side
	mode *term.State
	addr string // the server's, which every prompt starts with

	// lateAnswers makes it a terminal on a slow link: it answers a cursor
	// position query (ESC [6n) only when the test calls answerOwed, after
	// the client has exited. A local terminal answers at once.
	lateAnswers bool

	mu      sync.Mutex
	out     []byte
	owed    int // queries not answered yet
	queries int // queries seen
}

// cursorQuery is the Device Status Report query a line editor may send to
// learn where the cursor is; the terminal answers on the program's input.
const cursorQuery = "\x1b[6n"

// exitedMark is written on the client's side of the terminal once it has
// exited, so the test knows all the client printed has been read.
const exitedMark = "<client exited>"

// startInteractive runs `upcase client` on a new pseudo-terminal, as a user in
// a terminal would, with its cache (history) in a temporary directory.
func startInteractive(t *testing.T, addr string, flags ...string) (*proc, *terminal, string) {
	t.Helper()
	return startOn(t, &terminal{}, addr, flags...)
}

// startOn is startInteractive on term, whose lateAnswers the caller chooses.
func startOn(t *testing.T, term *terminal, addr string, flags ...string) (*proc, *terminal, string) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	term.ptmx, term.tty, term.addr = ptmx, tty, addr
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 100}); err != nil {
		t.Fatal(err)
	}
	if term.mode, err = termMode(tty); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	cmd := exec.Command("upcase", append([]string{"client", "--addr=" + addr}, flags...)...)
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+cache, "TERM=xterm")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	p := &proc{cmd: cmd, output: newLines(), done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	read := make(chan struct{})
	go func() {
		defer close(read)
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			term.record(buf[:n])
			p.output.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	go func() {
		p.err = cmd.Wait()
		// Everything the client wrote comes before the mark.
		if _, err := tty.Write([]byte(exitedMark)); err == nil {
			p.output.waitForMark(exitedMark, read)
		}
		close(p.done)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
		tty.Close()
		ptmx.Close()
		<-read
		if t.Failed() {
			t.Logf("terminal:\n%q", p.output.String())
		}
	})
	return p, term, cache
}

// record keeps what the client printed and answers its cursor queries, at
// once unless the terminal answers late.
func (tm *terminal) record(p []byte) {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	tm.out = append(tm.out, p...)
	for n := bytes.Count(tm.out, []byte(cursorQuery)); tm.queries < n; tm.queries++ {
		tm.owed++
	}
	if !tm.lateAnswers {
		tm.answerLocked()
	}
}

// answerOwed answers the cursor queries not answered yet.
func (tm *terminal) answerOwed() {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	tm.answerLocked()
}

func (tm *terminal) answerLocked() {
	for ; tm.owed > 0; tm.owed-- {
		tm.ptmx.Write([]byte("\x1b[1;1R"))
	}
}

// waitForMark waits until mark has been written, or stop is closed.
func (l *lines) waitForMark(mark string, stop <-chan struct{}) {
	for {
		l.mu.Lock()
		found := strings.Contains(l.buf.String(), mark)
		changed := l.changed
		l.mu.Unlock()
		if found {
			return
		}
		select {
		case <-changed:
		case <-stop:
			return
		}
	}
}

// type_ types keys.
func (tm *terminal) type_(t *testing.T, keys string) {
	t.Helper()
	if _, err := tm.ptmx.Write([]byte(keys)); err != nil {
		t.Fatal(err)
	}
}

// typeAtPrompt waits for the n-th prompt, then types keys, as a person does:
// between prompts the terminal is not in raw mode, and a Ctrl-C would be a
// signal.
func typeAtPrompt(t *testing.T, p *proc, tm *terminal, n int, keys string) {
	t.Helper()
	p.output.waitFor(t, p, regexp.MustCompile(`(?s)(.*?`+regexp.QuoteMeta(newPrompt+tm.addr)+`){`+strconv.Itoa(n)+`}`))
	tm.type_(t, keys)
}

func termMode(f *os.File) (*term.State, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var st *term.State
	var stErr error
	if err := rc.Control(func(fd uintptr) { st, stErr = term.GetState(int(fd)) }); err != nil {
		return nil, err
	}
	return st, stErr
}

// nextInput is what the program run after the client (a shell) reads from
// the terminal when the user types a line there.
func (tm *terminal) nextInput(t *testing.T) string {
	t.Helper()
	tm.type_(t, "echo next\r")
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(io.LimitReader(tm.tty, 1<<10)).ReadString('\n')
		got <- line
	}()
	select {
	case line := <-got:
		return line
	case <-time.After(waitLimit):
		tm.tty.Close() // ends the read
		t.Fatal("the shell after the client read nothing from the terminal")
		return ""
	}
}

// TestInteractiveClient types at the client in a real terminal: replies come
// back, an empty line does not hang, Ctrl-D exits 0, and the history is kept.
func TestInteractiveClient(t *testing.T) {
	_, addr := startServe(t)
	p, tm, cache := startInteractive(t, addr)
	p.output.waitFor(t, p, regexp.MustCompile(`connected to `+regexp.QuoteMeta(addr)+`: type a line and press Enter; Ctrl-D or exit quits\r\n`))
	typeAtPrompt(t, p, tm, 1, "hello, server\r")
	p.output.waitFor(t, p, regexp.MustCompile(`HELLO, SERVER`))
	typeAtPrompt(t, p, tm, 2, "\r") // an empty line
	typeAtPrompt(t, p, tm, 3, "still answering\r")
	p.output.waitFor(t, p, regexp.MustCompile(`STILL ANSWERING`))
	typeAtPrompt(t, p, tm, 4, "typo\x03") // Ctrl-C clears the line
	typeAtPrompt(t, p, tm, 5, "after ctrl-c\r")
	p.output.waitFor(t, p, regexp.MustCompile(`AFTER CTRL-C`))
	if strings.Contains(p.output.String(), "TYPO") {
		t.Errorf("Ctrl-C sent the line instead of clearing it")
	}
	typeAtPrompt(t, p, tm, 6, "")
	if !strings.Contains(p.output.String(), addr+"> ") {
		t.Errorf("the prompt does not show the server's address %s", addr)
	}
	tm.type_(t, "\x04") // Ctrl-D
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit %d after Ctrl-D; want 0", code)
	}
	hist, err := os.ReadFile(filepath.Join(cache, "upcase", "client_history"))
	if err != nil {
		t.Fatalf("no history kept: %v", err)
	}
	if !bytes.Contains(hist, []byte("hello, server")) {
		t.Errorf("history %q lacks the line typed", hist)
	}
}

// TestInteractiveExit: typing exit quits with status 0.
func TestInteractiveExit(t *testing.T) {
	_, addr := startServe(t)
	p, tm, _ := startInteractive(t, addr)
	typeAtPrompt(t, p, tm, 1, "exit\r")
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit %d after 'exit'; want 0", code)
	}
}

// listen starts a server of the test's own on loopback: serve runs on the
// first connection it accepts, which is closed when serve returns.
func listen(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		serve(c)
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
	return ln.Addr().String()
}

// TestInteractiveServerCloses: when the server hangs up, the client says so in
// plain words and exits non-zero.
func TestInteractiveServerCloses(t *testing.T) {
	addr := listen(t, func(c net.Conn) { // like the lesson's server.py: one reply, then hang up
		buf := make([]byte, 1024)
		n, _ := c.Read(buf)
		c.Write(bytes.ToUpper(buf[:n]))
	})
	p, tm, _ := startInteractive(t, addr)
	typeAtPrompt(t, p, tm, 1, "only one\r")
	p.output.waitFor(t, p, regexp.MustCompile(`ONLY ONE`))
	p.output.waitFor(t, p, regexp.MustCompile(`closed the connection \(FIN\)`))
	if code := p.wait(t); code == 0 {
		t.Fatal("exit 0 after the server closed; want non-zero")
	}
}

// TestInteractivePartialReply: bytes that come without a newline (a server's
// own prompt, a line cut short) show at once, not when the connection ends,
// and the line being typed is drawn again after them, whole.
func TestInteractivePartialReply(t *testing.T) {
	send := make(chan struct{})
	got := make(chan string, 1)
	addr := listen(t, func(c net.Conn) {
		select { // a test that fails first must not leave its cleanup waiting here
		case <-send:
		case <-t.Context().Done():
			return
		}
		c.Write([]byte("partial"))
		all, _ := io.ReadAll(c) // until the client leaves
		got <- string(all)
	})
	p, tm, _ := startInteractive(t, addr)
	typeAtPrompt(t, p, tm, 1, "typed")
	p.output.waitFor(t, p, regexp.MustCompile(`typed`))
	close(send)
	p.output.waitFor(t, p, regexp.MustCompile(`(?s)partial.*`+regexp.QuoteMeta(addr+"> ")+`.*typed`))
	tm.type_(t, " on\r")
	typeAtPrompt(t, p, tm, 2, "\x04")
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit %d after Ctrl-D; want 0", code)
	}
	if sent := <-got; sent != "typed on\n" {
		t.Errorf("the server got %q; want %q", sent, "typed on\n")
	}
}

// TestInteractiveLeavesTerminal: however the client ends, the terminal is
// back in the mode it had, and what the user types next goes to the shell
// whole, even on a terminal that answers a cursor query late (over a slow
// link, after the client has gone): nothing the client asked for is left
// to arrive as the shell's input.
func TestInteractiveLeavesTerminal(t *testing.T) {
	tests := []struct {
		name string
		// serve starts the server and returns its address and a function
		// that makes it hang up.
		serve func(t *testing.T) (addr string, hangUp func())
		user  func(t *testing.T, p *proc, tm *terminal, addr string, hangUp func())
		ok    bool // exit 0
	}{
		{name: "server closes at once",
			serve: func(t *testing.T) (string, func()) { return listen(t, func(net.Conn) {}), nil },
			user:  func(*testing.T, *proc, *terminal, string, func()) {}},
		{name: "server closes while the user is idle",
			serve: func(t *testing.T) (string, func()) {
				hangUp := make(chan struct{})
				return listen(t, func(net.Conn) { <-hangUp }), sync.OnceFunc(func() { close(hangUp) })
			},
			user: func(t *testing.T, p *proc, tm *terminal, addr string, hangUp func()) {
				defer hangUp()
				p.output.waitFor(t, p, regexp.MustCompile(regexp.QuoteMeta(newPrompt+addr+"> ")))
			}},
		{name: "ctrl-d",
			serve: func(t *testing.T) (string, func()) { _, addr := startServe(t); return addr, nil },
			user: func(t *testing.T, p *proc, tm *terminal, _ string, _ func()) {
				typeAtPrompt(t, p, tm, 1, "\x04")
			},
			ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, hangUp := tt.serve(t)
			p, tm, _ := startOn(t, &terminal{lateAnswers: true}, addr)
			tt.user(t, p, tm, addr, hangUp)
			if code := p.wait(t); (code == 0) != tt.ok {
				t.Errorf("exit %d; want 0: %v", code, tt.ok)
			}
			mode, err := termMode(tm.tty)
			if err != nil {
				t.Fatal(err)
			}
			if *mode != *tm.mode {
				t.Errorf("the terminal's mode after the client is %+v; want it as before, %+v", *mode, *tm.mode)
			}
			tm.answerOwed()
			if got := tm.nextInput(t); got != "echo next\n" {
				t.Errorf("the shell after the client read %q; want %q (the client sent %d cursor queries)", got, "echo next\n", tm.queries)
			}
		})
	}
}

// TestInteractiveUDP: the UDP client on a terminal has the same prompt and
// editing; a reply prints above the prompt, a lost datagram is reported and
// the loop goes on, and Ctrl-D ends it.
func TestInteractiveUDP(t *testing.T) {
	_, addr := startServeUDP(t)
	p, tm, _ := startInteractive(t, addr, "--udp", "--timeout=2s")
	p.output.waitFor(t, p, regexp.MustCompile(`UDP to `+regexp.QuoteMeta(addr)+`: each line you type is one datagram; Ctrl-D or exit quits\r\n`))
	typeAtPrompt(t, p, tm, 1, "hello over udp\r")
	p.output.waitFor(t, p, regexp.MustCompile(`HELLO OVER UDP`))
	if !strings.Contains(p.output.String(), addr+" (udp)> ") {
		t.Errorf("the prompt does not show the UDP server's address")
	}
	typeAtPrompt(t, p, tm, 2, "again\r")
	p.output.waitFor(t, p, regexp.MustCompile(`AGAIN`))
	typeAtPrompt(t, p, tm, 3, "\x04")
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit %d after Ctrl-D with every datagram answered; want 0", code)
	}
}

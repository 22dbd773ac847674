package main

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/creack/pty"
)

// startInteractive runs `upcase client` on a new pseudo-terminal, as a user in
// a terminal would, with its cache (history) in a temporary directory.
func startInteractive(t *testing.T, addr string, flags ...string) (*proc, *os.File, string) {
	t.Helper()
	cache := t.TempDir()
	cmd := exec.Command("upcase", append([]string{"client", "--addr=" + addr}, flags...)...)
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+cache, "TERM=xterm")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 100})
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, output: newLines(), done: make(chan struct{})}
	drained := make(chan struct{}) // the terminal's output has all been read
	go func() {
		defer close(drained)
		// Play the terminal: readline asks where the cursor is (ESC [6n)
		// before each prompt, and waits for the answer.
		query := []byte("\x1b[6n")
		var seen []byte
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			p.output.Write(buf[:n])
			seen = append(seen, buf[:n]...)
			for {
				i := bytes.Index(seen, query)
				if i < 0 {
					break
				}
				seen = seen[i+len(query):]
				tty.Write([]byte("\x1b[1;1R"))
				p.output.Write([]byte(promptMark))
			}
			if len(seen) > len(query) {
				seen = seen[len(seen)-len(query):]
			}
			if err != nil {
				return
			}
		}
	}()
	go func() {
		p.err = cmd.Wait()
		<-drained // reads end with EIO once the client has exited and all it wrote is read
		close(p.done)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
		tty.Close()
		if t.Failed() {
			t.Logf("terminal:\n%q", p.output.String())
		}
	})
	return p, tty, cache
}

// promptMark is written into the captured output each time readline is about
// to show a prompt, so a test types only at a prompt, as a person does: between
// prompts the terminal is not in raw mode, and a Ctrl-C would be a signal.
const promptMark = "<prompt>"

// typeAtPrompt waits for the n-th prompt, then types keys.
func typeAtPrompt(t *testing.T, p *proc, tty *os.File, n int, keys string) {
	t.Helper()
	p.output.waitFor(t, p, regexp.MustCompile(`(?s)(.*?`+promptMark+`){`+strconv.Itoa(n)+`}`))
	tty.Write([]byte(keys))
}

// TestInteractiveClient types at the client in a real terminal: replies come
// back, an empty line does not hang, Ctrl-D exits 0, and the history is kept.
func TestInteractiveClient(t *testing.T) {
	_, addr := startServe(t)
	p, tty, cache := startInteractive(t, addr)
	typeAtPrompt(t, p, tty, 1, "hello, server\r")
	p.output.waitFor(t, p, regexp.MustCompile(`HELLO, SERVER`))
	typeAtPrompt(t, p, tty, 2, "\r") // an empty line
	typeAtPrompt(t, p, tty, 3, "still answering\r")
	p.output.waitFor(t, p, regexp.MustCompile(`STILL ANSWERING`))
	typeAtPrompt(t, p, tty, 4, "typo\x03") // Ctrl-C clears the line
	typeAtPrompt(t, p, tty, 5, "after ctrl-c\r")
	p.output.waitFor(t, p, regexp.MustCompile(`AFTER CTRL-C`))
	if strings.Contains(p.output.String(), "TYPO") {
		t.Errorf("Ctrl-C sent the line instead of clearing it")
	}
	typeAtPrompt(t, p, tty, 6, "")
	if !strings.Contains(p.output.String(), addr+"> ") {
		t.Errorf("the prompt does not show the server's address %s", addr)
	}
	tty.Write([]byte{4}) // Ctrl-D
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
	p, tty, _ := startInteractive(t, addr)
	typeAtPrompt(t, p, tty, 1, "exit\r")
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit %d after 'exit'; want 0", code)
	}
}

// TestInteractiveServerCloses: when the server hangs up, the client says so in
// plain words and exits non-zero.
func TestInteractiveServerCloses(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // like the lesson's server.py: one reply, then hang up
		c, err := ln.Accept()
		if err != nil {
			return
		}
		buf := make([]byte, 1024)
		n, _ := c.Read(buf)
		c.Write(bytes.ToUpper(buf[:n]))
		c.Close()
	}()
	p, tty, _ := startInteractive(t, ln.Addr().String())
	typeAtPrompt(t, p, tty, 1, "only one\r")
	p.output.waitFor(t, p, regexp.MustCompile(`ONLY ONE`))
	p.output.waitFor(t, p, regexp.MustCompile(`closed the connection \(FIN\)`))
	if code := p.wait(t); code == 0 {
		t.Fatal("exit 0 after the server closed; want non-zero")
	}
}

// TestInteractiveUDP: the UDP client on a terminal has the same prompt and
// editing; a reply prints above the prompt, a lost datagram is reported and
// the loop goes on, and Ctrl-D ends it.
func TestInteractiveUDP(t *testing.T) {
	_, addr := startServeUDP(t)
	p, tty, _ := startInteractive(t, addr, "--udp", "--timeout=2s")
	typeAtPrompt(t, p, tty, 1, "hello over udp\r")
	p.output.waitFor(t, p, regexp.MustCompile(`HELLO OVER UDP`))
	if !strings.Contains(p.output.String(), addr+" (udp)> ") {
		t.Errorf("the prompt does not show the UDP server's address")
	}
	typeAtPrompt(t, p, tty, 2, "again\r")
	p.output.waitFor(t, p, regexp.MustCompile(`AGAIN`))
	typeAtPrompt(t, p, tty, 3, "\x04")
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit %d after Ctrl-D with every datagram answered; want 0", code)
	}
}

package main

import (
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/hinshun/vt10x"
)

// sampleInteractive: the README's communication loop, typed at upcase
// client on a pseudo-terminal and read back from a terminal emulator, as
// the screen shows it (the prompt, the echo of what was typed, the reply).
func sampleInteractive(t *testing.T, s *sampler) string {
	addr := s.serve(t)
	cmd := exec.Command(s.bin, "client", "--addr="+addr)
	cmd.Env = append(sampleEnviron(), "XDG_CACHE_HOME="+t.TempDir(), "TERM=xterm")
	const cols, rows = 80, 24
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: rows, Cols: cols})
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	defer cmd.Process.Kill()
	// The emulator answers the terminal queries (a cursor position report)
	// on the pty, as a real terminal does.
	vt := vt10x.New(vt10x.WithWriter(tty), vt10x.WithSize(cols, rows))
	changed := make(chan struct{}, 1)
	read := make(chan struct{})
	var mu sync.Mutex
	var raw strings.Builder // every byte the client wrote, to count its prompts
	go func() {
		defer close(read)
		var held []byte // an incomplete UTF-8 sequence, until its rest comes
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			mu.Lock()
			raw.Write(buf[:n])
			mu.Unlock()
			held = append(held, buf[:n]...)
			w, _ := vt.Write(held)
			held = append(held[:0], held[w:]...)
			select {
			case changed <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	screen := func() string { return strings.ReplaceAll(vt.String(), addr, "127.0.0.1:8080") }
	wait := func(what string, ok func() bool) {
		t.Helper()
		limit := time.After(20 * time.Second)
		for !ok() {
			select {
			case <-changed:
			case <-limit:
				t.Fatalf("the terminal never showed %s; it shows:\n%s", what, screen())
			}
		}
	}
	// Type only at a prompt, as a person does: between prompts the terminal
	// is not in raw mode, and a Ctrl-D there would be the line discipline's.
	prompts := func(n int) func() bool {
		return func() bool {
			mu.Lock()
			defer mu.Unlock()
			return strings.Count(raw.String(), newPrompt+addr+"> ") >= n
		}
	}
	wait("the first prompt", prompts(1))
	tty.Write([]byte("hello, server\r"))
	wait("the reply and the next prompt", func() bool { return strings.Contains(screen(), "HELLO, SERVER") && prompts(2)() })
	tty.Write([]byte{4}) // Ctrl-D
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("client after Ctrl-D: %v\n%s", err, screen())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("the client did not exit after Ctrl-D; the terminal shows:\n%s", screen())
	}
	<-read
	var lines []string
	for _, l := range strings.Split(screen(), "\n") {
		lines = append(lines, strings.TrimRight(l, " ")+"\n")
	}
	for len(lines) > 0 && lines[len(lines)-1] == "\n" {
		lines = lines[:len(lines)-1]
	}
	return "$ ./upcase client\n" + strings.Join(lines, "")
}

package main

import (
	"os/exec"
	"strings"
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
	go func() {
		defer close(read)
		var held []byte // an incomplete UTF-8 sequence, until its rest comes
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
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
	waitFor := func(what string) {
		t.Helper()
		limit := time.After(20 * time.Second)
		for !strings.Contains(screen(), what) {
			select {
			case <-changed:
			case <-limit:
				t.Fatalf("the terminal never showed %q; it shows:\n%s", what, screen())
			}
		}
	}
	waitFor("127.0.0.1:8080> ")
	tty.Write([]byte("hello, server\r"))
	waitFor("HELLO, SERVER")
	tty.Write([]byte{4}) // Ctrl-D
	if err := cmd.Wait(); err != nil {
		t.Fatalf("client after Ctrl-D: %v\n%s", err, screen())
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

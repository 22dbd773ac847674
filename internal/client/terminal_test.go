package client

import (
	"bytes"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// fakeTerminal is the user's side of a pseudo-terminal: it records what the
// program prints and types keys. Like a terminal on a slow link, it never
// answers a cursor position query (ESC [6n) in time: the program must not
// wait for one, nor leave one unanswered to arrive after it has gone, and
// the cleanup fails the test if the program sent one.
type fakeTerminal struct {
	ptmx    *os.File
	tty     *os.File // the program's side: its Stdout and Stderr
	prompt  string   // the program's prompt
	changed chan struct{}
	done    chan struct{}

	mu    sync.Mutex
	out   []byte
	typed int // prompts the keys typed so far have used
}

// newPrompt is what readline writes before each new prompt, once the
// terminal is in raw mode: a space and a backspace, which leave the right
// edge of the screen. It writes them after a line ends too, but then no
// prompt follows at once; a prompt redrawn under a reply does not start
// with them.
const newPrompt = " \b"

func newFakeTerminal(t *testing.T) *fakeTerminal {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 80}); err != nil {
		t.Fatal(err)
	}
	ft := &fakeTerminal{ptmx: ptmx, tty: tty, changed: make(chan struct{}, 1), done: make(chan struct{})}
	go ft.run()
	t.Cleanup(func() {
		tty.Close()
		ptmx.Close()
		<-ft.done
		if ft.shows("\x1b[6n") {
			t.Errorf("the program asked the terminal where the cursor is: the answer may come after it has gone")
		}
	})
	return ft
}

// stdin opens another descriptor for the program's side, to be its Stdin:
// Interactive closes its Stdin, and the test keeps using tty.
func (ft *fakeTerminal) stdin(t *testing.T) *os.File {
	t.Helper()
	f, err := os.OpenFile(ft.tty.Name(), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (ft *fakeTerminal) run() {
	defer close(ft.done)
	buf := make([]byte, 4096)
	for {
		n, err := ft.ptmx.Read(buf)
		if n > 0 {
			ft.mu.Lock()
			ft.out = append(ft.out, buf[:n]...)
			ft.mu.Unlock()
			select {
			case ft.changed <- struct{}{}:
			default:
			}
		}
		if err != nil {
			return
		}
	}
}

// waitUntil waits until cond holds for the terminal's output, failing the test
// after waitLimit.
func (ft *fakeTerminal) waitUntil(t *testing.T, what string, cond func(out []byte) bool) {
	t.Helper()
	timer := time.NewTimer(waitLimit)
	defer timer.Stop()
	for {
		ft.mu.Lock()
		ok := cond(ft.out)
		out := string(ft.out)
		ft.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ft.changed:
		case <-timer.C:
			t.Fatalf("timed out waiting for %s; the terminal shows %q", what, out)
		}
	}
}

// waitFor waits until the output contains s.
func (ft *fakeTerminal) waitFor(t *testing.T, s string) {
	t.Helper()
	ft.waitUntil(t, "the terminal to show "+s, func(out []byte) bool {
		return bytes.Contains(out, []byte(s))
	})
}

// shows reports whether the output contains s so far.
func (ft *fakeTerminal) shows(s string) bool {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	return bytes.Contains(ft.out, []byte(s))
}

// prompts is how many new prompts out shows.
func (ft *fakeTerminal) prompts(out []byte) int {
	return bytes.Count(out, []byte(newPrompt+ft.prompt))
}

// typeAtPrompt waits for the next prompt and types keys.
func (ft *fakeTerminal) typeAtPrompt(t *testing.T, keys string) {
	t.Helper()
	ft.mu.Lock()
	ft.typed++
	next := ft.typed
	ft.mu.Unlock()
	ft.waitUntil(t, "a prompt", func(out []byte) bool { return ft.prompts(out) >= next })
	if _, err := ft.ptmx.Write([]byte(keys)); err != nil {
		t.Fatal(err)
	}
}

// barrier writes a marker to the program's side and waits for it, so that
// everything the program printed before is in the output.
func (ft *fakeTerminal) barrier(t *testing.T) {
	t.Helper()
	const marker = "--barrier--"
	if _, err := ft.tty.Write([]byte(marker)); err != nil {
		t.Fatal(err)
	}
	ft.waitFor(t, marker)
}

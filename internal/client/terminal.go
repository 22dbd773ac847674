package client

import (
	"io"
	"os"
	"sync"

	"golang.org/x/term"
)

// terminal implements readline's terminal hooks (FuncIsTerminal, FuncMakeRaw,
// FuncExitRaw, FuncGetSize) on the files Interactive was given. readline's
// defaults act on the process's descriptors 0 and 1 whatever its Config says,
// which would be wrong for any other terminal (and would change the test
// runner's own terminal). Descriptors are reached through SyscallConn, not
// Fd, because Fd would switch a file out of non-blocking mode, and a Close
// could then no longer interrupt a Read in progress.
type terminal struct {
	in, out *os.File // nil when Stdin or Stdout is not a file

	mu  sync.Mutex
	raw *termState // the mode to restore; nil when not in raw mode
}

func newTerminal(in io.Reader, out io.Writer) *terminal {
	t := new(terminal)
	t.in, _ = in.(*os.File)
	t.out, _ = out.(*os.File)
	return t
}

// isTerminal reports whether both input and output are terminals; only then
// does readline query the cursor and redraw the line.
func (t *terminal) isTerminal() bool {
	return isTerminal(t.in) && isTerminal(t.out)
}

// makeRaw puts the input terminal in raw mode, so that keys arrive one by one
// and Ctrl-C and Ctrl-D reach readline instead of the line discipline.
func (t *terminal) makeRaw() error {
	if !t.isTerminal() {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.raw != nil {
		return nil
	}
	var state *termState
	err := control(t.in, func(fd int) (err error) {
		state, err = makeRaw(fd)
		return err
	})
	if err == nil {
		t.raw = state
	}
	return err
}

// exitRaw restores the mode the terminal had before makeRaw.
func (t *terminal) exitRaw() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.raw == nil {
		return nil
	}
	err := control(t.in, func(fd int) error { return restoreMode(fd, t.raw) })
	if err == nil {
		t.raw = nil
	}
	return err
}

// size is the output terminal's width and height, or -1, -1 when unknown.
func (t *terminal) size() (width, height int) {
	width, height = -1, -1
	if t.out == nil {
		return width, height
	}
	control(t.out, func(fd int) error {
		w, h, err := term.GetSize(fd)
		if err == nil && w > 0 {
			width, height = w, h
		}
		return err
	})
	return width, height
}

func isTerminal(f *os.File) bool {
	if f == nil {
		return false
	}
	var ok bool
	control(f, func(fd int) error {
		ok = term.IsTerminal(fd)
		return nil
	})
	return ok
}

// control runs fn on f's descriptor, keeping f open meanwhile.
func control(f *os.File, fn func(fd int) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var fnErr error
	if err := rc.Control(func(fd uintptr) { fnErr = fn(int(fd)) }); err != nil {
		return err
	}
	return fnErr
}

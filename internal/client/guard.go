package client

import (
	"io"
	"sync"

	"github.com/ergochat/readline"
)

// editGuard keeps replies from being printed while readline ends a line.
//
// readline v0.1.3 prints text from other goroutines above the prompt safely
// while a line is being edited, but when Enter, Ctrl-C or Ctrl-D ends a line
// it resets its line buffer without the lock its printer takes (runeBuffer.Reset
// in operation.go), a data race that can garble or crash the redraw. The
// guard closes that window from outside: FuncFilterInputRune, which readline
// calls in the reading goroutine before it handles each key, takes the guard
// for the keys that end a line; Listener, called after a key that did not end
// the line (Ctrl-D deletes a character on a non-empty line), or the return of
// ReadLine, releases it. The printer takes the guard around each write.
type editGuard struct {
	mu   sync.Mutex
	held bool // touched only by the goroutine calling ReadLine
}

// filter is readline's FuncFilterInputRune.
func (g *editGuard) filter(r rune) (rune, bool) {
	switch r {
	case readline.CharEnter, readline.CharCtrlJ, readline.CharInterrupt, readline.CharEOT:
		if !g.held {
			g.mu.Lock()
			g.held = true
		}
	}
	return r, true
}

// listener is readline's Listener; it runs after keys that kept the line.
func (g *editGuard) listener(line []rune, pos int, _ rune) ([]rune, int, bool) {
	g.release()
	return line, pos, false
}

// release is called by the ReadLine caller once ReadLine has returned.
func (g *editGuard) release() {
	if g.held {
		g.held = false
		g.mu.Unlock()
	}
}

// guardedWriter prints through readline under the guard.
type guardedWriter struct {
	g *editGuard
	w io.Writer
}

func (gw guardedWriter) Write(p []byte) (int, error) {
	gw.g.mu.Lock()
	defer gw.g.mu.Unlock()
	return gw.w.Write(p)
}

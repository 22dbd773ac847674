package client

import (
	"fmt"
	"io"
	"net"
	"os"

	"github.com/ergochat/readline"
)

// editor is readline on the client's terminal, with what the client puts
// around it: the terminal hooks, the print guard and the cursor tracker.
type editor struct {
	rl     *readline.Instance
	guard  *editGuard // serialises printing with the end of a line
	cursor *cursorTracker
	out    io.Writer // the terminal's output, through cursor
	resize *resizeWatcher
}

// newEditor starts the line editor on opts' terminal, with the prompt,
// history and print guard. When Stdin is a terminal it first prints hint, one
// line on Stderr saying how to use the REPL and leave it.
func newEditor(conn net.Conn, opts Options, hint string) (*editor, error) {
	stdout, stderr := orDiscard(opts.Stdout), orDiscard(opts.Stderr)
	prompt := opts.Prompt
	if prompt == "" {
		prompt = remoteAddr(conn) + "> "
	}
	tty := newTerminal(opts.Stdin, stdout)
	if isTerminal(tty.in) {
		fmt.Fprintln(stderr, hint)
	}
	ed := &editor{guard: &editGuard{}}
	ed.cursor = newCursorTracker(func() int { w, _ := tty.size(); return w })
	ed.out = ed.cursor.output(stdout)
	if f, ok := stderr.(*os.File); ok && isTerminal(f) {
		stderr = ed.cursor.output(stderr) // the same screen
	}
	ed.resize = watchResize()
	rl, err := readline.NewFromConfig(&readline.Config{
		Prompt:              prompt,
		HistoryFile:         historyPath(opts.HistoryFile, stderr),
		Stdin:               ed.cursor.input(opts.Stdin),
		Stdout:              ed.out,
		Stderr:              stderr,
		FuncIsTerminal:      tty.isTerminal,
		FuncMakeRaw:         tty.makeRaw,
		FuncExitRaw:         tty.exitRaw,
		FuncGetSize:         tty.size,
		FuncOnWidthChanged:  ed.resize.onResize,
		FuncFilterInputRune: ed.guard.filter,
		Listener:            ed.guard.listener,
	})
	if err != nil {
		ed.resize.stop()
		return nil, fmt.Errorf("client: start the line editor: %w", err)
	}
	ed.rl = rl
	return ed, nil
}

// interrupt closes readline: a ReadLine in progress returns, and so does any
// later one. It may be called from any goroutine, more than once.
func (ed *editor) interrupt() {
	ed.cursor.editorClosed()
	ed.rl.Close()
}

// close interrupts the editor and, once no ReadLine is in progress (the
// terminal is then restored), ends the line the cursor is on if it is not at
// its start, after a reply with no newline, so that what is printed next (an
// error, the shell's prompt) starts at the left margin.
func (ed *editor) close() {
	ed.interrupt()
	ed.resize.stop()
	if !ed.cursor.atLineStart() {
		ed.out.Write([]byte("\n"))
	}
}

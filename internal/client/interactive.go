package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ergochat/readline"
)

const (
	// drainTimeout bounds how long Interactive waits, after Ctrl-D or exit,
	// for the replies still on their way.
	drainTimeout = 2 * time.Second
	// replyBufferSize is how much Interactive reads from the server at a time.
	replyBufferSize = 16 << 10
)

// Options configures Interactive. Stdin is required; the zero value of every
// other field is valid.
type Options struct {
	// Prompt is shown before each line, e.g. "127.0.0.1:8080> ". Empty means
	// the server's address followed by "> ".
	Prompt string

	// HistoryFile is where the lines typed are kept between sessions. Its
	// directory is created if needed; if that fails, Interactive warns once on
	// Stderr and goes on without history. Empty means no history file.
	HistoryFile string

	// Stdin is the terminal input (os.Stdin in production). Interactive closes
	// it when it returns: that ends the line editor's input goroutine, which
	// may be blocked in a Read.
	Stdin io.ReadCloser

	// Stdout receives the prompt, the echo of what is typed and the replies.
	// Nil means io.Discard.
	Stdout io.Writer

	// Stderr receives the hint printed first, warnings, and UDP's loss
	// reports. Nil means io.Discard.
	Stderr io.Writer
}

// Interactive runs the lesson's communication loop on a terminal, as a REPL
// with line editing and history: each line typed is sent to conn with "\n"
// appended, and the server's bytes are printed as soon as they arrive, above
// the prompt, which is drawn again after them with the line being typed (on
// the same line when they do not end with a newline, as after a server's
// own prompt). The REPL never waits for a reply before showing the next
// prompt, so an empty line does not hang. When Stdin is a terminal, it first
// prints on Stderr a line saying where it is connected and how to leave.
//
// Ctrl-C clears the line being typed. Ctrl-D on an empty line, or typing
// "exit", half-closes conn, waits up to 2 s for the replies still on their
// way, and returns nil. If the server closes the connection (FIN) or resets
// it (RST) first, Interactive abandons the line being typed and returns an
// error wrapping ErrServerClosed or ErrServerReset. When ctx is done it
// returns ctx.Err().
//
// When Stdin and Stdout are terminal files (*os.File), the terminal is put in
// raw mode while a line is read and restored on every return path, and it is
// never sent a query whose answer could arrive after that (cursorTracker
// answers the line editor's cursor queries instead). The caller
// owns conn and closes it after Interactive returns; Interactive closes
// opts.Stdin. Interactive uses conn and opts from its own goroutines until it
// returns, and from no goroutine afterwards.
func Interactive(ctx context.Context, conn net.Conn, opts Options) error {
	if opts.Stdin == nil {
		return errors.New("client: Interactive needs Options.Stdin")
	}
	defer opts.Stdin.Close() // last, after the terminal is restored
	if err := ctx.Err(); err != nil {
		return err
	}
	addr := remoteAddr(conn)
	ed, err := newEditor(conn, opts,
		"connected to "+addr+": type a line and press Enter; Ctrl-D or exit quits")
	if err != nil {
		return err
	}
	defer ed.close() // restores the terminal

	s := &session{conn: conn, ed: ed, addr: addr, done: make(chan struct{})}
	go s.readReplies()
	defer s.stopReader()

	quit := make(chan struct{})
	var watcher sync.WaitGroup
	watcher.Go(func() {
		select {
		case <-ctx.Done():
			s.stopping.Store(true)
			ed.interrupt() // ends ReadLine
			conn.SetDeadline(aLongTimeAgo)
		case <-quit:
		}
	})
	defer func() {
		close(quit)
		watcher.Wait()
	}()

	return s.loop(ctx)
}

// session is one run of Interactive: the REPL loop in the calling goroutine
// and the reply reader in its own.
type session struct {
	conn net.Conn
	ed   *editor
	addr string

	leaving  atomic.Bool   // the user asked to leave: the server's FIN is expected
	stopping atomic.Bool   // we set a read deadline to stop the reader
	done     chan struct{} // closed when readReplies has returned
	err      error         // how the reader ended; read only after done is closed
}

// loop reads lines from the terminal and sends them until the user leaves,
// the server goes away or ctx is done.
func (s *session) loop(ctx context.Context) error {
	var msg []byte
	for {
		if s.ended() {
			return s.err
		}
		line, err := s.ed.rl.ReadLine()
		s.ed.guard.release()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if s.ended() {
			return s.err // the reader interrupted the editor: the server went away
		}
		switch {
		case errors.Is(err, readline.ErrInterrupt):
			continue // Ctrl-C: readline has cleared the line
		case errors.Is(err, io.EOF):
			return s.leave(ctx)
		case err != nil:
			return fmt.Errorf("read terminal: %w", err)
		}
		if strings.TrimSpace(line) == "exit" {
			return s.leave(ctx)
		}
		msg = append(append(msg[:0], line...), '\n')
		if _, err := s.conn.Write(msg); err != nil {
			if s.ended() && s.err != nil {
				return s.err
			}
			if isReset(err) {
				return resetError(s.addr, err)
			}
			return fmt.Errorf("send to %s: %w", s.addr, err)
		}
	}
}

// leave half-closes the connection and waits, for at most drainTimeout, for
// the server to send the replies still on their way and close its side.
func (s *session) leave(ctx context.Context) error {
	s.leaving.Store(true)
	if cw, ok := s.conn.(closeWriter); ok {
		cw.CloseWrite() // on failure the reader sees the connection end
	}
	t := time.NewTimer(drainTimeout)
	defer t.Stop()
	select {
	case <-s.done:
	case <-t.C:
	case <-ctx.Done():
	}
	s.stopReader()
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.err
}

// readReplies prints the server's bytes as they come, above the prompt and
// the line being typed, until the connection ends, records how it ended in
// s.err, and interrupts the editor so that a pending ReadLine returns.
func (s *session) readReplies() {
	defer close(s.done)
	// rl.Write prints before the prompt and draws the prompt and the line
	// being typed again after it, on the same line if the bytes printed do
	// not end one.
	replies := &replyWriter{w: guardedWriter{s.ed.guard, s.ed.rl}}
	end := copyStream(replies, s.conn, make([]byte, replyBufferSize))
	if err := replies.Flush(); err != nil && end.writeErr == nil {
		end.writeErr = err
	}
	s.err = s.endedBy(end)
	s.ed.interrupt()
}

// endedBy turns how the reply stream ended into Interactive's result. The
// caller prints it: the terminal is restored by then.
func (s *session) endedBy(end copyEnd) error {
	leaving := s.leaving.Load()
	switch {
	case end.writeErr != nil:
		return fmt.Errorf("print reply: %w", end.writeErr)
	case end.readErr == nil: // EOF: the server's FIN
		if leaving {
			return nil
		}
		return closedError(s.addr, " (FIN)", nil)
	case isReset(end.readErr):
		return resetError(s.addr, end.readErr)
	case s.stopping.Load() && errors.Is(end.readErr, os.ErrDeadlineExceeded):
		return nil
	}
	return fmt.Errorf("read from %s: %w", s.addr, end.readErr)
}

// ended reports whether the reader has returned; s.err is then set.
func (s *session) ended() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// stopReader makes the reader's Read return and waits for it to end.
func (s *session) stopReader() {
	if s.ended() {
		return
	}
	s.stopping.Store(true)
	s.conn.SetReadDeadline(aLongTimeAgo)
	<-s.done
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

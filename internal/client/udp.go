package client

import (
	"strings"
	"syscall"

	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/ergochat/readline"

	"github.com/upcase/upcase/internal/upper"
)

// MaxDatagram is the largest UDP payload over IPv4, the longest line UDP
// sends as one datagram.
const MaxDatagram = 65507

// udpInFlight bounds the datagrams sent and not yet answered or given up:
// past it UDP waits, so a long piped input does not overflow socket buffers.
const udpInFlight = 64

// ErrLost is wrapped by the error UDP returns when some datagrams got no
// reply.
var ErrLost = errors.New("client: datagrams got no reply")

// UDP sends each line of in (with its newline) to conn as one datagram and
// writes each reply datagram to out. A datagram whose reply does not come
// within timeout (zero: DefaultDialTimeout) is reported on errw, plainly:
// UDP does not retransmit; UDP goes on. When the host answers ICMP port
// unreachable (nobody listens there), errw is told once, and UDP goes on. At the end of in it waits for the
// replies still due, up to timeout each, and returns nil if every datagram
// was answered, or an error wrapping ErrLost saying how many were not.
//
// conn is a connected UDP socket (net.Dial("udp", …)); the caller owns and
// closes it. Replies are matched to requests by content (the upper-cased
// request), else in order, so a reply that comes late or out of order is
// still counted once. At most 64 datagrams are in flight at a time.
func UDP(ctx context.Context, conn net.Conn, in io.Reader, out, errw io.Writer, timeout time.Duration) error {
	if timeout <= 0 {
		timeout = DefaultDialTimeout
	}
	addr := remoteAddr(conn)

	lines := make(chan []byte)
	readErr := make(chan error, 1)
	stopLines := make(chan struct{})
	defer close(stopLines)
	go func() {
		br := bufio.NewReaderSize(in, MaxDatagram+1)
		for {
			line, err := br.ReadSlice('\n')
			if errors.Is(err, bufio.ErrBufferFull) {
				readErr <- fmt.Errorf("a line of over %d bytes does not fit in one datagram", MaxDatagram)
				return
			}
			if len(line) > 0 {
				select {
				case lines <- bytes.Clone(line):
				case <-stopLines:
					return
				}
			}
			if err != nil {
				if err == io.EOF {
					err = nil
				}
				readErr <- err
				return
			}
		}
	}()

	replies := make(chan []byte, udpInFlight)
	refusedSeen := make(chan struct{}, 1)
	go func() {
		buf := make([]byte, 65536)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				if errors.Is(err, net.ErrClosed) || isDeadline(err) {
					close(replies)
					return
				}
				if errors.Is(err, syscall.ECONNREFUSED) {
					select { // said once, by the loop below
					case refusedSeen <- struct{}{}:
					default:
					}
				}
				continue // an ICMP "port unreachable" for an earlier datagram: it will time out
			}
			replies <- bytes.Clone(buf[:n])
		}
	}()
	defer func() {
		conn.SetReadDeadline(aLongTimeAgo) // ends the reply reader
		for range replies {
		}
	}()

	type pending struct {
		n    int
		want []byte
		due  time.Time
		line []byte
	}
	var queue []pending
	sent, lost := 0, 0
	saidRefused := false
	refused := func() { // nobody listens: said once, then the datagrams time out as UDP's do
		if !saidRefused {
			saidRefused = true
			fmt.Fprintf(errw, "nobody listens on %s: the host answered ICMP port unreachable\n", addr)
		}
	}
	inputDone := false
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		if inputDone && len(queue) == 0 {
			break
		}
		in := lines
		if inputDone || len(queue) >= udpInFlight {
			in = nil
		}
		var due <-chan time.Time
		if len(queue) > 0 {
			timer.Reset(time.Until(queue[0].due))
			due = timer.C
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-readErr:
			if err != nil {
				return fmt.Errorf("read input: %w", err)
			}
			inputDone = true
			readErr = nil
		case <-refusedSeen:
			refused()
		case line := <-in:
			if err := sendDatagram(conn, line, refused); err != nil {
				return fmt.Errorf("send to %s: %w", addr, err)
			}
			sent++
			want := bytes.Clone(line)
			upper.ASCII(want)
			queue = append(queue, pending{n: sent, want: want, due: time.Now().Add(timeout), line: line})
		case r, ok := <-replies:
			if !ok {
				return fmt.Errorf("read from %s: connection closed", addr)
			}
			if _, err := out.Write(r); err != nil {
				return fmt.Errorf("write output: %w", err)
			}
			i := 0
			for j, p := range queue {
				if bytes.Equal(p.want, r) {
					i = j
					break
				}
			}
			if len(queue) > 0 {
				queue = append(queue[:i], queue[i+1:]...)
			}
		case <-due:
			now := time.Now()
			for len(queue) > 0 && !now.Before(queue[0].due) {
				p := queue[0]
				queue = queue[1:]
				lost++
				fmt.Fprintf(errw, "no reply to datagram %d (%q) within %v: UDP does not retransmit\n",
					p.n, bytes.TrimRight(p.line, "\n"), timeout)
			}
		}
	}
	if lost > 0 {
		return &lostError{fmt.Sprintf("%d of %d datagrams to %s got no reply (UDP does not retransmit)", lost, sent, addr)}
	}
	return nil
}

// sendDatagram writes one datagram. A write that fails with ECONNREFUSED
// has not sent it: it only reports an ICMP port unreachable that came for
// an earlier datagram (the socket's pending error, which the failed write
// consumes). That is said (refused) and the datagram sent again, a few
// times at most, as another ICMP may have come meanwhile.
func sendDatagram(conn net.Conn, p []byte, refused func()) error {
	for range 4 {
		_, err := conn.Write(p)
		if !errors.Is(err, syscall.ECONNREFUSED) {
			return err
		}
		refused()
	}
	_, err := conn.Write(p)
	return err
}

// lostError says how many datagrams were lost; it unwraps to ErrLost.
type lostError struct{ msg string }

func (e *lostError) Error() string { return e.msg }
func (e *lostError) Unwrap() error { return ErrLost }

func isDeadline(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// InteractiveUDP is UDP on a terminal: the lines come from a line editor with
// the prompt, line editing and history of Interactive; replies and loss
// reports print above the prompt. Ctrl-C clears the line; Ctrl-D or "exit"
// ends the input, and it returns as UDP does once the replies still due have
// come or timed out. Like Interactive, it first prints a hint when Stdin is a
// terminal. It closes opts.Stdin.
func InteractiveUDP(ctx context.Context, conn net.Conn, opts Options, timeout time.Duration) error {
	if opts.Stdin == nil {
		return errors.New("client: InteractiveUDP needs Options.Stdin")
	}
	defer opts.Stdin.Close()
	ed, err := newEditor(conn, opts,
		"UDP to "+remoteAddr(conn)+": each line you type is one datagram; Ctrl-D or exit quits")
	if err != nil {
		return err
	}
	defer ed.close()
	out := guardedWriter{ed.guard, ed.rl}
	errw := guardedWriter{ed.guard, ed.rl.Stderr()}
	return UDP(ctx, conn, &editorLines{rl: ed.rl, guard: ed.guard}, out, errw, timeout)
}

// editorLines reads the lines typed at a line editor as a stream, each with
// its newline; Ctrl-D or "exit" is its end.
type editorLines struct {
	rl      *readline.Instance
	guard   *editGuard
	pending []byte
}

func (e *editorLines) Read(p []byte) (int, error) {
	for len(e.pending) == 0 {
		line, err := e.rl.ReadLine()
		e.guard.release()
		switch {
		case errors.Is(err, readline.ErrInterrupt):
			continue // Ctrl-C: the line is cleared
		case err != nil:
			return 0, io.EOF // Ctrl-D, or the editor was closed
		case strings.TrimSpace(line) == "exit":
			return 0, io.EOF
		}
		e.pending = append([]byte(line), '\n')
	}
	n := copy(p, e.pending)
	e.pending = e.pending[n:]
	return n, nil
}

package client

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"
)

// pipeBufferSize is the size of each of Pipe's two copy buffers.
const pipeBufferSize = 32 << 10

// senderGrace bounds how long Pipe, once the server has finished, waits to
// learn whether the sender still had input to send.
const senderGrace = 250 * time.Millisecond

// aLongTimeAgo is a deadline in the past: setting it makes I/O in progress on
// a connection return at once (after net/http).
var aLongTimeAgo = time.Unix(1, 0)

// Pipe streams in to conn and conn to out, byte for byte, like nc: the
// non-interactive client. It returns when the server has finished:
//
//   - At EOF of in, Pipe half-closes conn (CloseWrite, so the server sees the
//     end of the input) and goes on copying conn to out until the server's
//     EOF, then returns nil: no reply is lost to an early return.
//   - If the server ends first (EOF), Pipe returns nil once all the server's
//     bytes are written to out, as nc does; but if input was still being
//     sent, it returns an error wrapping ErrServerClosed: the server closed
//     before all the input was sent, so the output is a reply to part of it.
//   - If the connection is reset, it returns an error wrapping ErrServerReset.
//   - An error reading in or writing out is returned as it is, wrapped.
//   - When ctx is done, it stops I/O on conn and returns ctx.Err().
//
// The caller owns conn and closes it after Pipe returns; Pipe stops I/O by
// setting conn's deadlines, never by closing it. conn should offer
// CloseWrite() error (a *net.TCPConn does); otherwise the server is not told
// that the input ended. Pipe copies through two fixed buffers and allocates
// nothing per chunk.
//
// Pipe reads in from its own goroutine and does not wait for it when the
// server finishes first: a Read of in that blocks (a terminal, a pipe) may
// outlive Pipe. That goroutine does nothing more once the Read returns (its
// writes to conn fail on the deadline Pipe set), so a process that exits
// after Pipe loses nothing; a caller that stays must make in's Read return.
func Pipe(ctx context.Context, conn net.Conn, in io.Reader, out io.Writer) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	addr := remoteAddr(conn)

	up := make(chan copyEnd, 1) // buffered: the sender may finish after Pipe returns
	go func() { up <- send(conn, in) }()
	down := make(chan copyEnd, 1)
	go func() { down <- copyStream(out, conn, make([]byte, pipeBufferSize)) }()

	var sendErr error // a write to conn that failed
	for {
		select {
		case u := <-up:
			up = nil // done; a nil channel is never ready
			switch {
			case u.readErr != nil:
				stop(conn, down)
				return fmt.Errorf("read input: %w", u.readErr)
			case u.writeErr != nil:
				// The server's end will follow (EOF or RST): keep copying
				// what it still sends, then report.
				sendErr = u.writeErr
			}
		case d := <-down:
			if up != nil {
				// The server finished while input was still being sent, or
				// while the sender waited on in. Make a Write in progress,
				// and any later one, fail at once; a sender that was writing
				// then reports input the server never got. One blocked
				// reading in (a terminal, an idle pipe) has nothing unsent.
				conn.SetWriteDeadline(aLongTimeAgo)
				t := time.NewTimer(senderGrace)
				select {
				case u := <-up:
					sendErr = u.writeErr
				case <-t.C:
				}
				t.Stop()
			}
			return pipeResult(addr, d, sendErr)
		case <-ctx.Done():
			stop(conn, down)
			return ctx.Err()
		}
	}
}

// pipeResult is what Pipe returns once the copy from the server has ended.
func pipeResult(addr string, d copyEnd, sendErr error) error {
	switch {
	case d.writeErr != nil:
		return fmt.Errorf("write output: %w", d.writeErr)
	case isReset(d.readErr):
		return resetError(addr, d.readErr)
	case d.readErr != nil:
		return fmt.Errorf("read from %s: %w", addr, d.readErr)
	case sendErr != nil:
		return closedError(addr, " before all input was sent", sendErr)
	}
	return nil
}

// stop makes conn's I/O in progress return at once and waits for the copy
// from the server to end.
func stop(conn net.Conn, down <-chan copyEnd) {
	conn.SetDeadline(aLongTimeAgo)
	<-down
}

// send copies in to conn and then half-closes conn.
func send(conn net.Conn, in io.Reader) copyEnd {
	end := copyStream(conn, in, make([]byte, pipeBufferSize))
	if end.readErr != nil || end.writeErr != nil {
		return end
	}
	if cw, ok := conn.(closeWriter); ok {
		if err := cw.CloseWrite(); err != nil {
			return copyEnd{writeErr: err}
		}
	}
	return copyEnd{}
}

// copyEnd is how a copy ended: at most one of the two errors is set, and
// neither when the source reached EOF.
type copyEnd struct {
	readErr  error // reading the source failed
	writeErr error // writing the destination failed
}

// copyStream copies src to dst through buf until src's EOF, telling a read
// failure from a write failure (which io.Copy cannot). It deliberately does
// not use io.ReaderFrom or io.WriterTo for the same reason.
func copyStream(dst io.Writer, src io.Reader, buf []byte) copyEnd {
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return copyEnd{writeErr: werr}
			}
		}
		if err == io.EOF {
			return copyEnd{}
		}
		if err != nil {
			return copyEnd{readErr: err}
		}
	}
}

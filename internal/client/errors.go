package client

import (
	"errors"
	"net"
	"syscall"
)

// ErrServerClosed is wrapped by the error Pipe and Interactive return when
// the server ended the connection (FIN) before the client was done: in
// Pipe, before all of the input was sent; in Interactive, while the user was
// still at the prompt. The command exits non-zero on it.
var ErrServerClosed = errors.New("client: server closed the connection (FIN)")

// ErrServerReset is wrapped by the error Pipe and Interactive return when
// the connection was reset (RST): replies not yet read were thrown away by
// the kernel, so the output may be incomplete.
var ErrServerReset = errors.New("client: connection reset by the server (RST)")

// endError is how the server ended the connection, as one line naming the
// address. It wraps the sentinel (ErrServerClosed or ErrServerReset) and the
// cause, without repeating their text.
type endError struct {
	msg  string
	kind error // ErrServerClosed or ErrServerReset
	err  error // the I/O error seen, if any
}

func (e *endError) Error() string { return e.msg }

func (e *endError) Unwrap() []error {
	if e.err == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.err}
}

func resetError(addr string, err error) error {
	return &endError{msg: "connection to " + addr + " was reset by the server (RST)", kind: ErrServerReset, err: err}
}

func closedError(addr, detail string, err error) error {
	return &endError{msg: "server at " + addr + " closed the connection" + detail, kind: ErrServerClosed, err: err}
}

// isReset reports whether err means the peer reset the connection: an RST
// arrived (ECONNRESET), or a write found it already reset (EPIPE). It goes by
// error type, never by message text.
func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ECONNABORTED)
}

// remoteAddr names the server in messages.
func remoteAddr(conn net.Conn) string {
	if a := conn.RemoteAddr(); a != nil {
		return a.String()
	}
	return "the server"
}

// closeWriter is the half-close a TCP (or TLS) connection offers.
type closeWriter interface{ CloseWrite() error }

var _ closeWriter = (*net.TCPConn)(nil)

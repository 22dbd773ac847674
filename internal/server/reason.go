package server

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"
)

// CloseReason says why a connection ended. The same words are used in every log
// line and, later, in metrics labels, so an operator can match them up.
type CloseReason string

const (
	// ReasonFIN: the client finished sending (FIN) and got every reply.
	ReasonFIN CloseReason = "fin"
	// ReasonRST: the connection was reset (RST) or broken by the peer.
	ReasonRST CloseReason = "rst"
	// ReasonIdle: the client sent nothing for the idle timeout.
	ReasonIdle CloseReason = "idle"
	// ReasonDrain: the server was shutting down and the drain time ran out.
	ReasonDrain CloseReason = "drain"
	// ReasonLimit: a server limit ended the connection.
	ReasonLimit CloseReason = "limit"
	// ReasonPanic: the connection's handler panicked; only that connection ended.
	ReasonPanic CloseReason = "panic"
	// ReasonError: any other I/O error.
	ReasonError CloseReason = "error"
)

// Describe is the plain-words explanation of r used by the narration.
func (r CloseReason) Describe() string {
	switch r {
	case ReasonFIN:
		return "peer finished sending (FIN)"
	case ReasonRST:
		return "connection reset by peer (RST)"
	case ReasonIdle:
		return "idle for too long"
	case ReasonDrain:
		return "server shutting down (drain)"
	case ReasonLimit:
		return "server limit reached"
	case ReasonPanic:
		return "internal error (panic)"
	default:
		return "I/O error"
	}
}

// classify maps a read or write error to the reason it ends a connection. It
// goes by error type, never by message text.
func classify(err error) CloseReason {
	switch {
	case errors.Is(err, io.EOF):
		return ReasonFIN
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.ETIMEDOUT),
		errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return ReasonRST
	case errors.Is(err, os.ErrDeadlineExceeded):
		return ReasonIdle
	case errors.Is(err, net.ErrClosed):
		return ReasonDrain
	default:
		return ReasonError
	}
}

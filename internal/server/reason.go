package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"syscall"
	"time"
)

// CloseReason says why a connection ended. The same words are used in every log
// line and, later, in metrics labels, so an operator can match them up.
type CloseReason string

const (
	// ReasonFIN means the client finished sending (FIN) and got every reply.
	ReasonFIN CloseReason = "fin"
	// ReasonRST means the peer reset (RST) or broke the connection.
	ReasonRST CloseReason = "rst"
	// ReasonIdle means the client sent nothing for Server.IdleTimeout.
	ReasonIdle CloseReason = "idle"
	// ReasonDrain means the server was shutting down and ended the connection.
	ReasonDrain CloseReason = "drain"
	// ReasonLimit means a server limit ended the connection: the client did
	// not read its replies within Server.WriteTimeout.
	ReasonLimit CloseReason = "limit"
	// ReasonPanic means the connection's handler panicked; only that
	// connection ended.
	ReasonPanic CloseReason = "panic"
	// ReasonHandshake means the TLS handshake failed or timed out.
	ReasonHandshake CloseReason = "handshake"
	// ReasonProxyHeader means a client that is not a trusted load balancer
	// began with a PROXY header, as if to claim another address.
	ReasonProxyHeader CloseReason = "proxy_header"
	// ReasonError means any other I/O error.
	ReasonError CloseReason = "error"
)

// CloseReasons lists every CloseReason, for metrics that show each from the
// start.
var CloseReasons = []CloseReason{ReasonFIN, ReasonRST, ReasonIdle, ReasonDrain, ReasonLimit,
	ReasonHandshake, ReasonPanic, ReasonProxyHeader, ReasonError}

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
		return "client did not read its replies (write timeout)"
	case ReasonPanic:
		return "internal error (panic)"
	case ReasonHandshake:
		return "TLS handshake failed"
	case ReasonProxyHeader:
		return "sent a PROXY header without being a trusted load balancer (--proxy-trusted)"
	default:
		return "I/O error"
	}
}

func isTLSRecordError(err error) bool {
	var rh tls.RecordHeaderError
	var alert tls.AlertError
	return errors.As(err, &rh) || errors.As(err, &alert)
}

// classify maps a read or write error to the reason it ends a connection. It
// goes by error type, never by message text. A deadline that passed is the
// idle timeout on a read and the write timeout on a write; a deadline set by
// stop is overridden by stop's reason before classify is asked.
func classify(err error, writing bool) CloseReason {
	switch {
	case errors.Is(err, io.EOF):
		return ReasonFIN
	case errors.Is(err, io.ErrUnexpectedEOF), isTLSRecordError(err):
		return ReasonRST // the peer broke off or garbled its TLS stream
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.ETIMEDOUT),
		errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return ReasonRST
	case errors.Is(err, os.ErrDeadlineExceeded) && writing:
		return ReasonLimit
	case errors.Is(err, os.ErrDeadlineExceeded):
		return ReasonIdle
	case errors.Is(err, net.ErrClosed):
		return ReasonDrain
	default:
		return ReasonError
	}
}

// level is how loud the "closed" line of a connection ended for r is: an
// error for a panic, a warning for an I/O error, narration (debug) for the
// ways connections normally end.
func (r CloseReason) level() slog.Level {
	switch r {
	case ReasonPanic:
		return slog.LevelError
	case ReasonError:
		return slog.LevelWarn
	}
	return slog.LevelDebug
}

// logRejected narrates (at debug level, with -v) a connection closed
// without being served, the same in both engines: peer is its client, via
// the load balancer that brought it (nil if none). The operator hears of
// every refusal without -v too, counted (Server.refused).
func logRejected(log *slog.Logger, peer, via fmt.Stringer, reason RejectReason, err error) {
	ctx := context.Background()
	if !log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []any{"peer", peer.String(), "reason", string(reason)}
	if via != nil {
		attrs = append(attrs, "via", via.String())
	}
	if err != nil {
		attrs = append(attrs, "err", err)
	}
	log.Log(ctx, slog.LevelDebug, "rejected: closed at once", attrs...)
}

// logClosed writes the line every connection ends with, the same in both
// engines. err, the error that ended it, is shown only for ReasonError: the
// other reasons are ends that need no error to explain them.
func logClosed(log *slog.Logger, reason CloseReason, in, out int64, d time.Duration, err error) {
	attrs := []any{"reason", string(reason), "received", in, "sent", out,
		"duration", d.Round(time.Microsecond), "why", reason.Describe()}
	if err != nil && reason == ReasonError {
		attrs = append(attrs, "err", err)
	}
	log.Log(context.Background(), reason.level(), "closed", attrs...)
}

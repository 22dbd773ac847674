package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime/debug"
	"sync/atomic"
	"time"
)

// conn is one accepted connection. Its goroutine (serve) owns nc and closes it;
// other goroutines only call stop.
type conn struct {
	srv     *Server
	nc      net.Conn
	log     *slog.Logger
	start   time.Time
	stopped atomic.Pointer[CloseReason] // set by stop; the reason the server ended it
	in, out int64                       // bytes received and sent; owned by serve
}

// closeWriter is the half-close a TCP (or TLS) connection offers.
type closeWriter interface{ CloseWrite() error }

var _ closeWriter = (*net.TCPConn)(nil)

// startConn tracks nc and serves it in a new goroutine. A connection accepted
// after shutdown began is closed at once.
func (s *Server) startConn(nc net.Conn) {
	c := &conn{srv: s, nc: nc, start: time.Now()}
	c.log = s.logger().With("peer", nc.RemoteAddr().String())
	s.mu.Lock()
	if s.inShutdown {
		s.mu.Unlock()
		nc.Close()
		return
	}
	if s.conns == nil {
		s.conns = make(map[*conn]struct{})
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	go c.serve()
}

// stop asks the connection to end for reason: its pending read returns at once,
// and a write in progress gets Linger to finish. Safe to call from any goroutine.
func (c *conn) stop(reason CloseReason) {
	if c.stopped.CompareAndSwap(nil, &reason) {
		now := time.Now()
		c.nc.SetReadDeadline(now)
		c.nc.SetWriteDeadline(now.Add(c.srv.linger()))
	}
}

// serve is the communication loop: read what arrived, upper-case it in place,
// write it back, until the client leaves or the server stops it.
func (c *conn) serve() {
	s := c.srv
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		s.wg.Done()
	}()
	defer func() {
		if v := recover(); v != nil {
			c.log.Error("connection handler panicked; closing only this connection",
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			c.finish(ReasonPanic, nil)
		}
	}()

	ctx := context.Background()
	if c.log.Enabled(ctx, slog.LevelDebug) {
		c.log.Debug("accepted: three-way handshake complete", "local", c.nc.LocalAddr().String())
	}
	transform := s.transformFunc()
	buf := make([]byte, s.bufferSize())
	for {
		n, err := c.nc.Read(buf)
		if n > 0 {
			c.in += int64(n)
			if c.log.Enabled(ctx, slog.LevelDebug) {
				c.log.Debug("received", "bytes", n)
			}
			transform(buf[:n])
			w, werr := c.nc.Write(buf[:n])
			c.out += int64(w)
			if werr != nil {
				c.finish(classify(werr), werr)
				return
			}
			if c.log.Enabled(ctx, slog.LevelDebug) {
				c.log.Debug("sent", "bytes", w)
			}
		}
		if err != nil {
			c.finish(classify(err), err)
			return
		}
	}
}

// finish ends the connection for reason, in the way that loses no reply, and
// reports it. err is the error that ended the loop, if any.
func (c *conn) finish(reason CloseReason, err error) {
	if r := c.stopped.Load(); r != nil {
		reason = *r // the server ended it; the error is only the deadline it set
		err = nil
	}
	switch reason {
	case ReasonFIN:
		// Everything the client sent has been read and answered: a plain close
		// sends our FIN, the second half of the teardown.
		c.log.Debug(reason.Describe())
	case ReasonRST:
		// Nothing more can reach the client.
	default:
		c.closeGracefully()
	}
	c.nc.Close()

	attrs := []any{"reason", string(reason), "received", c.in, "sent", c.out,
		"duration", time.Since(c.start).Round(time.Microsecond)}
	switch reason {
	case ReasonFIN, ReasonRST, ReasonDrain, ReasonIdle, ReasonLimit:
		if err != nil && reason == ReasonRST {
			attrs = append(attrs, "err", err)
		}
		c.log.Debug("closed: "+reason.Describe(), attrs...)
	case ReasonPanic:
		c.log.Error("closed: "+reason.Describe(), attrs...)
	default:
		c.log.Warn("closed: "+reason.Describe(), append(attrs, "err", err)...)
	}
}

// closeGracefully sends FIN, then reads and discards input until the client's
// FIN or Linger has passed, so that unread input does not turn the final close
// into an RST that would destroy replies the client has not read yet.
func (c *conn) closeGracefully() {
	cw, ok := c.nc.(closeWriter)
	if !ok {
		return
	}
	if err := cw.CloseWrite(); err != nil {
		return
	}
	linger := c.srv.linger()
	if linger <= 0 {
		return
	}
	c.nc.SetReadDeadline(time.Now().Add(linger))
	n, _ := io.Copy(io.Discard, c.nc)
	if n > 0 && c.log.Enabled(context.Background(), slog.LevelDebug) {
		c.log.Debug("discarded input after closing", "bytes", n)
	}
}

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
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/upcase/upcase/internal/upper"
)

// conn is one accepted connection. Its goroutine (serve) owns nc and closes it;
// other goroutines only call stop.
type conn struct {
	srv   *Server
	nc    net.Conn
	count *addrCount // its source address's count, for the per-address limit; set before serve runs, or by serve after a PROXY header
	log   *slog.Logger
	obs   Observer
	// proxy is the connection from a trusted load balancer, under any TLS,
	// whose PROXY header serve reads first; nil otherwise. refuseHeader marks
	// a connection from an untrusted source that is closed if it begins with
	// a header. Set before serve starts.
	proxy        *proxiedConn
	refuseHeader bool
	start        time.Time
	// ending is set once, by stop (the server ends the connection) or by
	// finish (the connection ended by itself), whichever comes first.
	ending   atomic.Pointer[ending]
	st       upper.Stream // the transform; owned by serve
	in       int64        // bytes received; owned by serve
	out      int64        // bytes sent; owned by serve
	writeBy  lazyDeadline // the write timeout; owned by serve
	finished bool         // finish has run; owned by serve
	tracked  bool         // counted in srv.conns and the per-address limit; guarded by srv.mu
}

// ending records who ended a connection, why, and until when its last
// replies may still be written and its remaining input read.
type ending struct {
	reason   CloseReason
	byServer bool      // set by stop
	deadline time.Time // for the final writes and the linger
}

// closeWriter is the half-close a TCP (or TLS) connection offers.
type closeWriter interface{ CloseWrite() error }

var _ closeWriter = (*net.TCPConn)(nil)

// startConn admits nc against the limits and access lists and serves it in a
// new goroutine, or closes it at once. One accepted after Shutdown began is
// served like those already open (it has finished its handshake: closing it
// would break a client that did nothing wrong, as during a restart), but one
// accepted after Close began is closed at once. One from a load balancer
// trusted to send a PROXY header only takes its place under MaxConns here; its
// goroutine checks the rest once it has read the header.
func (s *Server) startConn(nc net.Conn) {
	c := &conn{srv: s, nc: nc, obs: s.observer(), start: time.Now()}
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		nc.Close()
		return
	}
	var (
		count  *addrCount
		reason RejectReason
		ok     bool
	)
	switch {
	case s.ProxyProtocol == ProxyOff:
		count, reason, ok = s.admitLocked(peerIP(nc))
	default:
		var trusted bool
		count, trusted, reason, ok = s.admitProxyLocked(peerIP(nc))
		if ok && trusted {
			c.proxy = &proxiedConn{Conn: nc}
			c.nc = c.proxy
		}
		c.refuseHeader = ok && !trusted
	}
	if !ok {
		s.mu.Unlock()
		c.reject(reason, nil, true)
		return
	}
	if s.conns == nil {
		s.conns = make(map[*conn]struct{})
	}
	s.conns[c] = struct{}{}
	c.count = count
	c.tracked = true
	if t := s.writeTimeout(); t > 0 {
		c.nc = newProgressConn(c.nc, nc, c, t, s.minProgress())
	}
	if s.TLSConfig != nil {
		c.nc = tls.Server(c.nc, s.TLSConfig) // its handshake comes after the PROXY header
	}
	s.wg.Add(1)
	s.mu.Unlock()
	if c.proxy == nil {
		c.obs.Accepted()
	}
	go c.serve()
}

// reject closes a connection that is not served, counts it and says why:
// to the operator too (Server.refused) if report, as for every refusal but
// a load balancer's probe that connected and sent nothing.
func (c *conn) reject(reason RejectReason, err error, report bool) {
	c.obs.Rejected(reason)
	var peer, via net.Addr = c.nc.RemoteAddr(), nil
	if c.proxy != nil { // the header's client, if a valid header named one
		peer, via = c.proxy.RemoteAddr(), c.proxy.via()
	}
	if report {
		c.srv.refused(reason, addrString(peer), err)
	}
	logRejected(c.srv.logger(), stringer{peer}, nilIfNone(via), reason, err)
	c.nc.Close()
}

// untrack frees the connection's place in the server's limits and drain.
func (c *conn) untrack() {
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.tracked {
		c.tracked = false
		delete(s.conns, c)
		s.releaseLocked(c.count)
	}
}

// stop asks the connection to end for reason: its pending read returns at
// once, and a write in progress gets Linger to finish. It does nothing if the
// connection is already ending. Safe to call from any goroutine.
func (c *conn) stop(reason CloseReason) {
	e := &ending{reason: reason, byServer: true, deadline: time.Now().Add(c.srv.linger())}
	if c.ending.CompareAndSwap(nil, e) {
		c.nc.SetReadDeadline(time.Now())
		c.nc.SetWriteDeadline(e.deadline)
	}
}

// serve is the communication loop: read what arrived, upper-case it in place,
// write it back, until the client leaves or the server stops it.
func (c *conn) serve() {
	s := c.srv
	defer s.wg.Done()
	defer c.untrack() // in case finish never ran (a panic inside it)
	if c.proxy != nil && !c.admitProxied() {
		return
	}
	c.log = s.logger().With("peer", addrString(c.nc.RemoteAddr())) // with PROXY, the client the header names
	defer func() {
		if v := recover(); v != nil {
			c.log.Error("connection handler panicked; closing only this connection",
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if !c.finished {
				c.finish(ReasonPanic, nil)
			}
		}
	}()

	ctx := context.Background()
	if c.log.Enabled(ctx, slog.LevelDebug) {
		attrs := []any{"local", addrString(c.nc.LocalAddr())}
		if c.proxy != nil {
			if lb := c.proxy.via(); lb != nil {
				attrs = append(attrs, "via", lb.String(), "header", "PROXY")
			} else if c.proxy.local() {
				attrs = append(attrs, "header", "PROXY LOCAL: the load balancer's own connection (a health check)")
			}
		}
		c.log.Debug("accepted: three-way handshake complete", attrs...)
	}
	if hs, ok := c.nc.(handshaker); ok {
		if err := c.handshake(hs); err != nil {
			c.finish(ReasonHandshake, err)
			return
		}
	}
	c.st = s.newStream()
	st := c.st
	idle := s.idleTimeout()
	c.writeBy = lazyDeadline{timeout: s.writeTimeout()}
	readBy := lazyDeadline{timeout: idle}
	buf := make([]byte, s.bufferSize())
	for {
		if idle > 0 && readBy.due(time.Now()) {
			c.nc.SetReadDeadline(readBy.next())
			if c.ending.Load() != nil { // stop ran meanwhile: keep its deadline
				c.nc.SetReadDeadline(time.Now())
			}
		}
		n, err := c.nc.Read(buf)
		if c.refuseHeader && n > 0 {
			c.refuseHeader = false
			if hasSignature(buf[:n]) {
				c.finish(ReasonProxyHeader, nil)
				return
			}
		}
		if n > 0 {
			c.in += int64(n)
			c.obs.Received(n)
			if c.log.Enabled(ctx, slog.LevelDebug) {
				c.log.Debug("received", "bytes", n)
			}
			if werr := c.write(st.Chunk(buf[:n])); werr != nil {
				c.finish(classify(werr, true), werr)
				return
			}
		}
		if err == io.EOF {
			// The client has finished: what the transform held back (an
			// incomplete UTF-8 sequence) goes back as it is.
			if werr := c.write(st.Flush()); werr != nil {
				c.finish(classify(werr, true), werr)
				return
			}
		}
		if err != nil {
			c.finish(classify(err, false), err)
			return
		}
	}
}

// write sends a reply, under the write timeout, and counts it.
func (c *conn) write(p []byte) error {
	if len(p) == 0 {
		return nil
	}
	if c.writeBy.timeout > 0 && c.writeBy.due(time.Now()) {
		c.nc.SetWriteDeadline(c.writeBy.next())
		if e := c.ending.Load(); e != nil {
			c.nc.SetWriteDeadline(e.deadline)
		}
	}
	w, err := c.nc.Write(p)
	c.out += int64(w)
	c.obs.Sent(w)
	if err == nil && c.log.Enabled(context.Background(), slog.LevelDebug) {
		c.log.Debug("sent", "bytes", w)
	}
	return err
}

// finish ends the connection for reason, in the way that loses no reply, and
// reports it. err is the error that ended the loop, if any.
func (c *conn) finish(reason CloseReason, err error) {
	c.finished = true
	e := &ending{reason: reason, deadline: time.Now().Add(c.srv.linger())}
	if !c.ending.CompareAndSwap(nil, e) {
		// The server stopped it. Its deadline is what ended the loop, unless
		// the peer finished or reset first: then that is the true reason.
		e = c.ending.Load()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			reason, err = e.reason, nil
		}
	}
	switch reason {
	case ReasonFIN:
		// Everything the client sent has been read and answered: a plain
		// close sends our FIN, the second half of the teardown.
		c.log.Debug("peer finished sending (FIN)")
	case ReasonRST:
		c.log.Debug("connection reset by peer (RST)")
		// Nothing more can reach the client.
	case ReasonHandshake:
		c.log.Debug("TLS handshake failed", "err", err)
		err = nil // expected from scanners and wrong clients: not a server error
	case ReasonLimit:
		// The client does not read: a FIN (or TLS close_notify) would only
		// wait behind the replies it ignores.
	case ReasonPanic:
		c.closeGracefully(e.deadline) // the transform's state is not to be trusted
	default:
		c.sendHeld(e.deadline)
		c.closeGracefully(e.deadline)
	}
	c.untrack() // the slot is free before the client can see our FIN and redial
	c.nc.Close()

	d := time.Since(c.start)
	c.obs.Closed(reason, d)
	logClosed(c.log, reason, c.in, c.out, d, err)
}

// sendHeld writes what the transform holds back (an incomplete UTF-8
// sequence) before a close the server starts, as the client's FIN would
// have it written: nothing the client sent is lost, whoever ends.
func (c *conn) sendHeld(deadline time.Time) {
	if c.st == nil {
		return
	}
	held := c.st.Flush()
	if len(held) == 0 {
		return
	}
	c.nc.SetWriteDeadline(deadline)
	w, err := c.nc.Write(held)
	c.out += int64(w)
	c.obs.Sent(w)
	if err != nil {
		c.log.Debug("could not send the bytes held back before closing", "err", err)
	}
}

// closeGracefully sends FIN, then reads and discards input until the client's
// FIN or deadline, so that unread input does not turn the final close into an
// RST that would destroy replies the client has not read yet.
func (c *conn) closeGracefully(deadline time.Time) {
	cw, ok := c.nc.(closeWriter)
	if !ok {
		return
	}
	if err := cw.CloseWrite(); err != nil {
		c.log.Debug("could not send FIN", "err", err)
		return
	}
	if !time.Now().Before(deadline) {
		return
	}
	c.nc.SetReadDeadline(deadline)
	n, err := io.Copy(io.Discard, c.nc)
	if !c.log.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	switch {
	case err == nil:
		c.log.Debug("sent FIN; the client finished too", "discarded_bytes", n)
	case errors.Is(err, os.ErrDeadlineExceeded):
		c.log.Debug("sent FIN; the client kept sending past the linger, so the close may send RST", "discarded_bytes", n)
	default:
		c.log.Debug("sent FIN; the connection then failed", "discarded_bytes", n, "err", err)
	}
}

// lazyDeadline moves a connection deadline forward at most once every
// sixteenth of its timeout, instead of on every message: setting a deadline
// costs a runtime timer update, a tenth of a small message's round trip. The
// deadline it sets is a sixteenth beyond the timeout, so the timeout that
// takes effect lies between timeout and 17/16 of it.
type lazyDeadline struct {
	timeout time.Duration
	now     time.Time // as given to the last due
	set     time.Time // when the deadline was last moved; zero: never
}

// due reports whether the deadline should be moved, now.
func (d *lazyDeadline) due(now time.Time) bool {
	d.now = now
	return d.set.IsZero() || now.Sub(d.set) >= d.timeout/16
}

// next records the move and returns the new deadline.
func (d *lazyDeadline) next() time.Time {
	d.set = d.now
	return d.now.Add(d.timeout + d.timeout/16)
}

// handshaker is a connection with a handshake to complete before data flows:
// a *tls.Conn.
type handshaker interface {
	HandshakeContext(context.Context) error
}

// handshake completes a TLS handshake within the handshake timeout.
func (c *conn) handshake(hs handshaker) error {
	ctx := context.Background()
	if t := c.srv.handshakeTimeout(); t > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t)
		defer cancel()
	}
	if err := hs.HandshakeContext(ctx); err != nil {
		return err
	}
	if c.log.Enabled(ctx, slog.LevelDebug) {
		c.log.Debug("TLS handshake complete")
	}
	return nil
}

// stringer names an address in logs, as addrString does.
type stringer struct{ a net.Addr }

func (s stringer) String() string { return addrString(s.a) }

// nilIfNone is logRejected's via for a: nil when there is no address.
func nilIfNone(a net.Addr) fmt.Stringer {
	if a == nil {
		return nil
	}
	return a
}

// addrString names an address in logs; a wrapped or exotic net.Conn may
// have none.
func addrString(a net.Addr) string {
	if a == nil {
		return "unknown"
	}
	return a.String()
}

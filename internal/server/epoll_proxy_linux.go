//go:build linux

package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"

	proxyproto "github.com/pires/go-proxyproto"
	"golang.org/x/sys/unix"
)

// The epoll engine's side of the PROXY protocol (proxy.go has the rules). A
// connection from a trusted load balancer starts in stHeader: what it sends
// is gathered in ext.hdr, without blocking, until frameHeader sees a whole
// header (or none), and only then is it admitted by the client the header
// names and reported accepted. HandshakeTimeout is checked by the sweep.

// maxHeaderGather bounds ext.hdr while a header is incomplete: the longest
// v2 header (16 bytes and MaxV2HeaderSize), and one read more.
func (l *loop) maxHeaderGather() int { return 16 + int(proxyproto.MaxV2HeaderSize) + len(l.buf) }

// admitEpollProxiedLocked is admit's decision, under s.mu, with the PROXY
// protocol on: the same as the goroutine engine's.
func (s *Server) admitEpollProxiedLocked(ip netip.Addr) (count *addrCount, state uint8, reason RejectReason, ok bool) {
	trusted, ok := s.proxyTrust(ip)
	switch {
	case !ok:
		return nil, 0, RejectProxyUntrusted, false
	case !trusted:
		count, reason, ok = s.admitLocked(ip)
		return count, stRefuse, reason, ok
	}
	reason, ok = s.reserveLocked()
	return nil, stHeader, reason, ok
}

// readHeader gathers what a connection in stHeader sends, and ends the
// header step once it can.
func (l *loop) readHeader(c *econn) {
	e := c.ext
	n, err := rawRead(c.fd, l.buf)
	switch {
	case err == unix.EAGAIN || err == unix.EINTR:
		return
	case err != nil:
		l.refuse(c, RejectProxyHeader, fmt.Errorf("%w: %w", errBadProxyHeader, err), len(e.hdr) > 0)
		return
	}
	e.hdr = append(e.hdr, l.buf[:n]...)
	size, f := frameHeader(e.hdr)
	if f == frameMore && n > 0 && len(e.hdr) < l.maxHeaderGather() {
		return
	}
	l.endHeader(c, size, f, n == 0)
}

// headerLate ends the header step of a connection whose header has not come
// whole within HandshakeTimeout: silence is no header where it is optional.
func (l *loop) headerLate(c *econn) {
	if len(c.ext.hdr) == 0 {
		l.endHeader(c, 0, frameNone, false)
		return
	}
	l.refuse(c, RejectProxyHeader, fmt.Errorf("%w: it did not arrive whole within %v", errBadProxyHeader, l.srv.handshakeTimeout()), true)
}

// endHeader parses the header framed in c.ext.hdr (f and its size), admits
// the client it names, and serves what came after it. eof: the client has
// finished sending.
func (l *loop) endHeader(c *econn, size int, f frame, eof bool) {
	e, s := c.ext, l.srv
	var (
		hdr *proxyproto.Header
		err error
	)
	switch {
	case f == frameWhole:
		hdr, err = parseHeader(e.hdr[:size])
	case f == frameTooLong:
		err = fmt.Errorf("%w: longer than any valid header", errBadProxyHeader)
	case f == frameMore && hasSignature(e.hdr):
		err = fmt.Errorf("%w: the connection ended inside it", errBadProxyHeader)
	case s.ProxyProtocol == ProxyRequired && len(e.hdr) == 0:
		err = fmt.Errorf("%w: nothing was sent", errBadProxyHeader)
	case s.ProxyProtocol == ProxyRequired:
		err = fmt.Errorf("%w: the connection does not begin with one (is the load balancer sending the PROXY protocol?)", errBadProxyHeader)
	}
	if err != nil {
		l.refuse(c, RejectProxyHeader, err, len(e.hdr) > 0)
		return
	}
	lb := c.peer() // the kernel's: the load balancer
	admitIP := lb.Addr()
	if hdr != nil && hdr.Command.IsProxy() {
		client := hdr.SourceAddr.(*net.TCPAddr).AddrPort() // validateHeader made sure
		e.peer = netip.AddrPortFrom(client.Addr().Unmap().WithZone(""), client.Port())
		e.via = lb
		admitIP = e.peer.Addr()
	}
	if hdr == nil || !hdr.Command.IsLocal() {
		s.mu.Lock()
		reason, ok := s.allowedLocked(admitIP)
		if ok {
			c.count, reason, ok = s.countLocked(admitIP)
		}
		s.mu.Unlock()
		if !ok {
			l.refuse(c, reason, nil, false)
			return
		}
	}
	c.state &^= stHeader
	c.last = l.now
	l.obs.Accepted()
	if l.debug {
		attrs := []any{"local", sockName(int(c.fd))}
		switch {
		case e.via.IsValid():
			attrs = append(attrs, "via", e.via.String(), "header", "PROXY")
		case hdr != nil:
			attrs = append(attrs, "header", "PROXY LOCAL: the load balancer's own connection (a health check)")
		}
		l.connLog(c).Debug("accepted: three-way handshake complete", attrs...)
	}
	rest := e.hdr[size:]
	e.hdr = nil
	if len(rest) > 0 {
		l.data(c, rest)
	}
	if eof && l.conns[c.fd] == c {
		l.fin(c)
	}
}

// refuse closes a connection that was never reported accepted, counts it as
// rejected, and says why; loud as the goroutine engine's reject.
func (l *loop) refuse(c *econn, reason RejectReason, err error, loud bool) {
	l.obs.Rejected(reason)
	level := slog.LevelDebug
	if loud && l.srv.warnNow() {
		level = slog.LevelWarn
	}
	if l.log.Enabled(context.Background(), level) {
		attrs := []any{"reason", string(reason)}
		if e := c.ext; e != nil && e.via.IsValid() {
			attrs = append(attrs, "via", e.via.String())
		}
		if err != nil {
			attrs = append(attrs, "err", err)
		}
		if level == slog.LevelWarn {
			attrs = append(attrs, "note", "more such warnings within a second are logged at debug level")
		}
		l.connLog(c).Log(context.Background(), level, "rejected: closed at once", attrs...)
	}
	l.release(c)
}

// dropHeader closes, without a word, a connection still in its header step
// when the server closes: it was never accepted, nor refused.
func (l *loop) dropHeader(c *econn) { l.release(c) }

var errHeaderPanic = errors.New("the connection's handler panicked while reading its PROXY header")

//go:build linux

package server

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"

	"github.com/upcase/upcase/internal/netpoll"
	"golang.org/x/sys/unix"
)

// The epoll engine's side of the PROXY protocol (proxy.go has the rules). A
// connection from a trusted load balancer starts in stHeader: what it sends
// is gathered in ext.hdr, without blocking, until frameHeader sees a whole
// header (or none), and only then is it admitted by the client the header
// names and reported accepted. HandshakeTimeout is checked by the sweep.

// readHeader gathers what a connection in stHeader sends, and ends the
// header step once frameHeader can tell, or no more will come.
func (l *loop) readHeader(c *econn) {
	e := c.ext
	n, err := netpoll.Read(int(c.fd), l.buf)
	switch {
	case err == unix.EAGAIN || err == unix.EINTR:
		return
	case err != nil:
		size, f := frameHeader(e.hdr)
		l.endHeader(c, size, f, err)
		return
	}
	e.hdr = append(e.hdr, l.buf[:n]...)
	size, f := frameHeader(e.hdr)
	switch {
	case n == 0:
		l.endHeader(c, size, f, io.EOF)
	case f != frameMore:
		l.endHeader(c, size, f, nil)
	}
}

// headerLate ends the header step of a connection whose header has not come
// whole within HandshakeTimeout.
func (l *loop) headerLate(c *econn) {
	size, f := frameHeader(c.ext.hdr)
	l.endHeader(c, size, f, os.ErrDeadlineExceeded)
}

// endHeader takes headerVerdict on c.ext.hdr, admits the client the header
// names, and serves what came after it. ended is why no more bytes will
// come, if so: io.EOF, a deadline, or a read error.
func (l *loop) endHeader(c *econn, size int, f frame, ended error) {
	e, s := c.ext, l.srv
	hdr, out, err := headerVerdict(e.hdr, size, f, ended, s.ProxyProtocol == ProxyRequired, s.handshakeTimeout())
	if out != headerOK {
		l.refuse(c, RejectProxyHeader, err, out != headerSilent)
		return
	}
	lb := c.peer() // the kernel's: the load balancer
	admitIP := lb.Addr()
	if hdr != nil && hdr.Command.IsProxy() {
		e.peer = hdr.SourceAddr.(*net.TCPAddr).AddrPort() // validateHeader made sure; parseHeader unmapped it
		e.via = lb
		admitIP = e.peer.Addr()
	} else if !l.debug {
		e.peer = netip.AddrPort{} // the kernel knows it: the ext can go once idle
	}
	if hdr == nil || !hdr.Command.IsLocal() {
		count, reason, ok := s.admitClient(admitIP)
		if !ok {
			l.refuse(c, reason, nil, true)
			return
		}
		c.count = count
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
	rest := e.hdr
	if hdr != nil {
		rest = rest[size:]
	}
	e.hdr = nil
	if len(rest) > 0 {
		l.data(c, rest)
	}
	switch {
	case l.conns[c.fd] != c: // the reply failed and closed it
	case ended == nil, errors.Is(ended, os.ErrDeadlineExceeded):
		l.shrink(c)
	case errors.Is(ended, io.EOF):
		l.fin(c)
	default:
		l.finish(c, classify(ended, false), ended)
	}
}

// refuse closes a connection that was never reported accepted, counts it as
// rejected, and says why (to the operator too if report: see conn.reject).
func (l *loop) refuse(c *econn, reason RejectReason, err error, report bool) {
	l.obs.Rejected(reason)
	peer := c.peer()
	if report {
		l.srv.refused(reason, peer.String(), err)
	}
	if l.debug {
		var via fmt.Stringer
		if c.ext.via.IsValid() {
			via = c.ext.via
		}
		logRejected(l.log, peer, via, reason, err)
	}
	l.release(c)
}

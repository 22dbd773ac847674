package server

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"slices"
	"time"

	proxyproto "github.com/pires/go-proxyproto"
)

// ProxyMode says whether connections carry a PROXY protocol header (v1 or
// v2, https://www.haproxy.org/download/2.6/doc/proxy-protocol.txt): the
// line a load balancer such as HAProxy puts before the client's bytes to say
// who the client really is. Without it, every connection through a load
// balancer would seem to come from the load balancer.
type ProxyMode string

const (
	// ProxyOff ignores the PROXY protocol: a header is data like any other.
	// It is the zero value.
	ProxyOff ProxyMode = ""
	// ProxyOptional takes a header from a trusted source when it sends one;
	// other sources are served as themselves, and one that sends a header
	// is refused (it would be forging its address).
	ProxyOptional ProxyMode = "optional"
	// ProxyRequired serves only trusted sources, and only with a header:
	// the server is meant to be reached through its load balancers alone.
	ProxyRequired ProxyMode = "required"
)

// ParseProxyMode reads a mode as given to --proxy-protocol.
func ParseProxyMode(name string) (ProxyMode, error) {
	switch name {
	case "off", "":
		return ProxyOff, nil
	case string(ProxyOptional):
		return ProxyOptional, nil
	case string(ProxyRequired):
		return ProxyRequired, nil
	}
	return "", fmt.Errorf("unknown PROXY protocol mode %q: want off, optional or required", name)
}

// String is the mode's name as --proxy-protocol takes it.
func (m ProxyMode) String() string {
	if m == ProxyOff {
		return "off"
	}
	return string(m)
}

// admitProxyLocked is the admission at accept, under s.mu, with the PROXY
// protocol on, in both engines. A trusted source (a load balancer) only
// takes a place under MaxConns: its connection is admitted by the client its
// header names, by admitClient once the header is read. Another source is
// admitted as itself, and closed if it sends a header (refuse); in
// ProxyRequired mode it is not served at all.
func (s *Server) admitProxyLocked(src netip.Addr) (count *addrCount, trusted bool, reason RejectReason, ok bool) {
	switch {
	case src.IsValid() && containsAddr(s.ProxyTrusted, src):
		reason, ok = s.reserveLocked()
		return nil, true, reason, ok
	case s.ProxyProtocol == ProxyRequired:
		return nil, false, RejectProxyUntrusted, false
	}
	count, reason, ok = s.admitLocked(src)
	return count, false, reason, ok
}

// admitClient admits the client a PROXY header named (or the load balancer
// itself, when a header named none) against Allow, Deny and MaxConnsPerIP;
// its place under MaxConns was taken at accept.
func (s *Server) admitClient(ip netip.Addr) (*addrCount, RejectReason, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if reason, ok := s.allowedLocked(ip); !ok {
		return nil, reason, false
	}
	return s.countLocked(ip)
}

// containsAddr reports whether ip is in one of the prefixes.
func containsAddr(prefixes []netip.Prefix, ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range prefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// proxiedConn is a connection from a trusted source, which may begin with a
// PROXY header. Once serve has read the header, RemoteAddr is the client it
// names, and Read returns first what came after the header in the same read.
// Only serve's goroutine uses it, but for stop's SetReadDeadline, which goes
// to the connection underneath.
type proxiedConn struct {
	net.Conn
	hdr     *proxyproto.Header
	rest    []byte
	readErr error // what ended the header step, for after rest
}

var _ closeWriter = (*proxiedConn)(nil)

func (c *proxiedConn) Read(p []byte) (int, error) {
	if len(c.rest) > 0 {
		n := copy(p, c.rest)
		c.rest = c.rest[n:]
		return n, nil
	}
	if err := c.readErr; err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

// RemoteAddr is the client the header names, or the connection's own source
// when there is no header or it is a LOCAL one.
func (c *proxiedConn) RemoteAddr() net.Addr {
	if lb := c.via(); lb != nil {
		return c.hdr.SourceAddr
	}
	return c.Conn.RemoteAddr()
}

// via is the load balancer's address when a header named a client; nil
// otherwise.
func (c *proxiedConn) via() net.Addr {
	if c.hdr != nil && c.hdr.Command.IsProxy() {
		return c.Conn.RemoteAddr()
	}
	return nil
}

// local reports whether the header was a LOCAL command: a connection the
// load balancer made for itself, such as a health check, with no client.
func (c *proxiedConn) local() bool { return c.hdr != nil && c.hdr.Command.IsLocal() }

// CloseWrite sends FIN, for the half-close and the graceful close.
func (c *proxiedConn) CloseWrite() error {
	if cw, ok := c.Conn.(closeWriter); ok {
		return cw.CloseWrite()
	}
	return errors.ErrUnsupported
}

// headerBufferSize is the size of the parser's reader: a v1 header is at
// most 107 bytes and must be in it whole.
const headerBufferSize = 256

// errBadProxyHeader wraps every way a connection fails its PROXY header.
var errBadProxyHeader = errors.New("bad PROXY header")

// headerOutcome is what reading a header came to, beyond its error.
type headerOutcome int

const (
	headerOK     headerOutcome = iota
	headerBad                  // malformed, truncated, late, or missing where required
	headerSilent               // missing where required, but nothing came at all: a probe that only connects, or a reset
)

// readHeader reads the header, if one comes, within timeout (Never: none), and
// keeps what followed it. It gathers bytes until frameHeader can tell, as
// the epoll engine does, so both engines decide alike.
func (c *proxiedConn) readHeader(required bool, timeout time.Duration) (headerOutcome, error) {
	if timeout > 0 {
		c.Conn.SetReadDeadline(time.Now().Add(timeout))
	}
	buf := make([]byte, 0, headerBufferSize)
	var (
		size  int
		f     frame
		ended error // why no more bytes will come: io.EOF, a deadline, a reset
	)
	for {
		if size, f = frameHeader(buf); f != frameMore {
			break
		}
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, len(buf)) // frameHeader stops asking below 16+MaxV2HeaderSize
		}
		n, err := c.Conn.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			size, f = frameHeader(buf)
			ended = err
			break
		}
	}
	if timeout > 0 {
		c.Conn.SetReadDeadline(time.Time{}) // serve checks for a stop after this
	}
	h, out, err := headerVerdict(buf, size, f, ended, required, timeout)
	if out == headerOK {
		c.hdr, c.rest = h, buf
		if h != nil {
			c.rest = buf[size:]
		}
		if brokenOff(ended) {
			c.readErr = ended // serve finds it after the data
		}
	}
	return out, err
}

// brokenOff reports whether ended, what stopped the reading of a header, is
// the connection failing (a reset) rather than its end or a deadline.
func brokenOff(ended error) bool {
	return ended != nil && !errors.Is(ended, io.EOF) && !errors.Is(ended, os.ErrDeadlineExceeded)
}

// headerVerdict decides what the first bytes of a connection from a trusted
// source come to, once frameHeader has said (f, size) or no more will come
// (ended: io.EOF, a deadline or a reset): a header, no header (h nil), or a
// failure. Both engines decide with it.
func headerVerdict(buf []byte, size int, f frame, ended error, required bool, timeout time.Duration) (h *proxyproto.Header, out headerOutcome, err error) {
	switch {
	case f == frameWhole:
		if h, err = parseHeader(buf[:size]); err != nil {
			return nil, headerBad, err
		}
		return h, headerOK, nil
	case f == frameTooLong:
		return nil, headerBad, fmt.Errorf("%w: longer than any valid header", errBadProxyHeader)
	case len(buf) == 0 && brokenOff(ended):
		return nil, headerSilent, fmt.Errorf("%w: %w", errBadProxyHeader, ended)
	case f == frameMore && hasSignature(buf) && errors.Is(ended, os.ErrDeadlineExceeded):
		return nil, headerBad, fmt.Errorf("%w: it did not arrive whole within %v", errBadProxyHeader, timeout)
	case f == frameMore && hasSignature(buf):
		return nil, headerBad, fmt.Errorf("%w: the connection ended inside it", errBadProxyHeader)
	case required && len(buf) == 0:
		return nil, headerSilent, fmt.Errorf("%w: nothing was sent", errBadProxyHeader)
	case required:
		return nil, headerBad, fmt.Errorf("%w: the connection does not begin with one (is the load balancer sending the PROXY protocol?)", errBadProxyHeader)
	}
	return nil, headerOK, nil // no header: what came is data
}

// validateHeader accepts what a TCP connection may carry: a LOCAL command,
// or a PROXY command for a TCP client over IPv4 or IPv6. A header that says
// UDP or a Unix socket is refused: it cannot describe this connection.
func validateHeader(h *proxyproto.Header) error {
	if h.Command.IsLocal() {
		return nil
	}
	switch h.TransportProtocol {
	case proxyproto.TCPv4, proxyproto.TCPv6:
	default:
		return fmt.Errorf("header is for %v, not TCP", h.TransportProtocol)
	}
	if _, ok := h.SourceAddr.(*net.TCPAddr); !ok {
		return errors.New("header has no TCP source address")
	}
	return nil
}

// frame is what the first bytes of a connection say of its PROXY header, for
// the epoll engine, which gathers them without blocking.
type frame int

const (
	frameMore    frame = iota // too few bytes to tell: wait for more
	frameNone                 // no header: the bytes are data
	frameWhole                // a whole header (perhaps malformed: the parser decides)
	frameTooLong              // longer than any valid header
)

// maxV1Header is the longest v1 header line, CRLF included.
const maxV1Header = 107

// frameHeader finds the PROXY header at the start of buf, by its signature
// and its length (a v1 line's end, a v2 header's length field), the way
// go-proxyproto's reader takes it: n is its length for frameWhole.
func frameHeader(buf []byte) (n int, f frame) {
	switch {
	case bytes.HasPrefix(buf, proxyproto.SIGV1):
		i := bytes.IndexByte(buf[:min(len(buf), maxV1Header)], '\n')
		switch {
		case i >= 0:
			return i + 1, frameWhole
		case len(buf) >= maxV1Header:
			return 0, frameTooLong
		}
		return 0, frameMore
	case bytes.HasPrefix(buf, proxyproto.SIGV2):
		// A wrong version, command or address family is wrong however many
		// bytes follow: the parser can say so now, as it does on a socket.
		if len(buf) > 12 && !v2Command(buf[12]) || len(buf) > 13 && !v2Family(buf[12], buf[13]) {
			return len(buf), frameWhole
		}
		if len(buf) < 16 {
			return 0, frameMore
		}
		length := binary.BigEndian.Uint16(buf[14:16])
		if proxyproto.ProtocolVersionAndCommand(buf[12]).IsProxy() && length < v2MinLength(buf[13]) {
			return len(buf), frameWhole // too short for its addresses: the parser says so
		}
		if length > proxyproto.MaxV2HeaderSize {
			return 0, frameTooLong
		}
		if n := 16 + int(length); len(buf) >= n {
			return n, frameWhole
		}
		return 0, frameMore
	case bytes.HasPrefix(proxyproto.SIGV1, buf), bytes.HasPrefix(proxyproto.SIGV2, buf):
		return 0, frameMore // the start of a signature, or nothing yet
	}
	return 0, frameNone
}

// v2Command reports whether b is a v2 header's version-and-command byte.
func v2Command(b byte) bool {
	c := proxyproto.ProtocolVersionAndCommand(b)
	return c.IsLocal() || c.IsProxy()
}

// v2Family reports whether b is an address family and protocol the parser
// takes after the command byte cmd: UNSPEC only with LOCAL.
func v2Family(cmd, b byte) bool {
	switch proxyproto.AddressFamilyAndProtocol(b) {
	case proxyproto.UNSPEC:
		return !proxyproto.ProtocolVersionAndCommand(cmd).IsProxy()
	case proxyproto.TCPv4, proxyproto.UDPv4, proxyproto.TCPv6, proxyproto.UDPv6,
		proxyproto.UnixStream, proxyproto.UnixDatagram:
		return true
	}
	return false
}

// v2MinLength is the least a PROXY command's length field may say for the
// addresses of family b.
func v2MinLength(b byte) uint16 {
	switch fp := proxyproto.AddressFamilyAndProtocol(b); {
	case fp.IsIPv4():
		return 12
	case fp.IsIPv6():
		return 36
	case fp.IsUnix():
		return 216
	}
	return 0
}

// hasSignature reports whether buf, the first bytes of a connection, begin
// with a whole PROXY signature (v1 or v2): a header that stops short after
// one is truncated, not absent, and an untrusted client that sends one is
// claiming an address.
func hasSignature(buf []byte) bool {
	return bytes.HasPrefix(buf, proxyproto.SIGV1) || bytes.HasPrefix(buf, proxyproto.SIGV2)
}

// parseHeader parses a header framed by frameHeader and checks that it can
// describe a TCP connection; a v4-mapped client address is made plain IPv4.
// A panic in the parser is a bad header: whatever a peer sends must not end
// the server.
func parseHeader(b []byte) (h *proxyproto.Header, err error) {
	defer func() {
		if v := recover(); v != nil {
			h, err = nil, fmt.Errorf("%w: parser panicked: %v", errBadProxyHeader, v)
		}
	}()
	h, err = proxyproto.Read(bufio.NewReaderSize(bytes.NewReader(b), headerBufferSize))
	if err == nil {
		err = validateHeader(h)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errBadProxyHeader, err)
	}
	if a, ok := h.SourceAddr.(*net.TCPAddr); ok && h.Command.IsProxy() {
		ap := a.AddrPort()
		h.SourceAddr = net.TCPAddrFromAddrPort(netip.AddrPortFrom(ap.Addr().Unmap().WithZone(""), ap.Port()))
	}
	return h, nil
}

// admitProxied reads the connection's PROXY header, in its own goroutine, and
// admits the client it names. A connection that fails is closed and counted
// as rejected, and never reported as accepted. One stopped meanwhile (the
// server is closing) is closed without a word.
func (c *conn) admitProxied() bool {
	s := c.srv
	out, err := c.proxy.readHeader(s.ProxyProtocol == ProxyRequired, s.handshakeTimeout())
	if c.ending.Load() != nil {
		c.untrack()
		c.proxy.Conn.Close()
		return false
	}
	reason, ok := RejectProxyHeader, out == headerOK
	if ok && !c.proxy.local() {
		c.count, reason, ok = s.admitClient(peerIP(c.proxy))
	}
	if !ok {
		c.untrack()
		c.reject(reason, err, out != headerSilent)
		return false
	}
	c.obs.Accepted()
	return true
}

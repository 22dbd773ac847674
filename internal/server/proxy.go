package server

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
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

// proxyPolicy decides, at accept, what a connection from src may do with a
// PROXY header: USE (or REQUIRE) it when src is trusted, REJECT it when not.
// In ProxyRequired mode an untrusted source is not served at all (ok false).
func (s *Server) proxyPolicy(src netip.Addr) (policy proxyproto.Policy, trusted, ok bool) {
	trusted = src.IsValid() && containsAddr(s.ProxyTrusted, src)
	switch {
	case trusted && s.ProxyProtocol == ProxyRequired:
		return proxyproto.REQUIRE, true, true
	case trusted:
		return proxyproto.USE, true, true
	case s.ProxyProtocol == ProxyRequired:
		return 0, false, false
	}
	return proxyproto.REJECT, false, true
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

// newProxyConn wraps nc so that its first bytes are read as a PROXY header
// under policy, within timeout (0: none).
func newProxyConn(nc net.Conn, policy proxyproto.Policy, timeout time.Duration) *proxyConn {
	return &proxyConn{proxyproto.NewConn(nc,
		proxyproto.WithPolicy(policy),
		proxyproto.SetReadHeaderTimeout(timeout),
		proxyproto.ValidateHeader(validateHeader))}
}

// proxyConn is a connection that may begin with a PROXY header. After
// readHeader, RemoteAddr is the client the header names.
type proxyConn struct{ *proxyproto.Conn }

// CloseWrite sends FIN, for the half-close and the graceful close.
func (c *proxyConn) CloseWrite() error {
	if tc, ok := c.TCPConn(); ok {
		return tc.CloseWrite()
	}
	return errors.ErrUnsupported
}

// errBadProxyHeader wraps every way a connection fails its PROXY header.
var errBadProxyHeader = errors.New("bad PROXY header")

// readHeader reads the header (or finds there is none) and reports the
// failure by policy: a malformed, truncated or late header, a missing one
// where required, or one from a source not allowed to send it.
func (c *proxyConn) readHeader() error {
	// A read of nothing runs the header step and returns its error; it never
	// blocks once the header is read (Go returns at once from an empty read).
	if _, err := c.Read(nil); err != nil {
		return fmt.Errorf("%w: %w", errBadProxyHeader, err)
	}
	return nil
}

// local reports whether the header was a LOCAL command: a connection the
// load balancer made for itself, such as a health check, with no client.
func (c *proxyConn) local() bool {
	h := c.ProxyHeader()
	return h != nil && h.Command.IsLocal()
}

// proxied is the load balancer's own address when a header named the client,
// for the narration; nil otherwise.
func (c *proxyConn) proxied() net.Addr {
	if h := c.ProxyHeader(); h != nil && h.Command.IsProxy() {
		return c.Raw().RemoteAddr()
	}
	return nil
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

// admitProxiedLocked is startConn's admission, under s.mu, when the PROXY
// protocol is on. It wraps c.nc to read the header. A trusted source (a load
// balancer) only takes a place under MaxConns here: its connections are
// checked against Allow, Deny and MaxConnsPerIP by the client the header
// names, in admitProxied. Any other source is checked as itself.
func (s *Server) admitProxiedLocked(c *conn) (*addrCount, RejectReason, bool) {
	src := peerIP(c.nc)
	policy, trusted, ok := s.proxyPolicy(src)
	if !ok {
		return nil, RejectProxyUntrusted, false
	}
	c.proxy = newProxyConn(c.nc, policy, s.handshakeTimeout())
	c.proxyTrusted = trusted
	c.nc = c.proxy
	if trusted {
		reason, ok := s.reserveLocked()
		return nil, reason, ok
	}
	return s.admitLocked(src)
}

// admitProxied reads the connection's PROXY header, in its own goroutine, and
// admits the client it names. A connection that fails is closed and counted
// as rejected, and never reported as accepted.
func (c *conn) admitProxied() bool {
	s := c.srv
	err := c.proxy.readHeaderSafely()
	c.headerRead = true
	reason, ok := RejectProxyHeader, err == nil
	if ok && c.proxyTrusted && !c.proxy.local() {
		ip := peerIP(c.proxy)
		s.mu.Lock()
		if reason, ok = s.allowedLocked(ip); ok {
			c.count, reason, ok = s.countLocked(ip)
		}
		s.mu.Unlock()
	}
	if !ok {
		c.untrack()
		c.reject(reason, err)
		return false
	}
	c.obs.Accepted()
	return true
}

// readHeaderSafely is readHeader, with a panic in the parser taken as a bad
// header: whatever a peer sends must not end the server.
func (c *proxyConn) readHeaderSafely() (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%w: parser panicked: %v", errBadProxyHeader, v)
		}
	}()
	return c.readHeader()
}

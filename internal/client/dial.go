package client

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"syscall"
	"time"
)

// DefaultDialTimeout is how long Dial waits for the connection when its
// timeout argument is zero.
const DefaultDialTimeout = 10 * time.Second

// Dial connects to addr ("host:port") over TCP. It gives up after timeout
// (zero means DefaultDialTimeout; a negative value means no limit other than
// ctx) or when ctx is done. The caller owns the returned connection and must
// close it.
//
// A failure is one line that names the address and the reason in plain words,
// such as "connect to 127.0.0.1:9: connection refused (nobody is listening
// there)", without the "dial tcp" prefixes of the net package. The error wraps
// the cause, so errors.Is(err, syscall.ECONNREFUSED) and errors.As(err,
// new(*net.DNSError)) work on it.
func Dial(ctx context.Context, addr string, timeout time.Duration) (net.Conn, error) {
	var d net.Dialer
	return dial(ctx, addr, timeout, d.DialContext)
}

// dialFunc is net.Dialer.DialContext; tests replace it to reach the
// timeout and cancellation paths without a network that drops packets.
type dialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// errDialTimeout is the cause of the context dial gives the dialer, so that
// our own time limit can be told from the caller's cancellation.
var errDialTimeout = errors.New("client: dial timed out")

func dial(ctx context.Context, addr string, timeout time.Duration, dialContext dialFunc) (net.Conn, error) {
	if err := checkAddr(ctx, addr); err != nil {
		return nil, err
	}
	if timeout == 0 {
		timeout = DefaultDialTimeout
	}
	dctx, cancel := ctx, context.CancelFunc(func() {})
	if timeout > 0 {
		dctx, cancel = context.WithTimeoutCause(ctx, timeout, errDialTimeout)
	}
	defer cancel()
	conn, err := dialContext(dctx, "tcp", addr)
	if err == nil {
		return conn, nil
	}

	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return nil, &dialError{addr, "connection refused (nobody is listening there)", err}
	case errors.Is(context.Cause(dctx), errDialTimeout):
		return nil, &dialError{addr, "timed out after " + timeout.String(), err}
	case ctx.Err() != nil:
		return nil, &dialError{addr, "gave up: " + context.Cause(ctx).Error(), errors.Join(err, ctx.Err())}
	case errors.As(err, &dnsErr):
		return nil, &dialError{addr, "cannot resolve " + strconv.Quote(dnsErr.Name) + ": " + dnsErr.Err, err}
	}
	return nil, &dialError{addr, reason(err), err}
}

// checkAddr rejects an address that cannot be dialled before any packet is
// sent: no port, a port out of range, or a port name the system does not know.
func checkAddr(ctx context.Context, addr string) error {
	const want = " (want HOST:PORT, e.g. 127.0.0.1:8080)"
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		var ae *net.AddrError
		if errors.As(err, &ae) {
			return &dialError{addr, ae.Err + want, err}
		}
		return &dialError{addr, err.Error() + want, err}
	}
	if port == "" {
		return &dialError{addr, "missing port in address" + want, nil}
	}
	n, err := strconv.ParseUint(port, 10, 16)
	var ne *strconv.NumError
	switch {
	case errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange):
		return &dialError{addr, "port " + port + " is out of range (want a port from 1 to 65535)", err}
	case err != nil:
		// Not a plain number: it may be a service name such as "http".
		p, lerr := net.DefaultResolver.LookupPort(ctx, "tcp", port)
		if lerr != nil {
			return &dialError{addr, "unknown port " + strconv.Quote(port) + " (want a port from 1 to 65535)", lerr}
		}
		n = uint64(p)
	}
	if n == 0 {
		return &dialError{addr, "port 0 cannot be connected to (want a port from 1 to 65535)", nil}
	}
	return nil
}

// reason is the innermost plain-words cause of a dial error: for a
// *net.OpError wrapping *os.SyscallError wrapping an errno, the errno's text
// ("no route to host") without the "dial tcp …: connect:" prefixes.
func reason(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	return err.Error()
}

// dialError is a failure to connect, as one line: "connect to ADDR: REASON".
// It unwraps to the cause.
type dialError struct {
	addr   string // with DialFrom, "ADDR from SRC"
	reason string
	err    error // may be nil when the address itself was rejected
}

func (e *dialError) Error() string { return "connect to " + e.addr + ": " + e.reason }
func (e *dialError) Unwrap() error { return e.err }

// DialTLS connects like Dial and then completes a TLS handshake with cfg,
// within the same timeout. A failed handshake is one line naming the address
// and the reason, such as an unknown certificate authority. The caller owns
// the returned *tls.Conn; its CloseWrite sends TLS close_notify, which the
// server takes as the end of input, so Pipe's half-close works over TLS too.
func DialTLS(ctx context.Context, addr string, timeout time.Duration, cfg *tls.Config) (net.Conn, error) {
	if timeout == 0 {
		timeout = DefaultDialTimeout
	}
	start := time.Now()
	raw, err := Dial(ctx, addr, timeout)
	if err != nil {
		return nil, err
	}
	hctx := ctx
	if timeout > 0 {
		var cancel context.CancelFunc
		hctx, cancel = context.WithTimeout(ctx, timeout-time.Since(start))
		defer cancel()
	}
	if cfg.ServerName == "" {
		cfg = cfg.Clone()
		if host, _, err := net.SplitHostPort(addr); err == nil {
			cfg.ServerName = host
		}
	}
	tc := tls.Client(raw, cfg)
	if err := tc.HandshakeContext(hctx); err != nil {
		raw.Close()
		return nil, &dialError{addr, "TLS handshake failed: " + err.Error(), err}
	}
	return tc, nil
}

// DialUDP makes a connected UDP socket to addr: it sends nothing, so it
// fails only for an address that is malformed or does not resolve, with the
// same one-line errors as Dial.
func DialUDP(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	return dialUDP(ctx, addr, d.DialContext)
}

// DialFrom is Dial (network "tcp", with DefaultDialTimeout) or DialUDP
// (network "udp") from the local address local, on a port the system picks,
// as a load generator does to look like several clients; the zero local
// means any. Its errors name local too: "connect to 127.0.0.1:8080 from
// 127.0.0.2: connection refused (nobody is listening there)".
func DialFrom(ctx context.Context, network string, local netip.Addr, addr string) (net.Conn, error) {
	var d net.Dialer
	if local.IsValid() && network == "udp" {
		d.LocalAddr = net.UDPAddrFromAddrPort(netip.AddrPortFrom(local, 0))
	} else if local.IsValid() {
		d.LocalAddr = net.TCPAddrFromAddrPort(netip.AddrPortFrom(local, 0))
	}
	var conn net.Conn
	var err error
	if network == "udp" {
		conn, err = dialUDP(ctx, addr, d.DialContext)
	} else {
		conn, err = dial(ctx, addr, 0, d.DialContext)
	}
	var de *dialError
	if err != nil && local.IsValid() && errors.As(err, &de) {
		de.addr += " from " + local.String()
		if errors.Is(err, syscall.EADDRNOTAVAIL) {
			de.reason = "cannot assign requested address (is " + local.String() + " an address of this machine?)"
		}
	}
	return conn, err
}

func dialUDP(ctx context.Context, addr string, dialContext dialFunc) (net.Conn, error) {
	if err := checkAddr(ctx, addr); err != nil {
		return nil, err
	}
	conn, err := dialContext(ctx, "udp", addr)
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) {
			return nil, &dialError{addr, "cannot resolve " + strconv.Quote(dnsErr.Name) + ": " + dnsErr.Err, err}
		}
		return nil, &dialError{addr, reason(err), err}
	}
	return conn, nil
}

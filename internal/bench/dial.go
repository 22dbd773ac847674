package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"syscall"

	"github.com/upcase/upcase/internal/client"
)

// CheckSource reports whether connections to addr ("host:port") can be
// opened from the local address src: src must be a plain IP address (no
// zone) of the family of addr's host when that is an IP address. A host
// name is resolved only when dialling, which then picks its addresses of
// src's family.
func CheckSource(src netip.Addr, addr string) error {
	switch {
	case !src.IsValid():
		return errors.New("an empty source address")
	case src.Zone() != "":
		return fmt.Errorf("%s: a source address takes no zone", src)
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil // the dial says what is wrong with addr
	}
	dst, err := netip.ParseAddr(host)
	if err != nil {
		return nil // a name
	}
	if src.Unmap().Is4() != dst.Unmap().Is4() {
		return fmt.Errorf("%s is %s but %s is %s: a connection cannot go from one family to the other", src, family(src), host, family(dst))
	}
	return nil
}

func family(a netip.Addr) string {
	if a.Unmap().Is4() {
		return "IPv4"
	}
	return "IPv6"
}

// dialFrom connects to addr from the local address src, on a port the
// system picks. A failure is one line naming both ends and the reason:
// "connect to 127.0.0.1:8080 from 127.0.0.2: connection refused (nobody is
// listening there)"; it wraps the cause.
func dialFrom(ctx context.Context, network string, src netip.Addr, addr string) (net.Conn, error) {
	d := net.Dialer{Timeout: client.DefaultDialTimeout}
	if network == "udp" {
		d.LocalAddr = net.UDPAddrFromAddrPort(netip.AddrPortFrom(src, 0))
	} else {
		d.LocalAddr = net.TCPAddrFromAddrPort(netip.AddrPortFrom(src, 0))
	}
	conn, err := d.DialContext(ctx, network, addr)
	if err == nil {
		return conn, nil
	}
	var (
		dnsErr *net.DNSError
		errno  syscall.Errno
		reason string
	)
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		reason = "connection refused (nobody is listening there)"
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		reason = "cannot assign requested address (is " + src.String() + " an address of this machine?)"
	case ctx.Err() != nil:
		reason = "gave up: " + context.Cause(ctx).Error()
	case errors.As(err, &dnsErr):
		reason = "cannot resolve " + strconv.Quote(dnsErr.Name) + ": " + dnsErr.Err
	case errors.As(err, &errno):
		reason = errno.Error()
	default:
		reason = err.Error()
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Err != nil {
			reason = oe.Err.Error()
		}
	}
	return nil, &dialError{"connect to " + addr + " from " + src.String() + ": " + reason, err}
}

// dialError is a failed dial in plain words; it unwraps to the cause, for
// errors.Is and errors.As.
type dialError struct {
	msg string
	err error
}

func (e *dialError) Error() string { return e.msg }
func (e *dialError) Unwrap() error { return e.err }

package netpoll

import (
	"net/netip"

	"golang.org/x/sys/unix"
)

// AddrPort is a socket's address, from getsockname(2) or getpeername(2),
// with an IPv4-mapped IPv6 address unmapped; the zero AddrPort for a
// socket that is not IP.
func AddrPort(sa unix.Sockaddr) netip.AddrPort {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port))
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(a.Addr).Unmap(), uint16(a.Port))
	}
	return netip.AddrPort{}
}

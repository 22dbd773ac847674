package server

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// Defaults for the connection limits.
const (
	DefaultMaxConns      = 10000
	DefaultMaxConnsPerIP = 256
)

// RejectReason says why a new connection was closed at once, without being
// served. The same words are used in logs and metrics labels.
type RejectReason string

const (
	// RejectMaxConns means the server already had MaxConns connections.
	RejectMaxConns RejectReason = "max_conns"
	// RejectMaxConnsPerIP means the source address (for IPv6, its /64)
	// already had MaxConnsPerIP connections.
	RejectMaxConnsPerIP RejectReason = "max_conns_per_ip"
	// RejectDenied means the source address is not allowed by Allow and Deny.
	RejectDenied RejectReason = "denied"
	// RejectProxyHeader means the PROXY header of a connection from a
	// trusted load balancer was malformed, truncated, late, or missing where
	// required.
	RejectProxyHeader RejectReason = "proxy_header"
	// RejectProxyUntrusted means a source not in Server.ProxyTrusted
	// connected to a server that requires the PROXY protocol.
	RejectProxyUntrusted RejectReason = "proxy_untrusted"
)

// RejectReasons lists every RejectReason, for metrics that show each from
// the start.
var RejectReasons = []RejectReason{RejectMaxConns, RejectMaxConnsPerIP, RejectDenied,
	RejectProxyHeader, RejectProxyUntrusted}

// Allowed reports whether a connection from ip may be served: it must match
// one of allow (or allow must be empty) and none of deny. IPv4-mapped IPv6
// addresses are matched as IPv4, so 10.0.0.0/8 also covers ::ffff:10.1.2.3.
func Allowed(ip netip.Addr, allow, deny []netip.Prefix) bool {
	ip = ip.Unmap()
	for _, p := range deny {
		if p.Contains(ip) {
			return false
		}
	}
	if len(allow) == 0 {
		return true
	}
	for _, p := range allow {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// peerIP is the source address of a connection, or the zero Addr when the
// connection does not say (then only the global limit applies to it).
func peerIP(nc net.Conn) netip.Addr {
	if ta, ok := nc.RemoteAddr().(*net.TCPAddr); ok && ta != nil {
		// Without its zone: a prefix never contains an address with one.
		return ta.AddrPort().Addr().Unmap().WithZone("")
	}
	return netip.Addr{}
}

// limitKey is what MaxConnsPerIP counts: an IPv4 address, or the /64 an IPv6
// address is in, since one host commonly holds a whole /64.
func limitKey(ip netip.Addr) netip.Addr {
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.Addr()
	}
	return ip
}

// The limits in force, by the zero-value rule: each is positive, or NoLimit.
func (s *Server) maxConns() int      { return orDefaultInt(s.MaxConns, DefaultMaxConns) }
func (s *Server) maxConnsPerIP() int { return orDefaultInt(s.MaxConnsPerIP, DefaultMaxConnsPerIP) }
func (s *Server) udpRate() int       { return orDefaultInt(s.UDPRate, DefaultUDPRate) }

// orDefaultInt applies the zero-value rule to a count: zero means def, and
// any negative value NoLimit.
func orDefaultInt(n, def int) int {
	switch {
	case n < 0:
		return NoLimit
	case n == 0:
		return def
	}
	return n
}

// addrCount is one source address's (or IPv6 /64's) share of the
// connections, for MaxConnsPerIP. A connection keeps a pointer to its
// count rather than its address: 8 bytes instead of 24, on every idle
// connection of the epoll engine.
type addrCount struct {
	key netip.Addr // the address, or the /64
	n   int
}

// admitLocked decides, under s.mu, whether a new connection from ip may be
// served, and if so counts it: the count of its address is returned for
// releaseLocked (nil when ip is unknown). It returns the reason to refuse it
// otherwise.
func (s *Server) admitLocked(ip netip.Addr) (*addrCount, RejectReason, bool) {
	if reason, ok := s.allowedLocked(ip); !ok {
		return nil, reason, false
	}
	if reason, ok := s.reserveLocked(); !ok {
		return nil, reason, false
	}
	count, reason, ok := s.countLocked(ip)
	if !ok {
		s.open--
	}
	return count, reason, ok
}

// allowedLocked applies Allow and Deny to ip.
func (s *Server) allowedLocked(ip netip.Addr) (RejectReason, bool) {
	if ip.IsValid() && !Allowed(ip, s.Allow, s.Deny) {
		return RejectDenied, false
	}
	if !ip.IsValid() && (len(s.Allow) > 0 || len(s.Deny) > 0) {
		return RejectDenied, false // an access list fails closed
	}
	return "", true
}

// reserveLocked takes one of the MaxConns places, for a connection whose
// source is not known yet (it is behind a PROXY header) or has passed
// allowedLocked.
func (s *Server) reserveLocked() (RejectReason, bool) {
	if max := s.maxConns(); max != NoLimit && s.open >= max {
		return RejectMaxConns, false
	}
	s.open++
	return "", true
}

// countLocked counts a connection from ip against MaxConnsPerIP (a loopback
// address only with LimitLoopback; it is counted all the same, for
// Sources). Its place under MaxConns is already reserved.
func (s *Server) countLocked(ip netip.Addr) (*addrCount, RejectReason, bool) {
	if !ip.IsValid() {
		return nil, "", true
	}
	key := limitKey(ip)
	count := s.perIP[key]
	if count == nil {
		count = &addrCount{key: key}
		if s.perIP == nil {
			s.perIP = make(map[netip.Addr]*addrCount)
		}
		s.perIP[key] = count
	}
	if max := s.maxConnsPerIP(); max != NoLimit && count.n >= max && (s.LimitLoopback || !ip.IsLoopback()) {
		return nil, RejectMaxConnsPerIP, false
	}
	count.n++
	return count, "", true
}

// releaseLocked undoes admitLocked's count when a connection ends.
func (s *Server) releaseLocked(count *addrCount) {
	s.open--
	if count == nil {
		return
	}
	if count.n--; count.n == 0 {
		delete(s.perIP, count.key)
	}
}

// ParsePrefixes parses a comma-separated list of CIDR prefixes, as given to
// --allow and --deny: "10.0.0.0/8, 192.168.1.7, ::1/128". A bare address
// means that address alone (/32 or /128). A prefix with host bits set, such as
// 172.16.10.1/24, is refused with the network it probably meant, because
// silently widening or narrowing an access list is worse than an error.
func ParsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, field := range strings.Split(list, ",") {
		field = strings.TrimSpace(field)
		if field == "" {
			continue
		}
		if !strings.Contains(field, "/") {
			ip, err := netip.ParseAddr(field)
			if err != nil {
				return nil, fmt.Errorf("%q is not an IP address or CIDR prefix", field)
			}
			if ip.Zone() != "" {
				return nil, fmt.Errorf("%q: zones are not allowed in access lists", field)
			}
			ip = ip.Unmap()
			out = append(out, netip.PrefixFrom(ip, ip.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(field)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR prefix (e.g. 10.0.0.0/8 or fd00::/8)", field)
		}
		if p.Addr().Is4In6() {
			if p.Bits() < 96 {
				return nil, fmt.Errorf("%q: an IPv4-mapped prefix must be /96 or longer", field)
			}
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		if m := p.Masked(); m != p {
			return nil, fmt.Errorf("%q has host bits set; the network is %s", field, m)
		}
		out = append(out, p)
	}
	return out, nil
}

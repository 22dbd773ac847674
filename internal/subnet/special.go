package subnet

import (
	"fmt"
	"net/netip"
)

// limitedBroadcastAddr is 255.255.255.255: every host on this link, whatever
// its subnet (RFC 919). No router forwards it (RFC 1812).
var limitedBroadcastAddr = netip.AddrFrom4([4]byte{255, 255, 255, 255})

// hasBroadcast reports whether p's subnet has network and broadcast
// addresses that no host may take: IPv4 down to /30. A /31 is a
// point-to-point link whose two addresses are both hosts (RFC 3021), a /32
// a single address; IPv6 has no broadcast at all.
func hasBroadcast(p netip.Prefix) bool {
	return p.Addr().Is4() && p.Bits() <= 30
}

// broadcastOf is p's subnet's broadcast address: its host bits all 1.
// Meaningful only for IPv4.
func broadcastOf(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	v |= ^uint32(0) >> p.Bits()
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// multicastMAC is the Ethernet address a multicast group's frames go to:
// for IPv4 01:00:5e and the group's low 23 bits (RFC 1112, so 224.0.0.251
// is 01:00:5e:00:00:fb and 32 groups share each MAC); for IPv6 33:33 and
// the group's low 32 bits (RFC 2464). g must be a multicast address.
func multicastMAC(g netip.Addr) string {
	if g.Is4() {
		b := g.As4()
		return fmt.Sprintf("01:00:5e:%02x:%02x:%02x", b[1]&0x7f, b[2], b[3])
	}
	b := g.As16()
	return fmt.Sprintf("33:33:%02x:%02x:%02x:%02x", b[12], b[13], b[14], b[15])
}

// notAHost says why addr, seen on subnet p, cannot be a host's address, or
// returns "" if it can. A group (multicast) or 255.255.255.255 is never a
// host; neither are the network address (host bits all 0) and the
// broadcast address (host bits all 1) of an IPv4 subnet that has them
// (hasBroadcast). IPv6's all-zeros address on a subnet is the subnet-router
// anycast address (RFC 4291), which a router does hold, so it passes.
func notAHost(addr netip.Addr, p netip.Prefix) hostProblem {
	switch {
	case addr.IsMulticast():
		return isGroup
	case addr == limitedBroadcastAddr:
		return isLimitedBroadcast
	case !hasBroadcast(p):
		return isHost
	case addr == p.Masked().Addr():
		return isNetwork
	case addr == broadcastOf(p):
		return isBroadcast
	}
	return isHost
}

// hostProblem is why an address cannot be a host's.
type hostProblem int

const (
	isHost hostProblem = iota
	isGroup
	isLimitedBroadcast
	isNetwork
	isBroadcast
)

// checkHost refuses a sender A whose address no host can have (notAHost).
//
// Decide refuses rather than flags it, for the reason it refuses a gateway
// off A's subnet: the question "how does A send to B" has no answer when A
// is not a host, so any frames shown would be fiction, and a note below
// them is easy to miss. A typo such as 192.168.1.0/24 for 192.168.1.10/24
// then gets one line saying what is wrong and exit status 2, as any other
// bad input to upcase ip. With a single address (Describe), the network or
// broadcast address is a fair question, "what is this subnet", so there it
// is only flagged in a note.
func checkHost(a netip.Prefix) error {
	if why := notAHost(a.Addr(), a); why != isHost {
		return errNotAHost(a, why)
	}
	return nil
}

// checkGateway refuses a gateway A could not send to as a host: another IP
// version, off A's subnet, A itself, or an address no host can have.
func checkGateway(a netip.Prefix, gw netip.Addr) error {
	netw := a.Masked()
	switch {
	case gw.Is4() != a.Addr().Is4():
		return errGatewayFamily(gw, a.Addr())
	case !netw.Contains(gw):
		return errGatewayOffSubnet(gw, a.Addr(), netw)
	case gw == a.Addr():
		return errGatewayIsA(gw)
	}
	if why := notAHost(gw, a); why != isHost {
		return errGatewayNotAHost(gw, a, why)
	}
	return nil
}

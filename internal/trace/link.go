package trace

import (
	"fmt"
	"net/netip"
)

// MAC is an Ethernet (EUI-48) address. It is an array, not a slice, so that
// events compare with ==.
type MAC [6]byte

// Broadcast is the Ethernet broadcast address, where ARP requests go.
var Broadcast = MAC{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// String gives the address as six colon-separated hex bytes.
func (m MAC) String() string {
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5])
}

// EtherType names the protocol an Ethernet frame carries.
type EtherType uint16

// The EtherTypes this package decodes.
const (
	EtherTypeIPv4 EtherType = 0x0800
	EtherTypeARP  EtherType = 0x0806
	EtherTypeIPv6 EtherType = 0x86dd
)

// String gives "IPv4", "ARP", "IPv6" or the number in hex.
func (t EtherType) String() string {
	switch t {
	case EtherTypeIPv4:
		return "IPv4"
	case EtherTypeARP:
		return "ARP"
	case EtherTypeIPv6:
		return "IPv6"
	}
	return fmt.Sprintf("0x%04x", uint16(t))
}

// Link is an Ethernet II header. On lo the kernel shows one too, with both
// addresses zero.
type Link struct {
	// Dst and Src are the destination and source MAC addresses.
	Dst, Src MAC
	// EtherType says what the frame carries.
	EtherType EtherType
}

// String gives "src > dst EtherType".
func (l Link) String() string {
	return fmt.Sprintf("%s > %s %s", l.Src, l.Dst, l.EtherType)
}

// ARPOp is an ARP message's operation.
type ARPOp uint16

// The ARP operations.
const (
	ARPRequest ARPOp = 1
	ARPReply   ARPOp = 2
)

// String gives "request", "reply" or the number.
func (o ARPOp) String() string {
	switch o {
	case ARPRequest:
		return "request"
	case ARPReply:
		return "reply"
	}
	return fmt.Sprintf("op %d", uint16(o))
}

// ARP is an ARP message for IPv4 over Ethernet, the only kind decoded: the
// question "who has TargetIP?" and its answer "SenderIP is at SenderMAC".
type ARP struct {
	// Op says whether it is a request or a reply.
	Op ARPOp
	// SenderMAC and SenderIP are the asker (request) or the answerer (reply).
	SenderMAC MAC
	SenderIP  netip.Addr
	// TargetMAC and TargetIP are whom the message is about; a request's
	// TargetMAC is zero, for it is what the asker wants to learn.
	TargetMAC MAC
	TargetIP  netip.Addr
}

// String gives tcpdump's wording: "ARP request who-has T tell S (smac)" or
// "ARP reply S is-at smac".
func (a ARP) String() string {
	switch a.Op {
	case ARPRequest:
		return fmt.Sprintf("ARP request who-has %s tell %s (%s)", a.TargetIP, a.SenderIP, a.SenderMAC)
	case ARPReply:
		return fmt.Sprintf("ARP reply %s is-at %s", a.SenderIP, a.SenderMAC)
	}
	return fmt.Sprintf("ARP %s %s (%s) > %s (%s)", a.Op, a.SenderIP, a.SenderMAC, a.TargetIP, a.TargetMAC)
}

package trace

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// Errors that Decode and PcapReader wrap, so that callers can tell a frame
// that was cut short (by a snap length, say) from one that makes no sense.
var (
	// ErrTruncated means the bytes end before a header or a length says
	// they should.
	ErrTruncated = errors.New("trace: truncated")
	// ErrMalformed means a field holds a value no valid packet has.
	ErrMalformed = errors.New("trace: malformed")
)

// ethernetLen is the length of an Ethernet II header: two MAC addresses and
// the EtherType.
const ethernetLen = 14

// Decode decodes one Ethernet II frame, as an AF_PACKET socket or a pcap file
// with link type 1 gives it, as far as it knows how: ARP, or IPv4 and IPv6
// and in them TCP and UDP. A frame of another kind is an Event of KindOther
// and no error. Bytes that end too soon or make no sense give an error
// wrapping ErrTruncated or ErrMalformed; Decode never panics. Checksums are
// not verified: on loopback the kernel does not fill them in. Ethernet
// padding after the IP packet is ignored. The Event's Payload aliases b.
func Decode(b []byte) (Event, error) {
	var ev Event
	if len(b) < ethernetLen {
		return ev, fmt.Errorf("decode ethernet: %d bytes, header needs %d: %w", len(b), ethernetLen, ErrTruncated)
	}
	copy(ev.Link.Dst[:], b[0:6])
	copy(ev.Link.Src[:], b[6:12])
	ev.Link.EtherType = EtherType(binary.BigEndian.Uint16(b[12:14]))
	rest := b[ethernetLen:]
	switch ev.Link.EtherType {
	case EtherTypeARP:
		return ev, decodeARP(rest, &ev)
	case EtherTypeIPv4:
		return ev, decodeIPv4(rest, &ev)
	case EtherTypeIPv6:
		return ev, decodeIPv6(rest, &ev)
	}
	return ev, nil
}

// arpLen is the length of an ARP message for IPv4 over Ethernet.
const arpLen = 28

// decodeARP decodes an ARP message for IPv4 over Ethernet into ev; one for
// other hardware or protocols leaves ev of KindOther.
func decodeARP(b []byte, ev *Event) error {
	if len(b) < 8 {
		return fmt.Errorf("decode arp: %d bytes, header needs 8: %w", len(b), ErrTruncated)
	}
	htype, ptype := binary.BigEndian.Uint16(b[0:2]), binary.BigEndian.Uint16(b[2:4])
	hlen, plen := b[4], b[5]
	if htype != 1 || ptype != uint16(EtherTypeIPv4) || hlen != 6 || plen != 4 {
		return nil
	}
	if len(b) < arpLen {
		return fmt.Errorf("decode arp: %d bytes, message needs %d: %w", len(b), arpLen, ErrTruncated)
	}
	a := &ev.ARP
	a.Op = ARPOp(binary.BigEndian.Uint16(b[6:8]))
	copy(a.SenderMAC[:], b[8:14])
	a.SenderIP = netip.AddrFrom4([4]byte(b[14:18]))
	copy(a.TargetMAC[:], b[18:24])
	a.TargetIP = netip.AddrFrom4([4]byte(b[24:28]))
	ev.Kind = KindARP
	return nil
}

// decodeTransport decodes the TCP or UDP header in b, the IP payload, into
// ev, whose IP header is already decoded; other protocols leave ev of
// KindOther.
func decodeTransport(b []byte, ev *Event) error {
	switch ev.IP.Protocol {
	case protoTCP:
		return decodeTCP(b, ev)
	case protoUDP:
		return decodeUDP(b, ev)
	}
	return nil
}

package trace

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// IP protocol numbers.
const (
	protoTCP = 6
	protoUDP = 17
)

// decodeIPv4 decodes an IPv4 packet and what it carries into ev. A total
// length of zero (a segmentation-offload packet) means "to the end".
func decodeIPv4(b []byte, ev *Event) error {
	if len(b) < 20 {
		return fmt.Errorf("decode ipv4: %d bytes, header needs 20: %w", len(b), ErrTruncated)
	}
	if v := b[0] >> 4; v != 4 {
		return fmt.Errorf("decode ipv4: version %d: %w", v, ErrMalformed)
	}
	hlen := int(b[0]&0x0f) * 4
	if hlen < 20 {
		return fmt.Errorf("decode ipv4: header length %d: %w", hlen, ErrMalformed)
	}
	if len(b) < hlen {
		return fmt.Errorf("decode ipv4: %d bytes, header with options needs %d: %w", len(b), hlen, ErrTruncated)
	}
	total := int(binary.BigEndian.Uint16(b[2:4]))
	switch {
	case total == 0:
		total = len(b)
	case total < hlen:
		return fmt.Errorf("decode ipv4: total length %d shorter than header %d: %w", total, hlen, ErrMalformed)
	case total > len(b):
		return fmt.Errorf("decode ipv4: %d bytes, total length says %d: %w", len(b), total, ErrTruncated)
	}
	frag := binary.BigEndian.Uint16(b[6:8])
	ev.IP = IP{
		Version:        4,
		Src:            netip.AddrFrom4([4]byte(b[12:16])),
		Dst:            netip.AddrFrom4([4]byte(b[16:20])),
		HeaderLen:      hlen,
		TotalLen:       total,
		TTL:            b[8],
		Protocol:       b[9],
		ID:             binary.BigEndian.Uint16(b[4:6]),
		DontFragment:   frag&0x4000 != 0,
		MoreFragments:  frag&0x2000 != 0,
		FragmentOffset: int(frag&0x1fff) * 8,
	}
	if ev.IP.FragmentOffset != 0 {
		return nil
	}
	return decodeTransport(b[hlen:total], ev)
}

// IPv6 extension headers that Decode steps over to reach TCP or UDP.
const (
	ipv6HopByHop = 0
	ipv6Routing  = 43
	ipv6Fragment = 44
	ipv6AH       = 51
	ipv6DestOpts = 60
)

// decodeIPv6 decodes an IPv6 packet and what it carries into ev, stepping
// over the extension headers (hop-by-hop, routing, fragment, destination
// options, authentication). A payload length of zero (a jumbogram or an
// offload packet) means "to the end".
func decodeIPv6(b []byte, ev *Event) error {
	if len(b) < 40 {
		return fmt.Errorf("decode ipv6: %d bytes, header needs 40: %w", len(b), ErrTruncated)
	}
	if v := b[0] >> 4; v != 6 {
		return fmt.Errorf("decode ipv6: version %d: %w", v, ErrMalformed)
	}
	total := 40 + int(binary.BigEndian.Uint16(b[4:6]))
	switch {
	case total == 40 && len(b) > 40:
		total = len(b)
	case total > len(b):
		return fmt.Errorf("decode ipv6: %d bytes, payload length says %d: %w", len(b), total, ErrTruncated)
	}
	b = b[:total]
	ev.IP = IP{
		Version:  6,
		Src:      netip.AddrFrom16([16]byte(b[8:24])),
		Dst:      netip.AddrFrom16([16]byte(b[24:40])),
		TotalLen: total,
		TTL:      b[7],
	}
	next, off := b[6], 40
	for isIPv6Extension(next) {
		if len(b) < off+8 {
			return fmt.Errorf("decode ipv6: extension header %d at %d: %w", next, off, ErrTruncated)
		}
		var n int
		switch next {
		case ipv6Fragment:
			fo := binary.BigEndian.Uint16(b[off+2 : off+4])
			ev.IP.FragmentOffset = int(fo &^ 7)
			ev.IP.MoreFragments = fo&1 != 0
			n = 8
		case ipv6AH:
			n = (int(b[off+1]) + 2) * 4
		default:
			n = (int(b[off+1]) + 1) * 8
		}
		if len(b) < off+n {
			return fmt.Errorf("decode ipv6: extension header %d of %d bytes at %d: %w", next, n, off, ErrTruncated)
		}
		next, off = b[off], off+n
	}
	ev.IP.HeaderLen, ev.IP.Protocol = off, next
	if ev.IP.FragmentOffset != 0 {
		return nil
	}
	return decodeTransport(b[off:], ev)
}

// isIPv6Extension reports whether next names an extension header that
// decodeIPv6 steps over.
func isIPv6Extension(next uint8) bool {
	switch next {
	case ipv6HopByHop, ipv6Routing, ipv6Fragment, ipv6AH, ipv6DestOpts:
		return true
	}
	return false
}

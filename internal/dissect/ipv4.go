package dissect

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
)

// IP protocol numbers that Dissect decodes further.
const (
	protoTCP = 6
	protoUDP = 17
)

// protoNames are the names Wireshark shows beside an IP protocol number.
var protoNames = map[uint64]string{
	1: "ICMP", protoTCP: "TCP", protoUDP: "UDP", 58: "ICMPv6",
	ipv6HopByHop: "IPv6 Hop-by-Hop Option", ipv6Routing: "Routing Header for IPv6",
	ipv6Fragment: "Fragment Header for IPv6", ipv6AH: "Authentication Header",
	ipv6DestOpts: "Destination Options for IPv6", 59: "IPv6 No Next Header",
}

// ipv4 dissects the IPv4 packet at off and what it carries, and returns
// where the packet ends. A total length of zero (a segmentation-offload
// packet) means "to the end". A fragment's payload is data: it is not
// reassembled.
func (d *dissector) ipv4(off int) (int, error) {
	if err := d.need("ip", "header", off, 20); err != nil {
		return off, err
	}
	b := d.b[off:]
	if v := b[0] >> 4; v != 4 {
		return off, errMalformed("ip", "version %d", v)
	}
	hlen := int(b[0]&0x0f) * 4
	if hlen < 20 {
		return off, errMalformed("ip", "header length %d", hlen)
	}
	if err := d.need("ip", "header with options", off, hlen); err != nil {
		return off, err
	}
	total := int(binary.BigEndian.Uint16(b[2:4]))
	frag := binary.BigEndian.Uint16(b[6:8])
	df, mf := frag&0x4000 != 0, frag&0x2000 != 0
	fragOff := int(frag&0x1fff) * 8
	proto := b[9]
	d.add("ip", off, hlen,
		bits("ip.version", off, 1, 0xf0, fmt.Sprint(b[0]>>4)),
		bits("ip.hdr_len", off, 1, 0x0f, fmt.Sprintf("%d bytes (%d)", hlen, hlen/4)),
		field("ip.dsfield", off+1, 1, fmt.Sprintf("0x%02x", b[1]),
			bits("ip.dsfield.dscp", off+1, 1, 0xfc, fmt.Sprint(b[1]>>2)),
			bits("ip.dsfield.ecn", off+1, 1, 0x03, fmt.Sprint(b[1]&3)),
		),
		field("ip.len", off+2, 2, fmt.Sprint(total)),
		field("ip.id", off+4, 2, fmt.Sprintf("0x%04x (%d)", binary.BigEndian.Uint16(b[4:6]), binary.BigEndian.Uint16(b[4:6]))),
		bits("ip.flags", off+6, 1, 0xe0, ipFlagsValue(frag),
			flag("ip.flags.rb", off+6, 0x80, frag&0x8000 != 0),
			flag("ip.flags.df", off+6, 0x40, df),
			flag("ip.flags.mf", off+6, 0x20, mf),
		),
		bits("ip.frag_offset", off+6, 2, 0x1fff, fmt.Sprint(fragOff)),
		field("ip.ttl", off+8, 1, fmt.Sprint(b[8])),
		field("ip.proto", off+9, 1, named(protoNames, uint64(proto), "%d")),
		field("ip.checksum", off+10, 2, fmt.Sprintf("0x%04x", binary.BigEndian.Uint16(b[10:12]))),
		field("ip.src", off+12, 4, netip.AddrFrom4([4]byte(b[12:16])).String()),
		field("ip.dst", off+16, 4, netip.AddrFrom4([4]byte(b[16:20])).String()),
	)
	switch {
	case total == 0:
		total = len(b)
	case total < hlen:
		return off + hlen, errMalformed("ip", "total length %d shorter than header %d", total, hlen)
	case total > len(b):
		return off + hlen, fmt.Errorf("dissect ip: %d bytes, total length says %d: %w", len(b), total, ErrTruncated)
	}
	end := off + total
	if mf || fragOff != 0 {
		d.data(off+hlen, end)
		return end, nil
	}
	return end, d.transport(proto, off+hlen, end)
}

// ipFlagsValue shows IPv4's flags as Wireshark does: "0x2, Don't fragment".
func ipFlagsValue(frag uint16) string {
	var names []string
	if frag&0x8000 != 0 {
		names = append(names, "Reserved bit")
	}
	if frag&0x4000 != 0 {
		names = append(names, "Don't fragment")
	}
	if frag&0x2000 != 0 {
		names = append(names, "More fragments")
	}
	v := fmt.Sprintf("0x%x", frag>>13)
	if len(names) > 0 {
		v += ", " + strings.Join(names, ", ")
	}
	return v
}

// transport dissects the IP payload b[off:end] of protocol proto: TCP or
// UDP, or data for any other.
func (d *dissector) transport(proto uint8, off, end int) error {
	switch proto {
	case protoTCP:
		return d.tcp(off, end)
	case protoUDP:
		return d.udp(off, end)
	}
	d.data(off, end)
	return nil
}

package dissect

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// ipv6Len is the length of IPv6's fixed header.
const ipv6Len = 40

// IPv6 extension headers that Dissect steps through to reach TCP or UDP.
const (
	ipv6HopByHop = 0
	ipv6Routing  = 43
	ipv6Fragment = 44
	ipv6AH       = 51
	ipv6DestOpts = 60
)

// ipv6ExtNames are Wireshark's names of the extension headers
// whose first two bytes are the next header and the length in 8-byte units
// after the first 8.
var ipv6ExtNames = map[uint8]string{
	ipv6HopByHop: "ipv6.hopopts",
	ipv6Routing:  "ipv6.routing",
	ipv6DestOpts: "ipv6.dstopts",
}

// ipv6 dissects the IPv6 packet at off, its extension headers and what it
// carries, and returns where the packet ends. A payload length of zero (a
// jumbogram or an offload packet) means "to the end". A fragment's payload
// is data: it is not reassembled.
func (d *dissector) ipv6(off int) (int, error) {
	if err := d.need("ipv6", "header", off, ipv6Len); err != nil {
		return off, err
	}
	b := d.b[off:]
	if v := b[0] >> 4; v != 6 {
		return off, errMalformed("ipv6", "version %d", v)
	}
	first := binary.BigEndian.Uint32(b[0:4])
	plen := int(binary.BigEndian.Uint16(b[4:6]))
	next := b[6]
	d.add("ipv6", off, ipv6Len,
		bits("ipv6.version", off, 1, 0xf0, "6"),
		bits("ipv6.tclass", off, 4, 0x0ff00000, fmt.Sprintf("0x%02x", first>>20&0xff),
			bits("ipv6.tclass.dscp", off, 4, 0x0fc00000, fmt.Sprint(first>>22&0x3f)),
			bits("ipv6.tclass.ecn", off, 4, 0x00300000, fmt.Sprint(first>>20&3)),
		),
		bits("ipv6.flow", off+1, 3, 0x0fffff, fmt.Sprintf("0x%05x", first&0xfffff)),
		field("ipv6.plen", off+4, 2, fmt.Sprint(plen)),
		field("ipv6.nxt", off+6, 1, named(protoNames, uint64(next), "%d")),
		field("ipv6.hlim", off+7, 1, fmt.Sprint(b[7])),
		field("ipv6.src", off+8, 16, netip.AddrFrom16([16]byte(b[8:24])).String()),
		field("ipv6.dst", off+24, 16, netip.AddrFrom16([16]byte(b[24:40])).String()),
	)
	end := off + ipv6Len + plen
	switch {
	case plen == 0:
		end = len(d.b)
	case end > len(d.b):
		return off + ipv6Len, fmt.Errorf("dissect ipv6: %d bytes, payload length says %d: %w", len(b), ipv6Len+plen, ErrTruncated)
	}
	// The extension headers are fields of the ipv6 layer, as in Wireshark.
	layer := &d.f.Layers[len(d.f.Layers)-1]
	at, fragment := off+ipv6Len, false
	for {
		var ext Field
		var n int
		var err error
		switch next {
		case ipv6HopByHop, ipv6Routing, ipv6DestOpts:
			ext, next, n, err = d.ipv6Ext(ipv6ExtNames[next], at, end)
		case ipv6Fragment:
			ext, next, n, fragment, err = d.ipv6Frag(at, end)
		case ipv6AH:
			ext, next, n, err = d.ah(at, end)
		default:
			if fragment {
				d.data(at, end)
				return end, nil
			}
			return end, d.transport(next, at, end)
		}
		if err != nil {
			return end, err
		}
		layer.Fields = append(layer.Fields, ext)
		layer.Length += n
		at += n
	}
}

// ipv6Ext dissects a hop-by-hop, routing or destination options header at
// off, named name, and returns it, the next header and its length.
func (d *dissector) ipv6Ext(name string, off, end int) (Field, uint8, int, error) {
	if err := needIn(name, "header", off, 8, end); err != nil {
		return Field{}, 0, 0, err
	}
	b := d.b[off:]
	n := (int(b[1]) + 1) * 8
	if err := needIn(name, "header of its length", off, n, end); err != nil {
		return Field{}, 0, 0, err
	}
	fields := []Field{
		field(name+".nxt", off, 1, named(protoNames, uint64(b[0]), "%d")),
		field(name+".len", off+1, 1, fmt.Sprintf("%d (%d bytes)", b[1], n)),
	}
	if name == "ipv6.routing" {
		fields = append(fields,
			field("ipv6.routing.type", off+2, 1, fmt.Sprint(b[2])),
			field("ipv6.routing.segleft", off+3, 1, fmt.Sprint(b[3])),
		)
	}
	return field(name, off, n, bytesValue(b[:n]), fields...), b[0], n, nil
}

// ipv6FragLen is the length of IPv6's fragment header.
const ipv6FragLen = 8

// ipv6Frag dissects a fragment header at off and returns it, the next
// header, its length and whether the packet is a fragment (an offset or more
// fragments to come).
func (d *dissector) ipv6Frag(off, end int) (Field, uint8, int, bool, error) {
	if err := needIn("ipv6.fraghdr", "header", off, ipv6FragLen, end); err != nil {
		return Field{}, 0, 0, false, err
	}
	b := d.b[off:]
	fo := binary.BigEndian.Uint16(b[2:4])
	f := field("ipv6.fraghdr", off, ipv6FragLen, bytesValue(b[:ipv6FragLen]),
		field("ipv6.fraghdr.nxt", off, 1, named(protoNames, uint64(b[0]), "%d")),
		field("ipv6.fraghdr.reserved_octet", off+1, 1, fmt.Sprintf("0x%02x", b[1])),
		bits("ipv6.fraghdr.offset", off+2, 2, 0xfff8, fmt.Sprint(fo>>3)),
		bits("ipv6.fraghdr.reserved_bits", off+2, 2, 0x0006, fmt.Sprint(fo>>1&3)),
		bits("ipv6.fraghdr.more", off+2, 2, 0x0001, yesNo(fo&1 != 0)),
		field("ipv6.fraghdr.ident", off+4, 4, fmt.Sprintf("0x%08x", binary.BigEndian.Uint32(b[4:8]))),
	)
	return f, b[0], ipv6FragLen, fo&^7 != 0 || fo&1 != 0, nil
}

// ah dissects an IPsec authentication header at off and returns it, the
// next header and its length.
func (d *dissector) ah(off, end int) (Field, uint8, int, error) {
	if err := needIn("ah", "header", off, 12, end); err != nil {
		return Field{}, 0, 0, err
	}
	b := d.b[off:]
	n := (int(b[1]) + 2) * 4
	if n < 12 {
		return Field{}, 0, 0, errMalformed("ah", "length %d", n)
	}
	if err := needIn("ah", "header of its length", off, n, end); err != nil {
		return Field{}, 0, 0, err
	}
	fields := []Field{
		field("ah.next_header", off, 1, named(protoNames, uint64(b[0]), "%d")),
		field("ah.length", off+1, 1, fmt.Sprintf("%d (%d bytes)", b[1], n)),
		field("ah.reserved", off+2, 2, bytesValue(b[2:4])),
		field("ah.spi", off+4, 4, fmt.Sprintf("0x%08x", binary.BigEndian.Uint32(b[4:8]))),
		field("ah.sequence", off+8, 4, fmt.Sprint(binary.BigEndian.Uint32(b[8:12]))),
	}
	if n > 12 {
		fields = append(fields, field("ah.icv", off+12, n-12, bytesValue(b[12:n])))
	}
	return field("ah", off, n, bytesValue(b[:n]), fields...), b[0], n, nil
}

// yesNo shows a boolean as Wireshark shows a flag that is not a bit of a
// flags field.
func yesNo(v bool) string {
	if v {
		return "Yes"
	}
	return "No"
}

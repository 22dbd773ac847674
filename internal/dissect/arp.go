package dissect

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// arpFixedLen is the length of an ARP message's fixed part: hardware type,
// protocol type, their sizes and the opcode.
const arpFixedLen = 8

// Names Wireshark shows beside ARP's numbers.
var (
	arpHWTypeNames = map[uint64]string{1: "Ethernet"}
	arpOpNames     = map[uint64]string{1: "request", 2: "reply"}
)

// arp dissects the ARP message at off and returns where it ends.
func (d *dissector) arp(off int) (int, error) {
	if err := d.need("arp", "fixed part", off, arpFixedLen); err != nil {
		return off, err
	}
	b := d.b[off:]
	hlen, plen := int(b[4]), int(b[5])
	if hlen == 0 || plen == 0 {
		return off, errMalformed("arp", "address sizes %d and %d", hlen, plen)
	}
	n := arpFixedLen + 2*(hlen+plen)
	if err := d.need("arp", fmt.Sprintf("message with %d-byte addresses", hlen+plen), off, n); err != nil {
		return off, err
	}
	hwName, protoName := "hw", "proto"
	if hlen == 6 {
		hwName = "hw_mac"
	}
	ptype := binary.BigEndian.Uint16(b[2:4])
	if plen == 4 && ptype == etherTypeIPv4 {
		protoName = "proto_ipv4"
	}
	hw := func(at int) string {
		if hlen == 6 {
			return macValue(b[at : at+6])
		}
		return bytesValue(b[at : at+hlen])
	}
	proto := func(at int) string {
		if protoName == "proto_ipv4" {
			return netip.AddrFrom4([4]byte(b[at : at+4])).String()
		}
		return bytesValue(b[at : at+plen])
	}
	sha := arpFixedLen
	spa := sha + hlen
	tha := spa + plen
	tpa := tha + hlen
	d.add("arp", off, n,
		field("arp.hw.type", off, 2, named(arpHWTypeNames, uint64(binary.BigEndian.Uint16(b[0:2])), "%d")),
		field("arp.proto.type", off+2, 2, named(etherTypeNames, uint64(ptype), "0x%04x")),
		field("arp.hw.size", off+4, 1, fmt.Sprint(hlen)),
		field("arp.proto.size", off+5, 1, fmt.Sprint(plen)),
		field("arp.opcode", off+6, 2, named(arpOpNames, uint64(binary.BigEndian.Uint16(b[6:8])), "%d")),
		field("arp.src."+hwName, off+sha, hlen, hw(sha)),
		field("arp.src."+protoName, off+spa, plen, proto(spa)),
		field("arp.dst."+hwName, off+tha, hlen, hw(tha)),
		field("arp.dst."+protoName, off+tpa, plen, proto(tpa)),
	)
	return off + n, nil
}

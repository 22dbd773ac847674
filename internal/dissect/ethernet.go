package dissect

import (
	"encoding/binary"
	"fmt"
)

// ethernetLen is the length of an Ethernet II header: destination MAC 6,
// source MAC 6, EtherType 2. The 4-byte frame check sequence at the end is
// not in a capture.
const ethernetLen = 14

// EtherTypes that Dissect decodes further.
const (
	etherTypeIPv4 = 0x0800
	etherTypeARP  = 0x0806
	etherTypeIPv6 = 0x86dd
)

// etherTypeNames are the names Wireshark shows beside an EtherType.
var etherTypeNames = map[uint64]string{etherTypeIPv4: "IPv4", etherTypeARP: "ARP", etherTypeIPv6: "IPv6"}

// ethernet dissects the Ethernet II header at the start of the frame and
// what it carries.
func (d *dissector) ethernet() error {
	if err := d.need("eth", "header", 0, ethernetLen); err != nil {
		return err
	}
	b := d.b
	et := binary.BigEndian.Uint16(b[12:14])
	d.add("eth", 0, ethernetLen,
		field("eth.dst", 0, 6, macValue(b[0:6])),
		field("eth.src", 6, 6, macValue(b[6:12])),
		field("eth.type", 12, 2, named(etherTypeNames, uint64(et), "0x%04x")),
	)
	var end int
	var err error
	switch et {
	case etherTypeARP:
		end, err = d.arp(ethernetLen)
	case etherTypeIPv4:
		end, err = d.ipv4(ethernetLen)
	case etherTypeIPv6:
		end, err = d.ipv6(ethernetLen)
	default:
		d.data(ethernetLen, len(b))
		return nil
	}
	if err != nil {
		return err
	}
	if end < len(b) {
		// Bytes after the packet: a wire pads a frame to 60 bytes.
		d.add("eth.padding", end, len(b)-end, field("eth.padding", end, len(b)-end, bytesValue(b[end:])))
	}
	return nil
}

// errMalformed names a layer and a field holding a value no valid packet has.
func errMalformed(layer, format string, args ...any) error {
	return fmt.Errorf("dissect %s: %s: %w", layer, fmt.Sprintf(format, args...), ErrMalformed)
}

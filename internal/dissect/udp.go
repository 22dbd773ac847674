package dissect

import (
	"encoding/binary"
	"fmt"
)

// udpLen is the length of a UDP header.
const udpLen = 8

// udp dissects the UDP datagram in b[off:end] and its payload, which ends
// where the UDP length says.
func (d *dissector) udp(off, end int) error {
	if err := needIn("udp", "header", off, udpLen, end); err != nil {
		return err
	}
	b := d.b[off:end]
	n := int(binary.BigEndian.Uint16(b[4:6]))
	d.add("udp", off, udpLen,
		field("udp.srcport", off, 2, fmt.Sprint(binary.BigEndian.Uint16(b[0:2]))),
		field("udp.dstport", off+2, 2, fmt.Sprint(binary.BigEndian.Uint16(b[2:4]))),
		field("udp.length", off+4, 2, fmt.Sprint(n)),
		field("udp.checksum", off+6, 2, fmt.Sprintf("0x%04x", binary.BigEndian.Uint16(b[6:8]))),
	)
	switch {
	case n < udpLen:
		return errMalformed("udp", "length %d", n)
	case n > len(b):
		d.data(off+udpLen, end)
		return fmt.Errorf("dissect udp: %d bytes, length says %d: %w", len(b), n, ErrTruncated)
	}
	d.data(off+udpLen, off+n)
	return nil
}

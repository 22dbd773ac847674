package dissect

import "encoding/binary"

// checksumVerifies reports whether the checksum of the TCP or UDP layer l
// in frame bytes b verifies, with the pseudo-header of ip, the IPv4 or IPv6
// layer that carries it. checked is false when there is nothing to verify:
// ip is neither, the packet's end is not known, or a UDP datagram
// over IPv4 carries no checksum (0).
func checksumVerifies(b []byte, ip, l Layer) (ok, checked bool) {
	var proto byte = protoTCP
	if l.Name == "udp" {
		proto = protoUDP
	}
	var n, end int
	var pseudo []byte
	switch ip.Name {
	case "ip":
		n = int(binary.BigEndian.Uint16(b[ip.Offset+2:]))
		end = ip.Offset + n
		pseudo = append(pseudo, b[ip.Offset+12:ip.Offset+20]...)
	case "ipv6":
		n = int(binary.BigEndian.Uint16(b[ip.Offset+4:]))
		end = ip.Offset + ipv6Len + n
		pseudo = append(pseudo, b[ip.Offset+8:ip.Offset+40]...)
	default:
		return false, false
	}
	if n == 0 || end > len(b) || end < l.Offset {
		// A length of 0 (segmentation offload, a jumbogram) or one beyond
		// the capture: where the segment ends is not known.
		return false, false
	}
	seg := b[l.Offset:end]
	if proto == protoUDP && ip.Name == "ip" && len(seg) >= udpLen && binary.BigEndian.Uint16(seg[6:8]) == 0 {
		return false, false
	}
	// The pseudo-header's upper-layer length and protocol; IPv6 spreads
	// them over 8 bytes, IPv4 over 4, and the sum is the same.
	pseudo = append(pseudo, 0, proto)
	pseudo = binary.BigEndian.AppendUint16(pseudo, uint16(len(seg)))
	return fold(sum(sum(0, pseudo), seg)) == 0xffff, true
}

// sum adds b to s as big-endian 16-bit words, the last byte padded with
// a zero, as the Internet checksum does (RFC 1071).
func sum(s uint32, b []byte) uint32 {
	for len(b) >= 2 {
		s += uint32(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	return s
}

// fold adds the carries of s back in, giving a one's complement sum.
func fold(s uint32) uint16 {
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return uint16(s)
}

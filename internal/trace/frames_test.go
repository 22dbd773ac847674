package trace

import (
	"encoding/binary"
	"net/netip"
	"time"
)

// Frames built by hand for the tests, byte for byte as the kernel sends
// them on lo (zero MAC addresses) unless a MAC is given.

// seg describes a TCP segment to build.
type seg struct {
	src, dst   netip.AddrPort
	seq, ack   uint32
	flags      TCPFlag
	win        uint16
	opts       []byte
	payload    []byte
	srcMAC     MAC
	dstMAC     MAC
	ttl        uint8
	ipv4Option bool // add an IPv4 header option (a 4-byte NOP padding)
}

// synOpts are the options Linux puts on a SYN on lo: MSS 65495, SACK
// permitted, timestamps, NOP, window scale 7.
func synOpts(tsval, tsecr uint32) []byte {
	b := []byte{2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 3, 7}
	binary.BigEndian.PutUint32(b[8:], tsval)
	binary.BigEndian.PutUint32(b[12:], tsecr)
	return b
}

// tsOpts are the options Linux puts on every later segment: NOP, NOP,
// timestamps.
func tsOpts(tsval, tsecr uint32) []byte {
	b := []byte{1, 1, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[4:], tsval)
	binary.BigEndian.PutUint32(b[8:], tsecr)
	return b
}

// tcpFrame builds the Ethernet frame of a TCP segment, over IPv4 or IPv6 by
// the addresses.
func tcpFrame(s seg) []byte {
	hlen := 20 + len(s.opts)
	t := make([]byte, hlen, hlen+len(s.payload))
	binary.BigEndian.PutUint16(t[0:], s.src.Port())
	binary.BigEndian.PutUint16(t[2:], s.dst.Port())
	binary.BigEndian.PutUint32(t[4:], s.seq)
	binary.BigEndian.PutUint32(t[8:], s.ack)
	t[12] = byte(hlen/4) << 4
	t[13] = byte(s.flags)
	binary.BigEndian.PutUint16(t[14:], s.win)
	copy(t[20:], s.opts)
	t = append(t, s.payload...)
	return ipFrame(s.srcMAC, s.dstMAC, s.src.Addr(), s.dst.Addr(), protoTCP, s.ttl, s.ipv4Option, t)
}

// udpFrame builds the Ethernet frame of a UDP datagram.
func udpFrame(src, dst netip.AddrPort, payload []byte) []byte {
	u := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint16(u[0:], src.Port())
	binary.BigEndian.PutUint16(u[2:], dst.Port())
	binary.BigEndian.PutUint16(u[4:], uint16(8+len(payload)))
	u = append(u, payload...)
	return ipFrame(MAC{}, MAC{}, src.Addr(), dst.Addr(), protoUDP, 64, false, u)
}

// ipFrame wraps an IP payload in an IP header and an Ethernet header.
func ipFrame(srcMAC, dstMAC MAC, src, dst netip.Addr, proto uint8, ttl uint8, ipv4Option bool, payload []byte) []byte {
	if ttl == 0 {
		ttl = 64
	}
	var ip []byte
	if src.Is4() {
		hlen := 20
		if ipv4Option {
			hlen = 24
		}
		ip = make([]byte, hlen, hlen+len(payload))
		ip[0] = 0x40 | byte(hlen/4)
		binary.BigEndian.PutUint16(ip[2:], uint16(hlen+len(payload)))
		binary.BigEndian.PutUint16(ip[4:], 0x1234)
		ip[6] = 0x40 // DF
		ip[8], ip[9] = ttl, proto
		s4, d4 := src.As4(), dst.As4()
		copy(ip[12:], s4[:])
		copy(ip[16:], d4[:])
		for i := 20; i < hlen; i++ {
			ip[i] = 1 // NOP options
		}
		return etherFrame(srcMAC, dstMAC, EtherTypeIPv4, append(ip, payload...))
	}
	ip = make([]byte, 40, 40+len(payload))
	ip[0] = 0x60
	binary.BigEndian.PutUint16(ip[4:], uint16(len(payload)))
	ip[6], ip[7] = proto, ttl
	s16, d16 := src.As16(), dst.As16()
	copy(ip[8:], s16[:])
	copy(ip[24:], d16[:])
	return etherFrame(srcMAC, dstMAC, EtherTypeIPv6, append(ip, payload...))
}

// etherFrame puts an Ethernet II header before payload.
func etherFrame(src, dst MAC, t EtherType, payload []byte) []byte {
	b := make([]byte, ethernetLen, ethernetLen+len(payload))
	copy(b[0:], dst[:])
	copy(b[6:], src[:])
	binary.BigEndian.PutUint16(b[12:], uint16(t))
	return append(b, payload...)
}

// arpFrame builds an ARP request (tmac zero, sent to Broadcast) or reply.
func arpFrame(op ARPOp, smac MAC, sip netip.Addr, tmac MAC, tip netip.Addr) []byte {
	a := make([]byte, arpLen)
	binary.BigEndian.PutUint16(a[0:], 1)
	binary.BigEndian.PutUint16(a[2:], uint16(EtherTypeIPv4))
	a[4], a[5] = 6, 4
	binary.BigEndian.PutUint16(a[6:], uint16(op))
	s4, t4 := sip.As4(), tip.As4()
	copy(a[8:], smac[:])
	copy(a[14:], s4[:])
	copy(a[18:], tmac[:])
	copy(a[24:], t4[:])
	dst := tmac
	if op == ARPRequest {
		dst = Broadcast
	}
	return etherFrame(smac, dst, EtherTypeARP, append(a, make([]byte, 18)...)) // padded to 60 bytes
}

// mustDecode decodes a frame the tests built, which must decode.
func mustDecode(b []byte, t time.Time) Event {
	ev, err := Frame{Time: t, Data: b}.Decode()
	if err != nil {
		panic(err)
	}
	return ev
}

package tracetest

import (
	"encoding/binary"
	"net/netip"
)

// Lengths and numbers of the headers the builders write.
const (
	// EthernetLen is the length of an Ethernet II header: two MAC
	// addresses and the EtherType.
	EthernetLen = 14
	// ARPLen is the length of an ARP message for IPv4 over Ethernet.
	ARPLen = 28

	EtherTypeIPv4 = 0x0800
	EtherTypeARP  = 0x0806
	EtherTypeIPv6 = 0x86dd

	// IP protocol numbers, and the IPv6 extension headers' next-header
	// numbers.
	ProtoICMP    = 1
	ProtoTCP     = 6
	ProtoUDP     = 17
	IPv6HopByHop = 0
	IPv6Fragment = 44
	IPv6DestOpts = 60

	// ARP opcodes.
	ARPRequest = 1
	ARPReply   = 2
)

// MAC is an Ethernet address. It is an alias of [6]byte, so that a
// trace.MAC goes where a MAC is asked for, and back.
type MAC = [6]byte

// Broadcast is the Ethernet broadcast address, where ARP requests go.
var Broadcast = MAC{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// Flags are a TCP header's control bits, at their places in its flags
// byte (the same values as trace.TCPFlag's).
type Flags uint8

// The TCP control bits.
const (
	FIN Flags = 1 << iota
	SYN
	RST
	PSH
	ACK
	URG
	ECE
	CWR
)

// Has reports whether every flag of want is set in f.
func (f Flags) Has(want Flags) bool { return f&want == want }

// Seg describes a TCP segment for TCPFrame to build. The zero MAC
// addresses are what the kernel shows on lo; a zero TTL means 64.
type Seg struct {
	Src, Dst   netip.AddrPort
	Seq, Ack   uint32
	Flags      Flags
	Win        uint16
	Opts       []byte // the TCP options, a multiple of 4 bytes long
	Payload    []byte
	SrcMAC     MAC
	DstMAC     MAC
	TTL        uint8
	IPv4Option bool // add an IPv4 header option (4 bytes of NOP)
}

// SynOpts are the options Linux puts on a SYN on lo: MSS 65495, SACK
// permitted, timestamps, NOP, window scale 7.
func SynOpts(tsval, tsecr uint32) []byte {
	b := []byte{2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 3, 7}
	binary.BigEndian.PutUint32(b[8:], tsval)
	binary.BigEndian.PutUint32(b[12:], tsecr)
	return b
}

// TSOpts are the options Linux puts on every later segment: NOP, NOP,
// timestamps.
func TSOpts(tsval, tsecr uint32) []byte {
	b := []byte{1, 1, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[4:], tsval)
	binary.BigEndian.PutUint32(b[8:], tsecr)
	return b
}

// TCPFrame builds the Ethernet frame of a TCP segment, over IPv4 or IPv6
// by the addresses. Checksums are left zero, as on lo before offload
// fills them in.
func TCPFrame(s Seg) []byte {
	hlen := 20 + len(s.Opts)
	t := make([]byte, hlen, hlen+len(s.Payload))
	binary.BigEndian.PutUint16(t[0:], s.Src.Port())
	binary.BigEndian.PutUint16(t[2:], s.Dst.Port())
	binary.BigEndian.PutUint32(t[4:], s.Seq)
	binary.BigEndian.PutUint32(t[8:], s.Ack)
	t[12] = byte(hlen/4) << 4
	t[13] = byte(s.Flags)
	binary.BigEndian.PutUint16(t[14:], s.Win)
	copy(t[20:], s.Opts)
	t = append(t, s.Payload...)
	return IPFrame(s.SrcMAC, s.DstMAC, s.Src.Addr(), s.Dst.Addr(), ProtoTCP, s.TTL, s.IPv4Option, t)
}

// UDPFrame builds the Ethernet frame of a UDP datagram, on lo.
func UDPFrame(src, dst netip.AddrPort, payload []byte) []byte {
	u := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint16(u[0:], src.Port())
	binary.BigEndian.PutUint16(u[2:], dst.Port())
	binary.BigEndian.PutUint16(u[4:], uint16(8+len(payload)))
	u = append(u, payload...)
	return IPFrame(MAC{}, MAC{}, src.Addr(), dst.Addr(), ProtoUDP, 64, false, u)
}

// IPFrame wraps an IP payload of protocol proto in an IPv4 header (ID
// 0x1234, DF) or an IPv6 header, by the addresses, and an Ethernet header.
// A zero ttl means 64; ipv4Option adds 4 bytes of NOP options to an IPv4
// header.
func IPFrame(srcMAC, dstMAC MAC, src, dst netip.Addr, proto, ttl uint8, ipv4Option bool, payload []byte) []byte {
	if ttl == 0 {
		ttl = 64
	}
	if src.Is4() {
		hlen := 20
		if ipv4Option {
			hlen = 24
		}
		ip := make([]byte, hlen, hlen+len(payload))
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
		return EtherFrame(srcMAC, dstMAC, EtherTypeIPv4, append(ip, payload...))
	}
	ip := make([]byte, 40, 40+len(payload))
	ip[0] = 0x60
	binary.BigEndian.PutUint16(ip[4:], uint16(len(payload)))
	ip[6], ip[7] = proto, ttl
	s16, d16 := src.As16(), dst.As16()
	copy(ip[8:], s16[:])
	copy(ip[24:], d16[:])
	return EtherFrame(srcMAC, dstMAC, EtherTypeIPv6, append(ip, payload...))
}

// EtherFrame puts an Ethernet II header with EtherType t before payload.
func EtherFrame(src, dst MAC, t uint16, payload []byte) []byte {
	b := make([]byte, EthernetLen, EthernetLen+len(payload))
	copy(b[0:], dst[:])
	copy(b[6:], src[:])
	binary.BigEndian.PutUint16(b[12:], t)
	return append(b, payload...)
}

// ARPFrame builds an ARP request (op ARPRequest, tmac zero, sent to
// Broadcast) or reply (ARPReply, sent to tmac), padded to the 60 bytes of
// a frame on the wire.
func ARPFrame(op uint16, smac MAC, sip netip.Addr, tmac MAC, tip netip.Addr) []byte {
	a := make([]byte, ARPLen)
	binary.BigEndian.PutUint16(a[0:], 1) // Ethernet
	binary.BigEndian.PutUint16(a[2:], EtherTypeIPv4)
	a[4], a[5] = 6, 4
	binary.BigEndian.PutUint16(a[6:], op)
	s4, t4 := sip.As4(), tip.As4()
	copy(a[8:], smac[:])
	copy(a[14:], s4[:])
	copy(a[18:], tmac[:])
	copy(a[24:], t4[:])
	dst := tmac
	if op == ARPRequest {
		dst = Broadcast
	}
	return EtherFrame(smac, dst, EtherTypeARP, append(a, make([]byte, 18)...))
}

// IPv6WithExtensions is a UDP datagram from Client6 to Server6 behind a
// hop-by-hop and a fragment header (the first fragment).
func IPv6WithExtensions() []byte {
	udp := []byte{0x9d, 0x78, 0x1f, 0x90, 0, 11, 0, 0, 'e', 'x', 't'}
	hbh := []byte{IPv6Fragment, 0, 1, 4, 0, 0, 0, 0}
	frag := []byte{ProtoUDP, 0, 0, 1, 0, 0, 0, 1} // offset 0, more fragments
	payload := append(append(hbh, frag...), udp...)
	return IPFrame(MAC{}, MAC{}, Client6.Addr(), Server6.Addr(), IPv6HopByHop, 64, false, payload)
}

// IPv4Fragment is a fragment of a UDP datagram from Client4 to Server4 at
// offset 1480: its payload starts where no UDP header is.
func IPv4Fragment() []byte {
	f := UDPFrame(Client4, Server4, []byte("middle"))
	binary.BigEndian.PutUint16(f[EthernetLen+6:], 185) // 185*8 = 1480
	return f
}

package trace

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
	"strings"

	"github.com/upcase/upcase/internal/dissect"
	"github.com/upcase/upcase/internal/pcap"
)

// Decode dissects one Ethernet II frame with package dissect, the one
// decoder of this program, and reads from its fields what a conversation
// follows: the link header, ARP, the IPv4 or IPv6 header and TCP with its
// options or UDP. A frame of another kind is an Event of KindOther. Bytes
// that end too soon or make no sense give the Event decoded so far and
// dissect's error, wrapping dissect.ErrTruncated or dissect.ErrMalformed;
// Decode never panics. The Event's Frame is the dissection; its Data and
// Payload alias b.
func Decode(b []byte) (Event, error) {
	f, err := dissect.Dissect(b)
	ev := Event{Data: b, Frame: f}
	for _, l := range f.Layers {
		r := reader{b: b, fields: index(l.Fields, nil)}
		switch l.Name {
		case "eth":
			ev.Link = Link{Dst: r.mac("eth.dst"), Src: r.mac("eth.src"), EtherType: EtherType(r.num("eth.type"))}
		case "arp":
			r.arp(&ev)
		case "ip":
			r.ipv4(&ev, l)
		case "ipv6":
			r.ipv6(&ev, l)
		case "tcp":
			r.tcp(&ev, l)
		case "udp":
			r.udp(&ev)
		case "data":
			if ev.Kind == KindTCP || ev.Kind == KindUDP {
				ev.Payload = b[l.Offset : l.Offset+l.Length]
			}
		}
	}
	if ev.Payload == nil && (ev.Kind == KindTCP || ev.Kind == KindUDP) {
		ev.Payload = b[len(b):]
	}
	return ev, err
}

// reader reads the numbers of one layer's fields from the frame's bytes,
// where the dissection placed them.
type reader struct {
	b      []byte
	fields map[string]dissect.Field
}

// index maps each field's name, sub-fields included, to the field; of two
// fields with one name (two SACK blocks) it keeps the first.
func index(fs []dissect.Field, m map[string]dissect.Field) map[string]dissect.Field {
	if m == nil {
		m = map[string]dissect.Field{}
	}
	for _, f := range fs {
		if _, ok := m[f.Name]; !ok {
			m[f.Name] = f
		}
		index(f.Fields, m)
	}
	return m
}

// has reports whether the layer has the named field.
func (r reader) has(name string) bool { _, ok := r.fields[name]; return ok }

// bytes gives the named field's bytes, nil when the layer lacks it.
func (r reader) bytes(name string) []byte {
	f, ok := r.fields[name]
	if !ok {
		return nil
	}
	return r.b[f.Offset : f.Offset+f.Length]
}

// num gives the named field's value: its bytes as a big-endian number, its
// mask applied and shifted down. A missing field is 0.
func (r reader) num(name string) uint64 {
	var v uint64
	for _, c := range r.bytes(name) {
		v = v<<8 | uint64(c)
	}
	if m := r.fields[name].Mask; m != 0 {
		v = (v & m) >> bits.TrailingZeros64(m)
	}
	return v
}

// mac gives the named field as a MAC address.
func (r reader) mac(name string) MAC {
	var m MAC
	copy(m[:], r.bytes(name))
	return m
}

// addr gives the named field as an IP address, the zero Addr when the
// layer lacks it.
func (r reader) addr(name string) netip.Addr {
	a, _ := netip.AddrFromSlice(r.bytes(name))
	return a
}

// arp reads an ARP message for IPv4 over Ethernet; one for other hardware
// or protocols leaves ev of KindOther.
func (r reader) arp(ev *Event) {
	if r.num("arp.hw.type") != 1 || r.num("arp.proto.type") != uint64(EtherTypeIPv4) || !r.has("arp.src.hw_mac") || !r.has("arp.src.proto_ipv4") {
		return
	}
	ev.ARP = ARP{
		Op:        ARPOp(r.num("arp.opcode")),
		SenderMAC: r.mac("arp.src.hw_mac"),
		SenderIP:  r.addr("arp.src.proto_ipv4"),
		TargetMAC: r.mac("arp.dst.hw_mac"),
		TargetIP:  r.addr("arp.dst.proto_ipv4"),
	}
	ev.Kind = KindARP
}

// ipv4 reads an IPv4 header. A total length of zero (a
// segmentation-offload packet) means "to the end of the frame".
func (r reader) ipv4(ev *Event, l dissect.Layer) {
	total := int(r.num("ip.len"))
	if total == 0 {
		total = len(r.b) - l.Offset
	}
	ev.IP = IP{
		Version:        4,
		Src:            r.addr("ip.src"),
		Dst:            r.addr("ip.dst"),
		HeaderLen:      l.Length,
		TotalLen:       total,
		TTL:            uint8(r.num("ip.ttl")),
		Protocol:       uint8(r.num("ip.proto")),
		ID:             uint16(r.num("ip.id")),
		DontFragment:   r.num("ip.flags.df") != 0,
		MoreFragments:  r.num("ip.flags.mf") != 0,
		FragmentOffset: int(r.num("ip.frag_offset")) * 8,
	}
}

// ipv6 reads an IPv6 header with its extension headers, which the
// dissection made fields of the layer: Protocol is the last next header.
// A payload length of zero (a jumbogram or a segmentation-offload packet)
// means "to the end of the frame".
func (r reader) ipv6(ev *Event, l dissect.Layer) {
	total := 40 + int(r.num("ipv6.plen"))
	if r.num("ipv6.plen") == 0 {
		total = len(r.b) - l.Offset
	}
	ev.IP = IP{
		Version:        6,
		Src:            r.addr("ipv6.src"),
		Dst:            r.addr("ipv6.dst"),
		HeaderLen:      l.Length,
		TotalLen:       total,
		TTL:            uint8(r.num("ipv6.hlim")),
		Protocol:       uint8(r.num("ipv6.nxt")),
		FragmentOffset: int(r.num("ipv6.fraghdr.offset")) * 8,
		MoreFragments:  r.num("ipv6.fraghdr.more") != 0,
	}
	for _, ext := range l.Fields {
		for _, f := range ext.Fields {
			if strings.HasSuffix(f.Name, ".nxt") || f.Name == "ah.next_header" {
				ev.IP.Protocol = r.b[f.Offset] // the header after this extension header
			}
		}
	}
}

// tcp reads a TCP header and its options.
func (r reader) tcp(ev *Event, l dissect.Layer) {
	ev.TCP = TCP{
		Seq:       uint32(r.num("tcp.seq_raw")),
		Ack:       uint32(r.num("tcp.ack_raw")),
		Flags:     TCPFlag(r.num("tcp.flags")),
		Window:    uint16(r.num("tcp.window_size_value")),
		Urgent:    uint16(r.num("tcp.urgent_pointer")),
		HeaderLen: l.Length,
	}
	o := &ev.TCP.Options
	o.MSS = uint16(r.num("tcp.options.mss_val"))
	o.WindowScale, o.HasWindowScale = uint8(r.num("tcp.options.wscale.shift")), r.has("tcp.options.wscale.shift")
	o.SACKPermitted = r.has("tcp.options.sack_perm")
	if r.has("tcp.options.timestamp.tsval") {
		o.Timestamps = true
		o.TSVal, o.TSEcr = uint32(r.num("tcp.options.timestamp.tsval")), uint32(r.num("tcp.options.timestamp.tsecr"))
	}
	for _, f := range l.Fields {
		if f.Name != "tcp.options" {
			continue
		}
		for _, opt := range f.Fields {
			switch opt.Name {
			case "tcp.options.sack":
				for i := 0; i+1 < len(opt.Fields); i++ {
					if le, re := opt.Fields[i], opt.Fields[i+1]; le.Name == "tcp.options.sack_le" && re.Name == "tcp.options.sack_re" {
						o.SACK = append(o.SACK, SACKBlock{
							binary.BigEndian.Uint32(r.b[le.Offset:]), binary.BigEndian.Uint32(r.b[re.Offset:]),
						})
					}
				}
			case "tcp.options.unknown":
				o.Other = append(o.Other, r.b[opt.Offset])
			}
		}
	}
	ev.Src = netip.AddrPortFrom(ev.IP.Src, uint16(r.num("tcp.srcport")))
	ev.Dst = netip.AddrPortFrom(ev.IP.Dst, uint16(r.num("tcp.dstport")))
	ev.Kind = KindTCP
}

// udp reads a UDP header.
func (r reader) udp(ev *Event) {
	ev.UDP = UDP{Length: uint16(r.num("udp.length"))}
	ev.Src = netip.AddrPortFrom(ev.IP.Src, uint16(r.num("udp.srcport")))
	ev.Dst = netip.AddrPortFrom(ev.IP.Dst, uint16(r.num("udp.dstport")))
	ev.Kind = KindUDP
}

// DecodeFrame decodes a captured frame (see Decode) and stamps the Event
// with the frame's time and its length on the wire.
func DecodeFrame(f pcap.Frame) (Event, error) {
	ev, err := Decode(f.Data)
	ev.Time = f.Time
	ev.FrameLen = f.WireLen()
	return ev, err
}

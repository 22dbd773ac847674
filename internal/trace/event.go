package trace

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/upcase/upcase/internal/dissect"
)

// Kind says how far an Event could be decoded, and so which of its fields
// hold something.
type Kind uint8

// The kinds of Event.
const (
	// KindOther is a frame decoded only as far as its link layer (an
	// EtherType this package does not know) or its IP header (a protocol
	// other than TCP and UDP, or a fragment, whose payload is data).
	KindOther Kind = iota
	// KindARP is an ARP request or reply: Event.ARP is set.
	KindARP
	// KindTCP is a TCP segment: Event.IP, Src, Dst, TCP and Payload are set.
	KindTCP
	// KindUDP is a UDP datagram: Event.IP, Src, Dst, UDP and Payload are set.
	KindUDP
)

// String returns "other", "ARP", "TCP" or "UDP".
func (k Kind) String() string {
	switch k {
	case KindARP:
		return "ARP"
	case KindTCP:
		return "TCP"
	case KindUDP:
		return "UDP"
	}
	return "other"
}

// Event is one decoded frame. Decode fills it; DecodeFrame also sets Time
// and FrameLen from the captured frame. Payload aliases the decoded bytes:
// copy it to keep it beyond the life of the frame's buffer.
type Event struct {
	// Time is when the frame was captured.
	Time time.Time
	// Kind says which of the fields below are set.
	Kind Kind
	// Link is the Ethernet II header, always set.
	Link Link
	// ARP is the ARP message of a KindARP event.
	ARP ARP
	// IP is the IPv4 or IPv6 header of a TCP, UDP or other IP event.
	IP IP
	// Src and Dst are the endpoints of a TCP or UDP event.
	Src, Dst netip.AddrPort
	// TCP is the header of a KindTCP event.
	TCP TCP
	// UDP is the header of a KindUDP event.
	UDP UDP
	// Payload is what a TCP segment or UDP datagram carries.
	Payload []byte
	// Data are the frame's bytes, from the Ethernet header on.
	Data []byte
	// Frame is the frame dissected into layers and fields, each with its
	// Wireshark name and its place in Data: what the views show byte by
	// byte. The fields above are read from it.
	Frame dissect.Frame
	// FrameLen is the frame's length in bytes as captured: the 14-byte
	// Ethernet header and what it carries, without the 4-byte FCS that the
	// network card adds and strips (zero when not known).
	FrameLen int
}

// String gives the event on one line, in the spirit of tcpdump:
//
//	TCP 127.0.0.1:40312 > 127.0.0.1:8080 [SYN] seq=1 win=65495 len=0 <MSS 65495, SACK permitted, wscale 7, timestamps>
//	UDP 127.0.0.1:40312 > 127.0.0.1:8080 len=5
//	ARP request who-has 10.0.0.2 tell 10.0.0.1 (02:00:00:00:00:01)
func (e Event) String() string {
	switch e.Kind {
	case KindTCP:
		var b strings.Builder
		fmt.Fprintf(&b, "TCP %s > %s [%s] seq=%d", e.Src, e.Dst, e.TCP.Flags, e.TCP.Seq)
		if e.TCP.Flags.Has(FlagACK) {
			fmt.Fprintf(&b, " ack=%d", e.TCP.Ack)
		}
		fmt.Fprintf(&b, " win=%d len=%d", e.TCP.Window, len(e.Payload))
		if o := e.TCP.Options.String(); o != "" {
			fmt.Fprintf(&b, " <%s>", o)
		}
		return b.String()
	case KindUDP:
		return fmt.Sprintf("UDP %s > %s len=%d", e.Src, e.Dst, len(e.Payload))
	case KindARP:
		return e.ARP.String()
	}
	if e.IP.Version != 0 {
		return fmt.Sprintf("IPv%d %s > %s proto %d", e.IP.Version, e.IP.Src, e.IP.Dst, e.IP.Protocol)
	}
	return e.Link.String()
}

// IP is the part of an IPv4 or IPv6 header a learner is shown.
type IP struct {
	// Version is 4 or 6.
	Version uint8
	// Src and Dst are the source and destination addresses.
	Src, Dst netip.Addr
	// HeaderLen is the header's length in bytes: 20 plus options for IPv4,
	// 40 plus the extension headers skipped for IPv6.
	HeaderLen int
	// TotalLen is the packet's length in bytes, header included (IPv4's
	// total length; 40 plus the payload length for IPv6).
	TotalLen int
	// TTL is IPv4's time to live or IPv6's hop limit.
	TTL uint8
	// Protocol is the upper-layer protocol (6 TCP, 17 UDP); for IPv6 it is
	// the next header after the extension headers.
	Protocol uint8
	// ID is IPv4's identification field (zero for IPv6).
	ID uint16
	// DontFragment is IPv4's DF bit.
	DontFragment bool
	// FragmentOffset is the offset in bytes of a fragment; only the first
	// fragment (offset 0) carries the TCP or UDP header.
	FragmentOffset int
	// MoreFragments is the MF bit (IPv4) or M flag (IPv6 fragment header).
	MoreFragments bool
}

// UDP is a UDP header; the ports are in Event.Src and Event.Dst.
type UDP struct {
	// Length is the UDP length field: 8 plus the payload's length.
	Length uint16
}

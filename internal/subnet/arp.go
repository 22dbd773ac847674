package subnet

import (
	"net/netip"
	"slices"

	"github.com/upcase/upcase/internal/lang"
)

// BroadcastMAC is the Ethernet broadcast address: every interface on the
// link reads a frame sent to it. ARP requests and IPv4 broadcasts go there.
// It is written in lower case, as the kernel, tcpdump and net.HardwareAddr
// write MACs.
const BroadcastMAC = "ff:ff:ff:ff:ff:ff"

// Frame is one row of the lesson's tables: the addresses a frame carries.
// MACs are symbolic ("MAC of A") where the arithmetic knows no real one, and
// real where it does (the broadcast MAC, a multicast group's MAC).
type Frame struct {
	What   string `json:"what"`
	SrcMAC string `json:"src_mac"`
	DstMAC string `json:"dst_mac"`
	SrcIP  string `json:"src_ip"`
	DstIP  string `json:"dst_ip"`

	role   frameRole // what the frame is for; What says it in words
	target string    // for a request: the IP whose MAC is asked for

	// The addresses the arithmetic cannot know, named in words ("MAC of A")
	// in the Path's language: SrcMAC, DstMAC and DstIP are set from them.
	srcMAC, dstMAC, dstIP symbol
	arg                   string // the address a symbol names: the gateway, or the solicited-node group
}

// symbol is an address named in words, not known as a number.
type symbol int

const (
	noSymbol       symbol = iota
	macOfA                // MAC of A
	macOfB                // MAC of B
	gatewaysIP            // the gateway's IP, none given
	gatewaysMAC           // the gateway's MAC, none given
	macOfGatewayX         // MAC of gateway 192.168.1.1
	solicitedNodeX        // ff02::1:ff00:2 (solicited-node multicast)
)

// frameRole is what a frame is for.
type frameRole int

const (
	askRole       frameRole = iota // ARP request or NDP neighbor solicitation
	toHostRole                     // the data, to B's MAC
	toGatewayRole                  // the data, to the gateway's MAC
	broadcastRole                  // the data, to ff:ff:ff:ff:ff:ff
	multicastRole                  // the data, to the group's MAC
)

// Delivery is the kind of destination B is, which decides the frame: one
// host (ask for a MAC first), every host on the link, a group, or no frame
// at all.
type Delivery string

// The deliveries. Only Unicast asks for a MAC (ARP, or NDP for IPv6): the
// others know their destination MAC, or need none.
const (
	// Unicast is one host: ARP asks for its MAC if it is on A's subnet,
	// otherwise for the gateway's.
	Unicast Delivery = "unicast"
	// Broadcast is every host on A's link: A's subnet's broadcast address,
	// or 255.255.255.255. One frame to BroadcastMAC; no router forwards it.
	Broadcast Delivery = "broadcast"
	// Multicast is a group: the MAC is computed from the group's address
	// (01:00:5e:..., 33:33:...), and multicast routing, not the gateway's
	// unicast path, takes it to other links.
	Multicast Delivery = "multicast"
	// Loopback never leaves the host: the loopback interface carries no
	// Ethernet header, so there is no frame and no ARP.
	Loopback Delivery = "loopback"
)

// Reach is how far a packet goes.
type Reach string

// The reaches.
const (
	HostReach   Reach = "host"   // never leaves this machine
	LinkReach   Reach = "link"   // A's link only: no router passes it on
	RoutedReach Reach = "routed" // may cross routers (the gateway, or multicast routing)
)

// Path is the decision a host makes before sending to another: what kind of
// destination it is, whether it is on its own subnet, and whose MAC (if
// anyone's) it must learn. The English (What, Notes) comes from text.go.
type Path struct {
	Source      string   `json:"source"`              // A, as A/len
	Network     string   `json:"network"`             // A's network
	Destination string   `json:"destination"`         // B
	DestNetwork string   `json:"destination_network"` // B's network under A's mask
	SameSubnet  bool     `json:"same_subnet"`         // the arithmetic: B's network under A's mask is A's
	Delivery    Delivery `json:"delivery"`
	Reach       Reach    `json:"reach"`
	ViaGateway  bool     `json:"via_gateway"` // the frame goes to the gateway's MAC
	Gateway     string   `json:"gateway,omitempty"`
	AskFor      string   `json:"ask_for,omitempty"`  // the IP whose MAC is asked for, "gateway" when none is known, absent when no one is asked
	Protocol    string   `json:"protocol,omitempty"` // "ARP" or "NDP" (IPv6), when someone is asked
	Frames      []Frame  `json:"frames"`             // in order; empty, never null, when nothing goes on the wire
	Notes       []string `json:"notes,omitempty"`

	why   reason // the case, for the words
	group string // the multicast group's MAC, for the words
	ipv6  bool
	lang  lang.Lang // of What, Notes and the symbolic addresses
}

// reason is which of the cases Decide found.
type reason int

const (
	sameSubnet reason = iota
	otherSubnet
	toItself           // B is A
	toLoopback         // 127.0.0.0/8, ::1
	limitedBroadcast   // 255.255.255.255
	directedBroadcast  // A's subnet's broadcast address
	linkMulticast      // 224.0.0.0/24, ff02::/16
	interfaceMulticast // ff01::/16
	routedMulticast    // any other group
)

// Decide works out how a (with its prefix) reaches b, through gw when b is
// a unicast host on another subnet. gw may be the zero Addr: then the path
// says a gateway is needed. It fails if the families differ, if gw is not a
// host on a's subnet, or if a is not an address a host can have (see
// checkHost).
func Decide(a netip.Prefix, b, gw netip.Addr) (Path, error) {
	if a.Addr().Is4() != b.Is4() {
		return Path{}, errFamilies(a.Addr(), b)
	}
	if err := checkHost(a); err != nil {
		return Path{}, err
	}
	netw := a.Masked()
	p := Path{
		Source:      a.String(),
		Network:     netw.String(),
		Destination: b.String(),
		DestNetwork: netip.PrefixFrom(b, a.Bits()).Masked().String(),
		SameSubnet:  netw.Contains(b),
		Frames:      []Frame{},
		ipv6:        a.Addr().Is6(),
	}
	if gw.IsValid() {
		if err := checkGateway(a, gw); err != nil {
			return Path{}, err
		}
		p.Gateway = gw.String()
	}
	p.why = classify(a, b)
	src, dst := a.Addr().String(), b.String()
	switch p.why {
	case toItself, toLoopback, interfaceMulticast:
		p.Delivery, p.Reach = Loopback, HostReach
		if p.why == interfaceMulticast {
			p.Delivery = Multicast
		}
	case limitedBroadcast, directedBroadcast:
		p.Delivery, p.Reach = Broadcast, LinkReach
		p.Frames = append(p.Frames, Frame{srcMAC: macOfA, DstMAC: BroadcastMAC, SrcIP: src, DstIP: dst, role: broadcastRole})
	case linkMulticast, routedMulticast:
		p.Delivery, p.Reach = Multicast, LinkReach
		if p.why == routedMulticast {
			p.Reach = RoutedReach
		}
		p.group = multicastMAC(b)
		p.Frames = append(p.Frames, Frame{srcMAC: macOfA, DstMAC: p.group, SrcIP: src, DstIP: dst, role: multicastRole})
	case sameSubnet:
		p.Delivery, p.Reach = Unicast, LinkReach
		p.AskFor = dst
		p.Frames = append(p.Frames, p.request(src, dst), Frame{srcMAC: macOfA, dstMAC: macOfB, SrcIP: src, DstIP: dst, role: toHostRole})
	default: // otherSubnet
		p.Delivery, p.Reach, p.ViaGateway = Unicast, RoutedReach, true
		ask := p.request(src, "") // asking for a gateway not named
		if !p.ipv6 {
			ask.dstIP = gatewaysIP
		}
		data := Frame{srcMAC: macOfA, dstMAC: gatewaysMAC, SrcIP: src, DstIP: dst, role: toGatewayRole}
		p.AskFor = "gateway"
		if gw.IsValid() {
			ask = p.request(src, gw.String())
			data.dstMAC, data.arg = macOfGatewayX, gw.String()
			p.AskFor = gw.String()
		}
		p.Frames = append(p.Frames, ask, data)
	}
	if p.AskFor != "" {
		p.Protocol = "ARP"
		if p.ipv6 {
			p.Protocol = "NDP"
		}
	}
	p.explain(lang.English)
	return p, nil
}

// In is p with its words (What, Notes, the symbolic addresses) in l.
func (p Path) In(l lang.Lang) Path {
	p.Frames = slices.Clone(p.Frames)
	p.explain(l)
	return p
}

// classify says which case b is, seen from a. Order matters: an address
// that never leaves the host wins over everything, and A's subnet's
// broadcast address over the arithmetic that puts it on A's subnet.
func classify(a netip.Prefix, b netip.Addr) reason {
	switch {
	case b == a.Addr():
		return toItself
	case b.IsLoopback():
		return toLoopback
	case b.IsInterfaceLocalMulticast():
		return interfaceMulticast
	case b == limitedBroadcastAddr:
		return limitedBroadcast
	case b.Is4() && hasBroadcast(a) && b == broadcastOf(a):
		return directedBroadcast
	case b.IsLinkLocalMulticast():
		return linkMulticast
	case b.IsMulticast():
		return routedMulticast
	case a.Masked().Contains(b):
		return sameSubnet
	}
	return otherSubnet
}

// request is the frame that asks for target's MAC: ARP's broadcast, or
// IPv6's neighbor solicitation to the solicited-node multicast group
// (ff02::1:ffXX:XXXX, whose MAC is 33:33:ff:XX:XX:XX).
func (p Path) request(src, target string) Frame {
	f := Frame{srcMAC: macOfA, DstMAC: BroadcastMAC, SrcIP: src, DstIP: target, role: askRole, target: target}
	if !p.ipv6 {
		return f
	}
	f.DstMAC, f.DstIP = "33:33:ff:..:..:..", "ff02::1:ff..:...."
	if t, err := netip.ParseAddr(target); err == nil {
		b := t.As16()
		sn := netip.AddrFrom16([16]byte{0: 0xff, 1: 0x02, 11: 0x01, 12: 0xff, 13: b[13], 14: b[14], 15: b[15]})
		f.DstMAC = multicastMAC(sn)
		f.dstIP, f.arg = solicitedNodeX, sn.String()
	}
	return f
}

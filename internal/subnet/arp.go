package subnet

import (
	"fmt"
	"io"
	"net/netip"
	"text/tabwriter"
)

// BroadcastMAC is the Ethernet broadcast address an ARP request is sent to.
const BroadcastMAC = "FF:FF:FF:FF:FF:FF"

// Frame is one row of the lesson's tables: the addresses a frame carries.
// MACs are symbolic ("MAC of A"): the arithmetic knows no real ones.
type Frame struct {
	What   string `json:"what"`
	SrcMAC string `json:"src_mac"`
	DstMAC string `json:"dst_mac"`
	SrcIP  string `json:"src_ip"`
	DstIP  string `json:"dst_ip"`
}

// Path is the decision a host makes before sending to another: is the
// destination on its own subnet, and whose MAC must it learn?
type Path struct {
	Source      string   `json:"source"`              // A, as A/len
	Network     string   `json:"network"`             // A's network
	Destination string   `json:"destination"`         // B
	DestNetwork string   `json:"destination_network"` // B's network under A's mask
	SameSubnet  bool     `json:"same_subnet"`
	Gateway     string   `json:"gateway,omitempty"`
	AskFor      string   `json:"ask_for"`  // the IP whose MAC is asked for, or "gateway" when none is known
	Protocol    string   `json:"protocol"` // "ARP" or "NDP" (IPv6)
	Frames      []Frame  `json:"frames"`
	Notes       []string `json:"notes,omitempty"`
}

// Decide works out how a (with its prefix) reaches b, through gw when b is
// on another subnet. gw may be the zero Addr: then the path says a gateway
// is needed. It fails if the families differ or gw is not on a's subnet.
func Decide(a netip.Prefix, b, gw netip.Addr) (Path, error) {
	if a.Addr().Is4() != b.Is4() {
		return Path{}, fmt.Errorf("%s and %s are not both IPv4 or both IPv6", a.Addr(), b)
	}
	netw := a.Masked()
	bNet := netip.PrefixFrom(b, a.Bits()).Masked()
	p := Path{
		Source:      a.String(),
		Network:     netw.String(),
		Destination: b.String(),
		DestNetwork: bNet.String(),
		SameSubnet:  netw.Contains(b),
		Protocol:    "ARP",
	}
	if a.Addr().Is6() {
		p.Protocol = "NDP"
	}
	if gw.IsValid() {
		if gw.Is4() != a.Addr().Is4() {
			return Path{}, fmt.Errorf("gateway %s is not the same IP version as %s", gw, a.Addr())
		}
		if !netw.Contains(gw) {
			return Path{}, fmt.Errorf("gateway %s is not on %s's subnet %s: %s could not reach it either; a gateway must be on the sender's own subnet", gw, a.Addr(), netw, a.Addr())
		}
		if gw == a.Addr() {
			return Path{}, fmt.Errorf("gateway %s is %s itself", gw, a.Addr())
		}
		p.Gateway = gw.String()
	}
	src := a.Addr().String()
	dst := b.String()
	switch {
	case b == a.Addr():
		p.Notes = append(p.Notes, "the destination is the source itself: the packet goes through loopback, no frame at all")
	case p.SameSubnet:
		p.AskFor = dst
		p.Frames = []Frame{
			p.request("MAC of A", src, dst),
			{What: "the data, once B has answered with its MAC", SrcMAC: "MAC of A", DstMAC: "MAC of B", SrcIP: src, DstIP: dst},
		}
		if gw.IsValid() {
			p.Notes = append(p.Notes, fmt.Sprintf("the gateway %s is not used: %s is on the same subnet", gw, dst))
		}
	default:
		gwIP, gwMAC := "gateway's IP", "gateway's MAC"
		p.AskFor = "gateway"
		if gw.IsValid() {
			gwIP, gwMAC = gw.String(), "MAC of gateway "+gw.String()
			p.AskFor = gwIP
		} else {
			p.Notes = append(p.Notes, fmt.Sprintf("%s is on another subnet: %s needs a gateway (a router on %s) to reach it; name it with --gateway", dst, src, netw))
		}
		p.Frames = []Frame{
			p.request("MAC of A", src, gwIP),
			{What: "the data, once the gateway has answered: the gateway's MAC, B's IP", SrcMAC: "MAC of A", DstMAC: gwMAC, SrcIP: src, DstIP: dst},
		}
		p.Notes = append(p.Notes, "the router then sends it on with new MAC addresses on each link; the IP addresses stay the same")
	}
	return p, nil
}

// request is the frame that asks for target's MAC: ARP's broadcast, or
// IPv6's neighbor solicitation to the solicited-node multicast group.
func (p Path) request(srcMAC, src, target string) Frame {
	if p.Protocol == "NDP" {
		f := Frame{What: "NDP neighbor solicitation: who has " + target + "? (IPv6 has no ARP)", SrcMAC: srcMAC, DstMAC: "33:33:FF:..:..:..", SrcIP: src, DstIP: "ff02::1:ff..:...."}
		if t, err := netip.ParseAddr(target); err == nil {
			b := t.As16()
			f.DstMAC = fmt.Sprintf("33:33:FF:%02X:%02X:%02X", b[13], b[14], b[15])
			sn := netip.AddrFrom16([16]byte{0: 0xff, 1: 0x02, 11: 0x01, 12: 0xff, 13: b[13], 14: b[14], 15: b[15]})
			f.DstIP = sn.String() + " (solicited-node multicast)"
		}
		return f
	}
	return Frame{What: "ARP request, broadcast: who has " + target + "? tell " + src, SrcMAC: srcMAC, DstMAC: BroadcastMAC, SrcIP: src, DstIP: target}
}

// WriteText writes the decision and its frames as the lesson's tables.
func (p Path) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "A  %s  network %s\n", p.Source, p.Network)
	fmt.Fprintf(w, "B  %s  under A's mask: network %s\n", p.Destination, p.DestNetwork)
	if len(p.Frames) == 0 {
		for _, n := range p.Notes {
			fmt.Fprintln(w, "note: "+n)
		}
		return nil
	}
	if p.SameSubnet {
		fmt.Fprintf(w, "same subnet: A sends straight to B, so %s asks for B's MAC\n", p.Protocol)
	} else {
		who := "the gateway's"
		if p.Gateway != "" {
			who = "the gateway " + p.Gateway + "'s"
		}
		fmt.Fprintf(w, "different subnets: A sends through the gateway, so %s asks for %s MAC, not B's\n", p.Protocol, who)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "  case\tdestination MAC\tdestination IP")
	mark := func(same bool) string {
		if same == p.SameSubnet {
			return "  <- this one"
		}
		return ""
	}
	fmt.Fprintf(tw, "  same subnet\tthe target host's MAC\tthe target host's IP%s\n", mark(true))
	fmt.Fprintf(tw, "  different subnet\tthe gateway's MAC\tthe target host's IP%s\n", mark(false))
	if err := tw.Flush(); err != nil {
		return err
	}
	for i, f := range p.Frames {
		fmt.Fprintf(w, "\n%d. %s\n", i+1, f.What)
		tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
		fmt.Fprintln(tw, "  source MAC\tdestination MAC\tsource IP\tdestination IP\tdata")
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", f.SrcMAC, f.DstMAC, f.SrcIP, f.DstIP, data(i))
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(p.Notes) > 0 {
		fmt.Fprintln(w)
	}
	for _, n := range p.Notes {
		fmt.Fprintln(w, "note: "+n)
	}
	return nil
}

func data(i int) string {
	if i == 0 {
		return "(the question)"
	}
	return "data"
}

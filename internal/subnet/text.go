package subnet

import (
	"fmt"
	"io"
	"net/netip"
	"strings"
	"text/tabwriter"
)

// WriteText writes in for a learner: the address in its forms, the mask in
// both notations, the AND bit by bit, and the range.
func (in Info) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, v) }
	if in.Version == 4 {
		row("address", in.Address)
		row("  binary", in.Binary)
		row("  integer", in.Integer)
		row("mask", fmt.Sprintf("%s = /%d", in.Mask, in.PrefixLen))
		row("  binary", fmt.Sprintf("%s (%s, then %s)", in.MaskBin, plural(in.PrefixLen, "one"), plural(in.HostBits, "zero")))
	} else {
		row("address", in.Address)
		row("  expanded", in.Expanded)
		row("  integer", in.Integer)
		row("prefix", fmt.Sprintf("/%d (mask %s)", in.PrefixLen, in.Mask))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	addr, mask, net := in.Binary, in.MaskBin, in.NetBin
	if in.Version == 4 {
		fmt.Fprintln(w, "network = address AND mask, bit by bit (1 only where both are 1):")
	} else {
		// 128 bits do not fit a line: hex, each digit 4 bits (f = 1111).
		fmt.Fprintln(w, "network = address AND mask, bit by bit, in hex (each digit is 4 bits; f = 1111):")
		addr, mask, net = in.Expanded, in.Mask, expand(in.Network)
	}
	bar := strings.Map(func(r rune) rune {
		if r == '.' || r == ':' {
			return r
		}
		return '-'
	}, addr)
	tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "  address\t%s\t%s\n", addr, in.Address)
	if in.Version == 4 {
		fmt.Fprintf(tw, "  AND mask\t%s\t%s\n", mask, in.Mask)
	} else {
		fmt.Fprintf(tw, "  AND mask\t%s\t/%d\n", mask, in.PrefixLen)
	}
	fmt.Fprintf(tw, "  \t%s\n", bar)
	fmt.Fprintf(tw, "  network\t%s\t%s\n", net, in.Network)
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	row = func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, v) }
	row("network", in.CIDR)
	if in.Broadcast != "" {
		row("broadcast", in.Broadcast+" (host bits all 1)")
	}
	row("first host", in.FirstHost)
	row("last host", in.LastHost)
	if in.Version == 4 {
		hosts := in.Hosts
		if in.PrefixLen < 31 {
			hosts = fmt.Sprintf("%s (2^%d = %s addresses, minus network and broadcast)", in.Hosts, in.HostBits, in.Addresses)
		}
		row("hosts", hosts)
		row("kind", in.KindNote)
		row("class", fmt.Sprintf("%s (historic, before CIDR; the mask decides the network now)", in.Classful))
	} else {
		row("addresses", in.Addresses)
		row("kind", in.KindNote)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range in.Notes {
		fmt.Fprintln(w, "note: "+n)
	}
	return nil
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func expand(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	return a.StringExpanded()
}

// The English of the ARP decision follows: every sentence a Path carries
// or prints, and Decide's errors, so that a translation touches this file
// only.

// The symbolic addresses in the frames: the arithmetic knows no real MACs.
const (
	macOfA      = "MAC of A"
	macOfB      = "MAC of B"
	gatewaysIP  = "gateway's IP"
	gatewaysMAC = "gateway's MAC"
)

func macOfGateway(gw string) string { return "MAC of gateway " + gw }

func solicitedNode(addr string) string { return addr + " (solicited-node multicast)" }

// explain writes p's frames' What and p's Notes from the facts Decide found.
func (p *Path) explain() {
	for i := range p.Frames {
		p.Frames[i].What = p.frameWhat(p.Frames[i])
	}
	dst := p.Destination
	add := func(format string, args ...any) { p.Notes = append(p.Notes, fmt.Sprintf(format, args...)) }
	if p.Gateway != "" && !p.ViaGateway {
		if p.why == sameSubnet {
			add("the gateway %s is not used: %s is on the same subnet", p.Gateway, dst)
		} else {
			add("the gateway %s is not used: it carries unicast to other subnets only", p.Gateway)
		}
	}
	switch p.why {
	case toItself:
		add("the destination is A itself: the kernel hands the packet back through loopback")
	case toLoopback:
		add("%s is a loopback address: the loopback interface has no Ethernet header, so there are no MAC addresses to ask for", dst)
	case interfaceMulticast:
		add("%s is interface-local multicast (ff01::/16): its group is on this machine only", dst)
	case limitedBroadcast:
		add("255.255.255.255 is the limited broadcast: every host on this link reads it, whatever its subnet; no router forwards it, so it never leaves the link and never goes through the gateway")
	case directedBroadcast:
		add("%s is the broadcast address of A's subnet %s (host bits all 1): every host on the subnet reads the one frame; it stays on the link, the gateway does not send it on", dst, p.Network)
	case linkMulticast, routedMulticast:
		if p.ipv6 {
			add("the destination MAC is 33:33 followed by the group's low 32 bits: for %s, %s", dst, p.group)
		} else {
			add("the destination MAC is 01:00:5e followed by the group's low 23 bits: for %s, %s", dst, p.group)
		}
		switch {
		case p.why == linkMulticast && p.ipv6:
			add("%s is link-local multicast (ff02::/16): no router forwards it, it never leaves the link", dst)
		case p.why == linkMulticast:
			add("%s is link-local multicast (224.0.0.0/24): no router forwards it, it never leaves the link", dst)
		case p.ipv6:
			add("%s is a multicast group: on this link the hosts that joined it read the frame; other links get it from multicast routing (routers that learned through MLD where members are), not through the default gateway's unicast path", dst)
		default:
			add("%s is a multicast group: on this link the hosts that joined it read the frame; other links get it from multicast routing (routers that learned through IGMP where members are), not through the default gateway's unicast path", dst)
		}
	case otherSubnet:
		if p.Gateway == "" {
			add("%s is on another subnet: %s needs a gateway (a router on %s) to reach it; name it with --gateway", dst, p.Frames[0].SrcIP, p.Network)
		}
		add("the router then sends it on with new MAC addresses on each link; the IP addresses stay the same")
	}
}

// frameWhat is one line saying what f is for.
func (p *Path) frameWhat(f Frame) string {
	switch f.role {
	case askRole:
		if p.ipv6 {
			return "NDP neighbor solicitation: who has " + f.target + "? (IPv6 has no ARP)"
		}
		return "ARP request, broadcast: who has " + f.target + "? tell " + f.SrcIP
	case toHostRole:
		return "the data, once B has answered with its MAC"
	case toGatewayRole:
		return "the data, once the gateway has answered: the gateway's MAC, B's IP"
	case broadcastRole:
		return "the data, broadcast: every host on the link reads it (no ARP: the broadcast MAC is known)"
	}
	return "the data, to the group: the hosts that joined it read it (no " + p.resolver() + ": the MAC comes from the group's address)"
}

// WriteText writes the decision and its frames as the lesson's tables.
func (p Path) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "A  %s  network %s\n", p.Source, p.Network)
	fmt.Fprintf(w, "B  %s  under A's mask: network %s\n", p.Destination, p.DestNetwork)
	switch {
	case p.Reach == HostReach:
		fmt.Fprintf(w, "loopback: the packet never leaves this machine, so there is no frame and no %s\n", p.resolver())
	case p.Delivery == Broadcast:
		fmt.Fprintf(w, "broadcast: one frame to every host on the link, to %s; no %s, no gateway\n", BroadcastMAC, p.resolver())
	case p.Delivery == Multicast:
		fmt.Fprintf(w, "multicast: one frame to the group's MAC %s; no %s, no gateway\n", p.group, p.resolver())
	case p.SameSubnet:
		fmt.Fprintf(w, "same subnet: A sends straight to B, so %s asks for B's MAC\n", p.Protocol)
	default:
		who := "the gateway's"
		if p.Gateway != "" {
			who = "the gateway " + p.Gateway + "'s"
		}
		fmt.Fprintf(w, "different subnets: A sends through the gateway, so %s asks for %s MAC, not B's\n", p.Protocol, who)
	}
	if len(p.Frames) > 0 {
		if err := p.writeTables(w); err != nil {
			return err
		}
		if len(p.Notes) > 0 {
			fmt.Fprintln(w)
		}
	}
	for _, n := range p.Notes {
		fmt.Fprintln(w, "note: "+n)
	}
	return nil
}

// writeTables writes the lesson's table of cases, this one marked, and a
// table for each frame.
func (p Path) writeTables(w io.Writer) error {
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "  case\tdestination MAC\tdestination IP")
	mark := func(this bool) string {
		if this {
			return "  <- this one"
		}
		return ""
	}
	unicast := p.Delivery == Unicast
	fmt.Fprintf(tw, "  same subnet\tthe target host's MAC\tthe target host's IP%s\n", mark(unicast && !p.ViaGateway))
	fmt.Fprintf(tw, "  different subnet\tthe gateway's MAC\tthe target host's IP%s\n", mark(unicast && p.ViaGateway))
	switch {
	case p.Delivery == Broadcast:
		fmt.Fprintf(tw, "  broadcast\t%s\tthe broadcast address%s\n", BroadcastMAC, mark(true))
	case p.Delivery == Multicast && p.ipv6:
		fmt.Fprintf(tw, "  multicast\t33:33 + the group's low 32 bits\tthe group's address%s\n", mark(true))
	case p.Delivery == Multicast:
		fmt.Fprintf(tw, "  multicast\t01:00:5e + the group's low 23 bits\tthe group's address%s\n", mark(true))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for i, f := range p.Frames {
		fmt.Fprintf(w, "\n%d. %s\n", i+1, f.What)
		tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
		data := "data"
		if f.role == askRole {
			data = "(the question)"
		}
		fmt.Fprintln(tw, "  source MAC\tdestination MAC\tsource IP\tdestination IP\tdata")
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", f.SrcMAC, f.DstMAC, f.SrcIP, f.DstIP, data)
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// resolver is the protocol that would ask for a MAC: ARP, or NDP for IPv6.
func (p Path) resolver() string {
	if p.ipv6 {
		return "NDP"
	}
	return "ARP"
}

func errFamilies(a, b netip.Addr) error {
	return fmt.Errorf("%s and %s are not both IPv4 or both IPv6", a, b)
}

func errGatewayFamily(gw, a netip.Addr) error {
	return fmt.Errorf("gateway %s is not the same IP version as %s", gw, a)
}

func errGatewayOffSubnet(gw, a netip.Addr, netw netip.Prefix) error {
	return fmt.Errorf("gateway %s is not on %s's subnet %s: %s could not reach it either; a gateway must be on the sender's own subnet", gw, a, netw, a)
}

func errGatewayIsA(gw netip.Addr) error {
	return fmt.Errorf("gateway %s is %s itself", gw, gw)
}

func errNotAHost(a netip.Prefix, why hostProblem) error {
	return fmt.Errorf("%s: %s", a, notAHostText(a.Addr(), a, why))
}

func errGatewayNotAHost(gw netip.Addr, a netip.Prefix, why hostProblem) error {
	return fmt.Errorf("gateway %s", notAHostText(gw, a, why))
}

// notAHostText says why addr, on p's subnet, is no host's address, and
// which addresses are.
func notAHostText(addr netip.Addr, p netip.Prefix, why hostProblem) string {
	switch why {
	case isGroup:
		return fmt.Sprintf("%s is a multicast group, not a host's address: a packet comes from one host, never from a group", addr)
	case isLimitedBroadcast:
		return fmt.Sprintf("%s is the limited broadcast address (every host on the link), not a host's address", addr)
	}
	netw := p.Masked()
	hosts := fmt.Sprintf("; a host on %s has one of %s to %s", netw, netw.Addr().Next(), broadcastOf(p).Prev())
	if why == isNetwork {
		return fmt.Sprintf("%s is the network address of %s (host bits all 0), not a host's address%s", addr, netw, hosts)
	}
	return fmt.Sprintf("%s is the broadcast address of %s (host bits all 1), not a host's address%s", addr, netw, hosts)
}

// networkAddrNote and broadcastAddrNote flag, in Describe, an address that
// is its subnet's network or broadcast address: a fair thing to ask about,
// but no host's address.
func networkAddrNote(addr string) string {
	return addr + " is the network address itself (host bits all 0): it names the subnet, and no host may have it"
}

func broadcastAddrNote(addr string) string {
	return addr + " is the broadcast address itself (host bits all 1): a packet to it reaches every host on the subnet, and no host may have it"
}

package subnet

import (
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/upcase/upcase/internal/lang"
)

// WriteText writes in for a learner, in its language (see In): the
// address in its forms, the mask in both notations, the AND bit by bit,
// and the range.
func (in Info) WriteText(w io.Writer) error {
	l, m := in.lang, &infoMsg
	var tb lang.Table
	row := func(k lang.Text, v string) { tb.Row(k.In(l) + "\t" + v) }
	if in.Version == 4 {
		row(m.Address, in.Address)
		row(m.Binary, in.Binary)
		row(m.Integer, in.Integer)
		row(m.Mask, fmt.Sprintf("%s = /%d", in.Mask, in.PrefixLen))
		row(m.Binary, m.MaskBits.F(l, in.MaskBin, count(l, in.PrefixLen, m.OneOne, m.Ones), count(l, in.HostBits, m.OneZero, m.Zeros)))
	} else {
		row(m.Address, in.Address)
		row(m.Expanded, in.Expanded)
		row(m.Integer, in.Integer)
		row(m.Prefix, m.PrefixMask.F(l, in.PrefixLen, in.Mask))
	}
	if _, err := tb.WriteTo(w); err != nil {
		return err
	}
	fmt.Fprintln(w)
	addr, mask, net := in.Binary, in.MaskBin, in.NetBin
	if in.Version == 4 {
		fmt.Fprintln(w, m.AndHeader4.In(l))
	} else {
		// 128 bits do not fit a line: hex, each digit 4 bits (f = 1111).
		fmt.Fprintln(w, m.AndHeader6.In(l))
		addr, mask, net = in.Expanded, in.Mask, expand(in.Network)
	}
	bar := strings.Map(func(r rune) rune {
		if r == '.' || r == ':' {
			return r
		}
		return '-'
	}, addr)
	tb = lang.Table{}
	tb.Row(m.AndAddress.In(l) + "\t" + addr + "\t" + in.Address)
	if in.Version == 4 {
		tb.Row(m.AndMask.In(l) + "\t" + mask + "\t" + in.Mask)
	} else {
		tb.Row(fmt.Sprintf("%s\t%s\t/%d", m.AndMask.In(l), mask, in.PrefixLen))
	}
	tb.Row("  \t" + bar)
	tb.Row(m.AndNetwork.In(l) + "\t" + net + "\t" + in.Network)
	if _, err := tb.WriteTo(w); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tb = lang.Table{}
	row(m.Network, in.CIDR)
	if in.Broadcast != "" {
		row(m.Broadcast, m.AllOnes.F(l, in.Broadcast))
	}
	row(m.FirstHost, in.FirstHost)
	row(m.LastHost, in.LastHost)
	if in.Version == 4 {
		hosts := in.Hosts
		if in.PrefixLen < 31 {
			hosts = m.HostsCount.F(l, in.Hosts, in.HostBits, in.Addresses)
		}
		row(m.Hosts, hosts)
		row(m.Kind, in.KindNote)
		row(m.Class, m.ClassNote.F(l, in.Classful))
	} else {
		row(m.Addresses, in.Addresses)
		row(m.Kind, in.KindNote)
	}
	if _, err := tb.WriteTo(w); err != nil {
		return err
	}
	writeNotes(w, l, in.Notes)
	return nil
}

// writeNotes writes each note on a line of its own, after "note: ".
func writeNotes(w io.Writer, l lang.Lang, notes []string) {
	for _, n := range notes {
		fmt.Fprintln(w, msg.Note.In(l)+n)
	}
}

// count is n things in l: one when n is 1, many otherwise.
func count(l lang.Lang, n int, one, many lang.Text) string {
	if n == 1 {
		return one.In(l)
	}
	return many.F(l, n)
}

func expand(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	return a.StringExpanded()
}

// The words of the ARP decision follow, from msg (messages.go) in the
// Path's language: every sentence a Path carries or prints.

// word is the symbolic address x in the Path's language.
func (p *Path) word(x symbol, f Frame) string {
	switch x {
	case macOfA:
		return msg.MACOfA.In(p.lang)
	case macOfB:
		return msg.MACOfB.In(p.lang)
	case gatewaysIP:
		return msg.GatewaysIP.In(p.lang)
	case gatewaysMAC:
		return msg.GatewaysMAC.In(p.lang)
	case macOfGatewayX:
		return msg.MACOfGateway.F(p.lang, f.arg)
	case solicitedNodeX:
		return msg.SolicitedNode.F(p.lang, f.arg)
	}
	return ""
}

// explain writes, in l, p's frames' What and symbolic addresses and p's
// Notes, from the facts Decide found.
func (p *Path) explain(l lang.Lang) {
	p.lang = l
	for i, f := range p.Frames {
		if f.srcMAC != noSymbol {
			p.Frames[i].SrcMAC = p.word(f.srcMAC, f)
		}
		if f.dstMAC != noSymbol {
			p.Frames[i].DstMAC = p.word(f.dstMAC, f)
		}
		if f.dstIP != noSymbol {
			p.Frames[i].DstIP = p.word(f.dstIP, f)
		}
		p.Frames[i].What = p.frameWhat(f)
	}
	dst := p.Destination
	p.Notes = nil
	add := func(t lang.Text, args ...any) { p.Notes = append(p.Notes, t.F(l, args...)) }
	if p.Gateway != "" && !p.ViaGateway {
		if p.why == sameSubnet {
			add(msg.GatewayUnusedSame, p.Gateway, dst)
		} else {
			add(msg.GatewayUnusedUnicast, p.Gateway)
		}
	}
	switch p.why {
	case toItself:
		add(msg.ToItself)
	case toLoopback:
		add(msg.ToLoopback, dst)
	case interfaceMulticast:
		add(msg.InterfaceMulticast, dst)
	case limitedBroadcast:
		add(msg.LimitedBroadcast)
	case directedBroadcast:
		add(msg.DirectedBroadcast, dst, p.Network)
	case linkMulticast, routedMulticast:
		if p.ipv6 {
			add(msg.GroupMAC6, dst, p.group)
		} else {
			add(msg.GroupMAC4, dst, p.group)
		}
		switch {
		case p.why == linkMulticast && p.ipv6:
			add(msg.LinkMulticast6, dst)
		case p.why == linkMulticast:
			add(msg.LinkMulticast4, dst)
		case p.ipv6:
			add(msg.RoutedMulticast6, dst)
		default:
			add(msg.RoutedMulticast4, dst)
		}
	case otherSubnet:
		if p.Gateway == "" {
			add(msg.NeedsGateway, dst, p.Frames[0].SrcIP, p.Network)
		}
		add(msg.RouterRewrites)
	}
}

// frameWhat is one line saying what f is for.
func (p *Path) frameWhat(f Frame) string {
	switch f.role {
	case askRole:
		target := f.target
		if target == "" {
			target = msg.GatewaysIP.In(p.lang)
		}
		if p.ipv6 {
			return msg.AskNDP.F(p.lang, target)
		}
		return msg.AskARP.F(p.lang, target, f.SrcIP)
	case toHostRole:
		return msg.ToHost.In(p.lang)
	case toGatewayRole:
		return msg.ToGateway.In(p.lang)
	case broadcastRole:
		return msg.ToBroadcast.In(p.lang)
	}
	return msg.ToGroup.F(p.lang, p.resolver())
}

// WriteText writes the decision and its frames as the lesson's tables, in
// the Path's language (see In).
func (p Path) WriteText(w io.Writer) error {
	l := p.lang
	fmt.Fprintln(w, msg.LineA.F(l, p.Source, p.Network))
	fmt.Fprintln(w, msg.LineB.F(l, p.Destination, p.DestNetwork))
	switch {
	case p.Reach == HostReach:
		fmt.Fprintln(w, msg.Loopback.F(l, p.resolver()))
	case p.Delivery == Broadcast:
		fmt.Fprintln(w, msg.BroadcastLine.F(l, BroadcastMAC, p.resolver()))
	case p.Delivery == Multicast:
		fmt.Fprintln(w, msg.MulticastLine.F(l, p.group, p.resolver()))
	case p.SameSubnet:
		fmt.Fprintln(w, msg.SameSubnetLine.F(l, p.Protocol))
	default:
		who := msg.TheGateways.In(l)
		if p.Gateway != "" {
			who = msg.TheGatewayXs.F(l, p.Gateway)
		}
		fmt.Fprintln(w, msg.OtherSubnetLine.F(l, p.Protocol, who))
	}
	if len(p.Frames) > 0 {
		if err := p.writeTables(w); err != nil {
			return err
		}
		if len(p.Notes) > 0 {
			fmt.Fprintln(w)
		}
	}
	writeNotes(w, l, p.Notes)
	return nil
}

// writeTables writes the lesson's table of cases, this one marked, and a
// table for each frame.
func (p Path) writeTables(w io.Writer) error {
	l := p.lang
	fmt.Fprintln(w)
	var tb lang.Table
	mark := func(this bool) string {
		if this {
			return msg.ThisOne.In(l)
		}
		return ""
	}
	unicast := p.Delivery == Unicast
	tb.Row(msg.CaseHeader.In(l))
	tb.Row(msg.SameSubnetRow.F(l, mark(unicast && !p.ViaGateway)))
	tb.Row(msg.OtherSubnetRow.F(l, mark(unicast && p.ViaGateway)))
	switch {
	case p.Delivery == Broadcast:
		tb.Row(msg.BroadcastRow.F(l, BroadcastMAC, mark(true)))
	case p.Delivery == Multicast && p.ipv6:
		tb.Row(msg.Multicast6Row.F(l, mark(true)))
	case p.Delivery == Multicast:
		tb.Row(msg.Multicast4Row.F(l, mark(true)))
	}
	if _, err := tb.WriteTo(w); err != nil {
		return err
	}
	for i, f := range p.Frames {
		fmt.Fprintf(w, "\n%d. %s\n", i+1, f.What)
		data := msg.Data.In(l)
		if f.role == askRole {
			data = msg.Question.In(l)
		}
		var ft lang.Table
		ft.Row(msg.FrameHeader.In(l))
		ft.Row(fmt.Sprintf("  %s\t%s\t%s\t%s\t%s", f.SrcMAC, f.DstMAC, f.SrcIP, f.DstIP, data))
		if _, err := ft.WriteTo(w); err != nil {
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

package ladder

import (
	"fmt"
	"io"
	"strings"

	"github.com/upcase/upcase/internal/lang"
	"github.com/upcase/upcase/internal/trace"
)

// RenderLinks writes, for the lan and gateway scenarios, the first SYN as
// each link saw it, a row per link (the lesson's table of which addresses
// a frame carries), and what the rows show. It writes nothing for the
// other scenarios.
func RenderLinks(w io.Writer, links []trace.LinkView, l lang.Lang) error {
	if len(links) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(msg.FirstSYN.In(l) + "\n\n")
	var table lang.Table
	table.Row(msg.LinkColumns.In(l))
	var (
		syns   []trace.Event
		owners []string
		macs   []trace.MAC
	)
	for _, lv := range links {
		syn, ok := lv.FirstSYN()
		if !ok {
			table.Row(fmt.Sprintf("  %s\t%s\t\t\t\t", linkName(lv, l), msg.NoSYN.In(l)))
			continue
		}
		syns = append(syns, syn)
		table.Row(fmt.Sprintf("  %s\t%s\t%s\t%s\t%s\t%d", linkName(lv, l),
			syn.Link.Src, syn.Link.Dst, syn.IP.Src, syn.IP.Dst, syn.IP.TTL))
		owners = append(owners, owner(lv, syn.Link.Src, l), owner(lv, syn.Link.Dst, l))
		macs = append(macs, syn.Link.Src, syn.Link.Dst)
	}
	if _, err := table.WriteTo(&b); err != nil {
		return fmt.Errorf("render links: %w", err)
	}
	b.WriteString("\n" + msg.Where.In(l))
	comma, stop := ", ", "."
	if l == lang.Chinese {
		comma, stop = "，", "。"
	}
	for i, o := range owners {
		sep := comma
		if i == len(owners)-1 {
			sep = stop
		} else if i%2 == 1 {
			sep = strings.TrimSpace(comma) // the line ends here
		}
		if i > 0 && i%2 == 0 {
			b.WriteString("\n" + strings.Repeat(" ", lang.Width(msg.Where.In(l))))
		}
		b.WriteString(msg.MACIs.F(l, macs[i], o, sep))
	}
	b.WriteString("\n\n")
	for _, lv := range links[1:] {
		var arps []string
		for _, s := range lv.Conversation.Steps() {
			if s.Event.Kind == trace.KindARP {
				arps = append(arps, fmt.Sprintf("  %s: %s\n", owner(lv, s.Event.Link.Src, l), arpLabel(s.Event.ARP, l)))
			}
		}
		if len(arps) > 0 {
			b.WriteString(msg.RouterARP.F(l, linkName(lv, l)) + "\n" + strings.Join(arps, "") + "\n")
		}
	}
	switch {
	case len(links) == 1 && len(syns) == 1:
		s := syns[0]
		b.WriteString(msg.SameSubnet.F(l, s.Link.Dst, s.IP.TTL) + "\n")
	case len(syns) == 2:
		a, z := syns[0], syns[1]
		same := msg.Same.In(l)
		if a.IP.Src != z.IP.Src || a.IP.Dst != z.IP.Dst {
			same = msg.NotSame.In(l)
		}
		b.WriteString(msg.DifferentSubnets.F(l, same, a.IP.Src, a.IP.Dst, a.IP.TTL, z.IP.TTL) + "\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("render links: %w", err)
	}
	return nil
}

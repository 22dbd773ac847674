package trace

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// LinkView is what one Ethernet link of the lan or gateway scenario saw:
// its conversation, ARP included, and its frames.
type LinkView struct {
	// Name says which link it is, as "client ↔ router".
	Name string
	// Interface is the device captured on, in the namespace of Host.
	Host, Interface string
	// Conversation is the connection as this link saw it.
	Conversation *Conversation `json:"-"`
	// Frames are the frames captured on the link, in time order.
	Frames []Frame `json:"-"`
	// Owners names the machine and device each MAC address on the link
	// belongs to, as "client eth0".
	Owners map[MAC]string
	// Far names the link's other end from the client where that is not
	// the server, as "router 192.168.1.1": frames on the link come from
	// and go to it, while the TCP states are still the server's.
	Far string `json:",omitempty"`
}

// owner gives the name of the device with MAC m, or m itself.
func (l LinkView) owner(m MAC) string {
	if m == Broadcast {
		return "broadcast"
	}
	if o, ok := l.Owners[m]; ok {
		return o
	}
	return m.String()
}

// firstSYN gives the link's first SYN (without ACK), and false if it saw
// none.
func (l LinkView) firstSYN() (Event, bool) {
	if l.Conversation == nil {
		return Event{}, false
	}
	for _, s := range l.Conversation.Steps() {
		if isOpen(s.Event) {
			return s.Event, true
		}
	}
	return Event{}, false
}

// RenderLinks writes, for the lan and gateway scenarios, the first SYN as
// each link saw it, a row per link (the lesson's table of which addresses
// a frame carries), and what the rows show. It writes nothing for the
// other scenarios.
func RenderLinks(w io.Writer, res *DemoResult) error {
	if len(res.Links) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("The first SYN as each link carried it:\n\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  link\tsrc MAC\tdst MAC\tsrc IP\tdst IP\tTTL")
	var (
		syns   []Event
		owners []string
		macs   []MAC
	)
	for _, l := range res.Links {
		syn, ok := l.firstSYN()
		if !ok {
			fmt.Fprintf(tw, "  %s\t(no SYN captured)\t\t\t\t\n", l.Name)
			continue
		}
		syns = append(syns, syn)
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%d\n", l.Name,
			syn.Link.Src, syn.Link.Dst, syn.IP.Src, syn.IP.Dst, syn.IP.TTL)
		owners = append(owners, l.owner(syn.Link.Src), l.owner(syn.Link.Dst))
		macs = append(macs, syn.Link.Src, syn.Link.Dst)
	}
	tw.Flush()
	b.WriteString("\n  where")
	for i, o := range owners {
		sep := ","
		if i == len(owners)-1 {
			sep = "."
		}
		if i > 0 && i%2 == 0 {
			b.WriteString("\n       ")
		}
		fmt.Fprintf(&b, " %s is %s%s", macs[i], o, sep)
	}
	b.WriteString("\n\n")
	for _, l := range res.Links[1:] {
		var arps []string
		for _, s := range l.Conversation.Steps() {
			if s.Event.Kind == KindARP {
				arps = append(arps, fmt.Sprintf("  %s: %s\n", l.owner(s.Event.Link.Src), s.Event.ARP))
			}
		}
		if len(arps) > 0 {
			fmt.Fprintf(&b, "ARP on the %s link, where the router, not the client, asks:\n%s\n", l.Name, strings.Join(arps, ""))
		}
	}
	switch {
	case len(res.Links) == 1 && len(syns) == 1:
		s := syns[0]
		fmt.Fprintf(&b, "Same subnet: the client sends the frame straight to the server's MAC address, %s,\nwhich it learned by ARP; the IP packet keeps its TTL, %d, as nothing forwards it.\n", s.Link.Dst, s.IP.TTL)
	case len(syns) == 2:
		a, z := syns[0], syns[1]
		same := "the same"
		if a.IP.Src != z.IP.Src || a.IP.Dst != z.IP.Dst {
			same = "NOT the same (unexpected)"
		}
		fmt.Fprintf(&b, "Different subnets: the IP addresses are %s on both links (%s to %s),\n", same, a.IP.Src, a.IP.Dst)
		fmt.Fprintf(&b, "but the MAC addresses change at the router: on the client's link the frame goes to the\n")
		fmt.Fprintf(&b, "gateway's MAC, on the server's link from the router's other port to the server's MAC.\n")
		fmt.Fprintf(&b, "The TTL went from %d to %d: the router took one off as it forwarded the packet.\n", a.IP.TTL, z.IP.TTL)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("render links: %w", err)
	}
	return nil
}

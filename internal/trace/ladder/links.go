package ladder

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/upcase/upcase/internal/trace"
)

// RenderLinks writes, for the lan and gateway scenarios, the first SYN as
// each link saw it, a row per link (the lesson's table of which addresses
// a frame carries), and what the rows show. It writes nothing for the
// other scenarios.
func RenderLinks(w io.Writer, links []trace.LinkView) error {
	if len(links) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("The first SYN as each link carried it:\n\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  link\tsrc trace.MAC\tdst trace.MAC\tsrc trace.IP\tdst trace.IP\tTTL")
	var (
		syns   []trace.Event
		owners []string
		macs   []trace.MAC
	)
	for _, l := range links {
		syn, ok := l.FirstSYN()
		if !ok {
			fmt.Fprintf(tw, "  %s\t(no SYN captured)\t\t\t\t\n", l.Name)
			continue
		}
		syns = append(syns, syn)
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%d\n", l.Name,
			syn.Link.Src, syn.Link.Dst, syn.IP.Src, syn.IP.Dst, syn.IP.TTL)
		owners = append(owners, l.Owner(syn.Link.Src), l.Owner(syn.Link.Dst))
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
	for _, l := range links[1:] {
		var arps []string
		for _, s := range l.Conversation.Steps() {
			if s.Event.Kind == trace.KindARP {
				arps = append(arps, fmt.Sprintf("  %s: %s\n", l.Owner(s.Event.Link.Src), s.Event.ARP))
			}
		}
		if len(arps) > 0 {
			fmt.Fprintf(&b, "ARP on the %s link, where the router, not the client, asks:\n%s\n", l.Name, strings.Join(arps, ""))
		}
	}
	switch {
	case len(links) == 1 && len(syns) == 1:
		s := syns[0]
		fmt.Fprintf(&b, "Same subnet: the client sends the frame straight to the server's trace.MAC address, %s,\nwhich it learned by trace.ARP; the trace.IP packet keeps its TTL, %d, as nothing forwards it.\n", s.Link.Dst, s.IP.TTL)
	case len(syns) == 2:
		a, z := syns[0], syns[1]
		same := "the same"
		if a.IP.Src != z.IP.Src || a.IP.Dst != z.IP.Dst {
			same = "NOT the same (unexpected)"
		}
		fmt.Fprintf(&b, "Different subnets: the trace.IP addresses are %s on both links (%s to %s),\n", same, a.IP.Src, a.IP.Dst)
		fmt.Fprintf(&b, "but the trace.MAC addresses change at the router: on the client's link the frame goes to the\n")
		fmt.Fprintf(&b, "gateway's trace.MAC, on the server's link from the router's other port to the server's trace.MAC.\n")
		fmt.Fprintf(&b, "The TTL went from %d to %d: the router took one off as it forwarded the packet.\n", a.IP.TTL, z.IP.TTL)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("render links: %w", err)
	}
	return nil
}

package ladder

import (
	"fmt"
	"strings"

	"github.com/upcase/upcase/internal/lang"
	"github.com/upcase/upcase/internal/trace"
)

// Title writes the line above a demo's ladder: the scenario, how many
// steps were captured, and where: on the client's Ethernet link in the
// lan and gateway scenarios (link), else (nil) on lo.
func (r *Renderer) Title(scenario string, c *trace.Conversation, link *trace.LinkView) error {
	unit := msg.Segments
	switch {
	case link != nil:
		unit = msg.Frames
	case c.Kind() == trace.KindUDP:
		unit = msg.Datagrams
	}
	var b strings.Builder
	if link != nil {
		b.WriteString(msg.TitleLink.F(r.Lang, scenario, len(c.Steps()), unit.In(r.Lang), linkName(*link, r.Lang)))
	} else {
		b.WriteString(msg.TitleLo.F(r.Lang, scenario, len(c.Steps()), unit.In(r.Lang)))
	}
	b.WriteString("\n\n")
	return r.write(&b)
}

// Notes writes what a demo's ladder leaves to be said: that the states
// are inferred, where the kernel's are missing from a TCP conversation on
// lo; what an Ethernet frame holds, and what the lesson counts, where the
// frames' link layer was shown; and the pcap files written.
func (r *Renderer) Notes(c *trace.Conversation, linkLayer bool, pcaps []string) error {
	var paras []string
	if c.Kind() == trace.KindTCP && !c.HasKernel() && !linkLayer {
		paras = append(paras, msg.Inferred.In(r.Lang))
	}
	if linkLayer {
		paras = append(paras, msg.Ethernet.In(r.Lang))
	}
	for _, f := range pcaps {
		paras = append(paras, msg.PcapFile.F(r.Lang, f))
	}
	var b strings.Builder
	for _, p := range paras {
		fmt.Fprintf(&b, "\n%s\n", strings.Join(lang.Wrap(p, r.width()), "\n"))
	}
	return r.write(&b)
}

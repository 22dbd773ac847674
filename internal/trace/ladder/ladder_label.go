package ladder

import (
	"fmt"
	"strings"
	"time"

	"github.com/upcase/upcase/internal/lang"
	"github.com/upcase/upcase/internal/trace"
)

// labels gives the lines written above a step's arrow: what the segment is,
// with its numbers and the time since the step before; its options; and, if
// asked, its link layer. They are painted already.
func (r *Renderer) labels(s trace.Step) []string {
	ev := s.Event
	var head, opts string
	switch ev.Kind {
	case trace.KindTCP:
		head, opts = r.tcpLabel(s), tcpOptionsLabel(ev.TCP)
	case trace.KindUDP:
		head = fmt.Sprintf("UDP len=%d", len(ev.Payload))
	case trace.KindARP:
		head = arpLabel(ev.ARP, r.Lang)
	default:
		head = ev.String()
	}
	width := r.middle() - 2
	var lines []string
	if t := r.since(ev.Time); t != "" && runeLen(head)+1+runeLen(t) <= width {
		lines = append(lines, r.paintLabel(s, head)+strings.Repeat(" ", width-runeLen(head)-runeLen(t))+r.paint(ansiDim, t))
	} else {
		for _, l := range lang.Wrap(head, width) {
			lines = append(lines, r.paintLabel(s, l))
		}
		if t != "" {
			lines = append(lines, r.paint(ansiDim, t))
		}
	}
	for _, l := range lang.Wrap(opts, width) {
		lines = append(lines, r.paint(ansiDim, l))
	}
	if r.Link {
		link := fmt.Sprintf("%s (0x%04x)", ev.Link, uint16(ev.Link.EtherType))
		if ev.FrameLen > 0 {
			link += msg.FrameBytes.F(r.Lang, ev.FrameLen)
		}
		for _, l := range lang.Wrap(link, width) {
			lines = append(lines, r.paint(ansiDim, l))
		}
	}
	return lines
}

// paintLabel paints a step's label line: bold, and red for a RST.
func (r *Renderer) paintLabel(s trace.Step, line string) string {
	if s.Event.Kind == trace.KindTCP && s.Event.TCP.Flags.Has(trace.FlagRST) {
		return r.paint(ansiBoldRed, line)
	}
	return r.paint(ansiBold, line)
}

// tcpLabel gives a segment's flags and numbers: "SYN, ACK seq=0 ack=1 len=0
// win=65483".
func (r *Renderer) tcpLabel(s trace.Step) string {
	h := s.Event.TCP
	seq, ack := s.Seq, s.Ack
	if r.Absolute {
		seq, ack = h.Seq, h.Ack
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s seq=%d", h.Flags, seq)
	if h.Flags.Has(trace.FlagACK) {
		fmt.Fprintf(&b, " ack=%d", ack)
	}
	fmt.Fprintf(&b, " len=%d win=%d", len(s.Event.Payload), s.Window)
	return b.String()
}

// tcpOptionsLabel gives the options worth showing: all of them on a SYN,
// where they are negotiated, and only SACK blocks and unknown options after
// (timestamps ride on every segment and would only add noise).
func tcpOptionsLabel(h trace.TCP) string {
	if h.Flags.Has(trace.FlagSYN) {
		return h.Options.String()
	}
	return trace.TCPOptions{SACK: h.Options.SACK, Other: h.Options.Other}.String()
}

// since gives the time from the last step drawn to t, as "+40.2ms", or ""
// when either is unknown.
func (r *Renderer) since(t time.Time) string {
	if t.IsZero() || r.last.IsZero() {
		return ""
	}
	d := t.Sub(r.last)
	if d < 0 {
		return "-" + formatDuration(-d)
	}
	return "+" + formatDuration(d)
}

// formatDuration gives d with a precision that suits it: µs below a
// millisecond, ms with one decimal below a second, else seconds.
func formatDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}

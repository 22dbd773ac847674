package ladder

import (
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/upcase/upcase/internal/lang"
	"github.com/upcase/upcase/internal/trace"
)

// stateWidth is the width of a state column: the longest name,
// "SYN-RECEIVED".
const stateWidth = 12

// Widths of a ladder, in columns.
const (
	DefaultWidth = 80 // what Renderer.Width zero means
	MinWidth     = 60 // narrower widths are widened to this
)

// Renderer draws conversations as a ladder (sequence) diagram for a
// terminal: the client's column on the left, the server's on the right, one
// arrow per segment labelled with its flags, relative sequence and
// acknowledgement numbers, payload length, window and (for a SYN) its
// options, each side's state after the segment at the column edges, and the
// step's explanation under the arrow. UDP datagrams and ARP messages are
// drawn on the same ladder, without states.
//
// Where the steps carry the kernel's own states (Conversation.AttachKernel),
// the columns show those, a state inferred from the segments (where the
// kernel had reported none) is marked with a "*", a short note says where
// and why Linux differs from the textbook, and Render ends with a legend.
//
// Set the fields before the first call. A Renderer remembers the time of the
// last step it drew, to label each arrow with the time since the one before;
// it is not safe for concurrent use.
type Renderer struct {
	// Out is where the ladder is written.
	Out io.Writer
	// Color draws with ANSI colours and bold. The caller decides, from
	// whether Out is a terminal and from NO_COLOR; false gives plain text.
	Color bool
	// Absolute shows the sequence and acknowledgement numbers as sent
	// instead of relative to each side's ISN. (The window is always shown
	// in bytes, scaled.)
	Absolute bool
	// Link shows each frame's MAC addresses and EtherType.
	Link bool
	// Width is the ladder's width in columns; zero means DefaultWidth, and
	// less than MinWidth means MinWidth.
	Width int
	// Router is the address of the link's other end when that is a router,
	// not the server (LinkView.Router): the right column is headed with
	// it, then the server whose states it shows, so that a frame the
	// router sends is not drawn as if the server had sent it.
	Router netip.Addr
	// Lang is the language of the explanations, notes and headings.
	Lang lang.Lang

	conv   *trace.Conversation // the one Header began
	last   time.Time
	kernel bool // the conversation drawn has the kernel's states
}

// ANSI SGR codes the Renderer uses.
const (
	ansiBold    = "1"
	ansiDim     = "2"
	ansiRed     = "31"
	ansiGreen   = "32"
	ansiYellow  = "33"
	ansiMagenta = "35"
	ansiCyan    = "36"
	ansiBoldRed = "1;31"
)

// Render draws a whole conversation: its Header, then every step and, where
// the steps carry the kernel's states, a legend saying what they show.
func (r *Renderer) Render(c *trace.Conversation) error {
	if err := r.Header(c); err != nil {
		return err
	}
	for _, s := range c.Steps() {
		if err := r.Step(s); err != nil {
			return err
		}
	}
	if !r.kernel {
		return nil
	}
	var b strings.Builder
	for _, line := range lang.Wrap(msg.Legend.In(r.Lang), r.width()) {
		b.WriteString(line + "\n")
	}
	return r.write(&b)
}

// Header draws the top of a conversation's ladder: who is on each side and,
// for TCP, the states the two sides start in. It also starts the clock
// again: the first step after it has no time label.
func (r *Renderer) Header(c *trace.Conversation) error {
	r.last = time.Time{}
	r.conv = c
	r.kernel = c.HasKernel()
	var b strings.Builder
	w := r.width()
	left, right := msg.Client.F(r.Lang, c.Client()), msg.Server.F(r.Lang, c.Server())
	if r.Router.IsValid() {
		right = trace.RoleRouter.In(r.Lang) + " " + r.Router.String() + " → " + right
	}
	if gap := w - runeLen(left) - runeLen(right); gap > 0 {
		b.WriteString(r.paint(ansiBold, left) + strings.Repeat(" ", gap) + r.paint(ansiBold, right) + "\n")
	} else {
		b.WriteString(r.paint(ansiBold, left) + "\n" + pad(right, w, true) + "\n")
	}
	if c.Kind() == trace.KindTCP {
		in := c.Initial()
		left, right := in.Client.String(), in.Server.String()
		if r.kernel { // the kernel reported the states before tracing began
			left, right = left+"*", right+"*"
		}
		b.WriteString(r.row(r.state(left, false, true), "", r.state(right, false, false)))
	} else {
		b.WriteString(r.row("", "", ""))
	}
	return r.write(&b)
}

// Step draws one step: its label, the arrow with the states after it, and
// its explanation.
func (r *Renderer) Step(s trace.Step) error {
	var b strings.Builder
	for _, line := range r.labels(s) {
		b.WriteString(r.row("", line, ""))
	}
	// The states after the step on the arrow's line and, under it, where
	// Linux reported another state than RFC 9293's diagram gives, Linux's
	// own in brackets: both are shown, marked.
	var left, right, kleft, kright string
	if s.Event.Kind == trace.KindTCP {
		left, right = r.cell(s, true), r.cell(s, false)
		kleft, kright = r.kernelCell(s, true), r.kernelCell(s, false)
	}
	b.WriteString(r.arrow(s, left, right))
	lines := lang.Wrap(r.explain(s), r.middle()-2)
	if len(lines) == 0 && kleft+kright != "" {
		lines = []string{""}
	}
	for i, line := range lines {
		if i > 0 {
			kleft, kright = "", ""
		}
		b.WriteString(r.row(kleft, line, kright))
	}
	if r.kernel && s.Kernel != nil {
		for _, note := range trace.KernelNotes(s, r.Lang) {
			for _, line := range lang.Wrap(note, r.middle()-2) {
				b.WriteString(r.row("", r.paint(ansiMagenta, line), ""))
			}
		}
	}
	b.WriteString(r.row("", "", ""))
	if !s.Event.Time.IsZero() {
		r.last = s.Event.Time
	}
	return r.write(&b)
}

// write sends what b holds to Out.
func (r *Renderer) write(b *strings.Builder) error {
	if _, err := io.WriteString(r.Out, b.String()); err != nil {
		return fmt.Errorf("render ladder: %w", err)
	}
	return nil
}

// width is the ladder's width.
func (r *Renderer) width() int {
	switch {
	case r.Width == 0:
		return DefaultWidth
	case r.Width < MinWidth:
		return MinWidth
	}
	return r.Width
}

// middle is the width between the two columns' bars.
func (r *Renderer) middle() int {
	return r.width() - 2*r.column() - 4
}

// column is the width of a state column: one more with the kernel's
// states, for the mark of an inferred one.
func (r *Renderer) column() int {
	if r.kernel {
		return stateWidth + 1
	}
	return stateWidth
}

// row draws one line of the ladder: a state (or nothing) on each side and
// text (already padded and painted, or plain) between the bars.
func (r *Renderer) row(left, text, right string) string {
	mid := " " + pad(text, r.middle()-1, false)
	return strings.TrimRight(pad(left, r.column(), true)+" │"+mid+"│ "+right, " ") + "\n"
}

// arrow draws the line of the arrow for s, with the states after it.
func (r *Renderer) arrow(s trace.Step, left, right string) string {
	n := r.middle()
	line := strings.Repeat("─", n-1) + ">"
	color := ansiCyan
	if s.Dir == trace.ServerToClient {
		line = "<" + strings.Repeat("─", n-1)
		color = ansiYellow
	}
	if s.Event.Kind == trace.KindTCP && s.Event.TCP.Flags.Has(trace.FlagRST) {
		color = ansiRed
	}
	return strings.TrimRight(pad(left, r.column(), true)+" │"+r.paint(color, line)+"│ "+right, " ") + "\n"
}

// cell gives the client's or the server's state after s for its column:
// the one RFC 9293's diagram gives for the segments, which the explanation
// speaks of. With the kernel's states, it is marked "*" where the kernel
// had reported none; where the kernel reported another, kernelCell shows
// that one under it.
func (r *Renderer) cell(s trace.Step, client bool) string {
	before, inferred := s.Side(client)
	if !r.kernel || s.Kernel == nil {
		return r.state(inferred.String(), inferred != before, client)
	}
	if _, _, known := s.Kernel.Side(client); !known {
		return r.state(inferred.String()+"*", inferred != before, client)
	}
	text := inferred.String()
	if client {
		text += " " // in line with the marked ones
	}
	return r.state(text, inferred != before, client)
}

// kernelCell gives, for the line under the arrow, the state Linux
// reported after s in brackets, where it differs from the one cell shows;
// otherwise "".
func (r *Renderer) kernelCell(s trace.Step, client bool) string {
	if !r.kernel || s.Kernel == nil {
		return ""
	}
	_, inferred := s.Side(client)
	st, _, known := s.Kernel.Side(client)
	if !known || st == inferred {
		return ""
	}
	return r.paint(ansiMagenta, r.state("("+st.String()+")", false, client))
}

// state gives a state's text padded to its column (right-aligned on the
// left side), bold green when it just changed.
func (r *Renderer) state(text string, changed, leftSide bool) string {
	if leftSide {
		text = pad(text, r.column(), true)
	}
	if changed {
		return r.paint(ansiBold+";"+ansiGreen, text)
	}
	return text
}

// paint wraps s in an ANSI SGR sequence when colours are on.
func (r *Renderer) paint(code, s string) string {
	if !r.Color || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// explain says what s means in the Renderer's language: as the
// conversation Header began explains it, else as trace.Explain does.
func (r *Renderer) explain(s trace.Step) string {
	if r.conv != nil {
		return r.conv.Explain(s, r.Lang)
	}
	return trace.Explain(s, r.Lang)
}

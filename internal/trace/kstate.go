package trace

import (
	"fmt"
	"net/netip"
	"slices"
	"time"
)

// KernelChange is one change of a TCP socket's state as the Linux kernel
// reported it (the sock:inet_sock_set_state tracepoint).
type KernelChange struct {
	// Time is when the kernel made the change, on the wall clock (as a
	// Frame's time), to the microsecond.
	Time time.Time
	// Local and Remote are the socket's own address and its peer's. In a
	// change to SYN-SENT, Local's port is 0: Linux picks the client's port
	// just after it enters SYN-SENT.
	Local, Remote netip.AddrPort
	// Old and New are the states before and after, with RFC 9293's names
	// (see StateFromLinux).
	Old, New State
}

// String gives "127.0.0.1:40312→127.0.0.1:8080 SYN-SENT→ESTABLISHED".
func (k KernelChange) String() string {
	return fmt.Sprintf("%s→%s %s→%s", k.Local, k.Remote, k.Old, k.New)
}

// KernelView is the kernel's own view of one step: each side's state after
// it, as the kernel last reported it, and the changes it reported for the
// step. A Conversation's steps carry one after AttachKernel.
type KernelView struct {
	// After are both sides' states after the step as the kernel reported
	// them: each side's last change up to this step. A side of which the
	// kernel had reported nothing yet (ClientKnown or ServerKnown false)
	// has only its inferred state, Step.After.
	After                    States
	ClientKnown, ServerKnown bool
	// Client and Server are the changes the kernel reported for this step,
	// in order: usually none or one; two where the kernel went through a
	// state at once (the server's SYN-RECEIVED, then ESTABLISHED, as the
	// handshake's last ACK arrives).
	Client, Server []KernelChange
}

// Side gives the client's state (or the server's) after the step as the
// kernel reported it, the changes it reported for the step, and whether it
// had reported that side's state at all by the end of the step.
func (v *KernelView) Side(client bool) (after State, changes []KernelChange, known bool) {
	if client {
		return v.After.Client, v.Client, v.ClientKnown
	}
	return v.After.Server, v.Server, v.ServerKnown
}

// kernelTolerance is how far apart the kernel's clock and the capture's may
// seem: the tracepoint's time is printed to the microsecond and converted
// from the monotonic clock with an offset measured to about a microsecond.
const kernelTolerance = 5 * time.Microsecond

// AttachKernel sets each TCP step's Kernel view from the changes the kernel
// reported (see KernelTrace), leaving the inferred states as they are.
// Changes of other sockets are passed over; the steps need their events'
// times, and those must be when the segments passed the interface, as a
// Capture stamps them: a segment stamped when it was read, later, would
// seem to come after the changes it caused.
//
// A change goes with the step that caused it. The kernel changes a sender's
// state just before the segment leaves (SYN-SENT, FIN-WAIT-1, LAST-ACK, and
// CLOSED when it aborts with RST), so such a change goes with the side's
// next segment; it changes a receiver's state just after the segment
// arrives, so any other change goes with the last segment the side received
// by then.
func (c *Conversation) AttachKernel(changes []KernelChange) {
	if c.kind != KindTCP {
		return
	}
	views := make([]KernelView, len(c.steps))
	var before KernelView // the kernel's view before the first step
	for _, ch := range sortedChanges(changes) {
		client, ok := c.kernelSide(ch)
		if !ok {
			continue
		}
		i := c.kernelStep(ch, client)
		if i >= len(c.steps) {
			continue
		}
		v := &before
		if i >= 0 {
			v = &views[i]
		}
		if client {
			v.Client = append(v.Client, ch)
		} else {
			v.Server = append(v.Server, ch)
		}
	}
	cur := before
	apply(&cur)
	for i := range c.steps {
		v := &views[i]
		v.After, v.ClientKnown, v.ServerKnown = cur.After, cur.ClientKnown, cur.ServerKnown
		apply(v)
		cur = *v
		c.steps[i].Kernel = v
	}
}

// apply moves v's states to the last of its changes.
func apply(v *KernelView) {
	if n := len(v.Client); n > 0 {
		v.After.Client, v.ClientKnown = v.Client[n-1].New, true
	}
	if n := len(v.Server); n > 0 {
		v.After.Server, v.ServerKnown = v.Server[n-1].New, true
	}
}

// sortedChanges gives changes in time order, keeping the kernel's order for
// changes at the same microsecond.
func sortedChanges(changes []KernelChange) []KernelChange {
	out := slices.Clone(changes)
	slices.SortStableFunc(out, func(a, b KernelChange) int { return a.Time.Compare(b.Time) })
	return out
}

// kernelSide tells whose socket ch is: the client's (true) or the
// server's, and false for another socket, such as the server's listener.
func (c *Conversation) kernelSide(ch KernelChange) (client, ok bool) {
	switch {
	case ch.Local == c.server && ch.Remote == c.client:
		return false, true
	case ch.Remote == c.server && ch.Local == c.client:
		return true, true
	case ch.Remote == c.server && ch.Local.Port() == 0 && ch.New == SynSent &&
		(ch.Local.Addr() == c.client.Addr() || ch.Local.Addr().IsUnspecified()):
		return true, true // the port is picked just after SYN-SENT
	}
	return false, false
}

// kernelStep gives the index of the step that made ch, a change of the
// client's socket or the server's: -1 for before the first step, and
// len(c.steps) for after the last.
func (c *Conversation) kernelStep(ch KernelChange, client bool) int {
	sends := ClientToServer
	if !client {
		sends = ServerToClient
	}
	from, to := ch.Time.Add(-kernelTolerance), ch.Time.Add(kernelTolerance)
	next, last := -1, -1 // the side's next segment sent, its last received
	for i, s := range c.steps {
		if s.Event.Kind != KindTCP {
			continue
		}
		if s.Dir == sends && next < 0 && !s.Event.Time.Before(from) {
			next = i
		}
		if s.Dir != sends && !s.Event.Time.After(to) {
			last = i
		}
	}
	sending := false
	switch ch.New {
	case SynSent, FinWait1, LastAck:
		sending = true
	case Closed:
		sending = c.abortSent(ch, next, last)
	}
	switch {
	case !sending:
		return last
	case next >= 0:
		return next
	}
	return len(c.steps)
}

// abortSent reports whether ch, a change to CLOSED, is the side's own
// abort, which sends RST just after (next: the side's next segment sent),
// rather than its end on receiving a segment (last: the last it received):
// the ACK of its FIN, a FIN that leaves it in TIME-WAIT, or a RST. When
// both could be, the segment nearer in time decides.
func (c *Conversation) abortSent(ch KernelChange, next, last int) bool {
	switch ch.Old {
	case LastAck, FinWait1, FinWait2, Closing, TimeWait:
		return false // the end of a close
	}
	rst := func(i int) bool { return i >= 0 && c.steps[i].Event.TCP.Flags.Has(FlagRST) }
	switch {
	case !rst(next):
		return false
	case !rst(last):
		return true
	}
	return c.steps[next].Event.Time.Sub(ch.Time) < ch.Time.Sub(c.steps[last].Event.Time)
}

// HasKernel reports whether the conversation's steps carry the kernel's
// own states (see AttachKernel).
func (c *Conversation) HasKernel() bool {
	for _, s := range c.steps {
		if s.Kernel != nil {
			return true
		}
	}
	return false
}

// KernelEnded reports whether changes include the end of c, a finished
// connection: every side the kernel reported on has reached CLOSED (its
// TIME-WAIT is not reported: see KernelTrace).
func (c *Conversation) KernelEnded(changes []KernelChange) bool {
	var last [2]*KernelChange
	for i, ch := range changes {
		if client, ok := c.kernelSide(ch); ok {
			if client {
				last[0] = &changes[i]
			} else {
				last[1] = &changes[i]
			}
		}
	}
	if last[0] == nil && last[1] == nil {
		return false
	}
	for _, l := range last {
		if l != nil && l.New != Closed {
			return false
		}
	}
	return true
}

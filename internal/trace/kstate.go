package trace

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrNoKernelStates is wrapped by StartKernelTrace's error when the kernel's
// own TCP states cannot be read at all: off Linux, without root in the
// initial user namespace, without tracefs or without the tracepoint. A
// caller shows the inferred states alone then; it is not a failure.
var ErrNoKernelStates = errors.New("trace: the kernel's own TCP states are unavailable")

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
	Client, Server []KernelChange `json:",omitempty"`
}

// side gives the client's state (or the server's) after the step as the
// kernel reported it, the changes it reported for the step, and whether it
// had reported that side's state at all by the end of the step.
func (v *KernelView) side(client bool) (after State, changes []KernelChange, known bool) {
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

// linuxStateNames are the names the tracepoint prints for Linux's states
// (include/net/tcp_states.h).
var linuxStateNames = map[string]uint8{
	"TCP_ESTABLISHED":  1,
	"TCP_SYN_SENT":     2,
	"TCP_SYN_RECV":     3,
	"TCP_FIN_WAIT1":    4,
	"TCP_FIN_WAIT2":    5,
	"TCP_TIME_WAIT":    6,
	"TCP_CLOSE":        7,
	"TCP_CLOSE_WAIT":   8,
	"TCP_LAST_ACK":     9,
	"TCP_LISTEN":       10,
	"TCP_CLOSING":      11,
	"TCP_NEW_SYN_RECV": 12,
}

// errNotTCP is returned by parseStateLine for a change of another
// protocol's socket (SCTP, MPTCP), which the caller passes over.
var errNotTCP = errors.New("not a TCP socket")

// parseStateLine parses one line of a tracefs trace with the
// sock:inet_sock_set_state event, such as
//
//	python3-12551 [000] ..... 12710.868595: inet_sock_set_state: family=AF_INET protocol=IPPROTO_TCP sport=0 dport=42777 saddr=127.0.0.1 daddr=127.0.0.1 saddrv6=::ffff:127.0.0.1 daddrv6=::ffff:127.0.0.1 oldstate=TCP_CLOSE newstate=TCP_SYN_SENT
//
// It gives the change without its Time, and the timestamp as printed: the
// trace clock's reading (for the "mono" clock, CLOCK_MONOTONIC).
func parseStateLine(line string) (KernelChange, time.Duration, error) {
	const event = ": inet_sock_set_state: "
	head, body, ok := strings.Cut(line, event)
	if !ok {
		return KernelChange{}, 0, errors.New("not an inet_sock_set_state event")
	}
	fields := strings.Fields(head)
	if len(fields) == 0 {
		return KernelChange{}, 0, errors.New("no timestamp")
	}
	ts, err := parseTraceTime(fields[len(fields)-1])
	if err != nil {
		return KernelChange{}, 0, err
	}
	kv := map[string]string{}
	for _, f := range strings.Fields(body) {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return KernelChange{}, 0, fmt.Errorf("field %q: no value", f)
		}
		kv[k] = v
	}
	for _, k := range []string{"family", "protocol", "sport", "dport", "oldstate", "newstate"} {
		if _, ok := kv[k]; !ok {
			return KernelChange{}, 0, fmt.Errorf("no %s", k)
		}
	}
	if p := kv["protocol"]; p != "IPPROTO_TCP" && p != "6" {
		return KernelChange{}, 0, fmt.Errorf("protocol %s: %w", p, errNotTCP)
	}
	var src, dst string
	switch kv["family"] {
	case "AF_INET", "2":
		src, dst = kv["saddr"], kv["daddr"]
	case "AF_INET6", "10":
		src, dst = kv["saddrv6"], kv["daddrv6"]
	default:
		return KernelChange{}, 0, fmt.Errorf("family %q", kv["family"])
	}
	var ch KernelChange
	if ch.Local, err = addrPort(src, kv["sport"]); err != nil {
		return KernelChange{}, 0, fmt.Errorf("source: %w", err)
	}
	if ch.Remote, err = addrPort(dst, kv["dport"]); err != nil {
		return KernelChange{}, 0, fmt.Errorf("destination: %w", err)
	}
	if ch.Old, err = linuxState(kv["oldstate"]); err != nil {
		return KernelChange{}, 0, err
	}
	if ch.New, err = linuxState(kv["newstate"]); err != nil {
		return KernelChange{}, 0, err
	}
	return ch, ts, nil
}

// addrPort parses an address and a decimal port as the tracepoint prints
// them. An IPv4-mapped IPv6 address is unmapped, as a Frame's addresses are.
func addrPort(addr, port string) (netip.AddrPort, error) {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return netip.AddrPort{}, err
	}
	if a.Zone() != "" {
		return netip.AddrPort{}, fmt.Errorf("address %q has a zone", addr)
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("port %q: %w", port, err)
	}
	return netip.AddrPortFrom(a.Unmap(), uint16(p)), nil
}

// linuxState parses a state as the tracepoint prints it: its name, or its
// number where the kernel has no name for it.
func linuxState(s string) (State, error) {
	n, ok := linuxStateNames[s]
	if !ok {
		v, err := strconv.ParseUint(s, 0, 8)
		if err != nil {
			return 0, fmt.Errorf("state %q unknown", s)
		}
		n = uint8(v)
	}
	st, ok := StateFromLinux(n)
	if !ok {
		return 0, fmt.Errorf("state %q unknown", s)
	}
	return st, nil
}

// parseTraceTime parses a trace's timestamp, "12710.868595:", seconds and
// a fraction, into a duration since the clock's zero.
func parseTraceTime(s string) (time.Duration, error) {
	s = strings.TrimSuffix(s, ":")
	secs, frac, _ := strings.Cut(s, ".")
	if secs == "" || len(frac) > 9 {
		return 0, fmt.Errorf("timestamp %q", s)
	}
	sec, err := strconv.ParseUint(secs, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("timestamp %q", s)
	}
	var ns uint64
	if frac != "" {
		if ns, err = strconv.ParseUint(frac, 10, 32); err != nil {
			return 0, fmt.Errorf("timestamp %q", s)
		}
		for range 9 - len(frac) {
			ns *= 10
		}
	}
	return time.Duration(sec)*time.Second + time.Duration(ns), nil
}

// parseTrace parses a tracefs instance's trace file: its changes, in the
// order printed, each stamped by at(timestamp). Comment lines are passed
// over, but their count of entries lost to a full buffer is reported.
func parseTrace(text string, at func(time.Duration) time.Time) ([]KernelChange, error) {
	var changes []KernelChange
	var errs []error
	for line := range strings.Lines(text) {
		line = strings.TrimRight(line, "\n")
		if strings.TrimSpace(line) == "" {
			continue
		}
		if strings.HasPrefix(line, "#") {
			if err := lostEntries(line); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		ch, ts, err := parseStateLine(line)
		if errors.Is(err, errNotTCP) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("parse %q: %w", line, err))
			continue
		}
		ch.Time = at(ts)
		changes = append(changes, ch)
	}
	return changes, errors.Join(errs...)
}

// lostEntries reads the header line "# entries-in-buffer/entries-written:
// 10/12   #P:2" and reports entries written but no longer in the buffer.
func lostEntries(line string) error {
	const key = "entries-in-buffer/entries-written:"
	_, rest, ok := strings.Cut(line, key)
	if !ok {
		return nil
	}
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return nil
	}
	in, written, ok := strings.Cut(fields[0], "/")
	if !ok {
		return nil
	}
	n, err1 := strconv.ParseUint(in, 10, 64)
	w, err2 := strconv.ParseUint(written, 10, 64)
	if err1 != nil || err2 != nil || n >= w {
		return nil
	}
	return fmt.Errorf("the kernel's trace buffer overflowed: %d of %d state changes lost", w-n, w)
}

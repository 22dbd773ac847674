package trace

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/upcase/upcase/internal/lang"
)

// ErrNotInConversation is wrapped by Conversation.Add for an event between
// other endpoints or of another protocol.
var ErrNotInConversation = errors.New("trace: event is not part of this conversation")

// Step is one event of a Conversation and what it did: which way it went,
// both sides' TCP states before and after it, and its numbers made easy to
// read.
type Step struct {
	// Index is the step's place in its conversation, from 0.
	Index int
	// Event is the decoded segment, datagram or ARP message.
	Event Event
	// Dir is the way it went.
	Dir Direction
	// Before and After are both sides' states before and after a TCP
	// segment; for other events they are the states at that moment, unchanged.
	Before, After States
	// Seq and Ack are the segment's sequence and acknowledgement numbers
	// relative to the sender's and the receiver's initial sequence numbers
	// (ISN), so that a SYN has Seq 0 and the answer to it Ack 1. Ack is 0
	// without FlagACK.
	Seq, Ack uint32
	// Window is the receive window in bytes the sender announces: the window
	// field, shifted by the sender's window scale once both SYNs agreed on
	// scaling. In a connection caught after its SYNs the scale is unknown,
	// and Window is the field as it is.
	Window int
	// Acked is how many sequence numbers this segment acknowledges that the
	// sender had not acknowledged before (a SYN and a FIN count one each).
	Acked uint32
	// Kernel is the kernel's own view of both sides' states after the
	// step, where the caller read it (see Conversation.AttachKernel), and
	// nil otherwise. Before and After stay the inferred states beside it.
	Kernel *KernelView
}

// Side gives the client's state (or the server's) before and after s.
func (s Step) Side(client bool) (before, after State) {
	if client {
		return s.Before.Client, s.After.Client
	}
	return s.Before.Server, s.After.Server
}

// Conversation follows one TCP connection or UDP flow between a client and a
// server (and the ARP messages between their addresses), turning each Event
// into a Step. It is not safe for concurrent use.
//
// The client and server states start at the given initial States (for a new
// connection: the client CLOSED and the server LISTEN, or CLOSED when nobody
// listens). If a server thought to be listening answers a SYN with RST before
// sending any SYN, nobody was listening: the steps already taken are
// corrected to show the server CLOSED throughout.
type Conversation struct {
	kind           Kind
	client, server netip.AddrPort
	initial        States
	m              machine
	steps          []Step
	gateways       []netip.Addr // routers whose ARP belongs here (SetGateways)

	// Per side, indexed by Direction of what the side sends.
	base    [2]seqMark // relative sequence numbers count from here
	lastAck [2]seqMark // the highest ack the side has sent
	wscale  [2]int     // window scale from the side's SYN, -1 if none
}

// seqMark is a sequence number that may not be known yet.
type seqMark struct {
	n     uint32
	known bool
}

// NewConversation starts following the TCP connection (kind KindTCP) or UDP
// flow (KindUDP) between client and server, whose states start at initial.
func NewConversation(kind Kind, client, server netip.AddrPort, initial States) *Conversation {
	c := &Conversation{kind: kind, client: client, server: server, initial: initial}
	c.m.client.state, c.m.server.state = initial.Client, initial.Server
	c.wscale = [2]int{-1, -1}
	return c
}

// Client is the client's address: the side that opened the connection.
func (c *Conversation) Client() netip.AddrPort { return c.client }

// Server is the server's address.
func (c *Conversation) Server() netip.AddrPort { return c.server }

// Kind is KindTCP or KindUDP.
func (c *Conversation) Kind() Kind { return c.kind }

// Initial gives the states the two sides started in.
func (c *Conversation) Initial() States { return c.initial }

// States gives both sides' states now.
func (c *Conversation) States() States { return c.m.states() }

// Steps gives the steps so far, in order. The caller must not change them.
func (c *Conversation) Steps() []Step { return c.steps }

// Done reports whether a TCP connection is over: both sides CLOSED or in
// TIME-WAIT after at least one segment. A UDP flow is never done.
func (c *Conversation) Done() bool {
	over := func(s State) bool { return s == Closed || s == TimeWait }
	st := c.m.states()
	return c.kind == KindTCP && len(c.steps) > 0 && over(st.Client) && over(st.Server)
}

// SetGateways names the routers between the client and the server (the
// addresses on the link being watched), whose ARP messages with the client
// or the server are then part of the conversation: a gateway stands in for
// the far side. Call it before the first Add.
func (c *Conversation) SetGateways(gw ...netip.Addr) { c.gateways = slices.Clone(gw) }

// isGateway reports whether a is one of the conversation's gateways.
func (c *Conversation) isGateway(a netip.Addr) bool { return slices.Contains(c.gateways, a) }

// Direction reports which way ev goes in this conversation, and false if it
// is not part of it. An ARP message is part of it when it is between the
// client's and the server's IP addresses, or between either of them and a
// gateway (SetGateways); it goes from the client when the client's address
// sent it, or towards the server when a gateway sent it to the server.
func (c *Conversation) Direction(ev Event) (Direction, bool) {
	if ev.Kind == KindARP {
		a, ca, sa := ev.ARP, c.client.Addr(), c.server.Addr()
		switch {
		case a.SenderIP == ca && (a.TargetIP == sa || c.isGateway(a.TargetIP)):
			return ClientToServer, true
		case (a.SenderIP == sa || c.isGateway(a.SenderIP)) && a.TargetIP == ca:
			return ServerToClient, true
		case c.isGateway(a.SenderIP) && a.TargetIP == sa:
			return ClientToServer, true
		case a.SenderIP == sa && c.isGateway(a.TargetIP):
			return ServerToClient, true
		}
		return 0, false
	}
	if ev.Kind != c.kind {
		return 0, false
	}
	switch {
	case ev.Src == c.client && ev.Dst == c.server:
		return ClientToServer, true
	case ev.Src == c.server && ev.Dst == c.client:
		return ServerToClient, true
	}
	return 0, false
}

// Add takes the next event of the conversation and gives the Step it makes,
// explained. Events must come in the order they were seen.
func (c *Conversation) Add(ev Event) (Step, error) {
	dir, ok := c.Direction(ev)
	if !ok {
		return Step{}, fmt.Errorf("add %s to %s %s-%s: %w", ev, c.kind, c.client, c.server, ErrNotInConversation)
	}
	s := Step{Index: len(c.steps), Event: ev, Dir: dir, Before: c.m.states()}
	if ev.Kind == KindTCP {
		c.numbers(&s)
		c.m.step(dir, ev.TCP, len(ev.Payload))
		c.correctRefusal(&s)
	}
	s.After = c.m.states()
	c.steps = append(c.steps, s)
	return s, nil
}

// Explain says what step s of the conversation means, in l, as Explain
// does, except for an ARP message to or from one of the conversation's
// gateways, which only the conversation can tell.
func (c *Conversation) Explain(s Step, l lang.Lang) string {
	if a := s.Event.ARP; s.Event.Kind == KindARP && (c.isGateway(a.SenderIP) || c.isGateway(a.TargetIP)) {
		return explainGatewayARP(s, c.server.Addr(), l)
	}
	return Explain(s, l)
}

// numbers fills in s's relative numbers, window and newly acknowledged
// count, and learns the sender's ISN and window scale from a SYN.
func (c *Conversation) numbers(s *Step) {
	h := s.Event.TCP
	snd, rcv := s.Dir, 1-s.Dir
	if h.Flags.Has(FlagSYN) {
		c.base[snd] = seqMark{h.Seq, true}
		c.wscale[snd] = -1
		if h.Options.HasWindowScale {
			c.wscale[snd] = int(min(h.Options.WindowScale, 14))
		}
	}
	if !c.base[snd].known { // caught in the middle: count from here
		c.base[snd] = seqMark{h.Seq, true}
	}
	s.Seq = h.Seq - c.base[snd].n
	s.Window = int(h.Window)
	if !h.Flags.Has(FlagSYN) && c.wscale[snd] >= 0 && c.wscale[rcv] >= 0 {
		s.Window <<= c.wscale[snd]
	}
	if !h.Flags.Has(FlagACK) {
		return
	}
	if !c.base[rcv].known {
		c.base[rcv] = seqMark{h.Ack, true}
	}
	s.Ack = h.Ack - c.base[rcv].n
	from := c.lastAck[snd]
	if !from.known {
		from = c.base[rcv]
	}
	if d := h.Ack - from.n; int32(d) > 0 {
		s.Acked = d
	}
	if !c.lastAck[snd].known || seqAfterOrAt(h.Ack, c.lastAck[snd].n) {
		c.lastAck[snd] = seqMark{h.Ack, true}
	}
}

// correctRefusal notices a server thought to be listening that answers a
// SYN with RST before sending any SYN of its own: nobody was listening, so
// the server was CLOSED all along, and the steps so far are corrected.
func (c *Conversation) correctRefusal(s *Step) {
	h := s.Event.TCP
	if s.Dir != ServerToClient || !h.Flags.Has(FlagRST) || c.m.server.synSent || c.initial.Server != Listen {
		return
	}
	if s.Before.Client != SynSent {
		return
	}
	c.initial.Server = Closed
	c.m.server.state = Closed
	s.Before.Server = Closed
	for i := range c.steps {
		c.steps[i].Before.Server, c.steps[i].After.Server = Closed, Closed
	}
}

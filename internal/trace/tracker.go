package trace

import (
	"errors"
	"fmt"
	"net/netip"
)

// ErrNotFlow is wrapped by Tracker.Add for an event that is neither TCP nor
// UDP.
var ErrNotFlow = errors.New("trace: event is neither TCP nor UDP")

// maxConversations is how many conversations a Tracker holds before it
// forgets the ones that are over.
const maxConversations = 1024

// Tracker sorts the TCP and UDP events of many connections, as a live
// capture or a pcap file gives them, into Conversations. The zero value is
// ready to use. It is not safe for concurrent use.
//
// A TCP conversation starts with a SYN from its client, in CLOSED, to its
// server, in LISTEN. One caught in the middle starts with both sides
// ESTABLISHED, the server being the side on ServerPort or else the
// receiver of the first segment seen. A UDP flow's client is the side not on
// ServerPort, or else the sender of the first datagram. A SYN on the
// addresses of a connection that is over starts a new conversation.
type Tracker struct {
	// ServerPort, if not zero, is the server's port: it tells client from
	// server when a connection is caught after its SYN.
	ServerPort uint16

	convs map[flowKey]*Conversation
}

// flowKey names a flow whichever way its packets go: the two endpoints in
// a fixed order.
type flowKey struct {
	kind Kind
	a, b netip.AddrPort
}

// keyOf gives the flow key of a TCP or UDP event.
func keyOf(ev Event) flowKey {
	a, b := ev.Src, ev.Dst
	if a.Compare(b) > 0 {
		a, b = b, a
	}
	return flowKey{ev.Kind, a, b}
}

// Add gives ev to its conversation, starting a new one if needed, and
// returns the conversation and the step. A step with Index 0 is the first of
// a new conversation.
func (t *Tracker) Add(ev Event) (*Conversation, Step, error) {
	if ev.Kind != KindTCP && ev.Kind != KindUDP {
		return nil, Step{}, fmt.Errorf("track %s: %w", ev, ErrNotFlow)
	}
	if t.convs == nil {
		t.convs = make(map[flowKey]*Conversation)
	}
	k := keyOf(ev)
	c := t.convs[k]
	if c == nil || (c.Done() && isOpen(ev)) {
		if len(t.convs) >= maxConversations {
			t.forgetDone()
		}
		c = t.start(ev)
		t.convs[k] = c
	}
	s, err := c.Add(ev)
	return c, s, err
}

// isOpen reports whether ev opens a TCP connection: a SYN without ACK.
func isOpen(ev Event) bool {
	return ev.Kind == KindTCP && ev.TCP.Flags.Has(FlagSYN) && !ev.TCP.Flags.Has(FlagACK)
}

// start begins the conversation ev is the first event of.
func (t *Tracker) start(ev Event) *Conversation {
	client, server := ev.Src, ev.Dst
	if !isOpen(ev) && t.ServerPort != 0 && ev.Src.Port() == t.ServerPort {
		client, server = server, client
	}
	if ev.Kind == KindUDP {
		return NewConversation(KindUDP, client, server, States{})
	}
	initial := States{Client: Closed, Server: Listen}
	if !isOpen(ev) {
		initial = States{Client: Established, Server: Established}
	}
	return NewConversation(KindTCP, client, server, initial)
}

// forgetDone drops the conversations that are over.
func (t *Tracker) forgetDone() {
	for k, c := range t.convs {
		if c.Done() {
			delete(t.convs, k)
		}
	}
}

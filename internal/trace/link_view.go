package trace

import (
	"net/netip"

	"github.com/upcase/upcase/internal/pcap"
)

// LinkView is what one Ethernet link of the lan or gateway scenario saw:
// its conversation, ARP included, and its frames. It names hosts by their
// Role only, so that each view says them in its own language.
type LinkView struct {
	// Ends are the roles of the link's two ends, the one nearer the client
	// first: client and server on one subnet; client and router, then
	// router and server, through a router.
	Ends [2]Role
	// Host is the machine captured on, and Interface its device.
	Host      Role
	Interface string
	// Conversation is the connection as this link saw it.
	Conversation *Conversation
	// Frames are the frames captured on the link, in time order.
	Frames []pcap.Frame
	// Owners says which machine and device each MAC address on the link
	// belongs to.
	Owners map[MAC]Owner
	// Router is the address, on this link, of the router at its far end
	// from the client, where that is not the server (the client's
	// gateway): frames on the link come from and go to it, while the TCP
	// states are still the server's. The zero Addr where there is none.
	Router netip.Addr
}

// Owner is the machine and device a MAC address belongs to.
type Owner struct {
	Role      Role
	Interface string
}

// Name names the link by its ends, as "client ↔ router": in English, for
// file names and machines.
func (l LinkView) Name() string { return string(l.Ends[0]) + " ↔ " + string(l.Ends[1]) }

// Owner gives the machine and device with MAC m, and false for a MAC no
// device on the link has (the broadcast address among them).
func (l LinkView) Owner(m MAC) (Owner, bool) {
	o, ok := l.Owners[m]
	return o, ok
}

// FirstSYN gives the link's first SYN (without ACK), and false if it saw
// none.
func (l LinkView) FirstSYN() (Event, bool) {
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

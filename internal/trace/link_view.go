package trace

import "github.com/upcase/upcase/internal/pcap"

// LinkView is what one Ethernet link of the lan or gateway scenario saw:
// its conversation, ARP included, and its frames.
type LinkView struct {
	// Name says which link it is, as "client ↔ router".
	Name string
	// Interface is the device captured on, in the namespace of Host.
	Host, Interface string
	// Conversation is the connection as this link saw it.
	Conversation *Conversation
	// Frames are the frames captured on the link, in time order.
	Frames []pcap.Frame
	// Owners names the machine and device each MAC address on the link
	// belongs to, as "client eth0".
	Owners map[MAC]string
	// Far names the link's other end from the client where that is not
	// the server, as "router 192.168.1.1": frames on the link come from
	// and go to it, while the TCP states are still the server's.
	Far string
}

// Owner gives the name of the device with MAC m, or m itself.
func (l LinkView) Owner(m MAC) string {
	if m == Broadcast {
		return "broadcast"
	}
	if o, ok := l.Owners[m]; ok {
		return o
	}
	return m.String()
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

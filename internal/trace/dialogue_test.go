package trace

import (
	"net/netip"
	"time"
)

// Addresses and ISNs of the made-up conversations.
var (
	client4 = netip.MustParseAddrPort("127.0.0.1:40312")
	server4 = netip.MustParseAddrPort("127.0.0.1:8080")
	client6 = netip.MustParseAddrPort("[::1]:40312")
	server6 = netip.MustParseAddrPort("[::1]:8080")
	start   = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
)

const (
	clientISN = 2746135912
	serverISN = 1102931735
)

// dialogue builds the events of a made-up TCP conversation, keeping both
// sides' sequence numbers, timestamps and windows as Linux would on lo.
type dialogue struct {
	client, server netip.AddrPort
	nxt            [2]uint32 // the next sequence number each side sends
	rcvd           [2]uint32 // the next sequence number each side expects
	now            time.Time
	tsval          uint32
	events         []Event
}

// newDialogue starts a conversation between client and server.
func newDialogue(client, server netip.AddrPort) *dialogue {
	return &dialogue{
		client: client, server: server,
		nxt: [2]uint32{clientISN, serverISN},
		now: start, tsval: 3000000000,
	}
}

// seg gives the next segment going dir, after a pause, and updates both
// sides as if it were delivered. The caller may change it before add.
func (d *dialogue) seg(dir Direction, flags TCPFlag, data string, after time.Duration) seg {
	snd, rcv := int(dir), 1-int(dir)
	src, dst := d.client, d.server
	if dir == ServerToClient {
		src, dst = dst, src
	}
	d.now = d.now.Add(after)
	d.tsval += uint32(after / time.Millisecond)
	s := seg{src: src, dst: dst, seq: d.nxt[snd], flags: flags, win: 512, payload: []byte(data)}
	if flags.Has(FlagACK) {
		s.ack = d.rcvd[snd]
	}
	s.opts = tsOpts(d.tsval, d.tsval)
	if flags.Has(FlagSYN) {
		s.win = 65495
		if flags.Has(FlagACK) {
			s.win = 65483
		}
		s.opts = synOpts(d.tsval, 0)
	}
	n := uint32(len(data))
	if flags.Has(FlagSYN) {
		n++
	}
	if flags.Has(FlagFIN) {
		n++
	}
	d.nxt[snd] += n
	d.rcvd[rcv] = d.nxt[snd]
	return s
}

// add decodes the segment's frame into the dialogue's events.
func (d *dialogue) add(s seg) {
	d.events = append(d.events, mustDecode(tcpFrame(s), d.now))
}

// send adds the next segment going dir as seg gives it.
func (d *dialogue) send(dir Direction, flags TCPFlag, data string, after time.Duration) {
	d.add(d.seg(dir, flags, data, after))
}

// handshake adds SYN, SYN-ACK, ACK.
func (d *dialogue) handshake() {
	d.send(ClientToServer, FlagSYN, "", 0)
	d.send(ServerToClient, FlagSYN|FlagACK, "", 12*time.Microsecond)
	d.send(ClientToServer, FlagACK, "", 9*time.Microsecond)
}

// exchange adds the demo's two lines, each answered and acknowledged.
func (d *dialogue) exchange() {
	d.send(ClientToServer, FlagPSH|FlagACK, "hello", 150*time.Microsecond)
	d.send(ServerToClient, FlagACK, "", 6*time.Microsecond)
	d.send(ServerToClient, FlagPSH|FlagACK, "HELLO", 40*time.Microsecond)
	d.send(ClientToServer, FlagACK, "", 5*time.Microsecond)
	d.send(ClientToServer, FlagPSH|FlagACK, "second line\n", 210*time.Microsecond)
	d.send(ServerToClient, FlagPSH|FlagACK, "SECOND LINE\n", 30*time.Microsecond)
	d.send(ClientToServer, FlagACK, "", 5*time.Microsecond)
}

// The conversations of the tests, as a learner would see them on lo.

// scenarioNormal4 is the demo with the server closing 200 ms after the client's
// half-close: the textbook four-segment teardown.
func scenarioNormal4(client, server netip.AddrPort) []Event {
	d := newDialogue(client, server)
	d.handshake()
	d.exchange()
	d.send(ClientToServer, FlagFIN|FlagACK, "", 120*time.Microsecond)
	d.send(ServerToClient, FlagACK, "", 40*time.Millisecond)
	d.send(ServerToClient, FlagFIN|FlagACK, "", 160*time.Millisecond)
	d.send(ClientToServer, FlagACK, "", 11*time.Microsecond)
	return d.events
}

// scenarioNormal3 is the demo with the server closing at once: its ACK rides on its
// FIN.
func scenarioNormal3(client, server netip.AddrPort) []Event {
	d := newDialogue(client, server)
	d.handshake()
	d.exchange()
	d.send(ClientToServer, FlagFIN|FlagACK, "", 120*time.Microsecond)
	d.send(ServerToClient, FlagFIN|FlagACK, "", 35*time.Microsecond)
	d.send(ClientToServer, FlagACK, "", 8*time.Microsecond)
	return d.events
}

// halfCloseStart adds the halfclose demo up to the client's FIN: the
// handshake, the client's line and the server's ACK of it, then the
// client's FIN before it has read anything.
func (d *dialogue) halfCloseStart() {
	d.handshake()
	d.send(ClientToServer, FlagPSH|FlagACK, "hello\n", 150*time.Microsecond)
	d.send(ServerToClient, FlagACK, "", 20*time.Microsecond)
	d.send(ClientToServer, FlagFIN|FlagACK, "", 290*time.Microsecond)
}

// halfCloseEnd adds the end of the halfclose demo after the server's
// answer: the client's ACK of it, the server's FIN and the last ACK.
func (d *dialogue) halfCloseEnd() {
	d.send(ClientToServer, FlagACK, "", 24*time.Microsecond)
	d.send(ServerToClient, FlagFIN|FlagACK, "", 250*time.Microsecond)
	d.send(ClientToServer, FlagACK, "", 15*time.Microsecond)
}

// scenarioHalfClose is the halfclose demo with the server answering 200 ms
// after the client's FIN: its ACK of the FIN goes alone, then its answer
// flows while the connection is half open.
func scenarioHalfClose(client, server netip.AddrPort) []Event {
	d := newDialogue(client, server)
	d.halfCloseStart()
	d.send(ServerToClient, FlagACK, "", 42*time.Millisecond)
	d.send(ServerToClient, FlagPSH|FlagACK, "HELLO\n", 158*time.Millisecond)
	d.halfCloseEnd()
	return d.events
}

// scenarioHalfClose0 is the halfclose demo with the server answering at
// once: its ACK of the client's FIN rides on its answer.
func scenarioHalfClose0(client, server netip.AddrPort) []Event {
	d := newDialogue(client, server)
	d.halfCloseStart()
	d.send(ServerToClient, FlagPSH|FlagACK, "HELLO\n", 150*time.Microsecond)
	d.halfCloseEnd()
	return d.events
}

// scenarioServerClose has the server close first.
func scenarioServerClose(client, server netip.AddrPort) []Event {
	d := newDialogue(client, server)
	d.handshake()
	d.send(ServerToClient, FlagFIN|FlagACK, "", time.Millisecond)
	d.send(ClientToServer, FlagACK, "", 40*time.Millisecond)
	d.send(ClientToServer, FlagFIN|FlagACK, "", 2*time.Millisecond)
	d.send(ServerToClient, FlagACK, "", 10*time.Microsecond)
	return d.events
}

// scenarioReset has the client abort after a line (SO_LINGER 0).
func scenarioReset(client, server netip.AddrPort) []Event {
	d := newDialogue(client, server)
	d.handshake()
	d.send(ClientToServer, FlagPSH|FlagACK, "hello", 150*time.Microsecond)
	d.send(ServerToClient, FlagPSH|FlagACK, "HELLO", 40*time.Microsecond)
	d.send(ClientToServer, FlagRST|FlagACK, "", 90*time.Microsecond)
	return d.events
}

// scenarioRefused has nobody listening: the SYN is answered by RST.
func scenarioRefused(client, server netip.AddrPort) []Event {
	d := newDialogue(client, server)
	d.send(ClientToServer, FlagSYN, "", 0)
	s := d.seg(ServerToClient, FlagRST|FlagACK, "", 15*time.Microsecond)
	s.seq, s.win, s.opts = 0, 0, nil
	d.add(s)
	return d.events
}

// scenarioSimultaneous has both sides send FIN before either sees the other's.
func scenarioSimultaneous(client, server netip.AddrPort) []Event {
	d := newDialogue(client, server)
	d.handshake()
	d.send(ClientToServer, FlagFIN|FlagACK, "", time.Millisecond)
	s := d.seg(ServerToClient, FlagFIN|FlagACK, "", 3*time.Microsecond)
	s.ack-- // sent before the client's FIN arrived
	d.add(s)
	d.send(ClientToServer, FlagACK, "", 4*time.Microsecond)
	d.send(ServerToClient, FlagACK, "", 2*time.Microsecond)
	return d.events
}

// scenarioUDP is the demo over UDP: two datagrams each way.
func scenarioUDP(client, server netip.AddrPort) []Event {
	at := start
	var evs []Event
	for _, m := range []struct {
		dir  Direction
		data string
	}{{ClientToServer, "hello"}, {ServerToClient, "HELLO"}, {ClientToServer, "second line\n"}, {ServerToClient, "SECOND LINE\n"}} {
		src, dst := client, server
		if m.dir == ServerToClient {
			src, dst = dst, src
		}
		at = at.Add(70 * time.Microsecond)
		evs = append(evs, mustDecode(udpFrame(src, dst, []byte(m.data)), at))
	}
	return evs
}

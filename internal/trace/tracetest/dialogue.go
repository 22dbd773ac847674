package tracetest

import (
	"net/netip"
	"time"

	"github.com/upcase/upcase/internal/pcap"
)

// Addresses, ISNs and the start time of the made-up conversations.
var (
	Client4 = netip.MustParseAddrPort("127.0.0.1:40312")
	Server4 = netip.MustParseAddrPort("127.0.0.1:8080")
	Client6 = netip.MustParseAddrPort("[::1]:40312")
	Server6 = netip.MustParseAddrPort("[::1]:8080")
	Start   = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
)

// The initial sequence numbers of a Dialogue's client and server.
const (
	ClientISN = 2746135912
	ServerISN = 1102931735
)

// Dir says which way a segment goes (the same values as trace.Direction's).
type Dir uint8

// The two directions.
const (
	ClientToServer Dir = iota
	ServerToClient
)

// Dialogue builds the frames of a made-up TCP conversation, keeping both
// sides' sequence numbers, timestamps and windows as Linux would on lo.
type Dialogue struct {
	client, server netip.AddrPort
	nxt            [2]uint32 // the next sequence number each side sends
	rcvd           [2]uint32 // the next sequence number each side expects
	now            time.Time
	tsval          uint32
	frames         []pcap.Frame
}

// NewDialogue starts a conversation between client and server at Start,
// with the ISNs ClientISN and ServerISN.
func NewDialogue(client, server netip.AddrPort) *Dialogue {
	return &Dialogue{
		client: client, server: server,
		nxt: [2]uint32{ClientISN, ServerISN},
		now: Start, tsval: 3000000000,
	}
}

// Next gives the next segment going dir, after a pause, and updates both
// sides as if it were delivered. The caller may change it before Add.
func (d *Dialogue) Next(dir Dir, flags Flags, data string, after time.Duration) Seg {
	snd, rcv := int(dir), 1-int(dir)
	src, dst := d.client, d.server
	if dir == ServerToClient {
		src, dst = dst, src
	}
	d.now = d.now.Add(after)
	d.tsval += uint32(after / time.Millisecond)
	s := Seg{Src: src, Dst: dst, Seq: d.nxt[snd], Flags: flags, Win: 512, Payload: []byte(data)}
	if flags.Has(ACK) {
		s.Ack = d.rcvd[snd]
	}
	s.Opts = TSOpts(d.tsval, d.tsval)
	if flags.Has(SYN) {
		s.Win = 65495
		if flags.Has(ACK) {
			s.Win = 65483
		}
		s.Opts = SynOpts(d.tsval, 0)
	}
	n := uint32(len(data))
	if flags.Has(SYN) {
		n++
	}
	if flags.Has(FIN) {
		n++
	}
	d.nxt[snd] += n
	d.rcvd[rcv] = d.nxt[snd]
	return s
}

// Add appends the segment's frame, at the dialogue's time now.
func (d *Dialogue) Add(s Seg) {
	data := TCPFrame(s)
	d.frames = append(d.frames, pcap.Frame{Time: d.now, Data: data, Len: len(data)})
}

// Send appends the next segment going dir as Next gives it.
func (d *Dialogue) Send(dir Dir, flags Flags, data string, after time.Duration) {
	d.Add(d.Next(dir, flags, data, after))
}

// Handshake appends SYN, SYN-ACK, ACK.
func (d *Dialogue) Handshake() {
	d.Send(ClientToServer, SYN, "", 0)
	d.Send(ServerToClient, SYN|ACK, "", 12*time.Microsecond)
	d.Send(ClientToServer, ACK, "", 9*time.Microsecond)
}

// Exchange appends the demo's two lines, each answered and acknowledged.
func (d *Dialogue) Exchange() {
	d.Send(ClientToServer, PSH|ACK, "hello", 150*time.Microsecond)
	d.Send(ServerToClient, ACK, "", 6*time.Microsecond)
	d.Send(ServerToClient, PSH|ACK, "HELLO", 40*time.Microsecond)
	d.Send(ClientToServer, ACK, "", 5*time.Microsecond)
	d.Send(ClientToServer, PSH|ACK, "second line\n", 210*time.Microsecond)
	d.Send(ServerToClient, PSH|ACK, "SECOND LINE\n", 30*time.Microsecond)
	d.Send(ClientToServer, ACK, "", 5*time.Microsecond)
}

// Frames gives the frames so far, in order.
func (d *Dialogue) Frames() []pcap.Frame { return d.frames }

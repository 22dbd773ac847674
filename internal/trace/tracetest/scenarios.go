package tracetest

import (
	"net/netip"
	"time"

	"github.com/upcase/upcase/internal/pcap"
)

// The conversations of the tests, as a learner would see them on lo: each
// function gives the frames of one, between client and server.

// Normal4 is the demo with the server closing 200 ms after the client's
// half-close: the textbook four-segment teardown.
func Normal4(client, server netip.AddrPort) []pcap.Frame {
	d := NewDialogue(client, server)
	d.Handshake()
	d.Exchange()
	d.Send(ClientToServer, FIN|ACK, "", 120*time.Microsecond)
	d.Send(ServerToClient, ACK, "", 40*time.Millisecond)
	d.Send(ServerToClient, FIN|ACK, "", 160*time.Millisecond)
	d.Send(ClientToServer, ACK, "", 11*time.Microsecond)
	return d.Frames()
}

// Normal3 is the demo with the server closing at once: its ACK rides on
// its FIN.
func Normal3(client, server netip.AddrPort) []pcap.Frame {
	d := NewDialogue(client, server)
	d.Handshake()
	d.Exchange()
	d.Send(ClientToServer, FIN|ACK, "", 120*time.Microsecond)
	d.Send(ServerToClient, FIN|ACK, "", 35*time.Microsecond)
	d.Send(ClientToServer, ACK, "", 8*time.Microsecond)
	return d.Frames()
}

// halfCloseStart appends the halfclose demo up to the client's FIN: the
// handshake, the client's line and the server's ACK of it, then the
// client's FIN before it has read anything.
func (d *Dialogue) halfCloseStart() {
	d.Handshake()
	d.Send(ClientToServer, PSH|ACK, "hello\n", 150*time.Microsecond)
	d.Send(ServerToClient, ACK, "", 20*time.Microsecond)
	d.Send(ClientToServer, FIN|ACK, "", 290*time.Microsecond)
}

// halfCloseEnd appends the end of the halfclose demo after the server's
// answer: the client's ACK of it, the server's FIN and the last ACK.
func (d *Dialogue) halfCloseEnd() {
	d.Send(ClientToServer, ACK, "", 24*time.Microsecond)
	d.Send(ServerToClient, FIN|ACK, "", 250*time.Microsecond)
	d.Send(ClientToServer, ACK, "", 15*time.Microsecond)
}

// HalfClose is the halfclose demo with the server answering 200 ms after
// the client's FIN: its ACK of the FIN goes alone, then its answer flows
// while the connection is half open.
func HalfClose(client, server netip.AddrPort) []pcap.Frame {
	d := NewDialogue(client, server)
	d.halfCloseStart()
	d.Send(ServerToClient, ACK, "", 42*time.Millisecond)
	d.Send(ServerToClient, PSH|ACK, "HELLO\n", 158*time.Millisecond)
	d.halfCloseEnd()
	return d.Frames()
}

// HalfClose0 is the halfclose demo with the server answering at once: its
// ACK of the client's FIN rides on its answer.
func HalfClose0(client, server netip.AddrPort) []pcap.Frame {
	d := NewDialogue(client, server)
	d.halfCloseStart()
	d.Send(ServerToClient, PSH|ACK, "HELLO\n", 150*time.Microsecond)
	d.halfCloseEnd()
	return d.Frames()
}

// ServerClose has the server close first.
func ServerClose(client, server netip.AddrPort) []pcap.Frame {
	d := NewDialogue(client, server)
	d.Handshake()
	d.Send(ServerToClient, FIN|ACK, "", time.Millisecond)
	d.Send(ClientToServer, ACK, "", 40*time.Millisecond)
	d.Send(ClientToServer, FIN|ACK, "", 2*time.Millisecond)
	d.Send(ServerToClient, ACK, "", 10*time.Microsecond)
	return d.Frames()
}

// Reset has the client abort after a line (SO_LINGER 0).
func Reset(client, server netip.AddrPort) []pcap.Frame {
	d := NewDialogue(client, server)
	d.Handshake()
	d.Send(ClientToServer, PSH|ACK, "hello", 150*time.Microsecond)
	d.Send(ServerToClient, PSH|ACK, "HELLO", 40*time.Microsecond)
	d.Send(ClientToServer, RST|ACK, "", 90*time.Microsecond)
	return d.Frames()
}

// Refused has nobody listening: the SYN is answered by RST.
func Refused(client, server netip.AddrPort) []pcap.Frame {
	d := NewDialogue(client, server)
	d.Send(ClientToServer, SYN, "", 0)
	s := d.Next(ServerToClient, RST|ACK, "", 15*time.Microsecond)
	s.Seq, s.Win, s.Opts = 0, 0, nil
	d.Add(s)
	return d.Frames()
}

// Simultaneous has both sides send FIN before either sees the other's.
func Simultaneous(client, server netip.AddrPort) []pcap.Frame {
	d := NewDialogue(client, server)
	d.Handshake()
	d.Send(ClientToServer, FIN|ACK, "", time.Millisecond)
	s := d.Next(ServerToClient, FIN|ACK, "", 3*time.Microsecond)
	s.Ack-- // sent before the client's FIN arrived
	d.Add(s)
	d.Send(ClientToServer, ACK, "", 4*time.Microsecond)
	d.Send(ServerToClient, ACK, "", 2*time.Microsecond)
	return d.Frames()
}

// UDP is the demo over UDP: two datagrams each way.
func UDP(client, server netip.AddrPort) []pcap.Frame {
	at := Start
	var frames []pcap.Frame
	for _, m := range []struct {
		dir  Dir
		data string
	}{{ClientToServer, "hello"}, {ServerToClient, "HELLO"}, {ClientToServer, "second line\n"}, {ServerToClient, "SECOND LINE\n"}} {
		src, dst := client, server
		if m.dir == ServerToClient {
			src, dst = dst, src
		}
		at = at.Add(70 * time.Microsecond)
		data := UDPFrame(src, dst, []byte(m.data))
		frames = append(frames, pcap.Frame{Time: at, Data: data, Len: len(data)})
	}
	return frames
}

// The LAN scenario: two hosts on one Ethernet link.
var (
	LANClient    = netip.MustParseAddrPort("10.0.0.1:40312")
	LANServer    = netip.MustParseAddrPort("10.0.0.2:8080")
	LANClientMAC = MAC{0x02, 0, 0, 0, 0, 0x01}
	LANServerMAC = MAC{0x02, 0, 0, 0, 0, 0x02}
)

// LAN is the ARP request and reply, then the handshake, between LANClient
// and LANServer over Ethernet.
func LAN() []pcap.Frame {
	frame := func(data []byte, at time.Time) pcap.Frame { return pcap.Frame{Time: at, Data: data, Len: len(data)} }
	frames := []pcap.Frame{
		frame(ARPFrame(ARPRequest, LANClientMAC, LANClient.Addr(), MAC{}, LANServer.Addr()), Start),
		frame(ARPFrame(ARPReply, LANServerMAC, LANServer.Addr(), LANClientMAC, LANClient.Addr()), Start.Add(40*time.Microsecond)),
	}
	d := NewDialogue(LANClient, LANServer)
	d.now = Start.Add(60 * time.Microsecond)
	for i, f := range []Flags{SYN, SYN | ACK, ACK} {
		dir := ClientToServer
		if i == 1 {
			dir = ServerToClient
		}
		s := d.Next(dir, f, "", 20*time.Microsecond)
		s.SrcMAC, s.DstMAC = LANClientMAC, LANServerMAC
		if dir == ServerToClient {
			s.SrcMAC, s.DstMAC = LANServerMAC, LANClientMAC
		}
		d.Add(s)
	}
	return append(frames, d.Frames()...)
}

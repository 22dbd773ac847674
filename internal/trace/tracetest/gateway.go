package tracetest

import (
	"net/netip"
	"time"

	"github.com/upcase/upcase/internal/pcap"
)

// The gateway scenario: a client and a server on two subnets, joined by a
// router with a port on each.
var (
	GWClient     = netip.MustParseAddrPort("192.168.1.2:40312")
	GWServer     = netip.MustParseAddrPort("192.168.2.2:8080")
	GWRouter1    = netip.MustParseAddr("192.168.1.1") // the client's gateway
	GWRouter2    = netip.MustParseAddr("192.168.2.1") // the server's gateway
	GWClientMAC  = MAC{0x02, 0, 0xc0, 0xa8, 0x01, 0x02}
	GWRouter1MAC = MAC{0x02, 0, 0xc0, 0xa8, 0x01, 0x01}
	GWRouter2MAC = MAC{0x02, 0, 0xc0, 0xa8, 0x02, 0x01}
	GWServerMAC  = MAC{0x02, 0, 0xc0, 0xa8, 0x02, 0x02}
)

// Gateway gives the frames of a handshake between GWClient and GWServer
// through the router, as each link carries them: on the client's link the
// client asks for its gateway's MAC and the segments go between the client
// and the router's first port; on the server's link the router asks for
// the server's MAC and the segments go between its second port and the
// server. A segment the router forwarded has a TTL one lower.
func Gateway() (clientLink, serverLink []pcap.Frame) {
	frame := func(data []byte, at time.Time) pcap.Frame { return pcap.Frame{Time: at, Data: data, Len: len(data)} }
	clientLink = []pcap.Frame{
		frame(ARPFrame(ARPRequest, GWClientMAC, GWClient.Addr(), MAC{}, GWRouter1), Start),
		frame(ARPFrame(ARPReply, GWRouter1MAC, GWRouter1, GWClientMAC, GWClient.Addr()), Start.Add(30*time.Microsecond)),
	}
	serverLink = []pcap.Frame{
		frame(ARPFrame(ARPRequest, GWRouter2MAC, GWRouter2, MAC{}, GWServer.Addr()), Start.Add(90*time.Microsecond)),
		frame(ARPFrame(ARPReply, GWServerMAC, GWServer.Addr(), GWRouter2MAC, GWRouter2), Start.Add(110*time.Microsecond)),
	}
	// The same segments on both links, at the same times give or take the
	// router's few microseconds.
	onClient, onServer := NewDialogue(GWClient, GWServer), NewDialogue(GWClient, GWServer)
	onClient.now, onServer.now = Start.Add(40*time.Microsecond), Start.Add(40*time.Microsecond)
	for i, f := range []Flags{SYN, SYN | ACK, ACK} {
		dir := ClientToServer
		if i == 1 {
			dir = ServerToClient
		}
		c, s := onClient.Next(dir, f, "", 100*time.Microsecond), onServer.Next(dir, f, "", 100*time.Microsecond)
		if dir == ClientToServer {
			c.SrcMAC, c.DstMAC, c.TTL = GWClientMAC, GWRouter1MAC, 64
			s.SrcMAC, s.DstMAC, s.TTL = GWRouter2MAC, GWServerMAC, 63
		} else {
			s.SrcMAC, s.DstMAC, s.TTL = GWServerMAC, GWRouter2MAC, 64
			c.SrcMAC, c.DstMAC, c.TTL = GWRouter1MAC, GWClientMAC, 63
		}
		onClient.Add(c)
		onServer.Add(s)
	}
	return append(clientLink, onClient.Frames()...), append(serverLink, onServer.Frames()...)
}

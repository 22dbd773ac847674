package ladder

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/upcase/upcase/internal/trace"
)

// TestGatewayARP: with a gateway named, ARP between either host and the
// gateway is part of the conversation, in the right direction, and
// explained as the gateway's; other ARP is not.
func TestGatewayARP(t *testing.T) {
	client := netip.MustParseAddrPort("192.168.1.2:40000")
	server := netip.MustParseAddrPort("192.168.2.2:8080")
	gw1, gw2 := netip.MustParseAddr("192.168.1.1"), netip.MustParseAddr("192.168.2.1")
	arp := func(op ARPOp, snd, tgt netip.Addr) Event {
		return Event{Kind: trace.KindARP, ARP: ARP{Op: op, SenderIP: snd, TargetIP: tgt}}
	}
	for _, tc := range []struct {
		ev      Event
		dir     Direction
		ok      bool
		explain string
	}{
		{arp(ARPRequest, client.Addr(), gw1), ClientToServer, true, "default gateway"},
		{arp(ARPReply, gw1, client.Addr()), ServerToClient, true, "The router answers"},
		{arp(ARPRequest, gw2, server.Addr()), ClientToServer, true, "The router has a packet to forward"},
		{arp(ARPReply, server.Addr(), gw2), ServerToClient, true, "The server answers the router"},
		{arp(ARPRequest, client.Addr(), netip.MustParseAddr("192.168.1.9")), 0, false, ""},
	} {
		c := NewConversation(trace.KindTCP, client, server, States{Client: Closed, Server: Listen})
		c.SetGateways(gw1, gw2)
		dir, ok := c.Direction(tc.ev)
		if ok != tc.ok || dir != tc.dir {
			t.Errorf("%v: direction %v, %v; want %v, %v", tc.ev, dir, ok, tc.dir, tc.ok)
			continue
		}
		if !ok {
			continue
		}
		s, err := c.Add(tc.ev)
		if err != nil || !strings.Contains(s.Explanation, tc.explain) {
			t.Errorf("%v: %v, explained %q; want it to say %q", tc.ev, err, s.Explanation, tc.explain)
		}
	}
}

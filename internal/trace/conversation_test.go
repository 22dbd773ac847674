package trace

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/upcase/upcase/internal/lang"
	"github.com/upcase/upcase/internal/trace/tracetest"
)

func TestConversationNumbers(t *testing.T) {
	c := conversationOf(t, KindTCP, client4, server4, st(Closed, Listen), scenarioNormal4(client4, server4))
	steps := c.Steps()
	tests := []struct {
		step          int
		seq, ack      uint32
		window        int
		acked         uint32
		wantTCPWindow uint16
	}{
		{0, 0, 0, 65495, 0, 65495},  // SYN: never scaled
		{1, 0, 1, 65483, 1, 65483},  // SYN-ACK: acknowledges the SYN
		{2, 1, 1, 65536, 1, 512},    // scaled by 2^7
		{3, 1, 1, 65536, 0, 512},    // hello
		{4, 1, 6, 65536, 5, 512},    // its ACK
		{13, 19, 19, 65536, 1, 512}, // the last ACK, of the FIN
	}
	for _, tt := range tests {
		s := steps[tt.step]
		if s.Seq != tt.seq || s.Ack != tt.ack || s.Window != tt.window || s.Acked != tt.acked || s.Event.TCP.Window != tt.wantTCPWindow {
			t.Errorf("step %d: seq %d ack %d window %d acked %d, want %d %d %d %d", tt.step, s.Seq, s.Ack, s.Window, s.Acked, tt.seq, tt.ack, tt.window, tt.acked)
		}
		if s.Index != tt.step {
			t.Errorf("step %d has Index %d", tt.step, s.Index)
		}
	}
}

func TestConversationForeign(t *testing.T) {
	c := NewConversation(KindTCP, client4, server4, st(Closed, Listen))
	other := netip.MustParseAddrPort("127.0.0.1:9999")
	foreign := []Event{
		mustDecode(tracetest.TCPFrame(tracetest.Seg{Src: client4, Dst: other, Flags: tracetest.SYN}), start),
		mustDecode(tracetest.UDPFrame(client4, server4, []byte("x")), start),
		mustDecode(tracetest.ARPFrame(tracetest.ARPRequest, tracetest.LANClientMAC, lanClient.Addr(), MAC{}, lanServer.Addr()), start),
		{Kind: KindOther},
	}
	for _, ev := range foreign {
		if _, err := c.Add(ev); !errors.Is(err, ErrNotInConversation) {
			t.Errorf("Add(%s): got %v, want ErrNotInConversation", ev, err)
		}
	}
	if len(c.Steps()) != 0 || c.Done() {
		t.Errorf("foreign events changed the conversation: %d steps, done %v", len(c.Steps()), c.Done())
	}
}

func TestConversationRefusalCorrected(t *testing.T) {
	c := NewConversation(KindTCP, client4, server4, st(Closed, Listen))
	evs := scenarioRefused(client4, server4)
	first, err := c.Add(evs[0])
	if err != nil {
		t.Fatal(err)
	}
	if first.After != st(SynSent, SynReceived) {
		t.Errorf("after the SYN, as seen then: %+v, want SYN-SENT, SYN-RECEIVED", first.After)
	}
	if _, err := c.Add(evs[1]); err != nil {
		t.Fatal(err)
	}
	if c.Initial() != st(Closed, Closed) || c.Steps()[0].After != st(SynSent, Closed) {
		t.Errorf("after the RST: initial %+v, first step %+v; want the server CLOSED throughout", c.Initial(), c.Steps()[0].After)
	}
}

func TestTracker(t *testing.T) {
	other := netip.MustParseAddrPort("127.0.0.1:40400")
	a := scenarioNormal3(client4, server4)
	b := scenarioReset(other, server4)
	// Interleave the two connections, then reuse a's addresses.
	var evs []Event
	for i := range max(len(a), len(b)) {
		if i < len(a) {
			evs = append(evs, a[i])
		}
		if i < len(b) {
			evs = append(evs, b[i])
		}
	}
	evs = append(evs, scenarioNormal3(client4, server4)[:3]...)

	var tr Tracker
	seen := map[*Conversation]int{}
	var order []*Conversation
	for _, ev := range evs {
		c, s, err := tr.Add(ev)
		if err != nil {
			t.Fatal(err)
		}
		if s.Index == 0 {
			order = append(order, c)
		}
		seen[c]++
	}
	if len(order) != 3 {
		t.Fatalf("got %d conversations, want 3", len(order))
	}
	want := []struct {
		client netip.AddrPort
		steps  int
		done   bool
	}{{client4, len(a), true}, {other, len(b), true}, {client4, 3, false}}
	for i, w := range want {
		c := order[i]
		if c.Client() != w.client || c.Server() != server4 || seen[c] != w.steps || c.Done() != w.done {
			t.Errorf("conversation %d: %s-%s, %d steps, done %v; want %s-%s, %d, %v", i, c.Client(), c.Server(), seen[c], c.Done(), w.client, server4, w.steps, w.done)
		}
	}
	if _, _, err := tr.Add(Event{Kind: KindARP}); !errors.Is(err, ErrNotFlow) {
		t.Errorf("Add(ARP): got %v, want ErrNotFlow", err)
	}
}

func TestTrackerMidstream(t *testing.T) {
	evs := scenarioNormal4(client4, server4)[4:] // from the server's ACK of "hello"
	tests := []struct {
		name       string
		serverPort uint16
		client     netip.AddrPort
	}{
		{"server port known", 8080, client4},
		{"server port unknown: the first sender is the client", 0, server4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := Tracker{ServerPort: tt.serverPort}
			var c *Conversation
			for _, ev := range evs {
				var err error
				if c, _, err = tr.Add(ev); err != nil {
					t.Fatal(err)
				}
			}
			if c.Client() != tt.client || c.Initial() != st(Established, Established) || !c.Done() {
				t.Errorf("client %s initial %+v done %v; want %s, both ESTABLISHED, done", c.Client(), c.Initial(), c.Done(), tt.client)
			}
			if s := c.Steps()[0]; s.Seq != 0 || s.Ack != 0 {
				t.Errorf("first step caught midway: seq %d ack %d, want both counted from 0", s.Seq, s.Ack)
			}
		})
	}
}

func TestTrackerUDP(t *testing.T) {
	evs := scenarioUDP(client4, server4)[1:] // the server's answer first
	tr := Tracker{ServerPort: 8080}
	var c *Conversation
	for _, ev := range evs {
		var err error
		if c, _, err = tr.Add(ev); err != nil {
			t.Fatal(err)
		}
	}
	if c.Client() != client4 || c.Kind() != KindUDP || len(c.Steps()) != 3 || c.Done() {
		t.Errorf("client %s kind %s steps %d done %v; want %s, UDP, 3, not done", c.Client(), c.Kind(), len(c.Steps()), c.Done(), client4)
	}
	if c.Steps()[0].Dir != ServerToClient {
		t.Errorf("the answer went %s, want server→client", c.Steps()[0].Dir)
	}
}

func TestTrackerForgets(t *testing.T) {
	var tr Tracker
	for i := range maxConversations + 10 {
		cl := netip.AddrPortFrom(client4.Addr(), uint16(10000+i))
		for _, ev := range scenarioRefused(cl, server4) {
			if _, _, err := tr.Add(ev); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := len(tr.convs); n > maxConversations {
		t.Errorf("tracker holds %d conversations, want at most %d", n, maxConversations)
	}
}

// TestGatewayARP: with a gateway named, ARP between either host and the
// gateway is part of the conversation, in the right direction, and
// explained as the gateway's; other ARP is not.
func TestGatewayARP(t *testing.T) {
	client := netip.MustParseAddrPort("192.168.1.2:40000")
	server := netip.MustParseAddrPort("192.168.2.2:8080")
	gw1, gw2 := netip.MustParseAddr("192.168.1.1"), netip.MustParseAddr("192.168.2.1")
	arp := func(op ARPOp, snd, tgt netip.Addr) Event {
		return Event{Kind: KindARP, ARP: ARP{Op: op, SenderIP: snd, TargetIP: tgt}}
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
		c := NewConversation(KindTCP, client, server, States{Client: Closed, Server: Listen})
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
		if e := c.Explain(s, lang.English); err != nil || !strings.Contains(e, tc.explain) {
			t.Errorf("%v: %v, explained %q; want it to say %q", tc.ev, err, e, tc.explain)
		}
	}
}

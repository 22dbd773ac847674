package ladder

import (
	"bytes"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/upcase/upcase/internal/trace"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// checkGolden compares a drawn ladder with testdata/name.golden, which
// -update rewrites first.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("ladder differs from %s (run with -update to accept):\n%s", golden, got)
	}
}

// conversationOf follows events from client to server, starting in initial.
func conversationOf(t testing.TB, kind Kind, client, server netip.AddrPort, initial States, events []Event) *Conversation {
	t.Helper()
	c := NewConversation(kind, client, server, initial)
	for _, ev := range events {
		if _, err := c.Add(ev); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func TestLadderGolden(t *testing.T) {
	fresh := st(Closed, Listen)
	tests := []struct {
		name     string
		kind     Kind
		events   []Event
		initial  States
		renderer Renderer
		client   netip.AddrPort
		server   netip.AddrPort
	}{
		{"normal4", trace.KindTCP, scenarioNormal4(client4, server4), fresh, Renderer{}, client4, server4},
		{"normal3", trace.KindTCP, scenarioNormal3(client4, server4), fresh, Renderer{}, client4, server4},
		{"halfclose", trace.KindTCP, scenarioHalfClose(client4, server4), fresh, Renderer{}, client4, server4},
		{"halfclose0", trace.KindTCP, scenarioHalfClose0(client4, server4), fresh, Renderer{}, client4, server4},
		{"server_close", trace.KindTCP, scenarioServerClose(client4, server4), fresh, Renderer{}, client4, server4},
		{"reset", trace.KindTCP, scenarioReset(client4, server4), fresh, Renderer{}, client4, server4},
		{"refused", trace.KindTCP, scenarioRefused(client4, server4), st(Closed, Closed), Renderer{}, client4, server4},
		{"simultaneous", trace.KindTCP, scenarioSimultaneous(client4, server4), fresh, Renderer{}, client4, server4},
		{"udp", trace.KindUDP, scenarioUDP(client4, server4), States{}, Renderer{}, client4, server4},
		{"ipv6_absolute_wide", trace.KindTCP, scenarioNormal3(client6, server6), fresh, Renderer{Absolute: true, Width: 100}, client6, server6},
		{"color", trace.KindTCP, scenarioReset(client4, server4), fresh, Renderer{Color: true}, client4, server4},
		{"narrow", trace.KindTCP, scenarioNormal3(client4, server4)[:3], fresh, Renderer{Width: 20}, client4, server4},
		{"lan_link_arp", trace.KindTCP, scenarioLAN(), fresh, Renderer{Link: true}, lanClient, lanServer},
		// Beyond a router the link's other end is the router: the header says so.
		{"link_via_router", trace.KindTCP, scenarioLAN()[:2], fresh, Renderer{Link: true, Via: "router 10.0.0.254"}, lanClient, lanServer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := conversationOf(t, tt.kind, tt.client, tt.server, tt.initial, tt.events)
			var got bytes.Buffer
			r := tt.renderer
			r.Out = &got
			if err := r.Render(c); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tt.name, got.Bytes())
		})
	}
}

// The LAN scenario: two hosts on one Ethernet link, ARP before the
// handshake.
var (
	lanClient    = netip.MustParseAddrPort("10.0.0.1:40312")
	lanServer    = netip.MustParseAddrPort("10.0.0.2:8080")
	lanClientMAC = MAC{0x02, 0, 0, 0, 0, 0x01}
	lanServerMAC = MAC{0x02, 0, 0, 0, 0, 0x02}
)

// scenarioLAN is ARP request and reply, then the handshake, over Ethernet.
func scenarioLAN() []Event {
	evs := []Event{
		mustDecode(arpFrame(ARPRequest, lanClientMAC, lanClient.Addr(), MAC{}, lanServer.Addr()), start),
		mustDecode(arpFrame(ARPReply, lanServerMAC, lanServer.Addr(), lanClientMAC, lanClient.Addr()), start.Add(40e3)),
	}
	d := newDialogue(lanClient, lanServer)
	d.now = start.Add(60e3)
	for i, f := range []TCPFlag{FlagSYN, FlagSYN | FlagACK, FlagACK} {
		dir := ClientToServer
		if i == 1 {
			dir = ServerToClient
		}
		s := d.seg(dir, f, "", 20e3)
		s.srcMAC, s.dstMAC = lanClientMAC, lanServerMAC
		if dir == ServerToClient {
			s.srcMAC, s.dstMAC = lanServerMAC, lanClientMAC
		}
		d.add(s)
	}
	return append(evs, d.events...)
}

func TestWrap(t *testing.T) {
	tests := []struct {
		text  string
		width int
		want  []string
	}{
		{"", 10, nil},
		{"one two three", 7, []string{"one two", "three"}},
		{"abcdefghij kl", 4, []string{"abcd", "efgh", "ij", "kl"}},
		{"  spaced   out  ", 20, []string{"spaced out"}},
		{"2×MSL wait", 5, []string{"2×MSL", "wait"}},
	}
	for _, tt := range tests {
		got := wrap(tt.text, tt.width)
		if len(got) != len(tt.want) {
			t.Errorf("wrap(%q, %d) = %q, want %q", tt.text, tt.width, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("wrap(%q, %d) = %q, want %q", tt.text, tt.width, got, tt.want)
				break
			}
		}
	}
}

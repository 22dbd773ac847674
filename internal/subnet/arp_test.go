package subnet

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
)

// TestDecide checks the decision for each kind of destination: whose MAC
// is asked for (none for broadcast, multicast and loopback), how many
// frames go on the wire, the data frame's destination MAC, and whether it
// goes through the gateway.
func TestDecide(t *testing.T) {
	tests := []struct {
		name       string
		a, b, gw   string
		delivery   Delivery
		reach      Reach
		same       bool
		viaGateway bool
		askFor     string // "" means absent: no ARP, no NDP
		frames     int
		dataDstMAC string // the last frame's destination MAC
	}{
		// The lesson's two examples, and their neighbors: ARP for the host, or for the gateway.
		{name: "same subnet", a: "172.16.10.10/24", b: "172.16.10.11", delivery: Unicast, reach: LinkReach, same: true, askFor: "172.16.10.11", frames: 2, dataDstMAC: "MAC of B"},
		{name: "other subnet", a: "192.168.1.2/24", b: "192.168.2.2", gw: "192.168.1.1", delivery: Unicast, reach: RoutedReach, viaGateway: true, askFor: "192.168.1.1", frames: 2, dataDstMAC: "MAC of gateway 192.168.1.1"},
		{name: "other subnet, no gateway named", a: "192.168.1.2/24", b: "192.168.2.2", delivery: Unicast, reach: RoutedReach, viaGateway: true, askFor: "gateway", frames: 2, dataDstMAC: "gateway's MAC"},
		{name: "wider mask", a: "192.168.1.2/16", b: "192.168.2.2", delivery: Unicast, reach: LinkReach, same: true, askFor: "192.168.2.2", frames: 2, dataDstMAC: "MAC of B"},
		{name: "same subnet, gateway unused", a: "172.16.10.10/24", b: "172.16.10.11", gw: "172.16.10.1", delivery: Unicast, reach: LinkReach, same: true, askFor: "172.16.10.11", frames: 2, dataDstMAC: "MAC of B"},
		{name: "network address as destination", a: "192.168.1.2/24", b: "192.168.1.0", delivery: Unicast, reach: LinkReach, same: true, askFor: "192.168.1.0", frames: 2, dataDstMAC: "MAC of B"},
		{name: "/31: the other end is a host (RFC 3021)", a: "10.0.0.0/31", b: "10.0.0.1", delivery: Unicast, reach: LinkReach, same: true, askFor: "10.0.0.1", frames: 2, dataDstMAC: "MAC of B"},
		{name: "/30: the last address is the broadcast", a: "10.0.0.1/30", b: "10.0.0.3", delivery: Broadcast, reach: LinkReach, same: true, frames: 1, dataDstMAC: BroadcastMAC},
		{name: "IPv6 same subnet", a: "2001:db8::1/64", b: "2001:db8::2", delivery: Unicast, reach: LinkReach, same: true, askFor: "2001:db8::2", frames: 2, dataDstMAC: "MAC of B"},
		{name: "IPv6 all-ones is a host", a: "2001:db8::1/64", b: "2001:db8::ffff:ffff:ffff:ffff", delivery: Unicast, reach: LinkReach, same: true, askFor: "2001:db8::ffff:ffff:ffff:ffff", frames: 2, dataDstMAC: "MAC of B"},

		// Broadcast: one frame to ff:ff:ff:ff:ff:ff, no ARP, never the gateway.
		{name: "directed broadcast of A's subnet", a: "192.168.1.2/24", b: "192.168.1.255", delivery: Broadcast, reach: LinkReach, same: true, frames: 1, dataDstMAC: BroadcastMAC},
		{name: "directed broadcast, gateway named", a: "192.168.1.2/24", b: "192.168.1.255", gw: "192.168.1.1", delivery: Broadcast, reach: LinkReach, same: true, frames: 1, dataDstMAC: BroadcastMAC},
		{name: "limited broadcast", a: "192.168.1.2/24", b: "255.255.255.255", delivery: Broadcast, reach: LinkReach, frames: 1, dataDstMAC: BroadcastMAC},
		{name: "limited broadcast, gateway named", a: "192.168.1.2/24", b: "255.255.255.255", gw: "192.168.1.1", delivery: Broadcast, reach: LinkReach, frames: 1, dataDstMAC: BroadcastMAC},
		{name: "limited broadcast from a /32", a: "10.0.0.1/32", b: "255.255.255.255", delivery: Broadcast, reach: LinkReach, frames: 1, dataDstMAC: BroadcastMAC},

		// Multicast: the MAC comes from the group, no ARP, never the gateway.
		{name: "mDNS, link-local multicast", a: "192.168.1.2/24", b: "224.0.0.251", delivery: Multicast, reach: LinkReach, frames: 1, dataDstMAC: "01:00:5e:00:00:fb"},
		{name: "routed multicast, gateway named", a: "192.168.1.2/24", b: "239.1.2.3", gw: "192.168.1.1", delivery: Multicast, reach: RoutedReach, frames: 1, dataDstMAC: "01:00:5e:01:02:03"},
		{name: "multicast, only the low 23 bits", a: "192.168.1.2/24", b: "239.129.2.3", delivery: Multicast, reach: RoutedReach, frames: 1, dataDstMAC: "01:00:5e:01:02:03"},
		{name: "top multicast group", a: "192.168.1.2/24", b: "239.255.255.255", delivery: Multicast, reach: RoutedReach, frames: 1, dataDstMAC: "01:00:5e:7f:ff:ff"},
		{name: "IPv6 link-local multicast", a: "2001:db8::1/64", b: "ff02::fb", delivery: Multicast, reach: LinkReach, frames: 1, dataDstMAC: "33:33:00:00:00:fb"},
		{name: "IPv6 site-local multicast", a: "2001:db8::1/64", b: "ff05::1:3", delivery: Multicast, reach: RoutedReach, frames: 1, dataDstMAC: "33:33:00:01:00:03"},
		{name: "IPv6 interface-local multicast", a: "2001:db8::1/64", b: "ff01::1", delivery: Multicast, reach: HostReach, frames: 0},

		// Loopback: no frame at all.
		{name: "loopback", a: "127.0.0.1/8", b: "127.0.0.5", delivery: Loopback, reach: HostReach, same: true, frames: 0},
		{name: "loopback from another subnet", a: "192.168.1.2/24", b: "127.0.0.1", gw: "192.168.1.1", delivery: Loopback, reach: HostReach, frames: 0},
		{name: "loopback subnet's broadcast", a: "127.0.0.1/8", b: "127.255.255.255", delivery: Loopback, reach: HostReach, same: true, frames: 0},
		{name: "IPv6 loopback", a: "2001:db8::1/64", b: "::1", delivery: Loopback, reach: HostReach, frames: 0},
		{name: "to itself", a: "192.168.1.2/24", b: "192.168.1.2", delivery: Loopback, reach: HostReach, same: true, frames: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := decide(t, tt.a, tt.b, tt.gw)
			type result struct {
				Delivery   Delivery
				Reach      Reach
				Same, Via  bool
				AskFor     string
				Frames     int
				DataDstMAC string
			}
			got := result{p.Delivery, p.Reach, p.SameSubnet, p.ViaGateway, p.AskFor, len(p.Frames), ""}
			if len(p.Frames) > 0 {
				got.DataDstMAC = p.Frames[len(p.Frames)-1].DstMAC
			}
			want := result{tt.delivery, tt.reach, tt.same, tt.viaGateway, tt.askFor, tt.frames, tt.dataDstMAC}
			if got != want {
				t.Errorf("Decide(%s, %s, %q) =\n %+v\nwant\n %+v", tt.a, tt.b, tt.gw, got, want)
			}
			if p.Frames == nil {
				t.Errorf("Frames is nil; want empty, so that the JSON says []")
			}
			// The data always carries A's and B's IPs, whoever's MAC it goes to.
			if n := len(p.Frames); n > 0 {
				data := p.Frames[n-1]
				if data.SrcIP != strings.Split(tt.a, "/")[0] || data.DstIP != tt.b || data.SrcMAC != "MAC of A" {
					t.Errorf("data frame %+v", data)
				}
			}
			// A request comes first exactly when someone is asked, and
			// asks for that one.
			if (p.AskFor != "") != (p.Protocol != "") {
				t.Errorf("ask_for %q, protocol %q: want both or neither", p.AskFor, p.Protocol)
			}
			if tt.askFor != "" && !strings.HasPrefix(p.Frames[0].What, p.Protocol) {
				t.Errorf("first frame %q is not the %s request", p.Frames[0].What, p.Protocol)
			}
			if tt.askFor == "" && tt.frames > 0 && (strings.Contains(p.Frames[0].What, "who has") || p.Frames[0].role == askRole) {
				t.Errorf("no one is asked, but the first frame is %+v", p.Frames[0])
			}
		})
	}
}

// TestDecideRequest checks the request frame itself: ARP's broadcast asking
// for the target's IP, or NDP's solicited-node multicast.
func TestDecideRequest(t *testing.T) {
	tests := []struct {
		a, b, gw      string
		dstMAC, dstIP string
	}{
		{"172.16.10.10/24", "172.16.10.11", "", BroadcastMAC, "172.16.10.11"},
		{"192.168.1.2/24", "192.168.2.2", "192.168.1.1", BroadcastMAC, "192.168.1.1"},
		{"192.168.1.2/24", "192.168.2.2", "", BroadcastMAC, "gateway's IP"},
		{"2001:db8::1/64", "2001:db8::abcd:1234", "", "33:33:ff:cd:12:34", "ff02::1:ffcd:1234 (solicited-node multicast)"},
	}
	for _, tt := range tests {
		p := decide(t, tt.a, tt.b, tt.gw)
		if req := p.Frames[0]; req.DstMAC != tt.dstMAC || req.DstIP != tt.dstIP || req.SrcMAC != "MAC of A" {
			t.Errorf("Decide(%s, %s, %q): request %+v, want to %s, %s", tt.a, tt.b, tt.gw, req, tt.dstMAC, tt.dstIP)
		}
	}
}

// TestDecideRefuses checks that a sender or gateway no host can be is
// refused, not taken silently, except on /31 and /32 (RFC 3021).
func TestDecideRefuses(t *testing.T) {
	tests := []struct {
		a, b, gw string
		wantErr  string
	}{
		{"192.168.1.255/24", "192.168.1.3", "", "192.168.1.255/24: 192.168.1.255 is the broadcast address of 192.168.1.0/24 (host bits all 1), not a host's address; a host on 192.168.1.0/24 has one of 192.168.1.1 to 192.168.1.254"},
		{"192.168.1.0/24", "192.168.1.3", "", "192.168.1.0/24: 192.168.1.0 is the network address of 192.168.1.0/24 (host bits all 0), not a host's address; a host on 192.168.1.0/24 has one of 192.168.1.1 to 192.168.1.254"},
		{"10.0.0.3/30", "10.0.0.1", "", "broadcast address of 10.0.0.0/30"},
		{"255.255.255.255/32", "10.0.0.1", "", "255.255.255.255 is the limited broadcast address"},
		{"224.0.0.251/24", "224.0.0.1", "", "224.0.0.251 is a multicast group, not a host's address"},
		{"ff02::1/64", "ff02::2", "", "ff02::1 is a multicast group"},
		{"192.168.1.2/24", "192.168.2.2", "192.168.1.255", "gateway 192.168.1.255 is the broadcast address of 192.168.1.0/24"},
		{"192.168.1.2/24", "192.168.2.2", "192.168.1.0", "gateway 192.168.1.0 is the network address of 192.168.1.0/24"},
		{"192.168.1.2/24", "192.168.2.2", "10.0.0.1", "gateway 10.0.0.1 is not on 192.168.1.2's subnet 192.168.1.0/24"},
		{"192.168.1.2/24", "2001:db8::2", "", "not both IPv4 or both IPv6"},
		{"192.168.1.2/24", "192.168.2.2", "2001:db8::1", "gateway 2001:db8::1 is not the same IP version as 192.168.1.2"},
		{"192.168.1.2/24", "192.168.2.2", "192.168.1.2", "is 192.168.1.2 itself"},
	}
	for _, tt := range tests {
		_, err := decideErr(t, tt.a, tt.b, tt.gw)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("Decide(%s, %s, %q) error = %v, want %q", tt.a, tt.b, tt.gw, err, tt.wantErr)
		}
	}
	// No broadcast on /31 and /32 (RFC 3021): every address is a host's.
	for a, b := range map[string]string{"10.0.0.0/31": "10.0.0.1", "10.0.0.1/31": "10.0.0.0", "10.0.0.0/32": "10.0.0.1", "10.0.0.255/32": "10.0.0.1", "2001:db8::/64": "2001:db8::1"} {
		decide(t, a, b, "")
	}
}

// TestPathText checks the decision line and the marked row of the text
// view for each kind of destination, and that a loopback path shows no
// frame table.
func TestPathText(t *testing.T) {
	tests := []struct {
		a, b      string
		decision  string
		markedRow string // "" means no table at all
	}{
		{"172.16.10.10/24", "172.16.10.11", "same subnet: A sends straight to B, so ARP asks for B's MAC", "  same subnet  "},
		{"192.168.1.2/24", "192.168.2.2", "different subnets: A sends through the gateway, so ARP asks for the gateway's MAC, not B's", "  different subnet  "},
		{"192.168.1.2/24", "192.168.1.255", "broadcast: one frame to every host on the link, to ff:ff:ff:ff:ff:ff; no ARP, no gateway", "  broadcast  "},
		{"192.168.1.2/24", "224.0.0.251", "multicast: one frame to the group's MAC 01:00:5e:00:00:fb; no ARP, no gateway", "  multicast  "},
		{"2001:db8::1/64", "ff02::fb", "multicast: one frame to the group's MAC 33:33:00:00:00:fb; no NDP, no gateway", "  multicast  "},
		{"127.0.0.1/8", "127.0.0.5", "loopback: the packet never leaves this machine, so there is no frame and no ARP", ""},
		{"2001:db8::1/64", "::1", "loopback: the packet never leaves this machine, so there is no frame and no NDP", ""},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		if err := decide(t, tt.a, tt.b, "").WriteText(&buf); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(buf.String(), "\n")
		if len(lines) < 3 || lines[2] != tt.decision {
			t.Errorf("%s to %s: decision line %q, want %q", tt.a, tt.b, lines[2], tt.decision)
		}
		var marked []string
		for _, l := range lines {
			if strings.HasSuffix(l, "<- this one") {
				marked = append(marked, l)
			}
		}
		switch {
		case tt.markedRow == "" && (len(marked) != 0 || strings.Contains(buf.String(), "source MAC")):
			t.Errorf("%s to %s: want no tables:\n%s", tt.a, tt.b, buf.String())
		case tt.markedRow != "" && (len(marked) != 1 || !strings.HasPrefix(marked[0], tt.markedRow)):
			t.Errorf("%s to %s: marked rows %q, want one starting %q", tt.a, tt.b, marked, tt.markedRow)
		}
	}
}

func TestMulticastMAC(t *testing.T) {
	for group, want := range map[string]string{
		"224.0.0.1":       "01:00:5e:00:00:01",
		"224.0.0.251":     "01:00:5e:00:00:fb",
		"239.1.2.3":       "01:00:5e:01:02:03",
		"224.129.2.3":     "01:00:5e:01:02:03", // the 24th bit is dropped: 32 groups share a MAC
		"239.255.255.250": "01:00:5e:7f:ff:fa",
		"ff02::1":         "33:33:00:00:00:01",
		"ff02::1:ff00:2":  "33:33:ff:00:00:02",
		"ff05::1:3":       "33:33:00:01:00:03",
	} {
		if got := multicastMAC(netip.MustParseAddr(group)); got != want {
			t.Errorf("multicastMAC(%s) = %s, want %s", group, got, want)
		}
	}
}

// decide runs Decide on strings, failing the test on any error.
func decide(t *testing.T, a, b, gw string) Path {
	t.Helper()
	p, err := decideErr(t, a, b, gw)
	if err != nil {
		t.Fatalf("Decide(%s, %s, %q): %v", a, b, gw, err)
	}
	return p
}

// decideErr runs Decide on strings, which must parse; gw "" is none.
func decideErr(t *testing.T, a, b, gw string) (Path, error) {
	t.Helper()
	pa, _, err := Parse(a)
	if err != nil {
		t.Fatal(err)
	}
	var g netip.Addr
	if gw != "" {
		g = netip.MustParseAddr(gw)
	}
	return Decide(pa, netip.MustParseAddr(b), g)
}

// FuzzDecide checks that Decide never panics and that its answers hold
// together: someone is asked exactly when a request frame comes first, a
// path that never leaves the host has no frame, broadcast and multicast
// never go through the gateway, and the text view writes.
func FuzzDecide(f *testing.F) {
	for _, s := range [][3]string{
		{"192.168.1.2/24", "192.168.1.255", ""},
		{"192.168.1.2/24", "255.255.255.255", "192.168.1.1"},
		{"192.168.1.2/24", "224.0.0.251", ""},
		{"192.168.1.2/24", "239.1.2.3", "192.168.1.1"},
		{"127.0.0.1/8", "127.0.0.5", ""},
		{"2001:db8::1/64", "::1", ""},
		{"2001:db8::1/64", "ff02::fb", ""},
		{"192.168.1.2/24", "192.168.2.2", "192.168.1.1"},
		{"192.168.1.255/24", "192.168.1.2", ""},
		{"10.0.0.0/31", "10.0.0.1", ""},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, as, bs, gws string) {
		a, _, err := Parse(as)
		if err != nil {
			return
		}
		b, err := ParseAddr(bs)
		if err != nil {
			return
		}
		var gw netip.Addr
		if gws != "" {
			if gw, err = ParseAddr(gws); err != nil {
				return
			}
		}
		p, err := Decide(a, b, gw)
		if err != nil {
			if err.Error() == "" || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Decide(%s, %s, %v): error %q is not one line", a, b, gw, err)
			}
			return
		}
		asks := len(p.Frames) > 0 && p.Frames[0].role == askRole
		if (p.AskFor != "") != asks || p.Frames == nil {
			t.Fatalf("Decide(%s, %s, %v): ask_for %q, frames %+v", a, b, gw, p.AskFor, p.Frames)
		}
		if p.Reach == HostReach && len(p.Frames) != 0 {
			t.Fatalf("Decide(%s, %s, %v): never leaves the host, yet frames %+v", a, b, gw, p.Frames)
		}
		if p.Delivery != Unicast && (p.ViaGateway || p.AskFor != "") {
			t.Fatalf("Decide(%s, %s, %v): %s through the gateway or asking %q", a, b, gw, p.Delivery, p.AskFor)
		}
		for _, fr := range p.Frames {
			if fr.What == "" || fr.DstMAC == "" {
				t.Fatalf("Decide(%s, %s, %v): frame %+v", a, b, gw, fr)
			}
		}
		if err := p.WriteText(&bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
	})
}

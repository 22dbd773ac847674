//go:build linux

package demo

import (
	"bytes"
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/upcase/upcase/internal/lang"
	"github.com/upcase/upcase/internal/trace"
	"github.com/upcase/upcase/internal/trace/ladder"
	"github.com/upcase/upcase/internal/trace/tracetest"
)

// linkSteps names a conversation's steps in order: "ARP request", "ARP
// reply", or the TCP flags.
func linkSteps(c *trace.Conversation) []string {
	var got []string
	for _, s := range c.Steps() {
		if s.Event.Kind == trace.KindARP {
			got = append(got, "ARP "+s.Event.ARP.Op.String())
		} else {
			got = append(got, s.Event.TCP.Flags.String())
		}
	}
	return got
}

// TestDemoLAN: on one subnet the client's link shows the ARP request to the
// broadcast address, the reply, then the whole connection, in that order.
func TestDemoLAN(t *testing.T) {
	tracetest.NeedRoot(t)
	res, err := Run(context.Background(), Config{Scenario: ScenarioLAN, CloseDelay: DefaultCloseDelay})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Links) != 1 || res.Conversation != res.Links[0].Conversation {
		t.Fatalf("%d links; want 1, the client's, as the result's conversation", len(res.Links))
	}
	c := res.Conversation
	got := linkSteps(c)
	want := []string{"ARP request", "ARP reply", "SYN", "SYN, ACK", "ACK"}
	if len(got) < len(want) || strings.Join(got[:len(want)], "|") != strings.Join(want, "|") {
		t.Fatalf("steps %q; want them to start %q", got, want)
	}
	if !c.Done() {
		t.Errorf("the connection is not over: final states %v", c.States())
	}
	req, rep, syn := c.Steps()[0].Event, c.Steps()[1].Event, c.Steps()[2].Event
	client, server := netip.MustParseAddr("172.16.10.10"), netip.MustParseAddr("172.16.10.11")
	if req.Link.Dst != trace.Broadcast || req.Link.EtherType != trace.EtherTypeARP || req.ARP.SenderIP != client || req.ARP.TargetIP != server {
		t.Errorf("ARP request %v (%v); want who-has %s tell %s, to %s", req.ARP, req.Link, server, client, trace.Broadcast)
	}
	if rep.ARP.SenderIP != server || rep.Link.Dst != req.Link.Src || c.Steps()[1].Dir != trace.ServerToClient {
		t.Errorf("ARP reply %v (%v); want %s is-at, straight back to %s", rep.ARP, rep.Link, server, req.Link.Src)
	}
	if syn.Link.Dst != rep.ARP.SenderMAC || syn.Link.Src != req.Link.Src || syn.Link.EtherType != trace.EtherTypeIPv4 {
		t.Errorf("SYN's link %v; want from %s to the MAC the reply gave, %s", syn.Link, req.Link.Src, rep.ARP.SenderMAC)
	}
	if syn.IP.Src != client || syn.IP.Dst != server {
		t.Errorf("SYN %s > %s; want %s > %s", syn.IP.Src, syn.IP.Dst, client, server)
	}
	if len(res.Frames) < len(c.Steps()) {
		t.Errorf("%d frames for %d steps", len(res.Frames), len(c.Steps()))
	}
	var b bytes.Buffer
	r := &ladder.Renderer{Out: &b, Link: true}
	if err := r.Render(c); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"ARP request who-has 172.16.10.11 tell 172.16.10.10", "> ff:ff:ff:ff:ff:ff ARP", "IPv4"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("the ladder lacks %q:\n%s", s, b.String())
		}
	}
}

// TestDemoGateway: across a router the client ARPs for its gateway, and the
// first SYN crosses the two links with the same IP addresses, other MAC
// addresses and a TTL one lower beyond the router.
func TestDemoGateway(t *testing.T) {
	tracetest.NeedRoot(t)
	res, err := Run(context.Background(), Config{Scenario: ScenarioGateway, CloseDelay: DefaultCloseDelay})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Links) != 2 {
		t.Fatalf("%d links; want 2", len(res.Links))
	}
	cl, sl := res.Links[0], res.Links[1]
	got := linkSteps(cl.Conversation)
	want := []string{"ARP request", "ARP reply", "SYN", "SYN, ACK", "ACK"}
	if len(got) < len(want) || strings.Join(got[:len(want)], "|") != strings.Join(want, "|") {
		t.Fatalf("client link steps %q; want them to start %q", got, want)
	}
	gw, server := netip.MustParseAddr("192.168.1.1"), netip.MustParseAddr("192.168.2.2")
	req := cl.Conversation.Steps()[0]
	if req.Event.ARP.TargetIP != gw || req.Event.Link.Dst != trace.Broadcast {
		t.Errorf("the client's ARP request %v; want who-has %s, the gateway, to the broadcast address", req.Event.ARP, gw)
	}
	if e := cl.Conversation.Explain(req, lang.English); !strings.Contains(e, "gateway") {
		t.Errorf("the client's ARP request is explained as %q; want it to name the gateway", e)
	}
	for _, s := range cl.Conversation.Steps() {
		if s.Event.Kind == trace.KindARP && s.Event.ARP.TargetIP == server {
			t.Errorf("the client asked for the server's MAC: %v", s.Event.ARP)
		}
	}
	a, ok := cl.FirstSYN()
	if !ok {
		t.Fatal("no SYN on the client's link")
	}
	z, ok := sl.FirstSYN()
	if !ok {
		t.Fatalf("no SYN on the server's link: %q", linkSteps(sl.Conversation))
	}
	if a.IP.Src != z.IP.Src || a.IP.Dst != z.IP.Dst || a.IP.Dst != server {
		t.Errorf("SYN's IPs %s > %s on the client's link, %s > %s on the server's; want the same, to %s", a.IP.Src, a.IP.Dst, z.IP.Src, z.IP.Dst, server)
	}
	if a.Link.Src == z.Link.Src || a.Link.Dst == z.Link.Dst {
		t.Errorf("SYN's MACs %v on the client's link, %v on the server's; want them to differ", a.Link, z.Link)
	}
	if a.Link.Dst != cl.Conversation.Steps()[1].Event.ARP.SenderMAC {
		t.Errorf("SYN's destination MAC %s; want the gateway's, %s", a.Link.Dst, cl.Conversation.Steps()[1].Event.ARP.SenderMAC)
	}
	if z.IP.TTL != a.IP.TTL-1 {
		t.Errorf("SYN's TTL %d on the client's link, %d on the server's; want one less", a.IP.TTL, z.IP.TTL)
	}
	if !cl.Conversation.Done() || !sl.Conversation.Done() {
		t.Errorf("the connection is not over on both links: %v, %v", cl.Conversation.States(), sl.Conversation.States())
	}
	var b bytes.Buffer
	if err := ladder.RenderLinks(&b, res.Links, lang.English); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"TTL went from 64 to 63", "router eth1: ARP request who-has 192.168.2.2"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("RenderLinks lacks %q:\n%s", s, b.String())
		}
	}
}

//go:build linux

package demo

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"time"

	"github.com/upcase/upcase/internal/netns"
	"github.com/upcase/upcase/internal/trace"
	"github.com/upcase/upcase/internal/trace/capture"
	"github.com/vishvananda/netlink"
	vnetns "github.com/vishvananda/netns"
)

// The MAC addresses the lan and gateway scenarios give their devices:
// locally administered (02:...), and ending in the host part of the IP
// address they go with, so that the ladder is easy to follow.
var (
	macLANClient = net.HardwareAddr{0x02, 0x00, 0xac, 0x10, 0x0a, 0x0a} // 172.16.10.10
	macLANServer = net.HardwareAddr{0x02, 0x00, 0xac, 0x10, 0x0a, 0x0b} // 172.16.10.11
	macGWClient  = net.HardwareAddr{0x02, 0x00, 0xc0, 0xa8, 0x01, 0x02} // 192.168.1.2
	macGWRouter1 = net.HardwareAddr{0x02, 0x00, 0xc0, 0xa8, 0x01, 0x01} // 192.168.1.1
	macGWRouter2 = net.HardwareAddr{0x02, 0x00, 0xc0, 0xa8, 0x02, 0x01} // 192.168.2.1
	macGWServer  = net.HardwareAddr{0x02, 0x00, 0xc0, 0xa8, 0x02, 0x02} // 192.168.2.2
)

// linkSpec is a link to capture on.
type linkSpec struct {
	view     trace.LinkView
	host     *netns.Host
	gateways []netip.Addr
}

// topology is the machines of a scenario, each a network namespace.
type topology struct {
	client, server *netns.Host
	hosts          []*netns.Host
	serverIP       netip.Addr
	links          []linkSpec
}

// close lets every namespace go.
func (t *topology) close() {
	for _, h := range t.hosts {
		h.Close()
	}
}

// newHost adds a machine.
func (t *topology) newHost() (*netns.Host, error) {
	h, err := netns.NewHost()
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	t.hosts = append(t.hosts, h)
	return h, nil
}

// buildTopology makes the scenario's machines and links, and returns once
// every link carries packets (see veth), or ctx is done. Everything lives
// in namespaces of its own: nothing is added to the caller's.
func buildTopology(ctx context.Context, scenario Scenario) (*topology, error) {
	t := &topology{}
	ok := false
	defer func() {
		if !ok {
			t.close()
		}
	}()
	var err error
	if t.client, err = t.newHost(); err != nil {
		return nil, err
	}
	if t.server, err = t.newHost(); err != nil {
		return nil, err
	}
	switch scenario {
	case ScenarioLAN:
		t.serverIP = netip.MustParseAddr("172.16.10.11")
		if err := veth(ctx, t.client, "eth0", macLANClient, "172.16.10.10/24", t.server, "eth0", macLANServer, "172.16.10.11/24"); err != nil {
			return nil, err
		}
		t.links = []linkSpec{{
			view: trace.LinkView{Ends: [2]trace.Role{trace.RoleClient, trace.RoleServer}, Host: trace.RoleClient, Interface: "eth0",
				Owners: map[trace.MAC]trace.Owner{
					trace.MAC(macLANClient): {Role: trace.RoleClient, Interface: "eth0"},
					trace.MAC(macLANServer): {Role: trace.RoleServer, Interface: "eth0"},
				}},
			host: t.client,
		}}
	case ScenarioGateway:
		router, err := t.newHost()
		if err != nil {
			return nil, err
		}
		t.serverIP = netip.MustParseAddr("192.168.2.2")
		if err := veth(ctx, router, "eth0", macGWRouter1, "192.168.1.1/24", t.client, "eth0", macGWClient, "192.168.1.2/24"); err != nil {
			return nil, err
		}
		if err := veth(ctx, router, "eth1", macGWRouter2, "192.168.2.1/24", t.server, "eth0", macGWServer, "192.168.2.2/24"); err != nil {
			return nil, err
		}
		if err := defaultRoute(t.client, "192.168.1.1"); err != nil {
			return nil, err
		}
		if err := defaultRoute(t.server, "192.168.2.1"); err != nil {
			return nil, err
		}
		if err := router.Do(func() error {
			return os.WriteFile("/proc/sys/net/ipv4/ip_forward", []byte("1\n"), 0o644)
		}); err != nil {
			return nil, fmt.Errorf("demo: turn on forwarding in the router: %w", err)
		}
		t.links = []linkSpec{{
			view: trace.LinkView{Ends: [2]trace.Role{trace.RoleClient, trace.RoleRouter}, Host: trace.RoleRouter, Interface: "eth0",
				Router: netip.MustParseAddr("192.168.1.1"),
				Owners: map[trace.MAC]trace.Owner{
					trace.MAC(macGWClient):  {Role: trace.RoleClient, Interface: "eth0"},
					trace.MAC(macGWRouter1): {Role: trace.RoleRouter, Interface: "eth0"},
				}},
			host: router, gateways: []netip.Addr{netip.MustParseAddr("192.168.1.1")},
		}, {
			view: trace.LinkView{Ends: [2]trace.Role{trace.RoleRouter, trace.RoleServer}, Host: trace.RoleRouter, Interface: "eth1",
				Owners: map[trace.MAC]trace.Owner{
					trace.MAC(macGWServer):  {Role: trace.RoleServer, Interface: "eth0"},
					trace.MAC(macGWRouter2): {Role: trace.RoleRouter, Interface: "eth1"},
				}},
			host: router, gateways: []netip.Addr{netip.MustParseAddr("192.168.2.1")},
		}}
	default:
		return nil, fmt.Errorf("demo: %q is not a link-layer scenario", scenario)
	}
	ok = true
	return t, nil
}

// veth joins machines a and b with a veth pair: device aName in a, with
// MAC aMAC and address aAddr (CIDR), and bName in b likewise; both up. It
// returns once both ends carry packets (see waitOperUp), or ctx is done.
func veth(ctx context.Context, a *netns.Host, aName string, aMAC net.HardwareAddr, aAddr string, b *netns.Host, bName string, bMAC net.HardwareAddr, bAddr string) error {
	ha, err := netlink.NewHandleAt(vnetns.NsHandle(a.Fd()))
	if err != nil {
		return fmt.Errorf("demo: netlink: %w", err)
	}
	defer ha.Close()
	v := &netlink.Veth{
		LinkAttrs:        netlink.LinkAttrs{Name: aName, HardwareAddr: aMAC},
		PeerName:         bName,
		PeerHardwareAddr: bMAC,
		PeerNamespace:    netlink.NsFd(b.Fd()),
	}
	if err := ha.LinkAdd(v); err != nil {
		return fmt.Errorf("demo: add veth pair %s-%s: %w", aName, bName, err)
	}
	if err := configure(ha, aName, aAddr); err != nil {
		return err
	}
	hb, err := netlink.NewHandleAt(vnetns.NsHandle(b.Fd()))
	if err != nil {
		return fmt.Errorf("demo: netlink: %w", err)
	}
	defer hb.Close()
	if err := configure(hb, bName, bAddr); err != nil {
		return err
	}
	if err := waitOperUp(ctx, ha, aName); err != nil {
		return err
	}
	return waitOperUp(ctx, hb, bName)
}

// waitOperUp waits until the kernel reports device name, which is up, as
// operationally up, or ctx is done. Linux turns a veth device's transmit
// queues on (from noop, which drops every packet) when the device has its
// carrier, which it has once both ends are up, but from a work queue
// (linkwatch), a moment later: tens of milliseconds, or more, on a busy
// machine. Until then the first ARP request or its reply is dropped and the
// ladder shows it sent again a second later. That work sets the
// operational state up and turns the queues on in one go, holding RTNL,
// which the kernel holds too while it answers a query of the device
// (RTM_GETLINK): a report of up means the queues are on.
func waitOperUp(ctx context.Context, h *netlink.Handle, name string) error {
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		l, err := h.LinkByName(name)
		if err != nil {
			return fmt.Errorf("demo: find %s: %w", name, err)
		}
		if l.Attrs().OperState == netlink.OperUp {
			return nil
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return fmt.Errorf("demo: %s is not up (%s): %w", name, l.Attrs().OperState, ctx.Err())
		}
	}
}

// configure gives device name its address (CIDR) and brings it up.
func configure(h *netlink.Handle, name, cidr string) error {
	l, err := h.LinkByName(name)
	if err != nil {
		return fmt.Errorf("demo: find %s: %w", name, err)
	}
	addr, err := netlink.ParseAddr(cidr)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := h.AddrAdd(l, addr); err != nil {
		return fmt.Errorf("demo: add %s to %s: %w", cidr, name, err)
	}
	if err := h.LinkSetUp(l); err != nil {
		return fmt.Errorf("demo: bring up %s: %w", name, err)
	}
	return nil
}

// defaultRoute sends h's packets off its subnet to gateway.
func defaultRoute(h *netns.Host, gateway string) error {
	hh, err := netlink.NewHandleAt(vnetns.NsHandle(h.Fd()))
	if err != nil {
		return fmt.Errorf("demo: netlink: %w", err)
	}
	defer hh.Close()
	if err := hh.RouteAdd(&netlink.Route{Gw: net.ParseIP(gateway)}); err != nil {
		return fmt.Errorf("demo: default route via %s: %w", gateway, err)
	}
	return nil
}

// runLinks plays the normal conversation between machines in network
// namespaces of their own, joined by veth pairs, and captures each link
// with its ARP.
func (cfg Config) runLinks(ctx context.Context, scenario Scenario, delay time.Duration) (*Result, error) {
	topo, err := buildTopology(ctx, scenario)
	if err != nil {
		return nil, err
	}
	defer topo.close()

	var ln net.Listener
	if err := topo.server.Do(func() (err error) {
		ln, err = net.Listen("tcp", net.JoinHostPort(topo.serverIP.String(), "0"))
		return err
	}); err != nil {
		return nil, fmt.Errorf("demo: listen: %w", err)
	}
	defer ln.Close()
	port := uint16(ln.Addr().(*net.TCPAddr).Port)

	// One capture per link, each opened in the namespace of its host.
	socks := make([]*capture.Socket, len(topo.links))
	for i, l := range topo.links {
		if err := l.host.Do(func() (err error) {
			socks[i], err = capture.Open(capture.Config{Interface: l.view.Interface, Port: port, ARP: true})
			return err
		}); err != nil {
			return nil, err
		}
		defer socks[i].Close()
	}
	frames, stopCapture := captureAll(ctx, socks)
	defer stopCapture()

	served := make(chan error, 1)
	go func() { served <- serveTCP(ctx, ln, delay) }()
	server := netip.AddrPortFrom(topo.serverIP, port)
	var client netip.AddrPort
	err = topo.client.Do(func() (err error) {
		client, err = cfg.script(ctx, ScenarioNormal, server)
		return err
	})
	if err != nil {
		ln.Close()
		<-served
		return nil, err
	}
	if err := <-served; err != nil {
		return nil, err
	}

	// Follow the connection on every link until each has seen its end.
	fs := make([]*follower, len(topo.links))
	for i, l := range topo.links {
		fs[i] = newFollower(func() *trace.Conversation {
			c := trace.NewConversation(trace.KindTCP, client, server, trace.States{Client: trace.Closed, Server: trace.Listen})
			c.SetGateways(l.gateways...)
			return c
		})
	}
	err = collect(ctx, frames, fs, func() bool {
		return !slices.ContainsFunc(fs, func(f *follower) bool { return !f.conv.Done() })
	})
	if err := shown(fs[0].conv, port, err); err != nil {
		return nil, err
	}
	res := &Result{Conversation: fs[0].conv, Frames: fs[0].frames}
	for i, l := range topo.links {
		v := l.view
		v.Conversation, v.Frames = fs[i].conv, fs[i].frames
		res.Links = append(res.Links, v)
	}
	return res, nil
}

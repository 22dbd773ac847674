package ladder

import (
	"bytes"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/upcase/upcase/internal/lang"
	"github.com/upcase/upcase/internal/pcap"
	"github.com/upcase/upcase/internal/trace"
	"github.com/upcase/upcase/internal/trace/tracetest"
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

// follow decodes frames the tests built (package tracetest) and follows
// them from client to server, starting in initial, with the ARP of the
// gateways given.
func follow(t testing.TB, kind trace.Kind, client, server netip.AddrPort, initial trace.States, frames []pcap.Frame, gateways ...netip.Addr) *trace.Conversation {
	t.Helper()
	c := trace.NewConversation(kind, client, server, initial)
	c.SetGateways(gateways...)
	for _, f := range frames {
		ev, err := trace.DecodeFrame(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Add(ev); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// st abbreviates trace.States in the tables.
func st(client, server trace.State) trace.States { return trace.States{Client: client, Server: server} }

func TestLadderGolden(t *testing.T) {
	fresh := st(trace.Closed, trace.Listen)
	c4, s4 := tracetest.Client4, tracetest.Server4
	tests := []struct {
		name     string
		kind     trace.Kind
		frames   []pcap.Frame
		initial  trace.States
		renderer Renderer
		client   netip.AddrPort
		server   netip.AddrPort
	}{
		{"normal4", trace.KindTCP, tracetest.Normal4(c4, s4), fresh, Renderer{}, c4, s4},
		{"normal3", trace.KindTCP, tracetest.Normal3(c4, s4), fresh, Renderer{}, c4, s4},
		{"halfclose", trace.KindTCP, tracetest.HalfClose(c4, s4), fresh, Renderer{}, c4, s4},
		{"halfclose0", trace.KindTCP, tracetest.HalfClose0(c4, s4), fresh, Renderer{}, c4, s4},
		{"server_close", trace.KindTCP, tracetest.ServerClose(c4, s4), fresh, Renderer{}, c4, s4},
		{"reset", trace.KindTCP, tracetest.Reset(c4, s4), fresh, Renderer{}, c4, s4},
		{"refused", trace.KindTCP, tracetest.Refused(c4, s4), st(trace.Closed, trace.Closed), Renderer{}, c4, s4},
		{"simultaneous", trace.KindTCP, tracetest.Simultaneous(c4, s4), fresh, Renderer{}, c4, s4},
		{"udp", trace.KindUDP, tracetest.UDP(c4, s4), trace.States{}, Renderer{}, c4, s4},
		{"ipv6_absolute_wide", trace.KindTCP, tracetest.Normal3(tracetest.Client6, tracetest.Server6), fresh, Renderer{Absolute: true, Width: 100}, tracetest.Client6, tracetest.Server6},
		{"color", trace.KindTCP, tracetest.Reset(c4, s4), fresh, Renderer{Color: true}, c4, s4},
		{"narrow", trace.KindTCP, tracetest.Normal3(c4, s4)[:3], fresh, Renderer{Width: 20}, c4, s4},
		{"lan_link_arp", trace.KindTCP, tracetest.LAN(), fresh, Renderer{Link: true}, tracetest.LANClient, tracetest.LANServer},
		// Beyond a router the link's other end is the router: the header says so.
		{"link_via_router", trace.KindTCP, tracetest.LAN()[:2], fresh, Renderer{Link: true, Router: netip.MustParseAddr("10.0.0.254")}, tracetest.LANClient, tracetest.LANServer},
		// The same in Chinese: the sentences, the heads, and lines wrapped by
		// terminal cells (a Chinese character takes two).
		{"normal4_zh", trace.KindTCP, tracetest.Normal4(c4, s4), fresh, Renderer{Lang: lang.Chinese}, c4, s4},
		{"halfclose_zh", trace.KindTCP, tracetest.HalfClose(c4, s4), fresh, Renderer{Lang: lang.Chinese}, c4, s4},
		{"udp_zh", trace.KindUDP, tracetest.UDP(c4, s4), trace.States{}, Renderer{Lang: lang.Chinese}, c4, s4},
		{"link_via_router_zh", trace.KindTCP, tracetest.LAN()[:2], fresh, Renderer{Link: true, Router: netip.MustParseAddr("10.0.0.254"), Lang: lang.Chinese}, tracetest.LANClient, tracetest.LANServer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := follow(t, tt.kind, tt.client, tt.server, tt.initial, tt.frames)
			var got bytes.Buffer
			r := tt.renderer
			r.Out = &got
			if err := r.Render(c); err != nil {
				t.Fatal(err)
			}
			checkWidth(t, &r, got.String())
			checkGolden(t, tt.name, got.Bytes())
		})
	}
}

// kernelChanges gives the changes tracetest built for c's steps, with
// trace's states.
func kernelChanges(t *testing.T, c *trace.Conversation, built func([]time.Time, netip.AddrPort, netip.AddrPort) []tracetest.KernelChange) []trace.KernelChange {
	t.Helper()
	var times []time.Time
	for _, s := range c.Steps() {
		times = append(times, s.Event.Time)
	}
	var out []trace.KernelChange
	for _, ch := range built(times, c.Client(), c.Server()) {
		from, ok1 := trace.StateFromLinux(uint8(ch.Old))
		to, ok2 := trace.StateFromLinux(uint8(ch.New))
		if !ok1 || !ok2 {
			t.Fatalf("kernel change %+v: a state Linux does not have", ch)
		}
		out = append(out, trace.KernelChange{Time: ch.Time, Local: ch.Local, Remote: ch.Remote, Old: from, New: to})
	}
	return out
}

func TestLadderKernelGolden(t *testing.T) {
	c4, s4 := tracetest.Client4, tracetest.Server4
	tests := []struct {
		name     string
		frames   []pcap.Frame
		initial  trace.States
		changes  func([]time.Time, netip.AddrPort, netip.AddrPort) []tracetest.KernelChange
		renderer Renderer
	}{
		{"kernel_normal4", tracetest.Normal4(c4, s4), st(trace.Closed, trace.Listen), tracetest.LinuxNormal4, Renderer{}},
		{"kernel_reset_color", tracetest.Reset(c4, s4), st(trace.Closed, trace.Listen), tracetest.LinuxReset, Renderer{Color: true}},
		{"kernel_refused_narrow", tracetest.Refused(c4, s4), st(trace.Closed, trace.Closed), tracetest.LinuxRefused, Renderer{Width: 20}},
		{"kernel_normal4_zh", tracetest.Normal4(c4, s4), st(trace.Closed, trace.Listen), tracetest.LinuxNormal4, Renderer{Lang: lang.Chinese}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := follow(t, trace.KindTCP, c4, s4, tt.initial, tt.frames)
			c.AttachKernel(kernelChanges(t, c, tt.changes))
			var got bytes.Buffer
			r := tt.renderer
			r.Out = &got
			if err := r.Render(c); err != nil {
				t.Fatal(err)
			}
			checkWidth(t, &r, got.String())
			checkGolden(t, tt.name, got.Bytes())
		})
	}
}

// checkWidth fails a test whose ladder has a line wider than the renderer's
// width, in terminal cells.
func checkWidth(t *testing.T, r *Renderer, ladder string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSuffix(ladder, "\n"), "\n") {
		if n := runeLen(line); n > r.width() {
			t.Errorf("line %d columns wide, more than %d: %q", n, r.width(), line)
		}
	}
}

package capture

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/upcase/upcase/internal/trace/tracetest"
	"golang.org/x/net/bpf"
)

func TestFilterProgram(t *testing.T) {
	other4 := netip.MustParseAddrPort("127.0.0.1:5353")
	other6 := netip.MustParseAddrPort("[::1]:5353")
	tcp := func(src, dst netip.AddrPort) []byte {
		return tracetest.TCPFrame(tracetest.Seg{Src: src, Dst: dst, Flags: tracetest.SYN, Opts: tracetest.SynOpts(1, 0), IPv4Option: true})
	}
	arp := tracetest.ARPFrame(tracetest.ARPRequest, tracetest.LANClientMAC, tracetest.LANClient.Addr(), tracetest.MAC{}, tracetest.LANServer.Addr())
	frag := tracetest.IPv4Fragment()
	binary.BigEndian.PutUint16(frag[tracetest.EthernetLen+20+2:], 8080) // the bytes where a port would be
	icmp := tracetest.IPFrame(tracetest.MAC{}, tracetest.MAC{}, tracetest.Client4.Addr(), tracetest.Server4.Addr(), tracetest.ProtoICMP, 64, false, []byte{0x1f, 0x90, 0x1f, 0x90})
	frames := []struct {
		name  string
		frame []byte
		// kept by port 8080, by any port, by port 8080 with ARP
		port, any, arp bool
	}{
		{"IPv4 TCP to the port (with IP options)", tcp(tracetest.Client4, tracetest.Server4), true, true, true},
		{"IPv4 TCP from the port", tcp(tracetest.Server4, tracetest.Client4), true, true, true},
		{"IPv4 TCP elsewhere", tcp(tracetest.Client4, other4), false, true, false},
		{"IPv6 TCP to the port", tcp(tracetest.Client6, tracetest.Server6), true, true, true},
		{"IPv6 TCP from the port", tcp(tracetest.Server6, tracetest.Client6), true, true, true},
		{"IPv6 TCP elsewhere", tcp(other6, tracetest.Client6), false, true, false},
		{"IPv4 UDP to the port", tracetest.UDPFrame(tracetest.Client4, tracetest.Server4, []byte("x")), true, true, true},
		{"IPv6 UDP from the port", tracetest.UDPFrame(tracetest.Server6, tracetest.Client6, []byte("x")), true, true, true},
		{"IPv6 UDP elsewhere", tracetest.UDPFrame(tracetest.Client6, other6, []byte("x")), false, true, false},
		{"ARP", arp, false, false, true},
		{"ICMP", icmp, false, false, false},
		{"IPv4 later fragment", frag, false, false, false},
		{"IPv6 with extension headers", tracetest.IPv6WithExtensions(), false, false, false},
		{"LLDP", tracetest.EtherFrame(tracetest.LANClientMAC, tracetest.MAC{}, 0x88cc, make([]byte, 46)), false, false, false},
		{"short frame", []byte{0, 1, 2}, false, false, false},
	}
	filters := []struct {
		name string
		port uint16
		arp  bool
		want func(i int) bool
	}{
		{"port 8080", 8080, false, func(i int) bool { return frames[i].port }},
		{"any port", 0, false, func(i int) bool { return frames[i].any }},
		{"port 8080 and ARP", 8080, true, func(i int) bool { return frames[i].arp }},
	}
	for _, fl := range filters {
		prog, err := filterProgram(fl.port, fl.arp)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := bpf.Assemble(prog); err != nil {
			t.Fatalf("%s: assemble: %v", fl.name, err)
		}
		vm, err := bpf.NewVM(prog)
		if err != nil {
			t.Fatalf("%s: %v", fl.name, err)
		}
		for i, fr := range frames {
			t.Run(fl.name+"/"+fr.name, func(t *testing.T) {
				n, err := vm.Run(fr.frame)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := n > 0, fl.want(i); got != want {
					t.Errorf("kept = %v, want %v", got, want)
				}
				if n > 0 && n < len(fr.frame) {
					t.Errorf("kept %d bytes of %d, want all", n, len(fr.frame))
				}
			})
		}
	}
}

func TestProgramResolve(t *testing.T) {
	var p program
	p.jumpIf(bpf.JumpEqual, 1, "nowhere", "")
	if _, err := p.resolve(); err == nil {
		t.Error("a jump to a missing label resolved")
	}
	var back program
	back.label("top")
	back.add(bpf.RetA{})
	back.jump("top")
	if _, err := back.resolve(); err == nil {
		t.Error("a jump backwards resolved")
	}
	var far program
	far.jumpIf(bpf.JumpEqual, 1, "end", "")
	for range 300 {
		far.add(bpf.RetA{})
	}
	far.label("end")
	far.add(bpf.RetA{})
	if _, err := far.resolve(); err == nil {
		t.Error("a conditional jump of 300 resolved")
	}
}

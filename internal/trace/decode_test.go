package trace

import (
	"encoding/binary"
	"errors"
	"reflect"
	"testing"

	"github.com/upcase/upcase/internal/dissect"
	"github.com/upcase/upcase/internal/trace/tracetest"
)

func TestDecode(t *testing.T) {
	syn := tracetest.Seg{Src: client4, Dst: server4, Seq: tracetest.ClientISN, Flags: tracetest.SYN, Win: 65495, Opts: tracetest.SynOpts(7, 0)}
	synAck6 := tracetest.Seg{Src: server6, Dst: client6, Seq: tracetest.ServerISN, Ack: tracetest.ClientISN + 1, Flags: tracetest.SYN | tracetest.ACK, Win: 65483, Opts: tracetest.SynOpts(8, 7), TTL: 255}
	data := tracetest.Seg{Src: client4, Dst: server4, Seq: 1, Ack: 2, Flags: tracetest.PSH | tracetest.ACK, Win: 512, Opts: tracetest.TSOpts(1, 2), Payload: []byte("hello"), IPv4Option: true}
	sack := tracetest.Seg{Src: client4, Dst: server4, Flags: tracetest.ACK, Opts: []byte{1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 9, 30, 3, 0, 0}}
	allFlags := tracetest.Seg{Src: client4, Dst: server4, Flags: 0xff}
	tests := []struct {
		name  string
		frame []byte
		check func(t *testing.T, ev Event)
		str   string
	}{
		{"IPv4 SYN", tracetest.TCPFrame(syn), func(t *testing.T, ev Event) {
			want := TCP{Seq: tracetest.ClientISN, Flags: FlagSYN, Window: 65495, HeaderLen: 40, Options: TCPOptions{
				MSS: 65495, SACKPermitted: true, Timestamps: true, TSVal: 7, HasWindowScale: true, WindowScale: 7}}
			if !reflect.DeepEqual(ev.TCP, want) {
				t.Errorf("TCP = %+v, want %+v", ev.TCP, want)
			}
			wantIP := IP{Version: 4, Src: client4.Addr(), Dst: server4.Addr(), HeaderLen: 20, TotalLen: 60, TTL: 64, Protocol: 6, ID: 0x1234, DontFragment: true}
			if ev.IP != wantIP {
				t.Errorf("IP = %+v, want %+v", ev.IP, wantIP)
			}
			if ev.Link != (Link{EtherType: EtherTypeIPv4}) {
				t.Errorf("Link = %+v, want zero MACs and IPv4", ev.Link)
			}
		}, "TCP 127.0.0.1:40312 > 127.0.0.1:8080 [SYN] seq=2746135912 win=65495 len=0 <MSS 65495, SACK permitted, wscale 7, timestamps>"},
		{"IPv6 SYN-ACK", tracetest.TCPFrame(synAck6), func(t *testing.T, ev Event) {
			if ev.IP.Version != 6 || ev.IP.TTL != 255 || ev.IP.HeaderLen != 40 || ev.IP.TotalLen != 80 {
				t.Errorf("IP = %+v, want version 6, hop limit 255, header 40, total 80", ev.IP)
			}
			if ev.Src != server6 || ev.Dst != client6 {
				t.Errorf("Src, Dst = %s, %s, want %s, %s", ev.Src, ev.Dst, server6, client6)
			}
		}, "TCP [::1]:8080 > [::1]:40312 [SYN, ACK] seq=1102931735 ack=2746135913 win=65483 len=0 <MSS 65495, SACK permitted, wscale 7, timestamps>"},
		{"IPv4 options, data", tracetest.TCPFrame(data), func(t *testing.T, ev Event) {
			if ev.IP.HeaderLen != 24 || string(ev.Payload) != "hello" {
				t.Errorf("header %d payload %q, want 24 and hello", ev.IP.HeaderLen, ev.Payload)
			}
			if !ev.TCP.Options.Timestamps || ev.TCP.Options.TSVal != 1 || ev.TCP.Options.TSEcr != 2 {
				t.Errorf("options = %+v, want timestamps 1 2", ev.TCP.Options)
			}
		}, "TCP 127.0.0.1:40312 > 127.0.0.1:8080 [PSH, ACK] seq=1 ack=2 win=512 len=5 <timestamps>"},
		{"SACK and unknown option", tracetest.TCPFrame(sack), func(t *testing.T, ev Event) {
			o := ev.TCP.Options
			if len(o.SACK) != 1 || o.SACK[0] != (SACKBlock{1, 9}) || len(o.Other) != 1 || o.Other[0] != 30 {
				t.Errorf("options = %+v, want SACK 1-9 and kind 30", o)
			}
		}, "TCP 127.0.0.1:40312 > 127.0.0.1:8080 [ACK] seq=0 ack=0 win=0 len=0 <SACK 1-9, option 30>"},
		{"every flag", tracetest.TCPFrame(allFlags), nil, "TCP 127.0.0.1:40312 > 127.0.0.1:8080 [SYN, FIN, RST, PSH, ACK, URG, ECE, CWR] seq=0 ack=0 win=0 len=0"},
		{"UDP", tracetest.UDPFrame(client6, server6, []byte("hi")), func(t *testing.T, ev Event) {
			if ev.UDP.Length != 10 || string(ev.Payload) != "hi" {
				t.Errorf("UDP %+v payload %q, want length 10 and hi", ev.UDP, ev.Payload)
			}
		}, "UDP [::1]:40312 > [::1]:8080 len=2"},
		{"UDP with Ethernet padding", append(tracetest.UDPFrame(client4, server4, []byte("x")), 0, 0, 0, 0, 0), func(t *testing.T, ev Event) {
			if string(ev.Payload) != "x" {
				t.Errorf("payload %q, want x", ev.Payload)
			}
		}, "UDP 127.0.0.1:40312 > 127.0.0.1:8080 len=1"},
		{"ARP request", tracetest.ARPFrame(tracetest.ARPRequest, tracetest.LANClientMAC, lanClient.Addr(), MAC{}, lanServer.Addr()), func(t *testing.T, ev Event) {
			want := ARP{Op: ARPRequest, SenderMAC: tracetest.LANClientMAC, SenderIP: lanClient.Addr(), TargetIP: lanServer.Addr()}
			if ev.ARP != want || ev.Link.Dst != Broadcast || ev.Link.Src != tracetest.LANClientMAC || ev.Link.EtherType != EtherTypeARP {
				t.Errorf("ARP %+v link %+v, want %+v from the client's MAC to broadcast", ev.ARP, ev.Link, want)
			}
		}, "ARP request who-has 10.0.0.2 tell 10.0.0.1 (02:00:00:00:00:01)"},
		{"ARP reply", tracetest.ARPFrame(tracetest.ARPReply, tracetest.LANServerMAC, lanServer.Addr(), tracetest.LANClientMAC, lanClient.Addr()), nil,
			"ARP reply 10.0.0.2 is-at 02:00:00:00:00:02"},
		{"ICMP", tracetest.IPFrame(MAC{}, MAC{}, client4.Addr(), server4.Addr(), tracetest.ProtoICMP, 64, false, []byte{8, 0, 0, 0}), func(t *testing.T, ev Event) {
			if ev.Kind != KindOther {
				t.Errorf("Kind = %s, want other", ev.Kind)
			}
		}, "IPv4 127.0.0.1 > 127.0.0.1 proto 1"},
		{"LLDP", tracetest.EtherFrame(tracetest.LANClientMAC, MAC{1, 0x80, 0xc2, 0, 0, 0xe}, 0x88cc, make([]byte, 46)), nil,
			"02:00:00:00:00:01 > 01:80:c2:00:00:0e 0x88cc"},
		{"IPv6 extension headers", ipv6WithOptions(), func(t *testing.T, ev Event) {
			if ev.IP.HeaderLen != 40+8+8 || ev.IP.Protocol != tracetest.ProtoUDP || string(ev.Payload) != "ext" {
				t.Errorf("IP %+v payload %q, want header 56, UDP, ext", ev.IP, ev.Payload)
			}
		}, "UDP [::1]:40312 > [::1]:8080 len=3"},
		// A fragment, even the first, is not reassembled: its payload is
		// data, as package dissect (and tshark) shows it.
		{"IPv6 extension headers, first fragment", tracetest.IPv6WithExtensions(), func(t *testing.T, ev Event) {
			if ev.Kind != KindOther || ev.IP.HeaderLen != 40+8+8 || ev.IP.Protocol != tracetest.ProtoUDP || !ev.IP.MoreFragments || ev.IP.FragmentOffset != 0 {
				t.Errorf("Kind %s IP %+v, want other, header 56, UDP, more fragments at 0", ev.Kind, ev.IP)
			}
		}, "IPv6 ::1 > ::1 proto 17"},
		{"IPv4 later fragment", tracetest.IPv4Fragment(), func(t *testing.T, ev Event) {
			if ev.Kind != KindOther || ev.IP.FragmentOffset != 1480 {
				t.Errorf("Kind %s offset %d, want other at 1480", ev.Kind, ev.IP.FragmentOffset)
			}
		}, "IPv4 127.0.0.1 > 127.0.0.1 proto 17"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := Decode(tt.frame)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if tt.check != nil {
				tt.check(t, ev)
			}
			if got := ev.String(); got != tt.str {
				t.Errorf("String() = %q\nwant        %q", got, tt.str)
			}
		})
	}
}

// ipv6WithOptions is a UDP datagram behind a hop-by-hop and a
// destination options header: not a fragment.
func ipv6WithOptions() []byte {
	udp := []byte{0x9d, 0x78, 0x1f, 0x90, 0, 11, 0, 0, 'e', 'x', 't'}
	hbh := []byte{tracetest.IPv6DestOpts, 0, 1, 4, 0, 0, 0, 0}
	dst := []byte{tracetest.ProtoUDP, 0, 1, 4, 0, 0, 0, 0}
	payload := append(append(hbh, dst...), udp...)
	return tracetest.IPFrame(MAC{}, MAC{}, client6.Addr(), server6.Addr(), tracetest.IPv6HopByHop, 64, false, payload)
}

func TestDecodeErrors(t *testing.T) {
	good := tracetest.TCPFrame(tracetest.Seg{Src: client4, Dst: server4, Flags: tracetest.SYN, Opts: tracetest.SynOpts(1, 0)})
	good6 := tracetest.TCPFrame(tracetest.Seg{Src: client6, Dst: server6, Flags: tracetest.SYN})
	with := func(b []byte, f func(b []byte)) []byte {
		b = append([]byte(nil), b...)
		f(b)
		return b
	}
	tcp := tracetest.EthernetLen + 20
	tests := []struct {
		name  string
		frame []byte
		want  error
	}{
		{"empty", nil, dissect.ErrTruncated},
		{"ethernet only", good[:tracetest.EthernetLen], dissect.ErrTruncated},
		{"IPv4 header cut", good[:tracetest.EthernetLen+10], dissect.ErrTruncated},
		{"IPv4 wrong version", with(good, func(b []byte) { b[tracetest.EthernetLen] = 0x55 }), dissect.ErrMalformed},
		{"IPv4 header length 8", with(good, func(b []byte) { b[tracetest.EthernetLen] = 0x42 }), dissect.ErrMalformed},
		{"IPv4 header length past the end", with(good[:tracetest.EthernetLen+24], func(b []byte) { b[tracetest.EthernetLen] = 0x4f }), dissect.ErrTruncated},
		{"IPv4 total length too long", with(good, func(b []byte) { binary.BigEndian.PutUint16(b[tracetest.EthernetLen+2:], 1000) }), dissect.ErrTruncated},
		{"IPv4 total length shorter than header", with(good, func(b []byte) { binary.BigEndian.PutUint16(b[tracetest.EthernetLen+2:], 10) }), dissect.ErrMalformed},
		{"TCP header cut", with(good[:tcp+10], func(b []byte) { binary.BigEndian.PutUint16(b[tracetest.EthernetLen+2:], 30) }), dissect.ErrTruncated},
		{"TCP data offset 4", with(good, func(b []byte) { b[tcp+12] = 0x10 }), dissect.ErrMalformed},
		{"TCP data offset past the end", with(good, func(b []byte) { b[tcp+12] = 0xf0 }), dissect.ErrTruncated},
		{"TCP option length 1", with(good, func(b []byte) { b[tcp+21] = 1 }), dissect.ErrMalformed},
		{"TCP option past the end", with(good, func(b []byte) { b[tcp+21] = 40 }), dissect.ErrMalformed},
		{"TCP MSS of 3 bytes", with(good, func(b []byte) { b[tcp+21] = 5 }), dissect.ErrMalformed},
		{"TCP option without length", with(good, func(b []byte) { copy(b[tcp+20:], []byte{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2}) }), dissect.ErrMalformed},
		{"TCP SACK of 5 bytes", tracetest.TCPFrame(tracetest.Seg{Src: client4, Dst: server4, Opts: []byte{5, 7, 0, 0, 0, 0, 0, 1}}), dissect.ErrMalformed},
		{"UDP length 4", with(tracetest.UDPFrame(client4, server4, []byte("x")), func(b []byte) { b[tracetest.EthernetLen+25] = 4 }), dissect.ErrMalformed},
		{"UDP length too long", with(tracetest.UDPFrame(client4, server4, []byte("x")), func(b []byte) { b[tracetest.EthernetLen+25] = 40 }), dissect.ErrTruncated},
		{"UDP header cut", with(tracetest.UDPFrame(client4, server4, nil)[:tracetest.EthernetLen+24], func(b []byte) { binary.BigEndian.PutUint16(b[tracetest.EthernetLen+2:], 24) }), dissect.ErrTruncated},
		{"IPv6 header cut", good6[:tracetest.EthernetLen+39], dissect.ErrTruncated},
		{"IPv6 wrong version", with(good6, func(b []byte) { b[tracetest.EthernetLen] = 0x40 }), dissect.ErrMalformed},
		{"IPv6 payload length too long", with(good6, func(b []byte) { binary.BigEndian.PutUint16(b[tracetest.EthernetLen+4:], 100) }), dissect.ErrTruncated},
		{"IPv6 extension header cut", with(good6, func(b []byte) { b[tracetest.EthernetLen+6] = tracetest.IPv6DestOpts; b[tcp+20+1] = 200 }), dissect.ErrTruncated},
		{"ARP cut", tracetest.ARPFrame(tracetest.ARPRequest, tracetest.LANClientMAC, lanClient.Addr(), MAC{}, lanServer.Addr())[:tracetest.EthernetLen+20], dissect.ErrTruncated},
		{"ARP header cut", tracetest.ARPFrame(tracetest.ARPRequest, tracetest.LANClientMAC, lanClient.Addr(), MAC{}, lanServer.Addr())[:tracetest.EthernetLen+4], dissect.ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := Decode(tt.frame)
			if !errors.Is(err, tt.want) {
				t.Errorf("Decode: got error %v (event %s), want %v", err, ev, tt.want)
			}
		})
	}
}

// FuzzDecode checks that Decode never panics, and that what it decodes is
// consistent with the bytes it was given.
func FuzzDecode(f *testing.F) {
	for _, evs := range [][]Event{scenarioNormal4(client4, server4), scenarioReset(client6, server6)} {
		for _, ev := range evs {
			f.Add(tracetest.TCPFrame(tracetest.Seg{Src: ev.Src, Dst: ev.Dst, Seq: ev.TCP.Seq, Ack: ev.TCP.Ack, Flags: tracetest.Flags(ev.TCP.Flags), Opts: tracetest.SynOpts(1, 2), Payload: ev.Payload}))
		}
	}
	f.Add(tracetest.UDPFrame(client4, server4, []byte("hello")))
	f.Add(tracetest.IPv6WithExtensions())
	f.Add(tracetest.IPv4Fragment())
	f.Add(tracetest.ARPFrame(tracetest.ARPReply, tracetest.LANServerMAC, lanServer.Addr(), tracetest.LANClientMAC, lanClient.Addr()))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := Decode(b)
		_ = ev.String()
		if err != nil {
			if !errors.Is(err, dissect.ErrTruncated) && !errors.Is(err, dissect.ErrMalformed) {
				t.Fatalf("error %v wraps neither dissect.ErrTruncated nor dissect.ErrMalformed", err)
			}
			return
		}
		switch ev.Kind {
		case KindTCP, KindUDP:
			if ev.IP.HeaderLen+len(ev.Payload) > ev.IP.TotalLen || ev.IP.TotalLen > len(b)-tracetest.EthernetLen {
				t.Fatalf("IP header %d + payload %d beyond total %d of %d bytes", ev.IP.HeaderLen, len(ev.Payload), ev.IP.TotalLen, len(b)-tracetest.EthernetLen)
			}
			if ev.Src.Addr().BitLen() != ev.Dst.Addr().BitLen() || !ev.Src.IsValid() {
				t.Fatalf("addresses %s %s", ev.Src, ev.Dst)
			}
			if ev.Kind == KindUDP && int(ev.UDP.Length) != 8+len(ev.Payload) {
				t.Fatalf("UDP length %d with %d payload bytes", ev.UDP.Length, len(ev.Payload))
			}
		case KindARP:
			if !ev.ARP.SenderIP.Is4() || !ev.ARP.TargetIP.Is4() {
				t.Fatalf("ARP addresses %s %s", ev.ARP.SenderIP, ev.ARP.TargetIP)
			}
		}
		if _, err := NewConversation(KindTCP, ev.Src, ev.Dst, States{Server: Listen}).Add(ev); err == nil && ev.Kind != KindTCP {
			t.Fatalf("a %s event joined a TCP conversation", ev.Kind)
		}
	})
}

// TestDecodeARPOfOtherSizes: an ARP message over Ethernet whose addresses
// are not 6-byte MACs and 4-byte IPv4 addresses is not one a conversation
// follows: KindOther, not an ARP with zero addresses.
func TestDecodeARPOfOtherSizes(t *testing.T) {
	b := tracetest.ARPFrame(tracetest.ARPRequest, tracetest.LANClientMAC, lanClient.Addr(), tracetest.MAC{}, lanServer.Addr())
	b[tracetest.EthernetLen+4] = 8 // a hardware address of 8 bytes
	ev, _ := Decode(b)
	if ev.Kind == KindARP {
		t.Errorf("an ARP with 8-byte hardware addresses decodes as %v", ev)
	}
}

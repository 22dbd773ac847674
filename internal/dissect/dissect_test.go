package dissect

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// frameHex builds a frame from hex words, spaces ignored.
func frameHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Hand-built frames; checksums are not filled in (Dissect does not check them).
const (
	ethARP    = "ffffffffffff 0200ac100a0a 0806"
	arpReq    = "0001 0800 06 04 0001 0200ac100a0a ac100a0a 000000000000 ac100a0b"
	ethIPv4   = "000000000000 000000000000 0800"
	ipv4TCP   = "45 00 003c 3830 4000 40 06 0000 7f000001 7f000001"
	tcpSYN    = "eaaa 885d e2a79196 00000000 a002 ffd7 0000 0000" + " 0204ffd7 0402 080a52c7047d00000000 01 03030a"
	ethIPv6   = "000000000000 000000000000 86dd"
	ipv6TCP   = "60000000 0014 06 40 00000000000000000000000000000001 00000000000000000000000000000001"
	tcpSYNACK = "885d eaaa 00000064 e2a79197 5012 ffff 0000 0000"
	ipv4UDP   = "45 00 0021 0001 4000 40 11 0000 7f000001 7f000001"
	udpHello  = "e83a 9b1d 000d 0000 68656c6c6f"
)

// want is a field expected in a frame, by name.
type want struct {
	name           string
	offset, length int
	mask           uint64
	value          string
}

func TestDissect(t *testing.T) {
	tests := []struct {
		name   string
		frame  string
		layers []string
		fields []want
		err    error
	}{
		{
			name: "arp request", frame: ethARP + arpReq,
			layers: []string{"eth", "arp"},
			fields: []want{
				{"eth.dst", 0, 6, 0, "ff:ff:ff:ff:ff:ff"},
				{"eth.type", 12, 2, 0, "ARP (0x0806)"},
				{"arp.opcode", 20, 2, 0, "request (1)"},
				{"arp.src.hw_mac", 22, 6, 0, "02:00:ac:10:0a:0a"},
				{"arp.src.proto_ipv4", 28, 4, 0, "172.16.10.10"},
				{"arp.dst.hw_mac", 32, 6, 0, "00:00:00:00:00:00"},
				{"arp.dst.proto_ipv4", 38, 4, 0, "172.16.10.11"},
			},
		},
		{
			name: "arp padded to 60 bytes", frame: ethARP + arpReq + strings.Repeat("00", 18),
			layers: []string{"eth", "arp", "eth.padding"},
			fields: []want{{"eth.padding", 42, 18, 0, strings.Repeat("00:", 18)[:53]}},
		},
		{
			name: "tcp syn with options", frame: ethIPv4 + ipv4TCP + tcpSYN,
			layers: []string{"eth", "ip", "tcp"},
			fields: []want{
				{"ip.version", 14, 1, 0xf0, "4"},
				{"ip.hdr_len", 14, 1, 0x0f, "20 bytes (5)"},
				{"ip.flags", 20, 1, 0xe0, "0x2, Don't fragment"},
				{"ip.flags.df", 20, 1, 0x40, "Set"},
				{"ip.frag_offset", 20, 2, 0x1fff, "0"},
				{"ip.ttl", 22, 1, 0, "64"},
				{"ip.proto", 23, 1, 0, "TCP (6)"},
				{"ip.src", 26, 4, 0, "127.0.0.1"},
				{"tcp.srcport", 34, 2, 0, "60074"},
				{"tcp.seq_raw", 38, 4, 0, "3802632598"},
				{"tcp.hdr_len", 46, 1, 0xf0, "40 bytes (10)"},
				{"tcp.flags", 46, 2, 0x0fff, "SYN"},
				{"tcp.flags.syn", 47, 1, 0x02, "Set"},
				{"tcp.flags.ack", 47, 1, 0x10, "Not set"},
				{"tcp.window_size_value", 48, 2, 0, "65495"},
				{"tcp.options", 54, 20, 0, "02:04:ff:d7:04:02:08:0a:52:c7:04:7d:00:00:00:00:01:03:03:0a"},
				{"tcp.options.mss_val", 56, 2, 0, "65495"},
				{"tcp.options.sack_perm", 58, 2, 0, "04:02"},
				{"tcp.options.timestamp.tsval", 62, 4, 0, "1388774525"},
				{"tcp.options.timestamp.tsecr", 66, 4, 0, "0"},
				{"tcp.options.nop", 70, 1, 0, "01"},
				{"tcp.options.wscale.shift", 73, 1, 0, "10"},
				{"tcp.options.wscale.multiplier", 73, 1, 0, "1024"},
			},
		},
		{
			name: "ipv6 tcp syn-ack", frame: ethIPv6 + ipv6TCP + tcpSYNACK,
			layers: []string{"eth", "ipv6", "tcp"},
			fields: []want{
				{"eth.type", 12, 2, 0, "IPv6 (0x86dd)"},
				{"ipv6.plen", 18, 2, 0, "20"},
				{"ipv6.nxt", 20, 1, 0, "TCP (6)"},
				{"ipv6.hlim", 21, 1, 0, "64"},
				{"ipv6.src", 22, 16, 0, "::1"},
				{"tcp.srcport", 54, 2, 0, "34909"},
				{"tcp.ack_raw", 62, 4, 0, "3802632599"},
				{"tcp.flags", 66, 2, 0x0fff, "SYN, ACK"},
			},
		},
		{
			name: "ipv6 with hop-by-hop and destination options", frame: ethIPv6 +
				"60000000 0024 00 40 00000000000000000000000000000001 00000000000000000000000000000001" +
				"3c00 0104 00000000" + "0600 0104 00000000" + tcpSYNACK,
			layers: []string{"eth", "ipv6", "tcp"},
			fields: []want{
				{"ipv6.hopopts.nxt", 54, 1, 0, "Destination Options for IPv6 (60)"},
				{"ipv6.dstopts.len", 63, 1, 0, "0 (8 bytes)"},
				{"tcp.srcport", 70, 2, 0, "34909"},
			},
		},
		{
			name: "ipv6 fragment is data", frame: ethIPv6 +
				"60000000 000c 2c 40 00000000000000000000000000000001 00000000000000000000000000000001" +
				"0600 0009 12345678" + "68656c6c",
			layers: []string{"eth", "ipv6", "data"},
			fields: []want{
				{"ipv6.fraghdr.offset", 56, 2, 0xfff8, "1"},
				{"ipv6.fraghdr.more", 56, 2, 0x0001, "Yes"},
				{"data.data", 62, 4, 0, "68:65:6c:6c"},
			},
		},
		{
			name: "ipv4 later fragment is data", frame: ethIPv4 + "45 00 0018 0001 0001 40 06 0000 7f000001 7f000001" + "68656c6c",
			layers: []string{"eth", "ip", "data"},
			fields: []want{{"ip.frag_offset", 20, 2, 0x1fff, "8"}, {"data.data", 34, 4, 0, "68:65:6c:6c"}},
		},
		{
			name: "udp", frame: ethIPv4 + ipv4UDP + udpHello,
			layers: []string{"eth", "ip", "udp", "data"},
			fields: []want{
				{"ip.proto", 23, 1, 0, "UDP (17)"},
				{"udp.srcport", 34, 2, 0, "59450"},
				{"udp.length", 38, 2, 0, "13"},
				{"udp.checksum", 40, 2, 0, "0x0000"},
				{"data.data", 42, 5, 0, "68:65:6c:6c:6f"},
			},
		},
		{
			name: "truncated ethernet", frame: "ffffffffffff0200",
			layers: []string{}, err: ErrTruncated,
		},
		{
			name: "truncated arp", frame: ethARP + arpReq[:40],
			layers: []string{"eth"}, err: ErrTruncated,
		},
		{
			name: "truncated tcp header", frame: ethIPv4 + "45 00 0028 3830 4000 40 06 0000 7f000001 7f000001" + "eaaa885d e2a79196 00000000",
			layers: []string{"eth", "ip"}, err: ErrTruncated,
			fields: []want{{"ip.len", 16, 2, 0, "40"}},
		},
		{
			name: "ip total length beyond the frame", frame: ethIPv4 + ipv4TCP + "eaaa885d",
			layers: []string{"eth", "ip"}, err: ErrTruncated,
		},
		{
			name: "bad tcp option keeps the ones before", frame: ethIPv4 + "45 00 0030 3830 4000 40 06 0000 7f000001 7f000001" +
				"eaaa 885d e2a79196 00000000 7002 ffd7 0000 0000 0204ffd7 0109ffff",
			layers: []string{"eth", "ip", "tcp"}, err: ErrMalformed,
			fields: []want{{"tcp.options.mss_val", 56, 2, 0, "65495"}, {"tcp.options.nop", 58, 1, 0, "01"}},
		},
		{
			// The end-of-options byte is 00, as tshark shows it.
			name: "tcp options end with eol", frame: ethIPv4 + "45 00 0030 3830 4000 40 06 0000 7f000001 7f000001" +
				"eaaa 885d e2a79196 00000000 7002 ffd7 0000 0000 0204ffd7 01000000",
			layers: []string{"eth", "ip", "tcp"},
			fields: []want{{"tcp.options.nop", 58, 1, 0, "01"}, {"tcp.options.eol", 59, 1, 0, "00"}},
		},
		{
			name: "udp length too long", frame: ethIPv4 + "45 00 001d 0001 4000 40 11 0000 7f000001 7f000001" + "e83a 9b1d 00ff 0000 6869",
			layers: []string{"eth", "ip", "udp", "data"}, err: ErrTruncated,
		},
		{
			name: "ipv4 with a bad version", frame: ethIPv4 + "55" + ipv4TCP[2:] + tcpSYN,
			layers: []string{"eth"}, err: ErrMalformed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Dissect(frameHex(t, tt.frame))
			if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			var layers []string
			for _, l := range f.Layers {
				layers = append(layers, l.Name)
			}
			if strings.Join(layers, " ") != strings.Join(tt.layers, " ") {
				t.Errorf("layers %q, want %q", layers, tt.layers)
			}
			for _, w := range tt.fields {
				fd, ok := f.Field(w.name)
				if !ok {
					t.Errorf("no field %s", w.name)
					continue
				}
				got := want{fd.Name, fd.Offset, fd.Length, fd.Mask, fd.Value}
				if got != w {
					t.Errorf("field %+v, want %+v", got, w)
				}
			}
			checkInside(t, f)
		})
	}
}

// checkInside fails t when a layer lies outside the frame or a field
// outside its layer, or a mask has bits beyond its field's bytes.
func checkInside(t testing.TB, f Frame) {
	t.Helper()
	for _, l := range f.Layers {
		if l.Offset < 0 || l.Length <= 0 || l.Offset+l.Length > f.Length {
			t.Errorf("layer %s at %d+%d outside the frame of %d bytes", l.Name, l.Offset, l.Length, f.Length)
		}
	}
	f.Walk(func(l Layer, fd Field) {
		if fd.Offset < l.Offset || fd.Length <= 0 || fd.Offset+fd.Length > l.Offset+l.Length {
			t.Errorf("field %s at %d+%d outside layer %s at %d+%d", fd.Name, fd.Offset, fd.Length, l.Name, l.Offset, l.Length)
		}
		if fd.Length < 8 && fd.Mask >= 1<<(8*fd.Length) {
			t.Errorf("field %s of %d bytes has mask %#x", fd.Name, fd.Length, fd.Mask)
		}
		if fd.Name == "" || fd.Value == "" {
			t.Errorf("field %+v without a name or value", fd)
		}
	})
}

func FuzzDissect(f *testing.F) {
	for _, s := range []string{
		ethARP + arpReq, ethIPv4 + ipv4TCP + tcpSYN, ethIPv6 + ipv6TCP + tcpSYNACK, ethIPv4 + ipv4UDP + udpHello,
		ethIPv6 + "60000000 0024 00 40 00000000000000000000000000000001 00000000000000000000000000000001" +
			"3c00 0104 00000000" + "3300 0104 00000000" + tcpSYNACK,
		ethIPv6 + "60000000 000c 2c 40 00000000000000000000000000000001 00000000000000000000000000000001" + "0600 0009 12345678" + "68656c6c",
	} {
		f.Add(frameHex(f, s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := Dissect(b)
		if err != nil && !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrMalformed) {
			t.Errorf("error %v wraps neither ErrTruncated nor ErrMalformed", err)
		}
		if fr.Length != len(b) {
			t.Errorf("length %d, want %d", fr.Length, len(b))
		}
		checkInside(t, fr)
	})
}

// TestJSON checks the JSON shape the views build on: snake_case keys, a
// mask only on bit fields, a field's parts under fields.
func TestJSON(t *testing.T) {
	f, err := Dissect(frameHex(t, ethIPv4+ipv4UDP+udpHello))
	if err != nil {
		t.Fatal(err)
	}
	f.Layers = f.Layers[1:2] // ip
	f.Layers[0].Fields = f.Layers[0].Fields[:3]
	got, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"length":47,"layers":[{"name":"ip","offset":14,"length":20,"fields":[` +
		`{"name":"ip.version","offset":14,"length":1,"mask":240,"value":"4"},` +
		`{"name":"ip.hdr_len","offset":14,"length":1,"mask":15,"value":"20 bytes (5)"},` +
		`{"name":"ip.dsfield","offset":15,"length":1,"value":"0x00","fields":[` +
		`{"name":"ip.dsfield.dscp","offset":15,"length":1,"mask":252,"value":"0"},` +
		`{"name":"ip.dsfield.ecn","offset":15,"length":1,"mask":3,"value":"0"}]}]}]}`
	if string(got) != want {
		t.Errorf("json:\n%s\nwant:\n%s", got, want)
	}
}

// TestTCPFlagsValue: tcp.flags is shown as Wireshark shows it ("Flags:
// 0x012 (SYN, ACK)"): from the lowest bit up, AE after CWR, then Reserved.
func TestTCPFlagsValue(t *testing.T) {
	tests := []struct {
		flags uint16
		want  string
	}{
		{0x002, "SYN"},
		{0x012, "SYN, ACK"},
		{0x018, "PSH, ACK"},
		{0x011, "FIN, ACK"},
		{0x014, "RST, ACK"},
		{0x110, "ACK, AE"},
		{0x0c2, "SYN, ECE, CWR"},
		{0xfff, "FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, AE, Reserved"},
		{0x200, "Reserved"},
		{0x000, "<None>"},
	}
	for _, tt := range tests {
		if got := tcpFlags(46, tt.flags).Value; got != tt.want {
			t.Errorf("flags 0x%03x: got %q, want %q", tt.flags, got, tt.want)
		}
	}
}

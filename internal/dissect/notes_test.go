package dissect

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/upcase/upcase/internal/lang"
)

// Frames of the scenarios with their checksums filled in, which tshark
// (-o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE) says verify:
// an IPv6 SYN (normal6.pcap's first), a UDP datagram (udp.pcap's first),
// and a TCP segment of 5 data bytes, an odd length (normal.pcap's fourth).
const (
	goodTCP6 = "000000000000 000000000000 86dd 600e6400002806400000000000000000000000000000000100000000000000000000000000000001" +
		"900486a39efc0c8700000000a002ffc4137700000204ffc40402080a2329555a000000000103030a"
	goodUDP4 = "000000000000 000000000000 0800 450000211202400040112ac87f0000017f000001 e83a9b1d000d3aa7 68656c6c6f"
	goodTCP4 = "000000000000 000000000000 0800 45000039383240004006048b7f0000017f000001" +
		"eaaa885de2a79197dc4c537780180040ab9700000101080a52c7047efb301f82 68656c6c6f"
)

// TestNotes: each frame gets the notes of the artefacts it shows, and no
// other: zero MACs on loopback, under 60 bytes, a checksum left unfilled.
func TestNotes(t *testing.T) {
	pcap := func(file string, i int) []byte { return readPcap(t, filepath.Join("testdata", file))[i] }
	flip := func(b []byte, at int) []byte {
		b = slices.Clone(b)
		b[at] ^= 0xff
		return b
	}
	loopback := Note{At: "eth", Text: NoteLoopbackMAC}
	short := func(n int) Note { return Note{At: "eth", Text: NoteShortFrame, Args: []any{n}} }
	tcpSum := Note{At: "tcp.checksum", Text: NoteChecksumOffload}
	udpSum := Note{At: "udp.checksum", Text: NoteChecksumOffload}
	for _, tc := range []struct {
		name  string
		frame []byte
		want  []Note
	}{
		{"ARP request on veth, 42 bytes", pcap("lan.pcap", 0), []Note{short(42)}},
		{"ARP reply on veth", pcap("gateway.pcap", 1), []Note{short(42)}},
		{"ARP padded to 60 bytes", frameHex(t, ethARP+arpReq+strings.Repeat("00", 18)), nil},
		{"SYN on veth, offloaded", pcap("lan.pcap", 2), []Note{tcpSum}},
		{"SYN on loopback, offloaded", pcap("normal.pcap", 0), []Note{loopback, tcpSum}},
		{"IPv6 SYN on loopback, offloaded", pcap("normal6.pcap", 0), []Note{loopback, tcpSum}},
		{"UDP on loopback, offloaded", pcap("udp.pcap", 0), []Note{loopback, short(47), udpSum}},
		{"the kernel's RST, checksum filled in", pcap("refused.pcap", 1), []Note{loopback, short(54)}},
		{"that RST with its checksum spoilt", flip(pcap("refused.pcap", 1), 14+20+16), []Note{loopback, short(54), tcpSum}},
		{"that RST with its source address spoilt", flip(pcap("refused.pcap", 1), 14+12), []Note{loopback, short(54), tcpSum}},
		{"IPv6 TCP, checksum verifies", frameHex(t, goodTCP6), []Note{loopback}},
		{"IPv4 UDP, checksum verifies", frameHex(t, goodUDP4), []Note{loopback, short(47)}},
		{"IPv4 TCP of odd length, checksum verifies", frameHex(t, goodTCP4), []Note{loopback}},
		{"IPv4 TCP of odd length, a data byte spoilt", flip(frameHex(t, goodTCP4), 14+20+32+4), []Note{loopback, tcpSum}},
		{"UDP over IPv4 without a checksum", frameHex(t, ethIPv4+ipv4UDP+udpHello), []Note{loopback, short(47)}},
		{"IPv4 fragment: no transport to check", frameHex(t, ethIPv4+"45 00 0018 0001 0001 40 06 0000 7f000001 7f000001"+"68656c6c"), []Note{loopback, short(38)}},
		{"IPv4 total length 0 (offload): the end is unknown", frameHex(t, ethIPv4+"45 00 0000 3830 4000 40 06 0000 7f000001 7f000001"+tcpSYN), []Note{loopback}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Dissect(tc.frame)
			if err != nil {
				t.Fatal(err)
			}
			got := Notes(f, tc.frame)
			if len(got) != len(tc.want) {
				t.Fatalf("notes %+v; want %+v", got, tc.want)
			}
			for i := range got {
				if got[i].At != tc.want[i].At || got[i].Text != tc.want[i].Text || !slices.Equal(got[i].Args, tc.want[i].Args) {
					t.Errorf("note %d: %+v; want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

// TestNoteIn: a note is said with its arguments, in either language.
func TestNoteIn(t *testing.T) {
	n := Note{At: "eth", Text: NoteShortFrame, Args: []any{42}}
	if en, zh := n.In(lang.English), n.In(lang.Chinese); !strings.HasPrefix(en, "This frame is 42 bytes, under") || !strings.HasPrefix(zh, "这一帧只有 42 字节") {
		t.Errorf("the short-frame note: %q / %q", en, zh)
	}
}

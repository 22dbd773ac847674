package tsharktest

import "testing"

// TestValueAgrees: each rule takes the value in Wireshark's tree's form for
// tshark's, and nothing else: a different number, name list or flag fails.
func TestValueAgrees(t *testing.T) {
	long := "00:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10:11:12:13:14:15:16:17"
	tests := []struct {
		name, ours, ws string
		want           bool
	}{
		{"ip.ttl", "64", "64", true},
		{"ip.ttl", "64", "63", false},
		{"eth.src", "02:00:ac:10:0a:0a", "02:00:ac:10:0a:0b", false},
		{"eth.type", "IPv4 (0x0800)", "0x0800", true},
		{"eth.type", "IPv6 (0x86dd)", "0x0800", false},
		{"eth.type", "0x1234", "0x1234", true},
		{"ip.proto", "TCP (6)", "6", true},
		{"ip.proto", "TCP (6", "6", false},
		{"ip.hdr_len", "20 bytes (5)", "20", true},
		{"ip.hdr_len", "24 bytes (6)", "20", false},
		{"ip.hdr_len", "20", "20", false},
		{"ipv6.hopopts.len", "0 (8 bytes)", "0", true},
		{"ip.id", "0x3830 (14384)", "0x3830", true},
		{"ip.id", "0x3831 (14385)", "0x3830", false},
		{"ip.flags", "0x2, Don't fragment", "0x02", true},
		{"ip.flags", "0x0", "0x00", true},
		{"ip.flags", "0x1, More fragments", "0x02", false},
		{"ipv6.flow", "0xe6400", "0x0e6400", true},
		{"ipv6.flow", "0xe6401", "0x0e6400", false},
		{"ipv6.tclass", "0x00", "0x00000000", true},
		{"ipv6.tclass", "0", "0x00000000", false},
		{"ip.frag_offset", "8", "1", true},
		{"ip.frag_offset", "1", "1", false},
		{"tcp.flags.syn", "Set", "1", true},
		{"tcp.flags.syn", "Not set", "1", false},
		{"tcp.flags.syn", "1", "1", false},
		{"ipv6.fraghdr.more", "Yes", "1", true},
		{"ipv6.fraghdr.more", "Set", "1", false},
		{"tcp.flags", "SYN, ACK", "0x0012", true},
		{"tcp.flags", "ACK, SYN", "0x0012", false},
		{"tcp.flags", "ACK, AE", "0x0110", true},
		{"tcp.flags", "<None>", "0x0000", true},
		{"tcp.flags", "FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, AE, Reserved", "0x0fff", true},
		{"tcp.flags", "SYN", "0x0012", false},
		{"data.data", "68:65:6c:6c:6f", "68:65:6c:6c:6f", true},
		{"data.data", long + "…", long + ":18:19", true},
		{"data.data", long + "…", long, false},
		{"data.data", "00:01…", long, false},
	}
	for _, tt := range tests {
		if got := valueAgrees(tt.name, tt.ours, tt.ws); got != tt.want {
			t.Errorf("%s: ours %q, tshark's %q: agree %v, want %v", tt.name, tt.ours, tt.ws, got, tt.want)
		}
	}
}

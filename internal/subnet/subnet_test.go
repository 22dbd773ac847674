package subnet

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDescribe(t *testing.T) {
	tests := []struct {
		in                              string
		network, broadcast, first, last string
		hosts, kind, mask               string
		bits                            int
	}{
		// The lesson's example.
		{"172.16.10.1/24", "172.16.10.0", "172.16.10.255", "172.16.10.1", "172.16.10.254", "254", "private", "255.255.255.0", 24},
		{"172.16.10.1/255.255.255.0", "172.16.10.0", "172.16.10.255", "172.16.10.1", "172.16.10.254", "254", "private", "255.255.255.0", 24},
		{"192.168.1.2/24", "192.168.1.0", "192.168.1.255", "192.168.1.1", "192.168.1.254", "254", "private", "255.255.255.0", 24},
		{"10.1.2.3/8", "10.0.0.0", "10.255.255.255", "10.0.0.1", "10.255.255.254", "16777214", "private", "255.0.0.0", 8},
		{"8.8.8.8/20", "8.8.0.0", "8.8.15.255", "8.8.0.1", "8.8.15.254", "4094", "public", "255.255.240.0", 20},
		{"10.0.0.1/31", "10.0.0.0", "", "10.0.0.0", "10.0.0.1", "2", "private", "255.255.255.254", 31},
		{"10.0.0.1/32", "10.0.0.1", "", "10.0.0.1", "10.0.0.1", "1", "private", "255.255.255.255", 32},
		{"10.0.0.1", "10.0.0.1", "", "10.0.0.1", "10.0.0.1", "1", "private", "255.255.255.255", 32},
		{"0.0.0.0/0", "0.0.0.0", "255.255.255.255", "0.0.0.1", "255.255.255.254", "4294967294", "unspecified", "0.0.0.0", 0},
		{"127.0.0.1/8", "127.0.0.0", "127.255.255.255", "127.0.0.1", "127.255.255.254", "16777214", "loopback", "255.0.0.0", 8},
		{"169.254.3.4/16", "169.254.0.0", "169.254.255.255", "169.254.0.1", "169.254.255.254", "65534", "link-local", "255.255.0.0", 16},
		{"100.64.1.1/10", "100.64.0.0", "100.127.255.255", "100.64.0.1", "100.127.255.254", "4194302", "shared", "255.192.0.0", 10},
		{"224.0.0.251/4", "224.0.0.0", "239.255.255.255", "224.0.0.1", "239.255.255.254", "268435454", "multicast", "240.0.0.0", 4},
		{"192.0.2.7/24", "192.0.2.0", "192.0.2.255", "192.0.2.1", "192.0.2.254", "254", "documentation", "255.255.255.0", 24},
		{"2001:db8::1/64", "2001:db8::", "", "2001:db8::", "2001:db8::ffff:ffff:ffff:ffff", "2^64", "documentation", "ffff:ffff:ffff:ffff:0000:0000:0000:0000", 64},
		{"fe80::1/64", "fe80::", "", "fe80::", "fe80::ffff:ffff:ffff:ffff", "2^64", "link-local", "ffff:ffff:ffff:ffff:0000:0000:0000:0000", 64},
		{"fd12:3456::1/48", "fd12:3456::", "", "fd12:3456::", "fd12:3456:0:ffff:ffff:ffff:ffff:ffff", "2^80", "ula", "ffff:ffff:ffff:0000:0000:0000:0000:0000", 48},
		{"::1", "::1", "", "::1", "::1", "2^0", "loopback", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 128},
		{"ff02::1/16", "ff02::", "", "ff02::", "ff02:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2^112", "multicast", "ffff:0000:0000:0000:0000:0000:0000:0000", 16},
		{"2606:4700::1/32", "2606:4700::", "", "2606:4700::", "2606:4700:ffff:ffff:ffff:ffff:ffff:ffff", "2^96", "global", "ffff:ffff:0000:0000:0000:0000:0000:0000", 32},
	}
	for _, tt := range tests {
		p, masked, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		got := Describe(tt.in, p, masked)
		type result struct {
			Network, Broadcast, FirstHost, LastHost, Hosts, Kind, Mask string
			PrefixLen                                                  int
		}
		want := result{tt.network, tt.broadcast, tt.first, tt.last, tt.hosts, tt.kind, tt.mask, tt.bits}
		have := result{got.Network, got.Broadcast, got.FirstHost, got.LastHost, got.Hosts, got.Kind, got.Mask, got.PrefixLen}
		if have != want {
			t.Errorf("Describe(%q) =\n %+v\nwant\n %+v", tt.in, have, want)
		}
	}
}

func TestDescribeForms(t *testing.T) {
	p, masked, err := Parse("172.16.10.1/24")
	if err != nil {
		t.Fatal(err)
	}
	in := Describe("172.16.10.1/24", p, masked)
	if in.Binary != "10101100.00010000.00001010.00000001" || in.Integer != "2886732289" ||
		in.MaskBin != "11111111.11111111.11111111.00000000" || in.NetBin != "10101100.00010000.00001010.00000000" ||
		in.Classful != "B" || in.CIDR != "172.16.10.0/24" {
		t.Errorf("forms of 172.16.10.1/24: %+v", in)
	}
	var buf bytes.Buffer
	if err := in.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"address   10101100.00010000.00001010.00000001  172.16.10.1",
		"AND mask  11111111.11111111.11111111.00000000  255.255.255.0",
		"network   10101100.00010000.00001010.00000000  172.16.10.0",
		"broadcast   172.16.10.255",
		"hosts       254",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, buf.String())
		}
	}
}

// TestDescribeFlagsNonHosts checks that a network or broadcast address
// given alone is described, with a note that no host may have it, and
// that /31 and /32 (RFC 3021) get no such note.
func TestDescribeFlagsNonHosts(t *testing.T) {
	tests := []struct{ in, note string }{
		{"192.168.1.0/24", "192.168.1.0 is the network address itself"},
		{"192.168.1.255/24", "192.168.1.255 is the broadcast address itself"},
		{"10.0.0.3/30", "10.0.0.3 is the broadcast address itself"},
		{"192.168.1.2/24", ""},
		{"10.0.0.0/31", ""},
		{"10.0.0.1/31", ""},
		{"10.0.0.0/32", ""},
	}
	for _, tt := range tests {
		p, masked, err := Parse(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		var got string
		for _, n := range Describe(tt.in, p, masked).Notes {
			if strings.Contains(n, "no host may have it") {
				got = n
			}
		}
		if !strings.HasPrefix(got, tt.note) || (tt.note == "") != (got == "") {
			t.Errorf("Describe(%s): note %q, want one starting %q", tt.in, got, tt.note)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"300.1.1.1", "300.1.1.1: 300 is not 0-255"},
		{"10.0.0.1/33", "10.0.0.1/33: /33 is not 0-32"},
		{"::1/129", "::1/129: /129 is not 0-128"},
		{"/33", "/33: missing the address before the /"},
		{"10.0.0.1/255.0.255.0", "10.0.0.1/255.0.255.0: mask 255.0.255.0 is not contiguous: its 1 bits must all come first (11111111.00000000.11111111.00000000)"},
		{"10.0.0.1/255.255.255.256", "10.0.0.1/255.255.255.256: mask 255.255.255.256: 256 is not 0-255"},
		{"garbage", "garbage: not an IPv4 or IPv6 address"},
		{"", "empty address"},
		{"1.2.3", "1.2.3: an IPv4 address has 4 numbers separated by dots, not 3"},
		{"1.2.3.4.5", "1.2.3.4.5: an IPv4 address has 4 numbers separated by dots, not 5"},
		{"1.2..4", "1.2..4: number 3 is empty"},
		{"1.2.3.x", `1.2.3.x: "x" is not a number`},
		{"01.2.3.4", `01.2.3.4: "01" has a leading zero, which some tools read as octal; write 1`},
		{"1.2.3.4/", "1.2.3.4/: missing the mask after the / (for example /24)"},
		{"1.2.3.4/-1", "1.2.3.4/-1: /-1 is not 0-32"},
		{"1.2.3.4/x", `1.2.3.4/x: mask "x" is not a prefix length (/0-/32) or a dotted mask`},
		{"fe80::1%eth0", `fe80::1%eth0: the zone "%eth0" names a link, not part of the address; leave it out`},
		{"fe80::1%eth0/64", `fe80::1%eth0/64: the zone "%eth0" names a link, not part of the address; leave it out`},
		{"2001:db8::1/255.255.0.0", "2001:db8::1/255.255.0.0: a dotted mask is for IPv4; write an IPv6 prefix length, as /64"},
		{"2001:db8:::1", "2001:db8:::1: not an IPv6 address: "},
		{"12345", "12345: write an IPv4 address as four numbers 0-255 separated by dots (a.b.c.d)"},
	}
	for _, tt := range tests {
		_, _, err := Parse(tt.in)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q) error = %v, want a *ParseError", tt.in, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error =\n %q\nwant\n %q", tt.in, err, tt.want)
		}
	}
}

func TestVendors(t *testing.T) {
	dir := t.TempDir()
	csvFile := filepath.Join(dir, "oui.csv")
	txtFile := filepath.Join(dir, "oui.txt")
	os.WriteFile(csvFile, []byte("Registry,Assignment,Organization Name,Organization Address\nMA-L,00D0EF,IGT,9295 PROTOTYPE DRIVE RENO NV US 89511 \nMA-L,F4BD9E,\"Cisco Systems, Inc\",80 West Tasman Drive\n"), 0o644)
	os.WriteFile(txtFile, []byte("OUI/MA-L\t\t\tOrganization\n00-D0-EF   (hex)\t\tIGT\n00D0EF     (base 16)\t\tIGT\n\t\t\t\t9295 PROTOTYPE DRIVE\n"), 0o644)
	for _, file := range []string{csvFile, txtFile} {
		v := &Vendors{Files: []string{filepath.Join(dir, "missing"), file}}
		mac, _ := net.ParseMAC("00:d0:ef:12:34:56")
		if got, err := v.Lookup(mac); err != nil || got != "IGT" {
			t.Errorf("%s: Lookup(%s) = %q, %v; want IGT", file, mac, got, err)
		}
		mac, _ = net.ParseMAC("00:11:22:33:44:55")
		if got, err := v.Lookup(mac); err != nil || got != "" {
			t.Errorf("%s: Lookup(%s) = %q, %v; want none", file, mac, got, err)
		}
	}
	v := &Vendors{Files: []string{csvFile}}
	mac, _ := net.ParseMAC("f4:bd:9e:00:00:01")
	if got, _ := v.Lookup(mac); got != "Cisco Systems, Inc" {
		t.Errorf("quoted CSV name: %q", got)
	}
	none := &Vendors{Files: []string{filepath.Join(dir, "missing")}}
	if _, err := none.Lookup(mac); !errors.Is(err, ErrNoRegistry) {
		t.Errorf("no registry: %v, want ErrNoRegistry", err)
	}
}

func TestVendorsSystem(t *testing.T) {
	v := &Vendors{}
	mac, _ := net.ParseMAC("00:d0:ef:00:00:00")
	got, err := v.Lookup(mac)
	if errors.Is(err, ErrNoRegistry) {
		t.Skip("no ieee-data here")
	}
	if err != nil || got != "IGT" {
		t.Errorf("system registry: Lookup(%s) = %q, %v; want IGT", mac, got, err)
	}
}

func TestMACNote(t *testing.T) {
	for mac, want := range map[string]string{
		"00:d0:ef:00:00:01": "",
		"02:fc:00:00:00:01": "locally administered",
		"01:00:5e:00:00:fb": "a group (multicast) address",
	} {
		m, _ := net.ParseMAC(mac)
		if got := MACNote(m); !strings.HasPrefix(got, want) || (want == "" && got != "") {
			t.Errorf("MACNote(%s) = %q, want %q", mac, got, want)
		}
	}
}

func TestRoutes(t *testing.T) {
	r4, err := parseRoute4(strings.NewReader("Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
		"eth0\t00000000\t010011AC\t0003\t0\t0\t0\t00000000\t0\t0\t0\n" +
		"eth0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n"))
	if err != nil || len(r4) != 1 || r4[0] != (Route{Version: 4, Gateway: "172.17.0.1", Interface: "eth0"}) {
		t.Errorf("parseRoute4 = %+v, %v", r4, err)
	}
	r6, err := parseRoute6(strings.NewReader(
		"00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000001 00000000 00000003 eth0\n" +
			"fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001 eth0\n" +
			"00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200 lo\n"))
	if err != nil || len(r6) != 1 || r6[0] != (Route{Version: 6, Gateway: "fd00::1", Interface: "eth0"}) {
		t.Errorf("parseRoute6 = %+v, %v", r6, err)
	}
}

func TestLocal(t *testing.T) {
	ifs, _, err := Local(&Vendors{})
	if err != nil {
		t.Skipf("no interfaces here: %v", err)
	}
	for _, it := range ifs {
		for _, a := range it.Addresses {
			if a.Address == "127.0.0.1" && (a.PrefixLen != 8 || a.Mask != "255.0.0.0" || a.Kind != "loopback") {
				t.Errorf("lo: %+v", a)
			}
		}
	}
}

// FuzzParse checks that Parse never panics, that what it accepts it can
// print and read back to the same prefix, and that it agrees with netip on
// prefix lengths.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"172.16.10.1/24", "172.16.10.1/255.255.255.0", "300.1.1.1", "/33", "255.0.255.0", "10.0.0.1/255.0.255.0", "2001:db8::1/64", "fe80::1%eth0", "::ffff:1.2.3.4/96", "", "1.2.3.4/", "01.2.3.4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, masked, err := Parse(s)
		if err != nil {
			if err.Error() == "" {
				t.Errorf("Parse(%q): empty error", s)
			}
			return
		}
		if !p.IsValid() {
			t.Fatalf("Parse(%q) = invalid prefix %v, nil error", s, p)
		}
		in := Describe(s, p, masked)
		again, masked2, err := Parse(p.String())
		if err != nil || again != p || !masked2 {
			t.Fatalf("Parse(%q) = %v; Parse(%q) = %v, %v, %v", s, p, p.String(), again, masked2, err)
		}
		if p.Addr().Is4() {
			dotted := p.Addr().String() + "/" + in.Mask
			if again, _, err := Parse(dotted); err != nil || again != p {
				t.Fatalf("Parse(%q) = %v, %v; want %v", dotted, again, err, p)
			}
		}
		if !netip.MustParsePrefix(in.CIDR).Contains(p.Addr()) {
			t.Fatalf("%v: network %s does not hold the address", p, in.CIDR)
		}
		var buf bytes.Buffer
		if err := in.WriteText(&buf); err != nil {
			t.Fatal(err)
		}
	})
}

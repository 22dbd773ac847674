package subnet

import (
	"fmt"
	"math/big"
	"net/netip"
	"strings"
)

// Info is everything the lesson computes about one address and its mask.
// Its JSON keys are stable. Fields that do not apply are empty and omitted
// (IPv6 has no broadcast address and no dotted mask).
type Info struct {
	Input     string `json:"input"`
	Version   int    `json:"version"` // 4 or 6
	Address   string `json:"address"` // dotted (IPv4) or compressed (IPv6)
	Expanded  string `json:"expanded,omitempty"`
	Binary    string `json:"binary"`  // 8-bit groups (IPv4) or 16-bit groups (IPv6), dot or colon separated
	Integer   string `json:"integer"` // decimal
	Masked    bool   `json:"masked"`  // whether a mask was given
	PrefixLen int    `json:"prefix_len"`
	Mask      string `json:"mask"` // 255.255.255.0, or ffff:ffff:... for IPv6
	MaskBin   string `json:"mask_binary"`
	Network   string `json:"network"` // address AND mask
	NetBin    string `json:"network_binary"`
	CIDR      string `json:"cidr"` // network/prefix_len
	Broadcast string `json:"broadcast,omitempty"`
	FirstHost string `json:"first_host"`
	LastHost  string `json:"last_host"`
	// Addresses is how many addresses the prefix holds: a decimal number for
	// IPv4, "2^n" for IPv6.
	Addresses string `json:"addresses"`
	HostBits  int    `json:"host_bits"`
	// Hosts is how many of them a host may use (IPv4: minus network and
	// broadcast, except /31 and /32); for IPv6, "2^n" as for Addresses.
	Hosts    string   `json:"hosts"`
	Kind     string   `json:"kind"` // private, loopback, link-local, multicast, shared, documentation, public, ...
	KindNote string   `json:"kind_note"`
	Classful string   `json:"classful,omitempty"` // the historic class A-E, IPv4 only
	Notes    []string `json:"notes,omitempty"`
}

// Describe computes the Info for p; input is what the user typed.
func Describe(input string, p netip.Prefix, masked bool) Info {
	a := p.Addr()
	bits := p.Bits()
	n := a.BitLen()
	mask := maskBytes(n, bits)
	ab := a.AsSlice()
	net := make([]byte, len(ab))
	last := make([]byte, len(ab))
	for i := range ab {
		net[i] = ab[i] & mask[i]
		last[i] = net[i] | ^mask[i]
	}
	netA, _ := netip.AddrFromSlice(net)
	lastA, _ := netip.AddrFromSlice(last)
	in := Info{
		Input:     input,
		Address:   a.String(),
		Integer:   new(big.Int).SetBytes(ab).String(),
		Masked:    masked,
		PrefixLen: bits,
		Network:   netA.String(),
		CIDR:      netip.PrefixFrom(netA, bits).String(),
		HostBits:  n - bits,
	}
	in.Kind, in.KindNote = Kind(a)
	if a.Is4() {
		in.Version = 4
		in.Binary = binary(ab)
		in.Mask = netip.AddrFrom4([4]byte(mask)).String()
		in.MaskBin = binary(mask)
		in.NetBin = binary(net)
		in.Classful = classful(ab[0])
		size := uint64(1) << (32 - bits)
		in.Addresses = fmt.Sprint(size)
		switch bits {
		case 32:
			in.FirstHost, in.LastHost = netA.String(), netA.String()
			in.Hosts = "1"
			in.Notes = append(in.Notes, "/32 is a single address (a host route): no network or broadcast address of its own")
		case 31:
			in.FirstHost, in.LastHost = netA.String(), lastA.String()
			in.Hosts = "2"
			in.Notes = append(in.Notes, "/31 is a point-to-point link (RFC 3021): both addresses are hosts, there is no broadcast address")
		default:
			in.Broadcast = lastA.String()
			in.FirstHost = netA.Next().String()
			in.LastHost = lastA.Prev().String()
			in.Hosts = fmt.Sprint(size - 2)
			switch a {
			case netA:
				in.Notes = append(in.Notes, networkAddrNote(a.String()))
			case lastA:
				in.Notes = append(in.Notes, broadcastAddrNote(a.String()))
			}
		}
		if !masked {
			in.Notes = append(in.Notes, "no mask given: the address alone (/32); add one, as /24 or /255.255.255.0")
		}
	} else {
		in.Version = 6
		in.Expanded = a.StringExpanded()
		in.Binary = hexGroups(ab, true)
		in.Mask = hexGroups(mask, false)
		in.MaskBin = hexGroups(mask, true)
		in.NetBin = hexGroups(net, true)
		in.FirstHost, in.LastHost = netA.String(), lastA.String()
		in.Addresses = fmt.Sprintf("2^%d", n-bits)
		in.Hosts = in.Addresses
		in.Notes = append(in.Notes, "IPv6 has no broadcast address (multicast does its work): every address in the range is usable")
		if !masked {
			in.Notes = append(in.Notes, "no prefix length given: the address alone (/128); add one, as /64")
		}
	}
	return in
}

// maskBytes is a mask of ones bits in an n-bit address.
func maskBytes(n, ones int) []byte {
	m := make([]byte, n/8)
	for i := range m {
		switch {
		case ones >= 8:
			m[i] = 0xff
			ones -= 8
		case ones > 0:
			m[i] = byte(0xff << (8 - ones))
			ones = 0
		}
	}
	return m
}

// hexGroups writes an IPv6 address or mask as eight 16-bit groups, in
// binary or in (full) hex, colon separated.
func hexGroups(b []byte, bin bool) string {
	var sb strings.Builder
	for i := 0; i < len(b); i += 2 {
		if i > 0 {
			sb.WriteByte(':')
		}
		v := uint16(b[i])<<8 | uint16(b[i+1])
		if bin {
			fmt.Fprintf(&sb, "%016b", v)
		} else {
			fmt.Fprintf(&sb, "%04x", v)
		}
	}
	return sb.String()
}

func classful(first byte) string {
	switch {
	case first < 128:
		return "A"
	case first < 192:
		return "B"
	case first < 224:
		return "C"
	case first < 240:
		return "D"
	}
	return "E"
}

type kindRange struct {
	prefix netip.Prefix
	kind   string
	note   string
}

// kinds is checked in order: the first prefix that holds the address wins.
var kinds = []kindRange{
	{netip.MustParsePrefix("0.0.0.0/32"), "unspecified", "0.0.0.0: no address yet, or every address when listening"},
	{netip.MustParsePrefix("0.0.0.0/8"), "this-network", `"this network" (RFC 1122): not a destination`},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback", "loopback (RFC 1122): never leaves this machine"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private", "private (RFC 1918): not routed on the Internet; reaches it through NAT"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private", "private (RFC 1918): not routed on the Internet; reaches it through NAT"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private", "private (RFC 1918): not routed on the Internet; reaches it through NAT"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared", "shared address space (RFC 6598): carrier-grade NAT, between an ISP and its customers"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local", "link-local (RFC 3927): self-assigned when no DHCP answers; never routed"},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation", "documentation (RFC 5737, TEST-NET-1): for examples, never on a real network"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation", "documentation (RFC 5737, TEST-NET-2): for examples, never on a real network"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation", "documentation (RFC 5737, TEST-NET-3): for examples, never on a real network"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking", "benchmarking (RFC 2544): for testing network devices, not routed"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast", "multicast (RFC 5771): a group, not one host"},
	{netip.MustParsePrefix("255.255.255.255/32"), "broadcast", "the limited broadcast address: every host on this link"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved", "reserved (RFC 1112, class E): not usable"},
	{netip.MustParsePrefix("::/128"), "unspecified", ":: is no address yet, or every address when listening"},
	{netip.MustParsePrefix("::1/128"), "loopback", "loopback (RFC 4291): never leaves this machine"},
	{netip.MustParsePrefix("::ffff:0:0/96"), "ipv4-mapped", "IPv4-mapped (RFC 4291): an IPv4 address seen through an IPv6 socket"},
	{netip.MustParsePrefix("fe80::/10"), "link-local", "link-local (RFC 4291): every interface has one; valid on its link only"},
	{netip.MustParsePrefix("fc00::/7"), "ula", "unique local (ULA, RFC 4193): IPv6's private addresses, not routed on the Internet"},
	{netip.MustParsePrefix("ff00::/8"), "multicast", "multicast (RFC 4291): a group, not one host"},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation", "documentation (RFC 3849): for examples, never on a real network"},
	{netip.MustParsePrefix("2000::/3"), "global", "global unicast (RFC 4291): routed on the Internet"},
}

// Kind says what sort of address a is: its kind (one word, as in the JSON)
// and a sentence for learners.
func Kind(a netip.Addr) (kind, note string) {
	a = a.WithZone("")
	for _, k := range kinds {
		if k.prefix.Contains(a) {
			return k.kind, k.note
		}
	}
	if a.Is4() {
		return "public", "public: routed on the Internet"
	}
	return "reserved", "reserved by the IETF: not in use"
}

package subnet

import (
	"fmt"
	"math/big"
	"net/netip"
	"strings"

	"github.com/upcase/upcase/internal/lang"
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

	kindNote lang.Text // KindNote in both languages
	notes    []note    // Notes in both languages
	lang     lang.Lang // of KindNote, Notes and WriteText
}

// note is one of Info's notes, before it is put in a language.
type note struct {
	text lang.Text
	args []any
}

// In is in with its words (KindNote, Notes, WriteText's) in l.
func (in Info) In(l lang.Lang) Info {
	in.lang = l
	in.KindNote = in.kindNote.In(l)
	in.Notes = nil
	for _, n := range in.notes {
		in.Notes = append(in.Notes, n.text.F(l, n.args...))
	}
	return in
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
	in.Kind, in.kindNote = kindOf(a)
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
			in.notes = append(in.notes, note{infoMsg.Slash32, nil})
		case 31:
			in.FirstHost, in.LastHost = netA.String(), lastA.String()
			in.Hosts = "2"
			in.notes = append(in.notes, note{infoMsg.Slash31, nil})
		default:
			in.Broadcast = lastA.String()
			in.FirstHost = netA.Next().String()
			in.LastHost = lastA.Prev().String()
			in.Hosts = fmt.Sprint(size - 2)
			switch a {
			case netA:
				in.notes = append(in.notes, note{infoMsg.NetworkAddr, []any{a.String()}})
			case lastA:
				in.notes = append(in.notes, note{infoMsg.BroadcastAddr, []any{a.String()}})
			}
		}
		if !masked {
			in.notes = append(in.notes, note{infoMsg.NoMask4, nil})
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
		in.notes = append(in.notes, note{infoMsg.NoBroadcast6, nil})
		if !masked {
			in.notes = append(in.notes, note{infoMsg.NoMask6, nil})
		}
	}
	return in.In(lang.English)
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
	note   lang.Text
}

// kinds is checked in order: the first prefix that holds the address wins.
var kinds = []kindRange{
	{netip.MustParsePrefix("0.0.0.0/32"), "unspecified", lang.Text{En: "0.0.0.0: no address yet, or every address when listening", Zh: "0.0.0.0：还没有地址，或在监听时表示本机所有地址"}},
	{netip.MustParsePrefix("0.0.0.0/8"), "this-network", lang.Text{En: `"this network" (RFC 1122): not a destination`, Zh: "“本网络”（RFC 1122）：不能作为目标地址"}},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback", lang.Text{En: "loopback (RFC 1122): never leaves this machine", Zh: "回环地址（RFC 1122）：数据包不离开本机"}},
	{netip.MustParsePrefix("10.0.0.0/8"), "private", lang.Text{En: "private (RFC 1918): not routed on the Internet; reaches it through NAT", Zh: "私有地址（RFC 1918）：不在互联网上路由，要经 NAT 才能上网"}},
	{netip.MustParsePrefix("172.16.0.0/12"), "private", lang.Text{En: "private (RFC 1918): not routed on the Internet; reaches it through NAT", Zh: "私有地址（RFC 1918）：不在互联网上路由，要经 NAT 才能上网"}},
	{netip.MustParsePrefix("192.168.0.0/16"), "private", lang.Text{En: "private (RFC 1918): not routed on the Internet; reaches it through NAT", Zh: "私有地址（RFC 1918）：不在互联网上路由，要经 NAT 才能上网"}},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared", lang.Text{En: "shared address space (RFC 6598): carrier-grade NAT, between an ISP and its customers", Zh: "共享地址空间（RFC 6598）：运营商级 NAT，用在运营商和用户之间"}},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local", lang.Text{En: "link-local (RFC 3927): self-assigned when no DHCP answers; never routed", Zh: "链路本地地址（RFC 3927）：没有 DHCP 应答时由主机自行分配；不会被路由"}},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation", lang.Text{En: "documentation (RFC 5737, TEST-NET-1): for examples, never on a real network", Zh: "文档专用地址（RFC 5737，TEST-NET-1）：只用于举例，不会出现在真实网络中"}},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation", lang.Text{En: "documentation (RFC 5737, TEST-NET-2): for examples, never on a real network", Zh: "文档专用地址（RFC 5737，TEST-NET-2）：只用于举例，不会出现在真实网络中"}},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation", lang.Text{En: "documentation (RFC 5737, TEST-NET-3): for examples, never on a real network", Zh: "文档专用地址（RFC 5737，TEST-NET-3）：只用于举例，不会出现在真实网络中"}},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking", lang.Text{En: "benchmarking (RFC 2544): for testing network devices, not routed", Zh: "基准测试专用地址（RFC 2544）：用于测试网络设备，不会被路由"}},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast", lang.Text{En: "multicast (RFC 5771): a group, not one host", Zh: "组播地址（RFC 5771）：代表一个组，而不是一台主机"}},
	{netip.MustParsePrefix("255.255.255.255/32"), "broadcast", lang.Text{En: "the limited broadcast address: every host on this link", Zh: "受限广播地址：发给本链路上的所有主机"}},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved", lang.Text{En: "reserved (RFC 1112, class E): not usable", Zh: "保留地址（RFC 1112，E 类）：不可使用"}},
	{netip.MustParsePrefix("::/128"), "unspecified", lang.Text{En: ":: is no address yet, or every address when listening", Zh: ":: 表示还没有地址，或在监听时表示本机所有地址"}},
	{netip.MustParsePrefix("::1/128"), "loopback", lang.Text{En: "loopback (RFC 4291): never leaves this machine", Zh: "回环地址（RFC 4291）：数据包不离开本机"}},
	{netip.MustParsePrefix("::ffff:0:0/96"), "ipv4-mapped", lang.Text{En: "IPv4-mapped (RFC 4291): an IPv4 address seen through an IPv6 socket", Zh: "IPv4 映射地址（RFC 4291）：通过 IPv6 套接字看到的 IPv4 地址"}},
	{netip.MustParsePrefix("fe80::/10"), "link-local", lang.Text{En: "link-local (RFC 4291): every interface has one; valid on its link only", Zh: "链路本地地址（RFC 4291）：每个接口都有一个，只在本链路有效"}},
	{netip.MustParsePrefix("fc00::/7"), "ula", lang.Text{En: "unique local (ULA, RFC 4193): IPv6's private addresses, not routed on the Internet", Zh: "唯一本地地址（ULA，RFC 4193）：IPv6 的私有地址，不在互联网上路由"}},
	{netip.MustParsePrefix("ff00::/8"), "multicast", lang.Text{En: "multicast (RFC 4291): a group, not one host", Zh: "组播地址（RFC 4291）：代表一个组，而不是一台主机"}},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation", lang.Text{En: "documentation (RFC 3849): for examples, never on a real network", Zh: "文档专用地址（RFC 3849）：只用于举例，不会出现在真实网络中"}},
	{netip.MustParsePrefix("2000::/3"), "global", lang.Text{En: "global unicast (RFC 4291): routed on the Internet", Zh: "全球单播地址（RFC 4291）：可在互联网上路由"}},
}

// publicKind and reservedKind are what an address in no range of kinds is.
var (
	publicKind   = lang.Text{En: "public: routed on the Internet", Zh: "公网地址：可在互联网上路由"}
	reservedKind = lang.Text{En: "reserved by the IETF: not in use", Zh: "IETF 保留地址：尚未分配使用"}
)

// Kind says what sort of address a is: its kind (one word, as in the JSON)
// and a sentence for learners, in English.
func Kind(a netip.Addr) (kind, note string) {
	kind, t := kindOf(a)
	return kind, t.In(lang.English)
}

// kindOf is Kind with its sentence in both languages.
func kindOf(a netip.Addr) (string, lang.Text) {
	a = a.WithZone("")
	for _, k := range kinds {
		if k.prefix.Contains(a) {
			return k.kind, k.note
		}
	}
	if a.Is4() {
		return "public", publicKind
	}
	return "reserved", reservedKind
}

package subnet

import (
	"net/netip"

	"github.com/upcase/upcase/internal/lang"
)

// Error is a mistake in the input, said in both languages: Error is the
// English, In the language asked for.
type Error struct {
	text lang.Text
	args []any // an *Error among them is put in the same language
}

func newError(t lang.Text, args ...any) *Error { return &Error{t, args} }

func (e *Error) Error() string { return e.In(lang.English) }

// In is the message in l.
func (e *Error) In(l lang.Lang) string {
	args := make([]any, len(e.args))
	for i, a := range e.args {
		if inner, ok := a.(*Error); ok {
			a = inner.In(l)
		}
		args[i] = a
	}
	return e.text.F(l, args...)
}

// ParseError says exactly what is wrong with an address or a mask.
type ParseError struct {
	Input string // what was given
	Msg   string // what is wrong with it, in English
	why   *Error
}

func parseError(input string, why *Error) *ParseError {
	return &ParseError{Input: input, Msg: why.Error(), why: why}
}

func (e *ParseError) Error() string { return e.In(lang.English) }

// In is the error in l: the input, then what is wrong with it.
func (e *ParseError) In(l lang.Lang) string {
	msg := e.Msg
	if e.why != nil {
		msg = e.why.In(l)
	}
	if e.Input == "" {
		return msg
	}
	return e.Input + ": " + msg
}

// errMsg is every mistake Parse and Decide explain, in English and the
// lesson's Chinese. TestMessagesComplete fails when one lacks a language.
var errMsg = struct {
	Empty, NoAddress, Zone, NotIPv6, NotDotted, NotAnAddress, Count, EmptyNumber   lang.Text
	NotANumber, LeadingZero, Not0to255, NoMask, DottedMask6, Mask, NotContiguous   lang.Text
	NotAPrefix, PrefixRange, Families, GatewayFamily, GatewayOffSubnet, GatewayIsA lang.Text
	NotAHost, GatewayNotAHost, Group, LimitedBroadcast, NetworkAddr, BroadcastAddr lang.Text
}{
	Empty:        lang.Text{En: "empty address", Zh: "地址是空的"},
	NoAddress:    lang.Text{En: "missing the address before the /", Zh: "/ 前面缺少地址"},
	Zone:         lang.Text{En: "the zone %q names a link, not part of the address; leave it out", Zh: "区域索引 %q 指定的是链路（网卡），不属于地址本身；请去掉它"},
	NotIPv6:      lang.Text{En: "not an IPv6 address: %s", Zh: "不是有效的 IPv6 地址（%s）"},
	NotDotted:    lang.Text{En: "write an IPv4 address as four numbers 0-255 separated by dots (a.b.c.d)", Zh: "IPv4 地址要写成用点隔开的4 个 0-255 之间的数（a.b.c.d）"},
	NotAnAddress: lang.Text{En: "not an IPv4 or IPv6 address", Zh: "既不是 IPv4 地址，也不是 IPv6 地址"},
	Count:        lang.Text{En: "an IPv4 address has 4 numbers separated by dots, not %d", Zh: "IPv4 地址是用点隔开的 4 个数，不是 %d 个"},
	EmptyNumber:  lang.Text{En: "number %d is empty", Zh: "第 %d 个数是空的"},
	NotANumber:   lang.Text{En: "%q is not a number", Zh: "%q 不是数字"},
	LeadingZero:  lang.Text{En: "%q has a leading zero, which some tools read as octal; write %s", Zh: "%q 以 0 开头，有些工具会把它当成八进制；请写成 %s"},
	Not0to255:    lang.Text{En: "%s is not 0-255", Zh: "%s 不在 0-255 之间"},
	NoMask:       lang.Text{En: "missing the mask after the / (for example /%d)", Zh: "/ 后面缺少子网掩码（例如 /%d）"},
	DottedMask6:  lang.Text{En: "a dotted mask is for IPv4; write an IPv6 prefix length, as /64", Zh: "点分十进制的掩码只用于 IPv4；IPv6 请写前缀长度，如 /64"},
	Mask:         lang.Text{En: "mask %s: %s", Zh: "子网掩码 %s：%s"},
	NotContiguous: lang.Text{
		En: "mask %s is not contiguous: its 1 bits must all come first (%s)",
		Zh: "子网掩码 %s 不连续：它的 1 必须全部排在前面（%s）"},
	NotAPrefix:  lang.Text{En: "mask %q is not a prefix length (/0-/%d) or a dotted mask", Zh: "子网掩码 %q 既不是前缀长度（/0-/%d），也不是点分十进制的掩码"},
	PrefixRange: lang.Text{En: "/%d is not 0-%d", Zh: "/%d 不在 0-%d 之间"},
	Families:    lang.Text{En: "%s and %s are not both IPv4 or both IPv6", Zh: "%s 和 %s 的 IP 版本不同：必须同为 IPv4 或同为 IPv6"},
	GatewayFamily: lang.Text{
		En: "gateway %s is not the same IP version as %s",
		Zh: "网关 %s 和 %s 的 IP 版本不同"},
	GatewayOffSubnet: lang.Text{
		En: "gateway %[1]s is not on %[2]s's subnet %[3]s: %[2]s could not reach it either; a gateway must be on the sender's own subnet",
		Zh: "网关 %[1]s 不在 %[2]s 的子网 %[3]s 里，%[2]s 无法直接到达它；网关必须在发送端自己的子网里"},
	GatewayIsA:      lang.Text{En: "gateway %[1]s is %[1]s itself", Zh: "网关 %[1]s 就是 %[1]s 自己"},
	NotAHost:        lang.Text{En: "%s: %s", Zh: "%s: %s"},
	GatewayNotAHost: lang.Text{En: "gateway %s", Zh: "网关 %s"},
	Group: lang.Text{
		En: "%s is a multicast group, not a host's address: a packet comes from one host, never from a group",
		Zh: "%s 是组播组，不是主机地址：数据包总是来自一台主机，不会来自一个组"},
	LimitedBroadcast: lang.Text{
		En: "%s is the limited broadcast address (every host on the link), not a host's address",
		Zh: "%s 是受限广播地址（发给本链路上的所有主机），不是主机地址"},
	NetworkAddr: lang.Text{
		En: "%s is the network address of %s (host bits all 0), not a host's address; a host on %s has one of %s to %s",
		Zh: "%s 是 %s 的子网地址（主机位全为 0），不是主机地址；%s 的主机地址范围是 %s 到 %s"},
	BroadcastAddr: lang.Text{
		En: "%s is the broadcast address of %s (host bits all 1), not a host's address; a host on %s has one of %s to %s",
		Zh: "%s 是 %s 的广播地址（主机位全为 1），不是主机地址；%s 的主机地址范围是 %s 到 %s"},
}

func errFamilies(a, b netip.Addr) error { return newError(errMsg.Families, a, b) }

func errGatewayFamily(gw, a netip.Addr) error { return newError(errMsg.GatewayFamily, gw, a) }

func errGatewayOffSubnet(gw, a netip.Addr, netw netip.Prefix) error {
	return newError(errMsg.GatewayOffSubnet, gw, a, netw)
}

func errGatewayIsA(gw netip.Addr) error { return newError(errMsg.GatewayIsA, gw) }

func errNotAHost(a netip.Prefix, why hostProblem) error {
	return newError(errMsg.NotAHost, a, whyNotAHost(a.Addr(), a, why))
}

func errGatewayNotAHost(gw netip.Addr, a netip.Prefix, why hostProblem) error {
	return newError(errMsg.GatewayNotAHost, whyNotAHost(gw, a, why))
}

// whyNotAHost says why addr, on p's subnet, is no host's address, and which
// addresses are.
func whyNotAHost(addr netip.Addr, p netip.Prefix, why hostProblem) *Error {
	switch why {
	case isGroup:
		return newError(errMsg.Group, addr)
	case isLimitedBroadcast:
		return newError(errMsg.LimitedBroadcast, addr)
	}
	netw := p.Masked()
	first, last := netw.Addr().Next(), broadcastOf(p).Prev()
	if why == isNetwork {
		return newError(errMsg.NetworkAddr, addr, netw, netw, first, last)
	}
	return newError(errMsg.BroadcastAddr, addr, netw, netw, first, last)
}

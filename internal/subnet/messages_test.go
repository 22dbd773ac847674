package subnet

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/upcase/upcase/internal/lang"
)

// TestMessagesComplete: every sentence of the ARP decision exists in
// English and Chinese, with the same arguments.
func TestMessagesComplete(t *testing.T) {
	for _, catalog := range []any{msg, infoMsg, errMsg, kinds, publicKind, reservedKind} {
		for _, p := range lang.Complete(catalog) {
			t.Error(p)
		}
	}
}

// TestInfoIn: one address's arithmetic in Chinese has the same lines as
// in English, in the lesson's words, and back again changes nothing.
func TestInfoIn(t *testing.T) {
	for _, tc := range []struct {
		in string
		zh []string
	}{
		{"172.16.10.1/24", []string{"255.255.255.0 = /24", "（先 24 个 1，再 8 个 0）", "子网地址 = IP 地址和子网掩码按位与运算的结果", "广播地址", "172.16.10.255（主机位全为 1）", "私有地址（RFC 1918）", "B 类（CIDR 出现之前的旧分类"}},
		{"192.168.1.255/24", []string{"注：192.168.1.255 就是广播地址"}},
		{"10.0.0.1/31", []string{"/31 用于点对点链路"}},
		{"2001:db8::1/64", []string{"前缀长度", "/64（掩码 ffff:", "IPv6 没有广播地址", "文档专用地址（RFC 3849）"}},
		{"8.8.8.8", []string{"未指定子网掩码", "公网地址"}},
	} {
		p, masked, err := Parse(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		info := Describe(tc.in, p, masked)
		var en, zh, again strings.Builder
		info.WriteText(&en)
		info.In(lang.Chinese).WriteText(&zh)
		info.In(lang.Chinese).In(lang.English).WriteText(&again)
		if again.String() != en.String() {
			t.Errorf("%s: Chinese and back is not the English:\n%s\nwant\n%s", tc.in, again.String(), en.String())
		}
		for _, w := range tc.zh {
			if !strings.Contains(zh.String(), w) {
				t.Errorf("%s in Chinese lacks %q:\n%s", tc.in, w, zh.String())
			}
		}
		if strings.Count(zh.String(), "\n") != strings.Count(en.String(), "\n") {
			t.Errorf("%s: %d lines in Chinese, %d in English", tc.in, strings.Count(zh.String(), "\n"), strings.Count(en.String(), "\n"))
		}
	}
}

// TestPathIn: a Path in Chinese says the same as in English, in the
// lesson's words, and turning it into one language and back changes
// nothing.
func TestPathIn(t *testing.T) {
	for _, tc := range []struct {
		a, b, gw string
		zh       []string
	}{
		{"192.168.1.2/24", "192.168.2.2", "192.168.1.1", []string{"不同子网：A 经网关发送，所以 ARP 问的是网关 192.168.1.1 的 MAC，不是 B 的", "ARP 请求（广播）：192.168.1.1 是谁？请告诉 192.168.1.2", "网关 192.168.1.1 的 MAC", "源 MAC", "目标主机的 IP  <- 本例"}},
		{"192.168.1.2/24", "192.168.2.2", "", []string{"网关的 IP 是谁？", "网关的 MAC", "用 --gateway 指定网关"}},
		{"172.16.10.10/24", "172.16.10.11", "", []string{"同一子网：A 直接发给 B，所以 ARP 问的是 B 的 MAC", "B 的 MAC"}},
		{"192.168.1.2/24", "192.168.1.255", "", []string{"广播：一帧发给本链路上的所有主机", "主机位全为 1"}},
		{"127.0.0.1/8", "127.0.0.5", "", []string{"回环：数据包不离开本机", "没有以太网报头"}},
		{"2001:db8::1/64", "2001:db8::2", "", []string{"NDP 邻居请求：2001:db8::2 是谁？", "（请求节点组播地址）"}},
	} {
		a := netip.MustParsePrefix(tc.a)
		var gw netip.Addr
		if tc.gw != "" {
			gw = netip.MustParseAddr(tc.gw)
		}
		p, err := Decide(a, netip.MustParseAddr(tc.b), gw)
		if err != nil {
			t.Fatal(err)
		}
		var en, zh, again strings.Builder
		p.WriteText(&en)
		p.In(lang.Chinese).WriteText(&zh)
		p.In(lang.Chinese).In(lang.English).WriteText(&again)
		if again.String() != en.String() {
			t.Errorf("%s → %s: Chinese and back is not the English:\n%s\nwant\n%s", tc.a, tc.b, again.String(), en.String())
		}
		for _, w := range tc.zh {
			if !strings.Contains(zh.String(), w) {
				t.Errorf("%s → %s in Chinese lacks %q:\n%s", tc.a, tc.b, w, zh.String())
			}
		}
		if strings.Count(zh.String(), "\n") != strings.Count(en.String(), "\n") {
			t.Errorf("%s → %s: %d lines in Chinese, %d in English", tc.a, tc.b, strings.Count(zh.String(), "\n"), strings.Count(en.String(), "\n"))
		}
	}
}

// TestErrorIn: a mistake is said in the language asked for, the parts it
// wraps too, and its English is what Error and Msg say.
func TestErrorIn(t *testing.T) {
	for _, tc := range []struct{ in, en, zh string }{
		{"300.1.1.1", "300.1.1.1: 300 is not 0-255", "300.1.1.1: 300 不在 0-255 之间"},
		{"1.2.3.4/255.0.300.0", "1.2.3.4/255.0.300.0: mask 255.0.300.0: 300 is not 0-255", "1.2.3.4/255.0.300.0: 子网掩码 255.0.300.0：300 不在 0-255 之间"},
		{"", "empty address", "地址是空的"},
	} {
		_, _, err := Parse(tc.in)
		pe, ok := err.(*ParseError)
		if !ok {
			t.Fatalf("Parse(%q): %v is not a *ParseError", tc.in, err)
		}
		if pe.Error() != tc.en || pe.In(lang.Chinese) != tc.zh || pe.In(lang.English) != tc.en || !strings.HasSuffix(tc.en, pe.Msg) {
			t.Errorf("Parse(%q): %q / %q (Msg %q); want %q / %q", tc.in, pe.Error(), pe.In(lang.Chinese), pe.Msg, tc.en, tc.zh)
		}
	}
	_, err := Decide(netip.MustParsePrefix("192.168.1.2/24"), netip.MustParseAddr("192.168.2.2"), netip.MustParseAddr("10.0.0.1"))
	e, ok := err.(*Error)
	if !ok || !strings.HasPrefix(e.In(lang.Chinese), "网关 10.0.0.1 不在 192.168.1.2 的子网 192.168.1.0/24 里") || !strings.HasPrefix(e.Error(), "gateway 10.0.0.1 is not on") {
		t.Errorf("Decide with a gateway off the subnet: %v", err)
	}
}

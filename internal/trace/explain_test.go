package trace

import (
	"net/netip"
	"regexp"
	"strings"
	"testing"

	"github.com/upcase/upcase/internal/lang"
	"github.com/upcase/upcase/internal/trace/tracetest"
)

// TestExplain: each step of each scenario in English and in Chinese, the
// Chinese in the lesson's words (三次握手, 四次挥手, 半关闭, 序号, 广播,
// 目标 MAC) with the states in their RFC 9293 names and their glosses;
// every Chinese step reads as Chinese (see checkChinese).
func TestExplain(t *testing.T) {
	fresh := st(Closed, Listen)
	tests := []struct {
		name    string
		kind    Kind
		events  []Event
		initial States
		// en and zh hold, per step index, words its explanation must
		// contain in English and in Chinese.
		en, zh map[int][]string
	}{
		{"normal4", KindTCP, scenarioNormal4(client4, server4), fresh, map[int][]string{
			0:  {"client asks", "RFC 6528", "2746135912", "old connection, or forged"},
			1:  {"SYN, ACK", "ISN + 1", "SYN uses up one sequence number", "1102931735"},
			2:  {"three-way handshake", "ESTABLISHED"},
			3:  {"5 bytes", `"hello"`, "seq counts bytes", "+ 5"},
			4:  {"server acknowledges the data", "next byte it expects"},
			5:  {`"HELLO"`},
			8:  {`"SECOND LINE\n"`, "in the same segment acknowledges the client's data"},
			10: {"client", "FIN", "half-close", "the server can still send"},
			11: {"ack = the FIN's seq + 1", "server may still send"},
			12: {"server closes its own direction", "four steps"},
			13: {"TIME-WAIT", "2×MSL", "4 minutes", "fixed 60 s", "resend this last ACK", "old segments", "server is CLOSED"},
		}, map[int][]string{
			0:  {"客户端发出 SYN 请求建立连接", "初始序号（ISN）2746135912", "外人无法预测", "RFC 6528", "旧连接残留的报文段或伪造的报文段"},
			1:  {"服务端同意建立连接", "同时带 SYN 和 ACK", "确认号是客户端的 ISN + 1", "SYN 要占用一个序号", "ISN 1102931735"},
			2:  {"客户端确认了服务端的 SYN", "ESTABLISHED（已建立连接）", "这就是三次握手。"},
			3:  {"客户端发送 5 字节数据（\"hello\"）", "序号（seq）按字节计数", "seq + 5。"},
			4:  {"服务端确认收到了数据", "期望收到的下一个字节的序号", "窗口"},
			8:  {"服务端发送 12 字节数据（\"SECOND LINE\\n\"）", "捎带确认了客户端的数据"},
			10: {"客户端没有数据要发了", "用 FIN 关闭自己的发送方向", "半关闭", "服务端仍然可以发送", "FIN 和 SYN 一样"},
			11: {"服务端确认了这个 FIN", "确认号 = FIN 的 seq + 1", "客户端的发送方向已经关闭", "服务端在关闭自己的发送方向之前，仍然可以发送数据"},
			12: {"现在服务端也用 FIN 关闭自己的发送方向", "（FIN、ACK、FIN、ACK）", "四次挥手"},
			13: {"服务端进入 CLOSED（关闭）", "客户端则要在 TIME-WAIT（时间等待）停留", "最后一个 ACK 丢了还能重发", "旧报文段", "2×MSL", "4 分钟", "Linux 则固定停留 60 秒"},
		}},
		{"normal3", KindTCP, scenarioNormal3(client4, server4), fresh, map[int][]string{
			11: {"same segment", "three segments instead of four", "delayed"},
			12: {"TIME-WAIT", "2×MSL"},
		}, map[int][]string{
			11: {"在同一个报文段里关闭自己的发送方向", "ACK 稍微延迟", "三个报文段，而不是四个"},
			12: {"TIME-WAIT（时间等待）", "2×MSL"},
		}},
		{"halfclose", KindTCP, scenarioHalfClose(client4, server4), fresh, map[int][]string{
			5:  {"client", "FIN", "half-close", "the server can still send"},
			6:  {"ack = the FIN's seq + 1", "server may still send"},
			7:  {"server still sends 6 bytes", `"HELLO\n"`, "after the client's FIN", "half open", "closed only the client's direction", "server, in CLOSE-WAIT, may still send", "client, in FIN-WAIT-2, still receives"},
			8:  {"client acknowledges the data although it has sent its FIN", "FIN-WAIT-2", "still receives"},
			9:  {"server closes its own direction"},
			10: {"TIME-WAIT", "server is CLOSED"},
		}, map[int][]string{
			5:  {"客户端没有数据要发了", "半关闭"},
			7:  {"服务端收到客户端的 FIN 之后，还发送了 6 字节数据（\"HELLO\\n\"）", "半关闭状态", "只关闭了客户端的发送方向", "处于 CLOSE-WAIT（关闭等待）的服务端照样可以发送", "处于 FIN-WAIT-2（终止等待 2）的客户端也照样接收", "直到服务端也关闭自己的发送方向"},
			8:  {"客户端虽然已经发出了自己的 FIN，仍然确认服务端发来的数据", "FIN-WAIT-2（终止等待 2）", "照样接收、照样确认"},
			9:  {"四次挥手"},
			10: {"TIME-WAIT", "服务端进入 CLOSED"},
		}},
		{"halfclose, no delay", KindTCP, scenarioHalfClose0(client4, server4), fresh, map[int][]string{
			6: {"acknowledges the client's FIN and in the same segment still sends 6 bytes", "half open", "closed only the client's direction", "CLOSE-WAIT", "now in FIN-WAIT-2"},
			7: {"FIN-WAIT-2", "still receives"},
		}, map[int][]string{
			6: {"服务端确认了客户端的 FIN，并在同一个报文段里带上了 6 字节数据", "半关闭状态", "此时已进入 FIN-WAIT-2（终止等待 2）的客户端"},
		}},
		{"server close", KindTCP, scenarioServerClose(client4, server4), fresh, map[int][]string{
			3: {"server has nothing more to send", "the client can still send"},
			6: {"server acknowledges the client's FIN", "client is CLOSED", "server stays in TIME-WAIT"},
		}, map[int][]string{
			3: {"服务端没有数据要发了", "客户端仍然可以发送"},
			6: {"服务端确认了客户端的 FIN", "客户端进入 CLOSED", "服务端则要在 TIME-WAIT"},
		}},
		{"reset", KindTCP, scenarioReset(client4, server4), fresh, map[int][]string{
			5: {"client aborts", "RST", "SO_LINGER", "no TIME-WAIT"},
		}, map[int][]string{
			5: {"客户端用 RST 而不是 FIN 中止了连接", "SO_LINGER 设为 0", "没有挥手", "尚未读取的数据直接丢弃", "不经过 TIME-WAIT"},
		}},
		{"refused", KindTCP, scenarioRefused(client4, server4), st(Closed, Closed), map[int][]string{
			1: {"Nobody is listening on port 8080", "refused"},
		}, map[int][]string{
			1: {"端口 8080 上没有程序在监听", "内核用 RST 回应这个 SYN", "连接被拒绝", "客户端随即放弃"},
		}},
		{"simultaneous", KindTCP, scenarioSimultaneous(client4, server4), fresh, map[int][]string{
			4: {"simultaneous close", "CLOSING"},
			5: {"from CLOSING to TIME-WAIT"},
		}, map[int][]string{
			4: {"服务端的 FIN 没有确认客户端的 FIN", "同时在关闭连接", "CLOSING（正在关闭）"},
			5: {"服务端从 CLOSING（正在关闭）进入 TIME-WAIT（时间等待）"},
		}},
		{"udp", KindUDP, scenarioUDP(client4, server4), States{}, map[int][]string{
			0: {"5-byte UDP datagram", "no handshake", "no acknowledgement"},
			1: {"nobody would resend it", "no teardown"},
		}, map[int][]string{
			0: {"客户端直接发出一个 5 字节的 UDP 数据报（\"hello\"）", "没有握手", "没有序号", "没有确认"},
			1: {"服务端同样用一个数据报回答（\"HELLO\"）", "没有人会重发", "没有挥手", "UDP 根本不维持连接"},
		}},
		{"lan", KindTCP, scenarioLAN(), fresh, map[int][]string{
			0: {"broadcasts an ARP request", "ff:ff:ff:ff:ff:ff", "who has 10.0.0.2?"},
			1: {"ARP reply", "10.0.0.2 is at 02:00:00:00:00:02"},
		}, map[int][]string{
			0: {"客户端要把 IP 数据包发给同一局域网内的 10.0.0.2", "MAC 地址", "广播一个 ARP 请求（目标 MAC 为 ff:ff:ff:ff:ff:ff）", "10.0.0.2 是谁？"},
			1: {"服务端用 ARP 响应直接回复", "10.0.0.2 的 MAC 地址是 02:00:00:00:00:02", "ARP 缓存", "以太网帧"},
			4: {"三次握手"},
		}},
	}
	twoSentences := regexp.MustCompile(`[a-z)]\. [A-Z]`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cl, sv := client4, server4
			if tt.name == "lan" {
				cl, sv = lanClient, lanServer
			}
			c := conversationOf(t, tt.kind, cl, sv, tt.initial, tt.events)
			for i, s := range c.Steps() {
				e := c.Explain(s, lang.English)
				if e != Explain(s, lang.English) {
					t.Errorf("step %d: the conversation explains %q, Explain %q", i, e, Explain(s, lang.English))
				}
				if !strings.HasSuffix(e, ".") && !strings.HasSuffix(e, "?") || twoSentences.MatchString(e) {
					t.Errorf("step %d: %q is not one sentence", i, e)
				}
				zh := Explain(s, lang.Chinese)
				checkChinese(t, zh)
				for _, tc := range []struct {
					got  string
					want []string
				}{{e, tt.en[i]}, {zh, tt.zh[i]}} {
					for _, w := range tc.want {
						if !strings.Contains(tc.got, w) {
							t.Errorf("step %d (%s): %q lacks %q", i, s.Event, tc.got, w)
						}
					}
				}
			}
		})
	}
}

func TestExplainOther(t *testing.T) {
	for _, l := range []lang.Lang{lang.English, lang.Chinese} {
		if got := Explain(Step{Event: Event{Kind: KindOther}}, l); got != "" {
			t.Errorf("Explain(other, %v) = %q, want nothing", l, got)
		}
	}
	d := tracetest.NewDialogue(client4, server4)
	d.Handshake()
	d.Send(tracetest.ClientToServer, tracetest.ACK, "", 0) // nothing new: a window update
	c := conversationOf(t, KindTCP, client4, server4, st(Closed, Listen), events(d.Frames()))
	if got := c.Explain(c.Steps()[3], lang.English); !strings.Contains(got, "acknowledges nothing new") {
		t.Errorf("a duplicate ACK: %q", got)
	}
}

func TestPreview(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hello", `"hello"`},
		{"héllo\x00", `"h\u00e9llo\x00"`},
		{strings.Repeat("a", 30), `"` + strings.Repeat("a", previewMax) + `"...`},
	}
	for _, tt := range tests {
		if got := preview([]byte(tt.in)); got != tt.want {
			t.Errorf("preview(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestExplainGatewayARP: ARP to and from a router, in both languages: the
// gateway's MAC is asked for, not the far host's, and the lesson's rule
// (目标 MAC is the gateway's, 目标 IP the far host's) is said.
func TestExplainGatewayARP(t *testing.T) {
	client := netip.MustParseAddrPort("192.168.1.2:40000")
	server := netip.MustParseAddrPort("192.168.2.2:8080")
	gw1, gw2 := netip.MustParseAddr("192.168.1.1"), netip.MustParseAddr("192.168.2.1")
	routerMAC := MAC{0x02, 0, 0, 0, 0, 0xfe}
	arp := func(op ARPOp, snd, tgt netip.Addr) Event {
		return Event{Kind: KindARP, ARP: ARP{Op: op, SenderMAC: routerMAC, SenderIP: snd, TargetIP: tgt}}
	}
	for _, tc := range []struct {
		ev     Event
		en, zh []string
	}{
		{arp(ARPRequest, client.Addr(), gw1),
			[]string{"The server 192.168.2.2 is on another subnet", "the client sends its packets to its default gateway, 192.168.1.1", "not the server's: who has 192.168.1.1?"},
			[]string{"服务端 192.168.2.2 在另一个子网", "客户端得把数据包交给默认网关 192.168.1.1 转发", "问的是网关的 MAC 地址，而不是服务端的：192.168.1.1 是谁？"}},
		{arp(ARPReply, gw1, client.Addr()),
			[]string{"The router answers: 192.168.1.1 is at 02:00:00:00:00:fe. The client puts"},
			[]string{"路由器回复：192.168.1.1 的 MAC 地址是 02:00:00:00:00:fe", "客户端发往其他子网的每一帧", "目标 MAC 都填这个网关的 MAC 地址，目标 IP 仍填目标主机的"}},
		{arp(ARPRequest, gw2, server.Addr()),
			[]string{"The router has a packet to forward to 192.168.2.2", "the server's own MAC address: who has 192.168.2.2?"},
			[]string{"路由器有一个数据包要转发给本链路上的 192.168.2.2", "服务端本身的 MAC 地址：192.168.2.2 是谁？"}},
		{arp(ARPReply, server.Addr(), gw2),
			[]string{"The server answers the router with an ARP reply", "the router can now put the server's MAC address"},
			[]string{"服务端用 ARP 响应回复路由器", "路由器转发帧时就能填上服务端的 MAC 地址"}},
		{arp(ARPRequest, server.Addr(), gw2),
			[]string{"The server needs the MAC address of its gateway, 192.168.2.1", "who has 192.168.2.1?"},
			[]string{"服务端要回复其他子网的主机", "自己的网关 192.168.2.1 的 MAC 地址", "192.168.2.1 是谁？"}},
		{arp(ARPReply, gw2, server.Addr()),
			[]string{"The router answers: 192.168.2.1 is at", "The server puts that MAC address"},
			[]string{"路由器回复：192.168.2.1 的 MAC 地址是", "服务端发往其他子网的每一帧"}},
	} {
		c := NewConversation(KindTCP, client, server, States{Client: Closed, Server: Listen})
		c.SetGateways(gw1, gw2)
		s, err := c.Add(tc.ev)
		if err != nil {
			t.Fatal(err)
		}
		en, zh := explainGatewayARP(s, server.Addr(), lang.English), explainGatewayARP(s, server.Addr(), lang.Chinese)
		if got := c.Explain(s, lang.English); en != got {
			t.Errorf("%v: the conversation explains %q, not the router's %q", tc.ev, got, en)
		}
		checkChinese(t, zh)
		for _, w := range tc.en {
			if !strings.Contains(en, w) {
				t.Errorf("%v: %q lacks %q", tc.ev, en, w)
			}
		}
		for _, w := range tc.zh {
			if !strings.Contains(zh, w) {
				t.Errorf("%v: %q lacks %q", tc.ev, zh, w)
			}
		}
	}
}

// TestExplainMoved: a change of states no case knows is said plainly, the
// states by their RFC 9293 names, glossed in Chinese.
func TestExplainMoved(t *testing.T) {
	s := Step{Event: Event{Kind: KindTCP, TCP: TCP{Flags: FlagACK}}, Dir: ServerToClient, Before: st(Established, Established), After: st(CloseWait, Established)}
	for _, tc := range []struct {
		l    lang.Lang
		want string
	}{
		{lang.English, "The server is now ESTABLISHED and the client CLOSE-WAIT."},
		{lang.Chinese, "服务端现在处于 ESTABLISHED（已建立连接），客户端则处于 CLOSE-WAIT（关闭等待）。"},
	} {
		if got := Explain(s, tc.l); got != tc.want {
			t.Errorf("%v: %q; want %q", tc.l, got, tc.want)
		}
	}
}

package ladder

import (
	"github.com/upcase/upcase/internal/lang"
	"github.com/upcase/upcase/internal/trace"
)

// msg is every sentence the ladder writes around the steps' explanations,
// in English and in the lesson's Chinese (客户端, 服务端, 三次握手, 以太网,
// 源/目标 MAC 地址, 子网, 网关). TestMessagesComplete fails when one lacks a
// language.
var msg = struct {
	// The columns' heads, and a frame's length in its label.
	Client, Server, FrameBytes lang.Text

	// The legend under a ladder with the kernel's states.
	Legend lang.Text

	// ARP messages in labels: tcpdump's notation in English.
	ARPRequest, ARPReply lang.Text

	// The links of lan and gateway (links.go).
	FirstSYN, LinkColumns, NoSYN, Where, MACIs, RouterARP, Broadcast lang.Text
	SameSubnet, DifferentSubnets, Same, NotSame                      lang.Text

	// Around a demo's ladder (notes.go).
	TitleLo, TitleLink, Segments, Datagrams, Frames, Inferred, Ethernet, PcapFile lang.Text
}{
	Client: lang.Text{En: "client %s", Zh: "客户端 %s"},
	Server: lang.Text{En: "server %s", Zh: "服务端 %s"},

	FrameBytes: lang.Text{En: ", %d bytes", Zh: "，%d 字节"},

	ARPRequest: lang.Text{En: "ARP request who-has %s tell %s (%s)", Zh: "ARP 请求：谁是 %s？请告诉 %s（%s）"},
	ARPReply:   lang.Text{En: "ARP reply %s is-at %s", Zh: "ARP 响应：%s 的 MAC 地址是 %s"},

	Legend: lang.Text{
		En: "States are RFC 9293's, from the segments, as the explanations speak of " +
			"them; Linux's own, from its sock:inet_sock_set_state tracepoint, stand " +
			"under them in brackets where they differ, and a * marks a state Linux " +
			"had not reported. Linux differs from RFC 9293's diagram in three ways: " +
			"it reports the server's SYN-RECEIVED only as the handshake's last ACK " +
			"arrives (until then the half-open connection is a small request socket, " +
			"not a full one); it never reports TIME-WAIT (the socket goes to CLOSED " +
			"and hands over to a timewait record, which `ss -tan state time-wait` " +
			"shows for a fixed 60 s); and it reports the client's SYN-SENT with source " +
			"port 0 (the port is picked just after).",
		Zh: "上面各列的状态是按 RFC 9293 的状态图从报文段推出的，解释里说的也是这些状态；" +
			"Linux 自己报告的状态（来自 sock:inet_sock_set_state 跟踪点）与之不同时，" +
			"用括号写在下面，* 表示 Linux 当时还没有报告这一方的状态。" +
			"Linux 与 RFC 9293 的状态图有三点不同：服务端的 SYN-RECEIVED 要等三次握手的最后一个 ACK 到达时才报告" +
			"（在那之前，这个半开连接只作为一个轻量的 request_sock 放在半连接队列里，还不是完整的套接字）；" +
			"它从不报告 TIME-WAIT（套接字直接变成 CLOSED，把连接交给一个 timewait 记录，" +
			"`ss -tan state time-wait` 能看到它，固定保留 60 秒）；" +
			"客户端进入 SYN-SENT 时报告的源端口是 0（端口是紧接着才选定的）。",
	},

	FirstSYN:    lang.Text{En: "The first SYN as each link carried it:", Zh: "第一个 SYN 在每条链路上的样子："},
	LinkColumns: lang.Text{En: "  link\tsrc MAC\tdst MAC\tsrc IP\tdst IP\tTTL", Zh: "  链路\t源 MAC\t目标 MAC\t源 IP\t目标 IP\tTTL"},
	NoSYN:       lang.Text{En: "(no SYN captured)", Zh: "（没有抓到 SYN）"},
	Broadcast:   lang.Text{En: "broadcast", Zh: "广播"},
	Where:       lang.Text{En: "  where ", Zh: "  其中 "},
	MACIs:       lang.Text{En: "%s is %s%s", Zh: "%s 是%s%s"},
	RouterARP: lang.Text{
		En: "ARP on the %s link, where the router, not the client, asks:",
		Zh: "“%s”链路上的 ARP（这里发出询问的是路由器，而不是客户端）：",
	},
	SameSubnet: lang.Text{
		En: "Same subnet: the client sends the frame straight to the server's MAC address, %s,\nwhich it learned by ARP; the IP packet keeps its TTL, %d, as nothing forwards it.",
		Zh: "同一子网：帧的目标 MAC 地址就是服务端的 MAC 地址 %s（客户端通过 ARP 得知）；\n中间没有路由器转发这个 IP 数据包，所以 TTL 保持 %d 不变。",
	},
	DifferentSubnets: lang.Text{
		En: "Different subnets: the IP addresses are %s on both links (%s to %s),\n" +
			"but the MAC addresses change at the router: on the client's link the frame goes to the\n" +
			"gateway's MAC, on the server's link from the router's other interface to the server's MAC.\n" +
			"The TTL went from %d to %d: the router took one off as it forwarded the packet.",
		Zh: "不同子网：两条链路上的 IP 地址%s（从 %s 到 %s），\n" +
			"但源/目标 MAC 地址在路由器处换了：在客户端的链路上，目标 MAC 地址是网关的；\n" +
			"在服务端的链路上，帧从路由器的另一个接口发往服务端的 MAC 地址。\n" +
			"TTL 从 %d 变成 %d：路由器转发数据包时把它减了 1。",
	},
	Same: lang.Text{En: "the same", Zh: "相同"},

	TitleLo: lang.Text{
		En: "upcase trace --scenario=%s: %d %s captured on lo in a private network namespace",
		Zh: "upcase trace --scenario=%s：在私有网络命名空间的 lo 接口上抓到 %d 个%s",
	},
	TitleLink: lang.Text{
		En: "upcase trace --scenario=%s: %d %s captured on the %s link, in private network namespaces",
		Zh: "upcase trace --scenario=%s：在“%[4]s”链路上抓到 %[2]d 个%[3]s（都在私有网络命名空间里）",
	},
	Segments:  lang.Text{En: "segments", Zh: "报文段"},
	Datagrams: lang.Text{En: "datagrams", Zh: "数据报"},
	Frames:    lang.Text{En: "frames", Zh: "帧"},
	Inferred: lang.Text{
		En: "States are inferred from the segments, as RFC 9293's state diagram says. Linux keeps " +
			"a closed connection's TIME-WAIT in a separate record for 60 s (`ss -tan state time-wait` shows it). " +
			"Run as root to see the kernel's own states beside the inferred ones.",
		Zh: "这些状态是按 RFC 9293 的状态图从报文段推出来的。Linux 把已关闭连接的 TIME-WAIT " +
			"放在一个单独的记录里，保留 60 秒（`ss -tan state time-wait` 能看到）。" +
			"以 root 身份运行，可以在推出的状态旁边看到内核自己报告的状态。",
	},
	Ethernet: lang.Text{
		En: "Each frame starts with a 14-byte Ethernet header: destination MAC 6, source MAC 6, EtherType 2 " +
			"(0x0806 ARP, 0x0800 IPv4). The lesson's 18 bytes also count the 4-byte frame check sequence (FCS) " +
			"that a network card adds at the end of the frame and strips on receipt, so captures never show it: " +
			"14 + 4 = 18, and the type field is 2 bytes. On a wire a frame carries 46-1500 bytes and is 64-1518 " +
			"bytes long, FCS included, padded when shorter; veth links do not pad, so a 42-byte ARP frame is " +
			"what is really sent here.",
		Zh: "每一帧都以 14 字节的以太网报头开始：目标 MAC 地址 6 字节、源 MAC 地址 6 字节、类型 2 字节" +
			"（0x0806 是 ARP，0x0800 是 IPv4）。课程说报头固定 18 字节，其实是把帧末尾 4 字节的帧校验序列（FCS）也算了进去：" +
			"网卡发送时加上它，接收时去掉它，所以抓包永远看不到它。14 + 4 = 18；类型字段也只有 2 字节，不是 6 字节。" +
			"在真实的线路上，一帧的数据部分是 46-1500 字节，整帧（含 FCS）是 64-1518 字节，不够长就填充；" +
			"veth 链路不填充，所以这里真正发出去的 ARP 帧就是 42 字节。",
	},
	PcapFile: lang.Text{
		En: "The frames are in %s: open it with Wireshark, or `tshark -r %[1]s`.",
		Zh: "这些帧保存在 %s 里：用 Wireshark 打开它，或者运行 `tshark -r %[1]s`。",
	},
	NotSame: lang.Text{En: "NOT the same (unexpected)", Zh: "不相同（这不应该发生）"},
}

// linkName names a link by its ends in l: "client ↔ router", "客户端 ↔ 路由器".
func linkName(lv trace.LinkView, l lang.Lang) string {
	return lv.Ends[0].In(l) + " ↔ " + lv.Ends[1].In(l)
}

// owner names the device with MAC m on link lv in l, as "client eth0" or
// "客户端 eth0"; the broadcast address as such, and a MAC of no known
// device as the MAC itself.
func owner(lv trace.LinkView, m trace.MAC, l lang.Lang) string {
	if m == trace.Broadcast {
		return msg.Broadcast.In(l)
	}
	if o, ok := lv.Owner(m); ok {
		return o.Role.In(l) + " " + o.Interface
	}
	return m.String()
}

// arpLabel gives an ARP message on one line in l: in English as tcpdump
// writes it, "ARP request who-has 10.0.0.2 tell 10.0.0.1 (02:00:...)".
func arpLabel(a trace.ARP, l lang.Lang) string {
	switch a.Op {
	case trace.ARPRequest:
		return msg.ARPRequest.F(l, a.TargetIP, a.SenderIP, a.SenderMAC)
	case trace.ARPReply:
		return msg.ARPReply.F(l, a.SenderIP, a.SenderMAC)
	}
	return a.String()
}

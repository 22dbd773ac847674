package dissect

import "github.com/upcase/upcase/internal/lang"

// FieldText is the one-line explanation of the field named name (its
// Wireshark display-filter name, as in Field.Name): what the field is for,
// in the lesson's terms, in English and Chinese. It knows every name
// Dissect produces, and the four a trace works out from them (tcp.seq,
// tcp.ack, tcp.len, tcp.window_size); ok is false for any other name.
func FieldText(name string) (t lang.Text, ok bool) {
	t, ok = fieldText[name]
	return t, ok
}

// LayerText is a short explanation of the layer named name (Layer.Name:
// eth, arp, ip, ipv6, tcp, udp, data, eth.padding): what the layer does,
// and for eth, where the lesson's 18-byte header comes from. ok is false
// for any other name.
func LayerText(name string) (t lang.Text, ok bool) {
	l, ok := layers[name]
	return l.text, ok
}

// LayerLevel is the lesson's name for the level the layer named name
// belongs to (数据链路层, 网络层, 传输层, 应用层), so that a view can group
// layers as the lesson does. ARP is in the network layer because the lesson
// puts it there (LayerText says why it never leaves the link). ok is false
// for any other name.
func LayerLevel(name string) (t lang.Text, ok bool) {
	l, ok := layers[name]
	return l.level, ok
}

// The lesson's levels.
var (
	levelLink        = lang.Text{En: "data link layer", Zh: "数据链路层"}
	levelNetwork     = lang.Text{En: "network layer", Zh: "网络层"}
	levelTransport   = lang.Text{En: "transport layer", Zh: "传输层"}
	levelApplication = lang.Text{En: "application layer", Zh: "应用层"}
)

// layers is every layer Dissect produces, with its level and explanation.
// TestExplainComplete fails when one lacks a language.
var layers = map[string]struct{ level, text lang.Text }{
	"eth": {levelLink, lang.Text{
		En: "Ethernet header: destination MAC 6 bytes, source MAC 6, type 2, 14 bytes in all, then the data, 46-1500 bytes. The lesson's 18 bytes also count the 4-byte FCS at the end of the frame (14 + 4 = 18), which a capture does not show; with it, a frame is 64-1518 bytes.",
		Zh: "以太网报头：目标 MAC 6 字节、源 MAC 6 字节、类型 2 字节，共 14 字节，后面是 46-1500 字节的数据。课程说报头固定 18 字节，其实是把帧尾 4 字节的帧校验序列（FCS）也算了进去（14 + 4 = 18）；抓包里看不到 FCS，算上它，一帧是 64-1518 字节。"}},
	"eth.padding": {levelLink, lang.Text{
		En: "Ethernet padding: filler after a packet too short for Ethernet, to make the frame 60 bytes (64 with the FCS); it is not part of the packet.",
		Zh: "以太网填充：包太短时补在后面的字节，让帧达到 60 字节（算上 FCS 是 64 字节）；它不属于数据包本身。"}},
	"arp": {levelNetwork, lang.Text{
		En: "ARP, the address resolution protocol: asks by broadcast which MAC address has an IP address on this link, and gets the answer back. The lesson puts it in the network layer, but it rides straight in the Ethernet frame with no IP header, so it never leaves the link.",
		Zh: "ARP（地址解析协议）：在本链路上广播询问某个 IP 地址对应哪个 MAC 地址，并收到回答。课程把它归在网络层，但它没有 IP 报头，直接装在以太网帧里，所以出不了本链路。"}},
	"ip": {levelNetwork, lang.Text{
		En: "IPv4 header: carries the packet from the source host to the destination host, across subnets, router by router; the IP address finds the host's network, the MAC address only the next network card.",
		Zh: "IPv4 报头：把数据包从源主机经过一个个路由器、跨越子网送到目标主机；IP 地址找到主机所在的网络，MAC 地址只找到下一块网卡。"}},
	"ipv6": {levelNetwork, lang.Text{
		En: "IPv6 header: IP's newer version, with 128-bit addresses and a fixed 40-byte header that extension headers may follow; it has no broadcast and no ARP (NDP does ARP's work).",
		Zh: "IPv6 报头：IP 的新版本，地址 128 位，固定报头 40 字节，后面可以跟扩展报头；它没有广播，也没有 ARP（由 NDP 代替 ARP）。"}},
	"tcp": {levelTransport, lang.Text{
		En: "TCP header: a connection, a reliable byte stream between two programs named by their ports; the three-way handshake opens it, sequence and acknowledgment numbers keep every byte in order, the four-way teardown closes it.",
		Zh: "TCP 报头：在两个程序（由端口区分）之间提供面向连接、可靠的字节流；三次握手建立连接，序号和确认号保证每个字节按顺序到达，四次挥手断开连接。"}},
	"udp": {levelTransport, lang.Text{
		En: "UDP header: 8 bytes, the ports, a length and a checksum; each datagram goes on its own, with no connection, no handshake and no resending.",
		Zh: "UDP 报头：只有 8 字节，包括端口、长度和校验和；UDP 是无连接的，每个数据报单独发送，没有握手，也不重传。"}},
	"data": {levelApplication, lang.Text{
		En: "Data: what the application sent; a protocol above TCP or UDP, such as HTTP, lives in these bytes.",
		Zh: "数据：应用程序发送的内容；TCP 或 UDP 之上的协议（比如 HTTP）就在这些字节里。"}},
}

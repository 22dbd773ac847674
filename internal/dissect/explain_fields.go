package dissect

import "github.com/upcase/upcase/internal/lang"

// Explanations that several fields share.
var (
	textReserved = lang.Text{En: "Reserved: always 0.", Zh: "保留位：始终为 0。"}
	textDSCP     = lang.Text{
		En: "DSCP, 6 bits: the class of service the packet asks routers for; 0 is ordinary best effort.",
		Zh: "DSCP（6 位）：数据包向路由器要求的服务类别；0 表示普通的尽力而为。"}
	textECN = lang.Text{
		En: "ECN, 2 bits: a congested router can mark them instead of dropping the packet; 0 means the sender does not use ECN.",
		Zh: "ECN（2 位）：拥塞的路由器可以在这里做标记，而不必丢弃数据包；0 表示发送方不使用 ECN。"}
	textNextHeader = lang.Text{
		En: "Next header: what follows this extension header, another one or the data's protocol (6 TCP, 17 UDP).",
		Zh: "下一个报头：这个扩展报头后面跟的是什么，另一个扩展报头或数据的协议（6 是 TCP，17 是 UDP）。"}
	textExtLen = lang.Text{
		En: "Length of this extension header in 8-byte units, not counting its first 8 bytes.",
		Zh: "这个扩展报头的长度，以 8 字节为单位，不算最前面的 8 个字节。"}
)

// fieldText is the explanation of every field Dissect produces, by
// Wireshark name, in the decoder's order, and of the four a trace works out
// (tcp.seq, tcp.ack, tcp.len, tcp.window_size). TestExplainComplete fails
// when one lacks a language, and TestFieldTextCoversDissect when a field
// Dissect produces has none.
var fieldText = map[string]lang.Text{
	// Ethernet.
	"eth.dst": {
		En: "Destination MAC address: the network card on this link the frame is for, first in the frame so every card can tell at once; ff:ff:ff:ff:ff:ff is broadcast, taken by every card on the link.",
		Zh: "目标 MAC 地址：这一帧要交给本链路上的哪块网卡，放在帧的最前面，网卡一看就知道是不是给自己的；ff:ff:ff:ff:ff:ff 是广播地址，链路上的每块网卡都会接收。"},
	"eth.src": {
		En: "Source MAC address: the network card that sent the frame on this link; a router that forwards the packet puts its own here, so it changes at every hop while the IP addresses stay.",
		Zh: "源 MAC 地址：在本链路上发出这一帧的网卡；路由器转发时会换成自己的 MAC 地址，所以每过一跳它都会变，而 IP 地址不变。"},
	"eth.type": {
		En: "Type (EtherType): what the data part carries, 0x0800 IPv4, 0x0806 ARP, 0x86dd IPv6. It takes 2 bytes (the lesson says 6), so the header is 6 + 6 + 2 = 14 bytes.",
		Zh: "类型（EtherType）：说明数据部分装的是什么，0x0800 是 IPv4，0x0806 是 ARP，0x86dd 是 IPv6。它只占 2 个字节（课程里写的是 6 个），所以报头是 6 + 6 + 2 = 14 字节。"},
	"eth.padding": {
		En: "Padding: Ethernet's data part is at least 46 bytes, so a shorter packet is followed by filler bytes up to a 60-byte frame (64 with the FCS); the receiver drops them.",
		Zh: "填充：以太网的数据部分最少 46 字节，包太短时在后面补上填充字节，使帧达到 60 字节（算上 FCS 是 64 字节）；接收方会丢掉这些字节。"},

	// ARP.
	"arp.hw.type": {
		En: "Hardware type: the kind of link whose addresses are asked for; 1 is Ethernet.",
		Zh: "硬件类型：要问的是哪种链路的地址；1 表示以太网。"},
	"arp.proto.type": {
		En: "Protocol type: the kind of address being resolved, numbered as Ethernet's type; 0x0800 is IPv4.",
		Zh: "协议类型：要解析的是哪种地址，编号和以太网的类型字段相同；0x0800 表示 IPv4。"},
	"arp.hw.size": {
		En: "Hardware address size in bytes: 6 for a MAC address.",
		Zh: "硬件地址长度（字节）：MAC 地址是 6。"},
	"arp.proto.size": {
		En: "Protocol address size in bytes: 4 for an IPv4 address.",
		Zh: "协议地址长度（字节）：IPv4 地址是 4。"},
	"arp.opcode": {
		En: "Opcode: 1 is a request, broadcast, asking which MAC address has an IP address; 2 is a reply, sent straight back to the asker with the answer.",
		Zh: "操作码：1 是请求，以广播发出，询问某个 IP 地址对应的 MAC 地址；2 是响应，直接发回给提问的主机，带着答案。"},
	"arp.src.hw_mac": {
		En: "Sender MAC address: the asker's MAC in a request; in a reply, the answer.",
		Zh: "发送端 MAC 地址：请求里是提问者的 MAC 地址；响应里就是要找的答案。"},
	"arp.src.hw": {
		En: "Sender hardware address, on a link whose addresses are not 6-byte MACs: the asker's in a request; in a reply, the answer.",
		Zh: "发送端硬件地址（这条链路的地址不是 6 字节的 MAC 地址）：请求里是提问者的地址；响应里就是要找的答案。"},
	"arp.src.proto_ipv4": {
		En: "Sender IP address: in a request, the asker's, so the target knows whom to answer; in a reply, the address that was asked about.",
		Zh: "发送端 IP 地址：请求里是提问者的 IP 地址，目标主机据此知道该回复谁；响应里是被询问的那个 IP 地址。"},
	"arp.src.proto": {
		En: "Sender protocol address (not IPv4): in a request, the asker's; in a reply, the address that was asked about.",
		Zh: "发送端协议地址（不是 IPv4）：请求里是提问者的地址；响应里是被询问的那个地址。"},
	"arp.dst.hw_mac": {
		En: "Target MAC address: in a request it is what is asked for, so it is left as zeros; in a reply, the asker's MAC.",
		Zh: "目标 MAC 地址：请求里正是要问的内容，所以填全 0；响应里是提问者的 MAC 地址。"},
	"arp.dst.hw": {
		En: "Target hardware address, on a link whose addresses are not 6-byte MACs: zeros in a request, the asker's in a reply.",
		Zh: "目标硬件地址（这条链路的地址不是 6 字节的 MAC 地址）：请求里填全 0，响应里是提问者的地址。"},
	"arp.dst.proto_ipv4": {
		En: "Target IP address: in a request, the one whose MAC is wanted (a host on the same subnet, or the gateway); in a reply, the asker's.",
		Zh: "目标 IP 地址：请求里是要查 MAC 地址的那个 IP（同一子网的主机，或者网关）；响应里是提问者的 IP 地址。"},
	"arp.dst.proto": {
		En: "Target protocol address (not IPv4): in a request, the one whose hardware address is wanted; in a reply, the asker's.",
		Zh: "目标协议地址（不是 IPv4）：请求里是要查硬件地址的那个地址；响应里是提问者的地址。"},

	// IPv4.
	"ip.version": {
		En: "Version, the first 4 bits: 4 for IPv4, so the receiver knows how to read the rest of the header.",
		Zh: "版本（前 4 位）：IPv4 是 4，接收方据此知道怎样读后面的报头。"},
	"ip.hdr_len": {
		En: "Header length in 4-byte units: 5 means 20 bytes, a header without options; the data starts after it.",
		Zh: "报头长度，以 4 字节为单位：5 表示 20 字节，即不带选项的报头；数据从它后面开始。"},
	"ip.dsfield": {
		En: "Differentiated services: a class of service (DSCP) and congestion marks (ECN); usually 0.",
		Zh: "区分服务：服务类别（DSCP）和拥塞标记（ECN）；通常为 0。"},
	"ip.dsfield.dscp": textDSCP,
	"ip.dsfield.ecn":  textECN,
	"ip.len": {
		En: "Total length: the IP packet in bytes, header and data; Ethernet padding after it is not counted.",
		Zh: "总长度：整个 IP 数据包的字节数，包括报头和数据；后面的以太网填充不算在内。"},
	"ip.id": {
		En: "Identification: a number the sender gives the packet, so that the fragments of one packet can be put back together.",
		Zh: "标识：发送方给数据包编的号，一个包被分片后，接收方靠它把各片重新拼起来。"},
	"ip.flags": {
		En: "Flags, 3 bits: whether the packet may be fragmented (DF) and whether more fragments follow (MF).",
		Zh: "标志（3 位）：数据包能不能分片（DF），后面还有没有分片（MF）。"},
	"ip.flags.rb": textReserved,
	"ip.flags.df": {
		En: "Don't fragment: when set, a router must not split a packet too big for the next link but drops it and tells the sender (path MTU discovery); Linux sets it on TCP.",
		Zh: "不分片（DF）：置位时，即使包对下一条链路来说太大，路由器也不能分片，只能丢弃并通知发送方（路径 MTU 发现）；Linux 发出的 TCP 包都置位。"},
	"ip.flags.mf": {
		En: "More fragments: set on every fragment of a split packet but the last.",
		Zh: "更多分片（MF）：一个包被分片后，除最后一片外，每一片都置位。"},
	"ip.frag_offset": {
		En: "Fragment offset: where this fragment's data goes in the original packet, shown in bytes (the header counts 8-byte units); 0 in a packet that was not split.",
		Zh: "片偏移：这一片的数据在原数据包中的位置，这里以字节显示（报头里以 8 字节为单位）；没有分片的包为 0。"},
	"ip.ttl": {
		En: "Time to live: how many more routers the packet may cross; each router takes one off and drops the packet at 0, so a packet caught in a loop does not circle for ever.",
		Zh: "生存时间（TTL）：数据包还能经过几个路由器；每经过一个路由器减 1，减到 0 就丢弃，这样绕圈的数据包不会永远转下去。"},
	"ip.proto": {
		En: "Protocol: what the data part carries, 6 TCP, 17 UDP, 1 ICMP; the receiver hands the data to that protocol.",
		Zh: "协议：数据部分装的是什么，6 是 TCP，17 是 UDP，1 是 ICMP；接收方据此把数据交给对应的协议。"},
	"ip.checksum": {
		En: "Header checksum: covers the IP header only, and every router recomputes it because it changes the TTL; Linux always fills it in itself, so it verifies even on loopback.",
		Zh: "报头校验和：只校验 IP 报头，路由器改了 TTL 就要重新计算；Linux 总是自己计算它，所以即使在回环接口上，它也是正确的。"},
	"ip.src": {
		En: "Source IP address: the host that sent the packet; unlike the MAC address, it stays the same through every router to the destination.",
		Zh: "源 IP 地址：发出数据包的主机；它和 MAC 地址不同，一路经过各个路由器都不变。"},
	"ip.dst": {
		En: "Destination IP address: the host the packet is for; the sender checks it against its subnet mask to send straight to it on the same subnet, or through the gateway.",
		Zh: "目标 IP 地址：数据包要到达的主机；发送方用子网掩码判断它是否在同一子网，是就直接发给它，不是就经过网关。"},

	// IPv6.
	"ipv6.version": {
		En: "Version, the first 4 bits: 6 for IPv6.",
		Zh: "版本（前 4 位）：IPv6 是 6。"},
	"ipv6.tclass": {
		En: "Traffic class: IPv4's differentiated services, a class of service (DSCP) and congestion marks (ECN); usually 0.",
		Zh: "流量类别：相当于 IPv4 的区分服务，包括服务类别（DSCP）和拥塞标记（ECN）；通常为 0。"},
	"ipv6.tclass.dscp": textDSCP,
	"ipv6.tclass.ecn":  textECN,
	"ipv6.flow": {
		En: "Flow label: one label the sender puts on every packet of a flow, so that routers can keep them on one path.",
		Zh: "流标签：发送方给同一个流的所有数据包打上的同一个标记，路由器可以据此让它们走同一条路径。"},
	"ipv6.plen": {
		En: "Payload length: the bytes after the 40-byte header, extension headers included.",
		Zh: "载荷长度：40 字节固定报头之后的字节数，包括扩展报头。"},
	"ipv6.nxt": {
		En: "Next header: what follows the header, an extension header or the data's protocol (6 TCP, 17 UDP); IPv4's protocol field under another name.",
		Zh: "下一个报头：固定报头后面跟的是什么，扩展报头或数据的协议（6 是 TCP，17 是 UDP）；相当于 IPv4 的协议字段。"},
	"ipv6.hlim": {
		En: "Hop limit: IPv4's TTL under a plainer name, how many more routers the packet may cross; each takes one off.",
		Zh: "跳数限制：相当于 IPv4 的 TTL，数据包还能经过几个路由器；每经过一个减 1。"},
	"ipv6.src": {
		En: "Source IPv6 address: the host that sent the packet, 128 bits written in hex; ::1 is loopback.",
		Zh: "源 IPv6 地址：发出数据包的主机，128 位，用十六进制书写；::1 是回环地址。"},
	"ipv6.dst": {
		En: "Destination IPv6 address: the host the packet is for; the prefix length (/64) does the subnet mask's work.",
		Zh: "目标 IPv6 地址：数据包要到达的主机；前缀长度（如 /64）起子网掩码的作用。"},
	"ipv6.hopopts": {
		En: "Hop-by-hop options header: options every router on the path reads.",
		Zh: "逐跳选项报头：路径上每个路由器都要读的选项。"},
	"ipv6.hopopts.nxt": textNextHeader,
	"ipv6.hopopts.len": textExtLen,
	"ipv6.routing": {
		En: "Routing header: routers the packet must pass through on its way to the destination.",
		Zh: "路由报头：数据包到达目标之前必须经过的路由器。"},
	"ipv6.routing.nxt": textNextHeader,
	"ipv6.routing.len": textExtLen,
	"ipv6.routing.type": {
		En: "Routing type: which kind of routing header this is.",
		Zh: "路由类型：这是哪一种路由报头。"},
	"ipv6.routing.segleft": {
		En: "Segments left: how many of the listed routers the packet has still to pass.",
		Zh: "剩余段数：列出的路由器中还有几个没有经过。"},
	"ipv6.dstopts": {
		En: "Destination options header: options only the destination host reads.",
		Zh: "目标选项报头：只由目标主机读的选项。"},
	"ipv6.dstopts.nxt": textNextHeader,
	"ipv6.dstopts.len": textExtLen,
	"ipv6.fraghdr": {
		En: "Fragment header: this packet is one piece of a bigger one; in IPv6 only the sender splits packets, never a router.",
		Zh: "分片报头：这个包是一个大包的一片；IPv6 只由发送方分片，路由器从不分片。"},
	"ipv6.fraghdr.nxt":            textNextHeader,
	"ipv6.fraghdr.reserved_octet": textReserved,
	"ipv6.fraghdr.offset": {
		En: "Fragment offset in 8-byte units: where this fragment's data goes in the original packet.",
		Zh: "片偏移（以 8 字节为单位）：这一片的数据在原数据包中的位置。"},
	"ipv6.fraghdr.reserved_bits": textReserved,
	"ipv6.fraghdr.more": {
		En: "More fragments: Yes on every fragment but the last.",
		Zh: "更多分片：除最后一片外都是 Yes。"},
	"ipv6.fraghdr.ident": {
		En: "Identification: the same in every fragment of one packet, so that the receiver can put them back together.",
		Zh: "标识：同一个包的各片标识相同，接收方据此把它们拼起来。"},
	"ah": {
		En: "Authentication header (IPsec): proves the packet comes from its sender and was not changed on the way.",
		Zh: "认证报头（IPsec）：证明数据包确实来自发送方，而且途中没有被改动。"},
	"ah.next_header": textNextHeader,
	"ah.length": {
		En: "Length of the authentication header in 4-byte units, minus 2.",
		Zh: "认证报头的长度，以 4 字节为单位，再减去 2。"},
	"ah.reserved": textReserved,
	"ah.spi": {
		En: "Security parameters index: which security association (the keys and algorithm the two ends agreed) protects this packet.",
		Zh: "安全参数索引（SPI）：由哪个安全关联（双方商定的密钥和算法）保护这个包。"},
	"ah.sequence": {
		En: "Sequence number: counts the packets of the association, so that a replayed copy is refused.",
		Zh: "序列号：给这个安全关联里的数据包计数，重放的旧包会被拒收。"},
	"ah.icv": {
		En: "Integrity check value: a keyed digest of the packet, which the receiver computes again to check it.",
		Zh: "完整性校验值（ICV）：用密钥算出的数据包摘要，接收方重新计算一遍来核对。"},

	// TCP.
	"tcp.srcport": {
		En: "Source port: the program on the sending host, for a client usually a temporary port the kernel picked; the IP address finds the host, the port the program.",
		Zh: "源端口：标识发送方主机上的程序，客户端的端口通常由内核临时分配；IP 地址找到主机，端口找到主机上具体的程序。"},
	"tcp.dstport": {
		En: "Destination port: the program on the receiving host, for a server the fixed port it bound (80 for HTTP, 443 for HTTPS).",
		Zh: "目标端口：标识接收方主机上的程序，服务端用的是它绑定的固定端口（HTTP 是 80，HTTPS 是 443）。"},
	"tcp.seq_raw": {
		En: "Sequence number as sent: the number of this segment's first data byte, counted from an initial number each side chooses, hard to guess, in the three-way handshake; tcp.seq is the same counted from 0.",
		Zh: "序号（原始值）：本报文段第一个数据字节的编号，从双方在三次握手时各自选定、难以猜到的初始序号算起；tcp.seq 是从 0 算起的相对序号。"},
	"tcp.ack_raw": {
		En: "Acknowledgment number as sent: the next byte this side expects from the other, so every byte before it has arrived; it counts only when ACK is set.",
		Zh: "确认号（原始值）：本方期望对方发来的下一个字节的编号，表示在它之前的字节都已收到；只在 ACK 置位时有效。"},
	"tcp.hdr_len": {
		En: "Header length (data offset) in 4-byte units: 20 bytes plus the options; the data starts after it.",
		Zh: "报头长度（数据偏移），以 4 字节为单位：20 字节加上选项；数据从它后面开始。"},
	"tcp.flags": {
		En: "Flags: what this segment does; SYN opens the connection (three-way handshake), ACK acknowledges, FIN closes one direction (four-way teardown), RST aborts, PSH asks for delivery now.",
		Zh: "标志位：这个报文段的作用；SYN 建立连接（三次握手），ACK 确认，FIN 关闭一个方向（四次挥手），RST 强行断开，PSH 要求立即交给程序。"},
	"tcp.flags.res": textReserved,
	"tcp.flags.ae": {
		En: "AE (accurate ECN, formerly NS): used only when both ends agree on accurate congestion feedback; almost always 0.",
		Zh: "AE（精确 ECN，以前叫 NS）：只有双方商定使用精确拥塞反馈时才用；几乎总是 0。"},
	"tcp.flags.cwr": {
		En: "CWR: the sender has slowed down after a congestion mark (ECN).",
		Zh: "CWR：发送方收到拥塞标记（ECN）后已经放慢了发送速度。"},
	"tcp.flags.ece": {
		En: "ECE: on a SYN, offers ECN; later, tells the sender that a router on the path marked congestion.",
		Zh: "ECE：在 SYN 里表示支持 ECN；之后用来告诉发送方路径上有路由器标记了拥塞。"},
	"tcp.flags.urg": {
		En: "URG: the urgent pointer is in use; hardly any program uses it today.",
		Zh: "URG：紧急指针有效；如今几乎没有程序用它。"},
	"tcp.flags.ack": {
		En: "ACK: the acknowledgment number is valid; set on every segment after the first SYN.",
		Zh: "ACK：确认号有效；除了第一个 SYN，之后的每个报文段都置位。"},
	"tcp.flags.push": {
		En: "PSH: hand the data to the program now rather than wait for more; set on the last segment of a send.",
		Zh: "PSH：立即把数据交给程序，不要等更多数据；一次发送的最后一个报文段会置位。"},
	"tcp.flags.reset": {
		En: "RST: abort the connection at once, without the four-way teardown; also the answer to a SYN for a port where nothing listens (connection refused).",
		Zh: "RST：立即中断连接，不经过四次挥手；向没有程序监听的端口发 SYN，得到的回答也是 RST（连接被拒绝）。"},
	"tcp.flags.syn": {
		En: "SYN: synchronise, to open a connection; the first two segments of the three-way handshake carry it, each with its side's initial sequence number.",
		Zh: "SYN：同步，用来建立连接；三次握手的前两个报文段带有它，各自带上本方的初始序号。"},
	"tcp.flags.fin": {
		En: "FIN: this side has no more data to send; each side sends its own and the other acknowledges it, the four-way teardown, and between the two FINs the connection is half closed.",
		Zh: "FIN：本方没有数据要发了；双方各发一个 FIN 并各自得到确认，这就是四次挥手，两个 FIN 之间连接处于半关闭状态。"},
	"tcp.window_size_value": {
		En: "Window as sent: how many more bytes this side can take in. After the handshake it is multiplied by the window scale the SYNs agreed (tcp.options.wscale); in the SYNs themselves it is not.",
		Zh: "窗口（原始值）：本方还能接收多少字节。握手之后要乘以双方在 SYN 里商定的窗口扩大因子（tcp.options.wscale）才是真正的窗口，SYN 本身的窗口值不用乘。"},
	"tcp.checksum": {
		En: "Checksum over the TCP header, the data and a pseudo-header of the IP addresses, so that a damaged or misdelivered segment is dropped. Linux leaves it to the network card (checksum offload), so on loopback or veth a capture shows a value that does not verify.",
		Zh: "校验和：覆盖 TCP 报头、数据和由 IP 地址组成的伪报头，损坏或送错的报文段会被丢弃。Linux 把它留给网卡计算（校验和卸载），所以在回环接口或 veth 上抓到的值验证不通过。"},
	"tcp.urgent_pointer": {
		En: "Urgent pointer: where urgent data ends, read only when URG is set; almost always 0.",
		Zh: "紧急指针：紧急数据在哪里结束，只在 URG 置位时才读；几乎总是 0。"},
	"tcp.options": {
		En: "Options: extras after the 20-byte header, most of them agreed in the SYNs (MSS, window scale, SACK, timestamps).",
		Zh: "选项：20 字节报头之后的附加内容，大多在 SYN 里商定（MSS、窗口扩大因子、SACK、时间戳）。"},
	"tcp.option_kind": {
		En: "Option kind: which option this is (0 end, 1 no-operation, 2 MSS, 3 window scale, 4 SACK permitted, 5 SACK, 8 timestamps).",
		Zh: "选项类型：这是哪个选项（0 结束，1 空操作，2 MSS，3 窗口扩大因子，4 允许 SACK，5 SACK，8 时间戳）。"},
	"tcp.option_len": {
		En: "Option length: the option's bytes, its kind and length included.",
		Zh: "选项长度：整个选项的字节数，包括类型和长度本身。"},
	"tcp.options.eol": {
		En: "End of option list: no option follows.",
		Zh: "选项结束：后面不再有选项。"},
	"tcp.options.nop": {
		En: "No-operation: one byte of filler that lines the next option up on a 4-byte boundary.",
		Zh: "空操作：一个字节的填充，让下一个选项对齐到 4 字节边界。"},
	"tcp.options.mss": {
		En: "Maximum segment size option, sent on SYNs only: the most data this side takes in one segment.",
		Zh: "最大报文段长度（MSS）选项，只在 SYN 里发送：本方在一个报文段里最多接收多少字节数据。"},
	"tcp.options.mss_val": {
		En: "MSS: the most data in one segment, the link's MTU less the IP and TCP headers; on Ethernet 1500 - 20 - 20 = 1460.",
		Zh: "MSS 值：一个报文段最多装多少字节数据，等于链路的 MTU 减去 IP 和 TCP 报头；以太网上是 1500 - 20 - 20 = 1460。"},
	"tcp.options.wscale": {
		En: "Window scale option, sent on SYNs only: when both sides send it, every window after the handshake is multiplied by 2 to the power of the shift.",
		Zh: "窗口扩大因子选项，只在 SYN 里发送：双方都发送时，握手之后的每个窗口值都要乘以 2 的移位数次方。"},
	"tcp.options.wscale.shift": {
		En: "Shift count: the window field is shifted left by this many bits; 10 means times 1024.",
		Zh: "移位数：窗口字段要左移这么多位；10 表示乘以 1024。"},
	"tcp.options.wscale.multiplier": {
		En: "Multiplier: 2 to the power of the shift, what every window after the handshake is multiplied by.",
		Zh: "乘数：2 的移位数次方，握手之后的每个窗口值都要乘以它。"},
	"tcp.options.sack_perm": {
		En: "SACK permitted, on SYNs only: this side understands selective acknowledgments, so after a loss only the missing pieces need sending again.",
		Zh: "允许 SACK，只在 SYN 里发送：本方支持选择性确认，丢包后只需重传缺少的部分。"},
	"tcp.options.sack": {
		En: "Selective acknowledgment: blocks of data that arrived after a gap, so that the sender resends only what is missing.",
		Zh: "选择性确认（SACK）：缺口之后已经收到的数据块，发送方只需重传缺少的部分。"},
	"tcp.options.sack_le": {
		En: "Left edge: the sequence number of the first byte of a block received.",
		Zh: "左边界：已收到的数据块第一个字节的序号。"},
	"tcp.options.sack_re": {
		En: "Right edge: the sequence number just after the last byte of that block.",
		Zh: "右边界：该数据块最后一个字节之后的序号。"},
	"tcp.options.timestamp": {
		En: "Timestamps: a clock value from each side, to measure the round trip and to tell old data from new once sequence numbers wrap around.",
		Zh: "时间戳选项：双方各自的时钟值，用来测量往返时间，并在序号回绕后分辨新旧数据。"},
	"tcp.options.timestamp.tsval": {
		En: "Timestamp value: the sender's clock when it sent this segment.",
		Zh: "时间戳值：发送方发出这个报文段时的时钟值。"},
	"tcp.options.timestamp.tsecr": {
		En: "Timestamp echo reply: the latest timestamp value received from the other side, sent back so that it can measure the round trip; 0 on the first SYN.",
		Zh: "时间戳回显：最近从对方收到的时间戳值，原样送回，让对方测量往返时间；第一个 SYN 里为 0。"},
	"tcp.options.unknown": {
		En: "An option this program does not decode: its kind and length are shown, and a receiver that does not know it skips it by its length.",
		Zh: "本程序不解析的选项：只显示类型和长度，不认识它的接收方按长度跳过它。"},
	"tcp.options.unknown.payload": {
		En: "The data of that option.",
		Zh: "这个选项的数据。"},

	// What a trace works out from the TCP header.
	"tcp.seq": {
		En: "Relative sequence number: tcp.seq_raw less the initial sequence number, so that each side counts from 0 at its SYN and its first data byte is 1.",
		Zh: "相对序号：原始序号减去初始序号，所以每一方从自己的 SYN 开始从 0 计数，第一个数据字节是 1。"},
	"tcp.ack": {
		En: "Relative acknowledgment number: the next byte expected, counted from the other side's initial sequence number.",
		Zh: "相对确认号：期望收到的下一个字节，从对方的初始序号算起。"},
	"tcp.len": {
		En: "Segment length: the bytes of data this segment carries; a SYN or a FIN carries none but takes one sequence number.",
		Zh: "报文段长度：这个报文段携带的数据字节数；SYN 和 FIN 不带数据，但各占一个序号。"},
	"tcp.window_size": {
		En: "Window: tcp.window_size_value times the scale the SYNs agreed, the bytes this side can still take in.",
		Zh: "窗口大小：原始窗口值乘以 SYN 里商定的扩大因子，即本方还能接收的字节数。"},

	// UDP.
	"udp.srcport": {
		En: "Source port: the program that sent the datagram; UDP has no connection, so a reply goes back to this port.",
		Zh: "源端口：发送数据报的程序；UDP 没有连接，回复就发回这个端口。"},
	"udp.dstport": {
		En: "Destination port: the program the datagram is for.",
		Zh: "目标端口：数据报要交给的程序。"},
	"udp.length": {
		En: "Length: the 8-byte header plus the data, so the data is this less 8.",
		Zh: "长度：8 字节报头加上数据，所以数据长度是它减去 8。"},
	"udp.checksum": {
		En: "Checksum over the header, the data and the IP addresses; 0 over IPv4 means none was computed. Linux leaves it to the network card (checksum offload), so on loopback or veth a capture shows a value that does not verify.",
		Zh: "校验和：覆盖报头、数据和 IP 地址；在 IPv4 上为 0 表示没有计算。Linux 把它留给网卡计算（校验和卸载），所以在回环接口或 veth 上抓到的值验证不通过。"},

	// Data.
	"data.data": {
		En: "Data: the bytes after the last header; over TCP or UDP, what the program gave to send and what the other side gets from recv.",
		Zh: "数据：最后一个报头之后的字节；在 TCP 或 UDP 上，就是程序交给 send 的内容，也是对方用 recv 收到的内容。"},
}

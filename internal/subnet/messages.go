package subnet

import "github.com/upcase/upcase/internal/lang"

// msg is every sentence of the ARP decision (Path), in English and in the
// lesson's Chinese: 子网, 子网掩码, 网关, 广播, 源/目标 MAC, 目标主机, 数据部分.
// TestMessagesComplete fails when one lacks a language.
var msg = struct {
	// The symbolic addresses in the frames: the arithmetic knows no real MACs.
	MACOfA, MACOfB, GatewaysIP, GatewaysMAC, MACOfGateway, SolicitedNode lang.Text

	// Notes.
	GatewayUnusedSame, GatewayUnusedUnicast, ToItself, ToLoopback, InterfaceMulticast         lang.Text
	LimitedBroadcast, DirectedBroadcast, GroupMAC4, GroupMAC6, LinkMulticast4, LinkMulticast6 lang.Text
	RoutedMulticast4, RoutedMulticast6, NeedsGateway, RouterRewrites                          lang.Text

	// What each frame is for.
	AskNDP, AskARP, ToHost, ToGateway, ToBroadcast, ToGroup lang.Text

	// The decision line and its header.
	LineA, LineB, Loopback, BroadcastLine, MulticastLine, SameSubnetLine, OtherSubnetLine lang.Text
	TheGateways, TheGatewayXs                                                             lang.Text

	// The lesson's tables.
	CaseHeader, SameSubnetRow, OtherSubnetRow, BroadcastRow, Multicast6Row, Multicast4Row, ThisOne lang.Text
	FrameHeader, Question, Data, Note                                                              lang.Text
}{
	MACOfA:        lang.Text{En: "MAC of A", Zh: "A 的 MAC"},
	MACOfB:        lang.Text{En: "MAC of B", Zh: "B 的 MAC"},
	GatewaysIP:    lang.Text{En: "gateway's IP", Zh: "网关的 IP"},
	GatewaysMAC:   lang.Text{En: "gateway's MAC", Zh: "网关的 MAC"},
	MACOfGateway:  lang.Text{En: "MAC of gateway %s", Zh: "网关 %s 的 MAC"},
	SolicitedNode: lang.Text{En: "%s (solicited-node multicast)", Zh: "%s（请求节点组播地址）"},

	GatewayUnusedSame: lang.Text{
		En: "the gateway %s is not used: %s is on the same subnet",
		Zh: "不需要网关 %s：%s 和 A 在同一子网"},
	GatewayUnusedUnicast: lang.Text{
		En: "the gateway %s is not used: it carries unicast to other subnets only",
		Zh: "不需要网关 %s：网关只转发发往其他子网的单播数据包"},
	ToItself: lang.Text{
		En: "the destination is A itself: the kernel hands the packet back through loopback",
		Zh: "目标就是 A 自己：内核通过回环接口把数据包直接交回本机"},
	ToLoopback: lang.Text{
		En: "%s is a loopback address: the loopback interface has no Ethernet header, so there are no MAC addresses to ask for",
		Zh: "%s 是回环地址：回环接口没有以太网报头，所以不用询问 MAC 地址"},
	InterfaceMulticast: lang.Text{
		En: "%s is interface-local multicast (ff01::/16): its group is on this machine only",
		Zh: "%s 是接口本地组播（ff01::/16）：这个组只存在于本机"},
	LimitedBroadcast: lang.Text{
		En: "255.255.255.255 is the limited broadcast: every host on this link reads it, whatever its subnet; no router forwards it, so it never leaves the link and never goes through the gateway",
		Zh: "255.255.255.255 是受限广播地址：本链路上的每台主机都会接收，不论它在哪个子网；路由器不转发它，所以它出不了本链路，也不经过网关"},
	DirectedBroadcast: lang.Text{
		En: "%s is the broadcast address of A's subnet %s (host bits all 1): every host on the subnet reads the one frame; it stays on the link, the gateway does not send it on",
		Zh: "%s 是 A 所在子网 %s 的广播地址（主机位全为 1）：子网里的每台主机都会接收这一帧；它留在本链路上，网关不会再转发"},
	GroupMAC4: lang.Text{
		En: "the destination MAC is 01:00:5e followed by the group's low 23 bits: for %s, %s",
		Zh: "目标 MAC 是 01:00:5e 加上组地址的低 23 位：%s 对应 %s"},
	GroupMAC6: lang.Text{
		En: "the destination MAC is 33:33 followed by the group's low 32 bits: for %s, %s",
		Zh: "目标 MAC 是 33:33 加上组地址的低 32 位：%s 对应 %s"},
	LinkMulticast4: lang.Text{
		En: "%s is link-local multicast (224.0.0.0/24): no router forwards it, it never leaves the link",
		Zh: "%s 是链路本地组播（224.0.0.0/24）：路由器不转发它，它出不了本链路"},
	LinkMulticast6: lang.Text{
		En: "%s is link-local multicast (ff02::/16): no router forwards it, it never leaves the link",
		Zh: "%s 是链路本地组播（ff02::/16）：路由器不转发它，它出不了本链路"},
	RoutedMulticast4: lang.Text{
		En: "%s is a multicast group: on this link the hosts that joined it read the frame; other links get it from multicast routing (routers that learned through IGMP where members are), not through the default gateway's unicast path",
		Zh: "%s 是一个组播组：本链路上加入了这个组的主机接收这一帧；其他链路靠组播路由送到（路由器通过 IGMP 得知组成员在哪里），不走默认网关的单播路径"},
	RoutedMulticast6: lang.Text{
		En: "%s is a multicast group: on this link the hosts that joined it read the frame; other links get it from multicast routing (routers that learned through MLD where members are), not through the default gateway's unicast path",
		Zh: "%s 是一个组播组：本链路上加入了这个组的主机接收这一帧；其他链路靠组播路由送到（路由器通过 MLD 得知组成员在哪里），不走默认网关的单播路径"},
	NeedsGateway: lang.Text{
		En: "%s is on another subnet: %s needs a gateway (a router on %s) to reach it; name it with --gateway",
		Zh: "%s 在另一个子网：%s 必须经过网关（子网 %s 里的一台路由器）才能到达它；请用 --gateway 指定网关"},
	RouterRewrites: lang.Text{
		En: "the router then sends it on with new MAC addresses on each link; the IP addresses stay the same",
		Zh: "之后由路由器转发：每经过一条链路，MAC 地址都换成新的，IP 地址始终不变"},

	AskNDP: lang.Text{
		En: "NDP neighbor solicitation: who has %s? (IPv6 has no ARP)",
		Zh: "NDP 邻居请求：%s 是谁？（IPv6 没有 ARP）"},
	AskARP: lang.Text{
		En: "ARP request, broadcast: who has %s? tell %s",
		Zh: "ARP 请求（广播）：%s 是谁？请告诉 %s"},
	ToHost: lang.Text{
		En: "the data, once B has answered with its MAC",
		Zh: "数据：B 回复了自己的 MAC 之后发出"},
	ToGateway: lang.Text{
		En: "the data, once the gateway has answered: the gateway's MAC, B's IP",
		Zh: "数据：网关回复之后发出，目标 MAC 是网关的，目标 IP 是 B 的"},
	ToBroadcast: lang.Text{
		En: "the data, broadcast: every host on the link reads it (no ARP: the broadcast MAC is known)",
		Zh: "广播数据：本链路上的每台主机都会接收（广播 MAC 已知，不需要 ARP）"},
	ToGroup: lang.Text{
		En: "the data, to the group: the hosts that joined it read it (no %s: the MAC comes from the group's address)",
		Zh: "组播数据：加入该组的主机会接收（目标 MAC 由组地址算出，不需要 %s）"},

	LineA: lang.Text{En: "A  %s  network %s", Zh: "A  %s  子网 %s"},
	LineB: lang.Text{En: "B  %s  under A's mask: network %s", Zh: "B  %s  按 A 的子网掩码算：子网 %s"},
	Loopback: lang.Text{
		En: "loopback: the packet never leaves this machine, so there is no frame and no %s",
		Zh: "回环：数据包不离开本机，所以不发帧，也不用 %s"},
	BroadcastLine: lang.Text{
		En: "broadcast: one frame to every host on the link, to %s; no %s, no gateway",
		Zh: "广播：一帧发给本链路上的所有主机，目标 MAC 为 %s；不用 %s，也不经过网关"},
	MulticastLine: lang.Text{
		En: "multicast: one frame to the group's MAC %s; no %s, no gateway",
		Zh: "组播：一帧发往组的 MAC 地址 %s；不用 %s，也不经过网关"},
	SameSubnetLine: lang.Text{
		En: "same subnet: A sends straight to B, so %s asks for B's MAC",
		Zh: "同一子网：A 直接发给 B，所以 %s 问的是 B 的 MAC"},
	OtherSubnetLine: lang.Text{
		En: "different subnets: A sends through the gateway, so %s asks for %s MAC, not B's",
		Zh: "不同子网：A 经网关发送，所以 %s 问的是%s MAC，不是 B 的"},
	TheGateways:  lang.Text{En: "the gateway's", Zh: "网关的"},
	TheGatewayXs: lang.Text{En: "the gateway %s's", Zh: "网关 %s 的"},

	CaseHeader:     lang.Text{En: "  case\tdestination MAC\tdestination IP", Zh: "  场景\t目标 MAC\t目标 IP"},
	SameSubnetRow:  lang.Text{En: "  same subnet\tthe target host's MAC\tthe target host's IP%s", Zh: "  同一子网\t目标主机的 MAC\t目标主机的 IP%s"},
	OtherSubnetRow: lang.Text{En: "  different subnet\tthe gateway's MAC\tthe target host's IP%s", Zh: "  不同子网\t网关的 MAC\t目标主机的 IP%s"},
	BroadcastRow:   lang.Text{En: "  broadcast\t%s\tthe broadcast address%s", Zh: "  广播\t%s\t广播地址%s"},
	Multicast6Row:  lang.Text{En: "  multicast\t33:33 + the group's low 32 bits\tthe group's address%s", Zh: "  组播\t33:33 + 组地址的低 32 位\t组地址%s"},
	Multicast4Row:  lang.Text{En: "  multicast\t01:00:5e + the group's low 23 bits\tthe group's address%s", Zh: "  组播\t01:00:5e + 组地址的低 23 位\t组地址%s"},
	ThisOne:        lang.Text{En: "  <- this one", Zh: "  <- 本例"},
	FrameHeader:    lang.Text{En: "  source MAC\tdestination MAC\tsource IP\tdestination IP\tdata", Zh: "  源 MAC\t目标 MAC\t源 IP\t目标 IP\t数据部分"},
	Question:       lang.Text{En: "(the question)", Zh: "（询问）"},
	Data:           lang.Text{En: "data", Zh: "数据"},
	Note:           lang.Text{En: "note: ", Zh: "注："},
}

// infoMsg is every sentence of one address's arithmetic (Info), in
// English and the lesson's Chinese: 子网掩码, 按位与运算, 子网地址, 广播地址.
// TestMessagesComplete fails when one lacks a language.
var infoMsg = struct {
	Address, Binary, Integer, Mask, Expanded, Prefix               lang.Text
	MaskBits, OneOne, Ones, OneZero, Zeros, PrefixMask             lang.Text
	AndHeader4, AndHeader6, AndAddress, AndMask, AndNetwork        lang.Text
	Network, Broadcast, AllOnes, FirstHost, LastHost, Hosts        lang.Text
	HostsCount, Addresses, Kind, Class, ClassNote                  lang.Text
	Slash32, Slash31, NetworkAddr, BroadcastAddr, NoMask4, NoMask6 lang.Text
	NoBroadcast6                                                   lang.Text
}{
	Address:    lang.Text{En: "address", Zh: "IP 地址"},
	Binary:     lang.Text{En: "  binary", Zh: "  二进制"},
	Integer:    lang.Text{En: "  integer", Zh: "  十进制整数"},
	Mask:       lang.Text{En: "mask", Zh: "子网掩码"},
	Expanded:   lang.Text{En: "  expanded", Zh: "  完整写法"},
	Prefix:     lang.Text{En: "prefix", Zh: "前缀长度"},
	MaskBits:   lang.Text{En: "%s (%s, then %s)", Zh: "%s（先 %s，再 %s）"},
	OneOne:     lang.Text{En: "1 one", Zh: "1 个 1"},
	Ones:       lang.Text{En: "%d ones", Zh: "%d 个 1"},
	OneZero:    lang.Text{En: "1 zero", Zh: "1 个 0"},
	Zeros:      lang.Text{En: "%d zeros", Zh: "%d 个 0"},
	PrefixMask: lang.Text{En: "/%d (mask %s)", Zh: "/%d（掩码 %s）"},
	AndHeader4: lang.Text{
		En: "network = address AND mask, bit by bit (1 only where both are 1):",
		Zh: "子网地址 = IP 地址和子网掩码按位与运算的结果（对应位都是 1 才得 1）："},
	AndHeader6: lang.Text{
		En: "network = address AND mask, bit by bit, in hex (each digit is 4 bits; f = 1111):",
		Zh: "子网地址 = IP 地址和掩码按位与运算的结果，用十六进制表示（每个十六进制数字代表 4 位；f = 1111）："},
	AndAddress: lang.Text{En: "  address", Zh: "  IP 地址"},
	AndMask:    lang.Text{En: "  AND mask", Zh: "  与子网掩码"},
	AndNetwork: lang.Text{En: "  network", Zh: "  子网地址"},
	Network:    lang.Text{En: "network", Zh: "子网"},
	Broadcast:  lang.Text{En: "broadcast", Zh: "广播地址"},
	AllOnes:    lang.Text{En: "%s (host bits all 1)", Zh: "%s（主机位全为 1）"},
	FirstHost:  lang.Text{En: "first host", Zh: "第一个主机地址"},
	LastHost:   lang.Text{En: "last host", Zh: "最后一个主机地址"},
	Hosts:      lang.Text{En: "hosts", Zh: "主机数"},
	HostsCount: lang.Text{
		En: "%s (2^%d = %s addresses, minus network and broadcast)",
		Zh: "%s（2^%d = %s 个地址，减去子网地址和广播地址）"},
	Addresses: lang.Text{En: "addresses", Zh: "地址数"},
	Kind:      lang.Text{En: "kind", Zh: "类型"},
	Class:     lang.Text{En: "class", Zh: "类别"},
	ClassNote: lang.Text{
		En: "%s (historic, before CIDR; the mask decides the network now)",
		Zh: "%s 类（CIDR 出现之前的旧分类；现在由子网掩码划分子网）"},
	Slash32: lang.Text{
		En: "/32 is a single address (a host route): no network or broadcast address of its own",
		Zh: "/32 只有一个地址（主机路由）：没有自己的子网地址和广播地址"},
	Slash31: lang.Text{
		En: "/31 is a point-to-point link (RFC 3021): both addresses are hosts, there is no broadcast address",
		Zh: "/31 用于点对点链路（RFC 3021）：两个地址都可分配给主机，没有广播地址"},
	NetworkAddr: lang.Text{
		En: "%s is the network address itself (host bits all 0): it names the subnet, and no host may have it",
		Zh: "%s 就是子网地址（主机位全为 0）：它代表整个子网，任何主机都不能用它"},
	BroadcastAddr: lang.Text{
		En: "%s is the broadcast address itself (host bits all 1): a packet to it reaches every host on the subnet, and no host may have it",
		Zh: "%s 就是广播地址（主机位全为 1）：发给它的数据包会到达子网里的每台主机，任何主机都不能用它"},
	NoMask4: lang.Text{
		En: "no mask given: the address alone (/32); add one, as /24 or /255.255.255.0",
		Zh: "未指定子网掩码：只按这一个地址（/32）计算；请加上子网掩码，如 /24 或 /255.255.255.0"},
	NoMask6: lang.Text{
		En: "no prefix length given: the address alone (/128); add one, as /64",
		Zh: "未指定前缀长度：只按这一个地址（/128）计算；请加上前缀长度，如 /64"},
	NoBroadcast6: lang.Text{
		En: "IPv6 has no broadcast address (multicast does its work): every address in the range is usable",
		Zh: "IPv6 没有广播地址（由组播代替）：范围内的每个地址都可以用"},
}

package trace

import "github.com/upcase/upcase/internal/lang"

// explainMsg is every sentence Explain says, in English and in the
// lesson's Chinese: 客户端 and 服务端, 三次握手, 四次挥手, 半关闭, 序号
// (seq), 数据包, 帧, 数据报, 广播, 网关, 子网, 源/目标 MAC. A side is named
// by its entry only (Client, Server, Router), passed to the sentences, so
// that one word names it everywhere. States keep their RFC 9293 names,
// as the ladder's columns show them; the Chinese adds the gloss of
// stateText where it helps. TestExplainComplete fails when a message
// lacks a language.
var explainMsg = struct {
	// The sides.
	Client, Server, Router lang.Text

	// The handshake and the data.
	SYN, SYNACK, Handshake, HandshakeData                 lang.Text
	Data, DataAcks, Ack, AckInFinWait2, AckNothingNew     lang.Text
	DataAfterFIN, HalfOpen, InState, NowInState           lang.Text
	Refused, Abort                                        lang.Text
	LastBytes, FIN, FINWithACK, SecondFIN, Simultaneous   lang.Text
	AckFINWithData, AckFIN, LastACK, ClosingToTimeWait    lang.Text
	Moved                                                 lang.Text
	UDPRequest, UDPAnswer                                 lang.Text
	ARPRequest, ARPReply                                  lang.Text
	GatewayAsk, GatewayAskServer, RouterAsks, RouterReply lang.Text
	ReplyToRouter                                         lang.Text
}{
	Client: lang.Text{En: "client", Zh: "客户端"},
	Server: lang.Text{En: "server", Zh: "服务端"},
	Router: lang.Text{En: "router", Zh: "路由器"},

	SYN: lang.Text{
		En: "The %s asks to open a connection with SYN and its initial sequence number (ISN), %d, which no outsider can guess: a clock plus a keyed hash of the addresses and ports (RFC 6528), so that segments left over from an old connection, or forged ones, do not fit the new one.",
		Zh: "%s发出 SYN 请求建立连接，并带上自己的初始序号（ISN）%d；这个序号外人无法预测，因为它由一个时钟值加上对地址和端口做的带密钥哈希得出（RFC 6528），这样，旧连接残留的报文段或伪造的报文段就混不进新连接。"},
	SYNACK: lang.Text{
		En: "The %s accepts with SYN, ACK: its ack is the %s's ISN + 1, because a SYN uses up one sequence number, and it sends its own ISN, %d, chosen the same way.",
		Zh: "%s同意建立连接，回复一个同时带 SYN 和 ACK 的报文段：确认号是%s的 ISN + 1，因为 SYN 要占用一个序号；同时发出自己的 ISN %d，选取方法与对方相同。"},
	Handshake: lang.Text{
		En: "The %s acknowledges the %s's SYN (its ISN + 1), so both sides are ESTABLISHED: that was the three-way handshake%s.",
		Zh: "%s确认了%s的 SYN（确认号是对方的 ISN + 1），双方都进入 ESTABLISHED（已建立连接）状态：这就是三次握手%s。"},
	HandshakeData: lang.Text{
		En: ", and this segment already carries %d bytes of data",
		Zh: "，而且这个报文段已经带上了 %d 字节数据"},

	Data: lang.Text{
		En: "The %s sends %d bytes of data (%s)%s; seq counts bytes, so its next segment will have seq = this seq + %d.",
		Zh: "%s发送 %d 字节数据（%s）%s；序号（seq）按字节计数，所以它下一个报文段的 seq 将是这次的 seq + %d。"},
	DataAcks: lang.Text{
		En: " and in the same segment acknowledges the %s's data, so no separate ACK is needed",
		Zh: "，同时捎带确认了%s的数据，不必再单独发 ACK"},
	Ack: lang.Text{
		En: "The %s acknowledges the data: its ack is the number of the next byte it expects, so everything before it has arrived, and its window says how many more bytes it can take.",
		Zh: "%s确认收到了数据：确认号是它期望收到的下一个字节的序号，表示这之前的数据都已收到；窗口则告诉对方它还能再接收多少字节。"},
	AckInFinWait2: lang.Text{
		En: "The %s acknowledges the data although it has sent its FIN: in FIN-WAIT-2 only its own direction is closed, so it still receives, and acknowledges, what the %s sends until the %s's FIN.",
		Zh: "%[1]s虽然已经发出了自己的 FIN，仍然确认%[2]s发来的数据：在 FIN-WAIT-2（终止等待 2）状态下，关闭的只是它自己的发送方向，所以在%[3]s发出 FIN 之前，它都照样接收、照样确认。"},
	AckNothingNew: lang.Text{
		En: "The %s sends an ACK that acknowledges nothing new: a window update, a keep-alive or a duplicate ACK.",
		Zh: "%s发出一个没有确认任何新数据的 ACK：可能是窗口更新、保活探测或重复确认。"},

	// The English says "half open", the Chinese 半关闭: in Chinese 半开连接
	// is the other half-open, a peer that crashed.
	DataAfterFIN: lang.Text{
		En: "The %s still sends %d bytes of data (%s) after the %s's FIN: %s",
		Zh: "%[1]s收到%[4]s的 FIN 之后，还发送了 %[2]d 字节数据（%[3]s），%[5]s"},
	HalfOpen: lang.Text{
		En: "the connection is half open, because that FIN closed only the %s's direction, so the %s, in CLOSE-WAIT, may still send, and the %s, %s, still receives until the %s closes its own direction too.",
		Zh: "这是因为连接处于半关闭状态：那个 FIN 只关闭了%[1]s的发送方向，所以处于 CLOSE-WAIT（关闭等待）的%[2]s照样可以发送，%[4]s的%[3]s也照样接收，直到%[5]s也关闭自己的发送方向。"},
	InState:    lang.Text{En: "in %s", Zh: "处于 %s"},
	NowInState: lang.Text{En: "now in %s", Zh: "此时已进入 %s"},

	Refused: lang.Text{
		En: "Nobody is listening on port %d, so the kernel answers the SYN with RST: the connection is refused, and the %s gives up at once.",
		Zh: "端口 %d 上没有程序在监听，所以内核用 RST 回应这个 SYN：连接被拒绝，%s随即放弃。"},
	Abort: lang.Text{
		En: "The %s aborts the connection with RST instead of FIN (as a close with SO_LINGER set to 0 does): there is no goodbye, data not yet read is thrown away, and both sides forget the connection at once, with no TIME-WAIT.",
		Zh: "%s用 RST 而不是 FIN 中止了连接（把 SO_LINGER 设为 0 再关闭就会这样）：没有挥手告别，尚未读取的数据直接丢弃，双方立即释放这个连接，也不经过 TIME-WAIT（时间等待）。"},

	LastBytes: lang.Text{En: "sends its last %d bytes and ", Zh: "发出最后 %d 字节数据后，"},
	FIN: lang.Text{
		En: "The %s %shas nothing more to send, so it closes its direction with FIN, a half-close: the %s can still send, and the FIN uses up one sequence number, as a SYN does.",
		Zh: "%s%s没有数据要发了，于是用 FIN 关闭自己的发送方向，这叫半关闭：%s仍然可以发送；FIN 和 SYN 一样，也要占用一个序号。"},
	FINWithACK: lang.Text{
		En: "The %s acknowledges the %s's FIN and closes its own direction in the same segment: its ACK, delayed a little, rode on its FIN, which is why this teardown takes three segments instead of four.",
		Zh: "%s确认了%s的 FIN，并在同一个报文段里关闭自己的发送方向：它的 ACK 稍微延迟了一点，正好和自己的 FIN 一起发出，所以这次挥手只用了三个报文段，而不是四个。"},
	SecondFIN: lang.Text{
		En: "Now the %s %scloses its own direction with FIN: each direction closes on its own, which is why the teardown takes four steps (FIN, ACK, FIN, ACK).",
		Zh: "现在%s%s也用 FIN 关闭自己的发送方向：两个方向要分别关闭，所以断开连接要四步（FIN、ACK、FIN、ACK），这就是四次挥手。"},
	Simultaneous: lang.Text{
		En: "The %s's FIN does not acknowledge the %s's FIN, so it was sent before that FIN arrived: both sides are closing at once (a simultaneous close), and each waits in CLOSING for the ACK of its own FIN.",
		Zh: "%s的 FIN 没有确认%s的 FIN，说明它是在对方的 FIN 到达之前发出的：双方同时在关闭连接，各自在 CLOSING（正在关闭）状态等待对方确认自己的 FIN。"},
	AckFINWithData: lang.Text{
		En: "The %s acknowledges the %s's FIN and in the same segment still sends %d bytes of data (%s): %s",
		Zh: "%s确认了%s的 FIN，并在同一个报文段里带上了 %d 字节数据（%s），%s"},
	AckFIN: lang.Text{
		En: "The %s acknowledges the FIN (ack = the FIN's seq + 1): the %s's direction is closed, but the %s may still send data until it closes its own direction too.",
		Zh: "%s确认了这个 FIN（确认号 = FIN 的 seq + 1）：%s的发送方向已经关闭，但%s在关闭自己的发送方向之前，仍然可以发送数据。"},
	LastACK: lang.Text{
		En: "The %s acknowledges the %s's FIN, so the %s is CLOSED; the %s stays in TIME-WAIT so that it can resend this last ACK if it is lost, and so that old segments of this connection die out before its addresses and ports are used again: for 2×MSL in RFC 9293 (4 minutes), for a fixed 60 s on Linux, which does not derive it from an MSL.",
		Zh: "%s确认了%s的 FIN，于是%s进入 CLOSED（关闭）；%s则要在 TIME-WAIT（时间等待）停留一段时间，一是万一这最后一个 ACK 丢了还能重发，二是让这个连接的旧报文段在同样的地址和端口再次被使用之前全部消失：RFC 9293 规定停留 2×MSL（报文段最长寿命的两倍，即 4 分钟），Linux 则固定停留 60 秒，并不由 MSL 推算。"},
	ClosingToTimeWait: lang.Text{
		En: "The %s acknowledges the %s's FIN, so the %s moves from CLOSING to TIME-WAIT, where it waits (2×MSL in RFC 9293, a fixed 60 s on Linux) so that a lost ACK can be resent and old segments die out.",
		Zh: "%s确认了%s的 FIN，于是%s从 CLOSING（正在关闭）进入 TIME-WAIT（时间等待），在那里停留一段时间（RFC 9293 规定 2×MSL，Linux 固定 60 秒），以便重发可能丢失的 ACK，并让旧报文段消失。"},
	Moved: lang.Text{
		En: "The %s is now %s and the %s %s.",
		Zh: "%s现在处于 %s，%s则处于 %s。"},

	UDPRequest: lang.Text{
		En: "The %s sends a %d-byte UDP datagram (%s) straight away: no handshake before it, no sequence number in it, no acknowledgement after it.",
		Zh: "%s直接发出一个 %d 字节的 UDP 数据报（%s）：之前没有握手，里面没有序号，之后也没有确认。"},
	UDPAnswer: lang.Text{
		En: "The %s answers with one datagram of its own (%s); if either were lost, nobody would resend it, and no teardown follows: UDP keeps no connection to close.",
		Zh: "%s同样用一个数据报回答（%s）；这一问一答两个数据报无论哪个丢了，都没有人会重发；之后也没有挥手：UDP 根本不维持连接，也就没有连接需要关闭。"},

	ARPRequest: lang.Text{
		En: "To send an IP packet to %s on its own link, the %s first needs its MAC address, so it broadcasts an ARP request to %s: who has %s?",
		Zh: "%[2]s要把 IP 数据包发给同一局域网内的 %[1]s，得先知道它的 MAC 地址，于是广播一个 ARP 请求（目标 MAC 为 %[3]s），问：%[4]s 是谁？"},
	ARPReply: lang.Text{
		En: "The %s answers with an ARP reply sent straight back to the asker: %s is at %s; the asker caches that and can now address Ethernet frames to it.",
		Zh: "%s用 ARP 响应直接回复询问方：%s 的 MAC 地址是 %s；询问方把这个对应关系记进 ARP 缓存，之后就能往这个 MAC 地址发以太网帧了。"},

	GatewayAsk: lang.Text{
		En: "The %[1]s %[2]s is on another subnet, so the %[3]s sends its packets to its default gateway, %[4]s, and broadcasts an ARP request for the gateway's MAC address, not the %[1]s's: who has %[4]s?",
		Zh: "%[1]s %[2]s 在另一个子网，%[3]s得把数据包交给默认网关 %[4]s 转发，所以它广播的 ARP 请求问的是网关的 MAC 地址，而不是%[1]s的：%[4]s 是谁？"},
	GatewayAskServer: lang.Text{
		En: "The %[1]s needs the MAC address of its gateway, %[2]s, to answer a host off its own subnet, so it broadcasts an ARP request: who has %[2]s?",
		Zh: "%[1]s要回复其他子网的主机，得先知道自己的网关 %[2]s 的 MAC 地址，于是广播 ARP 请求：%[2]s 是谁？"},
	RouterAsks: lang.Text{
		En: "The %[1]s has a packet to forward to %[2]s, which is on this link, so it broadcasts an ARP request for the %[3]s's own MAC address: who has %[2]s?",
		Zh: "%[1]s有一个数据包要转发给本链路上的 %[2]s，于是广播 ARP 请求，要的是%[3]s本身的 MAC 地址：%[2]s 是谁？"},
	RouterReply: lang.Text{
		En: "The %[1]s answers: %[2]s is at %[3]s. The %[4]s puts that MAC address, the gateway's, as the destination of every frame it sends off its subnet, while the IP destination stays the far host's.",
		Zh: "%[1]s回复：%[2]s 的 MAC 地址是 %[3]s；此后%[4]s发往其他子网的每一帧，目标 MAC 都填这个网关的 MAC 地址，目标 IP 仍填目标主机的。"},
	ReplyToRouter: lang.Text{
		En: "The %[1]s answers the %[2]s with an ARP reply: %[3]s is at %[4]s; the %[2]s can now put the %[1]s's MAC address on the frames it forwards.",
		Zh: "%[1]s用 ARP 响应回复%[2]s：%[3]s 的 MAC 地址是 %[4]s；现在%[2]s转发帧时就能填上%[1]s的 MAC 地址了。"},
}

// stateText is a state as a sentence names it: its RFC 9293 name, as the
// ladder shows it, and in Chinese the gloss a Chinese textbook gives it.
var stateText = [...]lang.Text{
	Closed:      {En: "%s", Zh: "%s（关闭）"},
	Listen:      {En: "%s", Zh: "%s（监听）"},
	SynSent:     {En: "%s", Zh: "%s（同步已发送）"},
	SynReceived: {En: "%s", Zh: "%s（同步已收到）"},
	Established: {En: "%s", Zh: "%s（已建立连接）"},
	FinWait1:    {En: "%s", Zh: "%s（终止等待 1）"},
	FinWait2:    {En: "%s", Zh: "%s（终止等待 2）"},
	CloseWait:   {En: "%s", Zh: "%s（关闭等待）"},
	Closing:     {En: "%s", Zh: "%s（正在关闭）"},
	LastAck:     {En: "%s", Zh: "%s（最后确认）"},
	TimeWait:    {En: "%s", Zh: "%s（时间等待）"},
}

// stateIn is st as a sentence in l names it.
func stateIn(l lang.Lang, st State) string {
	if int(st) < len(stateText) {
		return stateText[st].F(l, st)
	}
	return st.String()
}

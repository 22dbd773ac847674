package dissect

import (
	"bytes"

	"github.com/upcase/upcase/internal/lang"
)

// Explanations of what a capture shows that a frame on a wire would not:
// the capture's own artefacts, which a learner comparing it with the lesson
// would otherwise take for mistakes. Notes says which apply to a frame.
var (
	// NoteNoFCS is true of every captured frame: the 4 bytes of the frame
	// check sequence are not in it. Notes leaves it out, as it would be on
	// every frame; a view says it once (the eth layer's LayerText says it
	// too).
	NoteNoFCS = lang.Text{
		En: "No FCS: a network card adds the 4-byte frame check sequence as it sends a frame and checks and removes it as it receives one, so a capture never shows it; on the wire the frame is 4 bytes longer.",
		Zh: "看不到 FCS：网卡发送时在帧尾加上 4 字节的帧校验序列，接收时检查后就去掉，所以抓包里从来看不到它；线路上的帧比这里长 4 个字节。"}
	// NoteShortFrame explains a frame shorter than Ethernet's minimum, such
	// as a 42-byte ARP frame on veth; it takes the frame's length.
	NoteShortFrame = lang.Text{
		En: "This frame is %d bytes, under Ethernet's minimum of 60 (64 with the FCS): it was captured before any padding. A network card pads it to 60 bytes before it goes on a wire, and loopback and veth have no wire.",
		Zh: "这一帧只有 %d 字节，不到以太网的最小长度 60 字节（算上 FCS 是 64 字节）：抓包时它还没有填充。网卡在把它发到线路上之前会把它填充到 60 字节，而回环接口和 veth 根本没有线路。"}
	// NoteChecksumOffload explains a TCP or UDP checksum that does not
	// verify because the kernel left it for a network card.
	NoteChecksumOffload = lang.Text{
		En: "This checksum does not verify, and that is no error: Linux leaves it for the network card to fill in (checksum offload), and on loopback or veth there is no card, and the receiving kernel does not check it.",
		Zh: "这个校验和验证不通过，但这不是错误：Linux 把它留给网卡填写（校验和卸载），而回环接口和 veth 上没有网卡，接收方内核也不检查它。"}
	// NoteLoopbackMAC explains the all-zero MAC addresses of a frame on
	// loopback.
	NoteLoopbackMAC = lang.Text{
		En: "Both MAC addresses are 00:00:00:00:00:00: the frame went through loopback, where no network card is involved, so Linux fills them with zeros.",
		Zh: "两个 MAC 地址都是 00:00:00:00:00:00：这一帧走的是回环接口，不经过任何网卡，所以 Linux 把它们填成全 0。"}
)

// Note is an explanation of one of the capture's own artefacts in a frame,
// with the layer or field it belongs beside.
type Note struct {
	// At is the name of the layer or field the note explains, such as
	// "eth" or "tcp.checksum".
	At string
	// Text is the explanation; Args fill its fmt verbs.
	Text lang.Text
	Args []any
}

// In is the note in l.
func (n Note) In(l lang.Lang) string { return n.Text.F(l, n.Args...) }

// ethernetMin is the shortest Ethernet frame without its FCS: a 14-byte
// header and 46 bytes of data.
const ethernetMin = 60

// Notes is the capture's artefacts that frame f, dissected from b, shows:
// all-zero MAC addresses (loopback), fewer than 60 bytes (captured before
// padding), a TCP or UDP checksum that does not verify (checksum offload).
// It leaves out NoteNoFCS, which is true of every frame.
func Notes(f Frame, b []byte) []Note {
	var notes []Note
	if eth, ok := f.Layer("eth"); ok {
		zero := make([]byte, 12)
		if eth.Offset+12 <= len(b) && bytes.Equal(b[eth.Offset:eth.Offset+12], zero) {
			notes = append(notes, Note{At: "eth", Text: NoteLoopbackMAC})
		}
		if f.Length < ethernetMin {
			notes = append(notes, Note{At: "eth", Text: NoteShortFrame, Args: []any{f.Length}})
		}
	}
	for i, l := range f.Layers {
		if (l.Name != "tcp" && l.Name != "udp") || i == 0 {
			continue
		}
		if ok, checked := checksumVerifies(b, f.Layers[i-1], l); checked && !ok {
			notes = append(notes, Note{At: l.Name + ".checksum", Text: NoteChecksumOffload})
		}
	}
	return notes
}

package trace

import (
	"fmt"
	"strings"
)

// TCPFlag is one control bit of a TCP header, or a set of them. The values
// are the bits' places in the header's flags byte.
type TCPFlag uint8

// The TCP control bits.
const (
	FlagFIN TCPFlag = 1 << iota // no more data from the sender
	FlagSYN                     // synchronize sequence numbers: open a connection
	FlagRST                     // reset: abort the connection
	FlagPSH                     // push: hand the data to the application now
	FlagACK                     // the acknowledgement number is valid
	FlagURG                     // the urgent pointer is valid
	FlagECE                     // ECN echo
	FlagCWR                     // congestion window reduced
)

// flagOrder is the order flags are named in, Wireshark's: the ones that
// change the connection first.
var flagOrder = []struct {
	flag TCPFlag
	name string
}{
	{FlagSYN, "SYN"}, {FlagFIN, "FIN"}, {FlagRST, "RST"}, {FlagPSH, "PSH"},
	{FlagACK, "ACK"}, {FlagURG, "URG"}, {FlagECE, "ECE"}, {FlagCWR, "CWR"},
}

// Has reports whether every flag of want is set in f.
func (f TCPFlag) Has(want TCPFlag) bool { return f&want == want }

// Names lists the set flags in Wireshark's order, as ["SYN", "ACK"];
// no flag at all is an empty list.
func (f TCPFlag) Names() []string {
	names := []string{}
	for _, o := range flagOrder {
		if f.Has(o.flag) {
			names = append(names, o.name)
		}
	}
	return names
}

// String names the set flags, comma-separated, as "SYN, ACK" or "PSH, ACK";
// no flag at all is "none".
func (f TCPFlag) String() string {
	names := f.Names()
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// TCP is a TCP header; the ports are in Event.Src and Event.Dst.
type TCP struct {
	// Seq is the sequence number: the number of the segment's first byte
	// (or of its SYN or FIN, which each take one number).
	Seq uint32
	// Ack is the next sequence number the sender expects; it means
	// something only when Flags has FlagACK.
	Ack uint32
	// Flags are the control bits.
	Flags TCPFlag
	// Window is the raw window field; after the handshake it is shifted
	// left by the window scale the sender announced in its SYN.
	Window uint16
	// Urgent is the urgent pointer.
	Urgent uint16
	// HeaderLen is the header's length in bytes, options included.
	HeaderLen int
	// Options are the decoded options.
	Options TCPOptions
}

// TCPOptions are the options of a TCP header. The zero value means none.
type TCPOptions struct {
	// MSS is the maximum segment size offered (kind 2), 0 if absent.
	MSS uint16
	// WindowScale is the window scale shift (kind 3), valid if HasWindowScale.
	WindowScale    uint8
	HasWindowScale bool
	// SACKPermitted says the sender can use selective acknowledgements
	// (kind 4).
	SACKPermitted bool
	// Timestamps says the timestamps option (kind 8) is present, with its
	// values TSVal and TSEcr.
	Timestamps   bool
	TSVal, TSEcr uint32
	// SACK are the blocks of a selective acknowledgement (kind 5).
	SACK []SACKBlock
	// Other are the kinds of the options not decoded, in order (NOP and
	// end-of-list are left out).
	Other []uint8
}

// SACKBlock is one range of sequence numbers received out of order: from
// Left up to, not including, Right.
type SACKBlock struct {
	Left, Right uint32
}

// String lists the options the way a learner reads them, in a fixed order:
// "MSS 65495, SACK permitted, wscale 7, timestamps". No options is "".
func (o TCPOptions) String() string {
	var parts []string
	if o.MSS != 0 {
		parts = append(parts, fmt.Sprintf("MSS %d", o.MSS))
	}
	if o.SACKPermitted {
		parts = append(parts, "SACK permitted")
	}
	if o.HasWindowScale {
		parts = append(parts, fmt.Sprintf("wscale %d", o.WindowScale))
	}
	if o.Timestamps {
		parts = append(parts, "timestamps")
	}
	for _, b := range o.SACK {
		parts = append(parts, fmt.Sprintf("SACK %d-%d", b.Left, b.Right))
	}
	for _, k := range o.Other {
		parts = append(parts, fmt.Sprintf("option %d", k))
	}
	return strings.Join(parts, ", ")
}

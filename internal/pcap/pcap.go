// Package pcap reads and writes the classic libpcap file format
// (tcpdump.org's pcap-savefile(5)) for Ethernet frames, link type 1: a
// 24-byte file header, then per frame a 16-byte record header and the
// captured bytes. Wireshark and tshark open what it writes, and it reads
// what they and tcpdump write in that format.
//
// It is a leaf: the capture that writes pcap files and the tests that read
// them back through the frame decoder both import it without importing each
// other.
package pcap

import (
	"errors"
	"time"
)

// The format's constants.
const (
	magicMicro   = 0xa1b2c3d4 // microsecond timestamps
	magicNano    = 0xa1b23c4d // nanosecond timestamps (read only)
	versionMajor = 2
	versionMinor = 4
	headerLen    = 24
	recordLen    = 16
	maxReadSnap  = 1 << 18 // the longest record a Reader accepts
)

// LinkTypeEther is the pcap link type of Ethernet, the one a Writer writes.
const LinkTypeEther = 1

// SnapLen is the longest part of a frame a Writer keeps: the customary
// 65535, which holds any frame on lo.
const SnapLen = 65535

// Errors that a Reader wraps, so that a caller can tell a file cut short
// from one that is not a pcap file.
var (
	// ErrTruncated means the file ends inside its header or a record.
	ErrTruncated = errors.New("pcap: truncated")
	// ErrMalformed means the file is not a classic pcap file, or a record
	// claims more bytes than any frame has.
	ErrMalformed = errors.New("pcap: malformed")
)

// Frame is a captured frame as a pcap record holds it, and as a live
// capture gives it: when it was captured and its bytes, from the Ethernet
// header on.
type Frame struct {
	Time time.Time
	Data []byte
	// Len is the frame's length on the wire, more than len(Data) when the
	// capture cut it short; zero means len(Data).
	Len int
}

// WireLen is the frame's length on the wire.
func (f Frame) WireLen() int { return max(f.Len, len(f.Data)) }

package pcap

import (
	"encoding/binary"
	"fmt"
	"io"
)

// The classic libpcap file format (as documented by tcpdump.org's
// pcap-savefile(5)): a 24-byte file header, then per packet a 16-byte
// record header and the captured bytes.
const (
	pcapMagic       = 0xa1b2c3d4 // microsecond timestamps
	pcapMagicNano   = 0xa1b23c4d // nanosecond timestamps (read only)
	pcapVersionMaj  = 2
	pcapVersionMin  = 4
	pcapHeaderLen   = 24
	pcapRecordLen   = 16
	pcapMaxReadSnap = 1 << 18 // the longest record Reader accepts
)

// LinkTypeEther is the pcap link type of Ethernet, the only one this
// package writes and decodes.
const LinkTypeEther = 1

// SnapLen is the longest part of a frame a Writer keeps: the
// customary 65535, which holds any frame on lo.
const SnapLen = 65535

// Writer writes frames to a pcap file in the classic libpcap format
// (magic 0xa1b2c3d4, version 2.4, link type 1 Ethernet, snap length 65535,
// microsecond timestamps, little-endian), which Wireshark and tshark open.
// It is not safe for concurrent use.
type Writer struct {
	w io.Writer
}

// NewWriter writes the pcap file header to w and returns a writer for
// the frames.
func NewWriter(w io.Writer) (*Writer, error) {
	var h [pcapHeaderLen]byte
	le := binary.LittleEndian
	le.PutUint32(h[0:4], pcapMagic)
	le.PutUint16(h[4:6], pcapVersionMaj)
	le.PutUint16(h[6:8], pcapVersionMin)
	// h[8:16]: time zone offset and timestamp accuracy, both zero.
	le.PutUint32(h[16:20], SnapLen)
	le.PutUint32(h[20:24], LinkTypeEther)
	if _, err := w.Write(h[:]); err != nil {
		return nil, fmt.Errorf("write pcap header: %w", err)
	}
	return &Writer{w: w}, nil
}

// WriteFrame writes one frame. Data beyond SnapLen bytes is cut, and the
// record keeps the frame's length on the wire (f.Len, or len(f.Data) if
// larger).
func (pw *Writer) WriteFrame(f Frame) error {
	data := f.Data
	if len(data) > SnapLen {
		data = data[:SnapLen]
	}
	orig := max(f.Len, len(f.Data))
	var h [pcapRecordLen]byte
	le := binary.LittleEndian
	le.PutUint32(h[0:4], uint32(f.Time.Unix()))
	le.PutUint32(h[4:8], uint32(f.Time.Nanosecond()/1000))
	le.PutUint32(h[8:12], uint32(len(data)))
	le.PutUint32(h[12:16], uint32(orig))
	if _, err := pw.w.Write(h[:]); err != nil {
		return fmt.Errorf("write pcap record: %w", err)
	}
	if _, err := pw.w.Write(data); err != nil {
		return fmt.Errorf("write pcap record: %w", err)
	}
	return nil
}

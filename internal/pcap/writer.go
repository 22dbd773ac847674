package pcap

import (
	"encoding/binary"
	"fmt"
	"io"
)

// Writer writes frames to a pcap file in the classic libpcap format (magic
// 0xa1b2c3d4, version 2.4, link type 1 Ethernet, snap length 65535,
// microsecond timestamps, little-endian). It is not safe for concurrent
// use.
type Writer struct {
	w io.Writer
}

// NewWriter writes the pcap file header to w and returns a writer for the
// frames.
func NewWriter(w io.Writer) (*Writer, error) {
	var h [headerLen]byte
	le := binary.LittleEndian
	le.PutUint32(h[0:4], magicMicro)
	le.PutUint16(h[4:6], versionMajor)
	le.PutUint16(h[6:8], versionMinor)
	// h[8:16]: time zone offset and timestamp accuracy, both zero.
	le.PutUint32(h[16:20], SnapLen)
	le.PutUint32(h[20:24], LinkTypeEther)
	if _, err := w.Write(h[:]); err != nil {
		return nil, fmt.Errorf("write pcap header: %w", err)
	}
	return &Writer{w: w}, nil
}

// WriteFrame writes one frame as a record. Data beyond SnapLen bytes is cut;
// the record keeps the frame's length on the wire (WireLen).
func (pw *Writer) WriteFrame(f Frame) error {
	data := f.Data
	if len(data) > SnapLen {
		data = data[:SnapLen]
	}
	var h [recordLen]byte
	le := binary.LittleEndian
	le.PutUint32(h[0:4], uint32(f.Time.Unix()))
	le.PutUint32(h[4:8], uint32(f.Time.Nanosecond()/1000))
	le.PutUint32(h[8:12], uint32(len(data)))
	le.PutUint32(h[12:16], uint32(f.WireLen()))
	if _, err := pw.w.Write(h[:]); err != nil {
		return fmt.Errorf("write pcap record: %w", err)
	}
	if _, err := pw.w.Write(data); err != nil {
		return fmt.Errorf("write pcap record: %w", err)
	}
	return nil
}

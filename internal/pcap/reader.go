package pcap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// Reader reads frames from a classic libpcap file, in either byte order,
// with microsecond or nanosecond timestamps. It is not safe for concurrent
// use.
type Reader struct {
	r     io.Reader
	order binary.ByteOrder
	nano  bool
	// LinkType is the file's link type; frames are Ethernet frames only
	// where it is LinkTypeEther.
	LinkType uint32
	// SnapLen is the longest frame part the file says it keeps.
	SnapLen uint32
}

// NewReader reads the pcap file header from r. A file that is not a classic
// pcap file gives an error wrapping ErrMalformed, one cut short an error
// wrapping ErrTruncated.
func NewReader(r io.Reader) (*Reader, error) {
	var h [headerLen]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, fmt.Errorf("read pcap header: %w", unexpected(err))
	}
	pr := &Reader{r: r}
	switch m := binary.LittleEndian.Uint32(h[0:4]); m {
	case magicMicro, magicNano:
		pr.order, pr.nano = binary.LittleEndian, m == magicNano
	default:
		switch binary.BigEndian.Uint32(h[0:4]) {
		case magicMicro:
			pr.order = binary.BigEndian
		case magicNano:
			pr.order, pr.nano = binary.BigEndian, true
		default:
			return nil, fmt.Errorf("read pcap header: magic 0x%08x: %w", m, ErrMalformed)
		}
	}
	if major := pr.order.Uint16(h[4:6]); major != versionMajor {
		return nil, fmt.Errorf("read pcap header: version %d.%d: %w", major, pr.order.Uint16(h[6:8]), ErrMalformed)
	}
	pr.SnapLen = pr.order.Uint32(h[16:20])
	pr.LinkType = pr.order.Uint32(h[20:24]) & 0x0fffffff // the top bits are FCS flags
	return pr, nil
}

// Next reads the next frame. At the end of the file it returns io.EOF; a
// file that ends inside a record gives an error wrapping ErrTruncated, a
// record longer than any frame one wrapping ErrMalformed.
func (pr *Reader) Next() (Frame, error) {
	var h [recordLen]byte
	if _, err := io.ReadFull(pr.r, h[:]); err != nil {
		if err == io.EOF {
			return Frame{}, io.EOF
		}
		return Frame{}, fmt.Errorf("read pcap record: %w", unexpected(err))
	}
	sec, frac := pr.order.Uint32(h[0:4]), pr.order.Uint32(h[4:8])
	caplen, wire := pr.order.Uint32(h[8:12]), pr.order.Uint32(h[12:16])
	if caplen > maxReadSnap {
		return Frame{}, fmt.Errorf("read pcap record: captured length %d: %w", caplen, ErrMalformed)
	}
	data := make([]byte, caplen)
	if _, err := io.ReadFull(pr.r, data); err != nil {
		return Frame{}, fmt.Errorf("read pcap record of %d bytes: %w", caplen, unexpected(err))
	}
	nsec := int64(frac) * 1000
	if pr.nano {
		nsec = int64(frac)
	}
	f := Frame{Time: time.Unix(int64(sec), nsec), Data: data}
	if wire > caplen {
		f.Len = int(wire) // cut short by the capture's snap length
	}
	return f, nil
}

// unexpected turns an end of file in the middle of something into
// ErrTruncated, keeping other errors as they are.
func unexpected(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: %w", ErrTruncated, err)
	}
	return err
}

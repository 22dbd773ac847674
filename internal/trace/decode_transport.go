package trace

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// TCP option kinds.
const (
	optEnd           = 0
	optNOP           = 1
	optMSS           = 2
	optWindowScale   = 3
	optSACKPermitted = 4
	optSACK          = 5
	optTimestamps    = 8
)

// decodeTCP decodes a TCP header and its options into ev.
func decodeTCP(b []byte, ev *Event) error {
	if len(b) < 20 {
		return fmt.Errorf("decode tcp: %d bytes, header needs 20: %w", len(b), ErrTruncated)
	}
	hlen := int(b[12]>>4) * 4
	if hlen < 20 {
		return fmt.Errorf("decode tcp: data offset %d: %w", hlen, ErrMalformed)
	}
	if len(b) < hlen {
		return fmt.Errorf("decode tcp: %d bytes, header with options needs %d: %w", len(b), hlen, ErrTruncated)
	}
	opts, err := decodeTCPOptions(b[20:hlen])
	if err != nil {
		return err
	}
	ev.TCP = TCP{
		Seq:       binary.BigEndian.Uint32(b[4:8]),
		Ack:       binary.BigEndian.Uint32(b[8:12]),
		Flags:     TCPFlag(b[13]),
		Window:    binary.BigEndian.Uint16(b[14:16]),
		Urgent:    binary.BigEndian.Uint16(b[18:20]),
		HeaderLen: hlen,
		Options:   opts,
	}
	ev.setPorts(b)
	ev.Payload = b[hlen:]
	ev.Kind = KindTCP
	return nil
}

// decodeTCPOptions decodes the options area of a TCP header.
func decodeTCPOptions(b []byte) (TCPOptions, error) {
	var o TCPOptions
	for i := 0; i < len(b); {
		kind := b[i]
		switch kind {
		case optEnd:
			return o, nil
		case optNOP:
			i++
			continue
		}
		if i+1 >= len(b) {
			return o, fmt.Errorf("decode tcp option %d: no length: %w", kind, ErrMalformed)
		}
		n := int(b[i+1])
		if n < 2 || i+n > len(b) {
			return o, fmt.Errorf("decode tcp option %d: length %d with %d bytes left: %w", kind, n, len(b)-i, ErrMalformed)
		}
		data := b[i+2 : i+n]
		if err := o.set(kind, data); err != nil {
			return o, err
		}
		i += n
	}
	return o, nil
}

// set records the option kind with its data in o.
func (o *TCPOptions) set(kind uint8, data []byte) error {
	if n, ok := fixedOptionLen(kind); ok && len(data) != n {
		return fmt.Errorf("decode tcp option %d: %d data bytes, want %d: %w", kind, len(data), n, ErrMalformed)
	}
	switch kind {
	case optMSS:
		o.MSS = binary.BigEndian.Uint16(data)
	case optWindowScale:
		o.WindowScale, o.HasWindowScale = data[0], true
	case optSACKPermitted:
		o.SACKPermitted = true
	case optTimestamps:
		o.Timestamps = true
		o.TSVal, o.TSEcr = binary.BigEndian.Uint32(data[0:4]), binary.BigEndian.Uint32(data[4:8])
	case optSACK:
		if len(data)%8 != 0 {
			return fmt.Errorf("decode tcp option %d: %d data bytes, want a multiple of 8: %w", kind, len(data), ErrMalformed)
		}
		for j := 0; j < len(data); j += 8 {
			o.SACK = append(o.SACK, SACKBlock{binary.BigEndian.Uint32(data[j:]), binary.BigEndian.Uint32(data[j+4:])})
		}
	default:
		o.Other = append(o.Other, kind)
	}
	return nil
}

// decodeUDP decodes a UDP header into ev; the payload ends where the UDP
// length says.
func decodeUDP(b []byte, ev *Event) error {
	if len(b) < 8 {
		return fmt.Errorf("decode udp: %d bytes, header needs 8: %w", len(b), ErrTruncated)
	}
	n := int(binary.BigEndian.Uint16(b[4:6]))
	switch {
	case n < 8:
		return fmt.Errorf("decode udp: length %d: %w", n, ErrMalformed)
	case n > len(b):
		return fmt.Errorf("decode udp: %d bytes, length says %d: %w", len(b), n, ErrTruncated)
	}
	ev.UDP = UDP{Length: uint16(n)}
	ev.setPorts(b)
	ev.Payload = b[8:n]
	ev.Kind = KindUDP
	return nil
}

// setPorts sets ev.Src and ev.Dst from the IP addresses already decoded and
// the ports at the start of the TCP or UDP header b.
func (e *Event) setPorts(b []byte) {
	e.Src = netip.AddrPortFrom(e.IP.Src, binary.BigEndian.Uint16(b[0:2]))
	e.Dst = netip.AddrPortFrom(e.IP.Dst, binary.BigEndian.Uint16(b[2:4]))
}

// fixedOptionLen gives the data length of the option kinds whose length is
// fixed.
func fixedOptionLen(kind uint8) (int, bool) {
	switch kind {
	case optMSS:
		return 2, true
	case optWindowScale:
		return 1, true
	case optSACKPermitted:
		return 0, true
	case optTimestamps:
		return 8, true
	}
	return 0, false
}

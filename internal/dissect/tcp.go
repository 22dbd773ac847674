package dissect

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// tcpLen is the length of a TCP header without options.
const tcpLen = 20

// tcpFlagBits are the TCP flags of the header's 14th byte, by Wireshark
// name, with the name the ladder shows and the bit in the header's 13th and
// 14th bytes (the low 12 bits of which are the flags), in the order of the
// header's bits.
var tcpFlagBits = []struct {
	name, short string
	bit         uint16
}{
	{"tcp.flags.cwr", "CWR", 0x080},
	{"tcp.flags.ece", "ECE", 0x040},
	{"tcp.flags.urg", "URG", 0x020},
	{"tcp.flags.ack", "ACK", 0x010},
	{"tcp.flags.push", "PSH", 0x008},
	{"tcp.flags.reset", "RST", 0x004},
	{"tcp.flags.syn", "SYN", 0x002},
	{"tcp.flags.fin", "FIN", 0x001},
}

// tcp dissects the TCP segment in b[off:end] and its payload.
func (d *dissector) tcp(off, end int) error {
	if err := needIn("tcp", "header", off, tcpLen, end); err != nil {
		return err
	}
	b := d.b[off:end]
	hlen := int(b[12]>>4) * 4
	if hlen < tcpLen {
		return errMalformed("tcp", "data offset %d", hlen)
	}
	if err := needIn("tcp", "header with options", off, hlen, end); err != nil {
		return err
	}
	flags := binary.BigEndian.Uint16(b[12:14]) & 0x0fff
	u16 := func(i int) string { return fmt.Sprint(binary.BigEndian.Uint16(b[i : i+2])) }
	u32 := func(i int) string { return fmt.Sprint(binary.BigEndian.Uint32(b[i : i+4])) }
	fields := []Field{
		field("tcp.srcport", off, 2, u16(0)),
		field("tcp.dstport", off+2, 2, u16(2)),
		field("tcp.seq_raw", off+4, 4, u32(4)),
		field("tcp.ack_raw", off+8, 4, u32(8)),
		bits("tcp.hdr_len", off+12, 1, 0xf0, fmt.Sprintf("%d bytes (%d)", hlen, hlen/4)),
		tcpFlags(off+12, flags),
		field("tcp.window_size_value", off+14, 2, u16(14)),
		field("tcp.checksum", off+16, 2, fmt.Sprintf("0x%04x", binary.BigEndian.Uint16(b[16:18]))),
		field("tcp.urgent_pointer", off+18, 2, u16(18)),
	}
	var err error
	if hlen > tcpLen {
		var opts []Field
		opts, err = tcpOptions(b[tcpLen:hlen], off+tcpLen)
		fields = append(fields, field("tcp.options", off+tcpLen, hlen-tcpLen, bytesValue(b[tcpLen:hlen]), opts...))
	}
	d.add("tcp", off, hlen, fields...)
	d.data(off+hlen, end)
	return err
}

// tcpFlags makes the tcp.flags field at off, with one field per flag; the
// reserved bits and AE (formerly NS) are in the first byte, the rest in the
// second.
func tcpFlags(off int, flags uint16) Field {
	f := bits("tcp.flags", off, 2, 0x0fff, tcpFlagsValue(flags),
		flag("tcp.flags.res", off, 0x0e, flags&0xe00 != 0),
		flag("tcp.flags.ae", off, 0x01, flags&0x100 != 0),
	)
	for _, fb := range tcpFlagBits {
		f.Fields = append(f.Fields, flag(fb.name, off+1, uint64(fb.bit), flags&fb.bit != 0))
	}
	return f
}

// tcpFlagsValue names the flags set as Wireshark's tcp.flags shows them
// ("Flags: 0x012 (SYN, ACK)"), from the lowest bit up, AE after CWR, then
// "Reserved" if any reserved bit is set, or "<None>".
func tcpFlagsValue(flags uint16) string {
	var names []string
	for i := len(tcpFlagBits) - 1; i >= 0; i-- {
		if fb := tcpFlagBits[i]; flags&fb.bit != 0 {
			names = append(names, fb.short)
		}
	}
	if flags&0x100 != 0 {
		names = append(names, "AE")
	}
	if flags&0xe00 != 0 {
		names = append(names, "Reserved")
	}
	if len(names) == 0 {
		return "<None>"
	}
	return strings.Join(names, ", ")
}

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

// tcpOptionNames are Wireshark's names of the options whose data it shows
// as fields, with the data's length (-1: any multiple of 8).
var tcpOptionNames = map[uint8]struct {
	name string
	data int
}{
	optMSS:           {"tcp.options.mss", 2},
	optWindowScale:   {"tcp.options.wscale", 1},
	optSACKPermitted: {"tcp.options.sack_perm", 0},
	optSACK:          {"tcp.options.sack", -1},
	optTimestamps:    {"tcp.options.timestamp", 8},
}

// tcpOptions dissects the options area b, which starts at off in the frame.
// A malformed option ends the list with an error; the options before it are
// kept.
func tcpOptions(b []byte, off int) ([]Field, error) {
	var out []Field
	for i := 0; i < len(b); {
		at := off + i
		kind := field("tcp.option_kind", at, 1, fmt.Sprint(b[i]))
		switch b[i] {
		case optEnd:
			return append(out, field("tcp.options.eol", at, 1, bytesValue(b[i:i+1]), kind)), nil
		case optNOP:
			out = append(out, field("tcp.options.nop", at, 1, bytesValue(b[i:i+1]), kind))
			i++
			continue
		}
		if i+1 >= len(b) {
			return out, errMalformed("tcp", "option %d at %d has no length", b[i], at)
		}
		n := int(b[i+1])
		if n < 2 || i+n > len(b) {
			return out, errMalformed("tcp", "option %d at %d: length %d with %d bytes left", b[i], at, n, len(b)-i)
		}
		opt, err := tcpOption(b[i:i+n], at, kind)
		if err != nil {
			return out, err
		}
		out = append(out, opt)
		i += n
	}
	return out, nil
}

// tcpOption dissects one option o (kind, length and data) at off.
func tcpOption(o []byte, off int, kind Field) (Field, error) {
	n := len(o)
	length := field("tcp.option_len", off+1, 1, fmt.Sprint(n))
	data := o[2:]
	known, ok := tcpOptionNames[o[0]]
	if !ok {
		f := field("tcp.options.unknown", off, n, bytesValue(o), kind, length)
		if n > 2 {
			f.Fields = append(f.Fields, field("tcp.options.unknown.payload", off+2, n-2, bytesValue(data)))
		}
		return f, nil
	}
	if (known.data >= 0 && len(data) != known.data) || (known.data < 0 && len(data)%8 != 0) {
		return Field{}, errMalformed("tcp", "option %d at %d: %d data bytes", o[0], off, len(data))
	}
	f := field(known.name, off, n, bytesValue(o), kind, length)
	switch o[0] {
	case optMSS:
		f.Fields = append(f.Fields, field("tcp.options.mss_val", off+2, 2, fmt.Sprint(binary.BigEndian.Uint16(data))))
	case optWindowScale:
		f.Fields = append(f.Fields,
			field("tcp.options.wscale.shift", off+2, 1, fmt.Sprint(data[0])),
			field("tcp.options.wscale.multiplier", off+2, 1, fmt.Sprint(uint64(1)<<min(data[0], 14))),
		)
	case optTimestamps:
		f.Fields = append(f.Fields,
			field("tcp.options.timestamp.tsval", off+2, 4, fmt.Sprint(binary.BigEndian.Uint32(data[0:4]))),
			field("tcp.options.timestamp.tsecr", off+6, 4, fmt.Sprint(binary.BigEndian.Uint32(data[4:8]))),
		)
	case optSACK:
		for j := 0; j < len(data); j += 8 {
			f.Fields = append(f.Fields,
				field("tcp.options.sack_le", off+2+j, 4, fmt.Sprint(binary.BigEndian.Uint32(data[j:j+4]))),
				field("tcp.options.sack_re", off+6+j, 4, fmt.Sprint(binary.BigEndian.Uint32(data[j+4:j+8]))),
			)
		}
	}
	return f, nil
}

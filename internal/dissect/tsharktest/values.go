package tsharktest

import (
	"strconv"
	"strings"
)

// Values: tshark -T json gives a field's value as a display filter reads it
// (tshark -T pdml's "show"), while Dissect gives it as Wireshark's tree
// shows it (pdml's "showname" after the label), which for some fields adds
// a name or a unit, or counts in other units. valueRules holds, by field
// name, the rule that relates the two forms for such a field; every other
// field's value must equal tshark's exactly. Each rule compares everything
// both forms hold: the part only the tree shows (a protocol's name, a
// flag's name) is not in tshark's value, and is checked by dissect's own
// tests instead.
var valueRules = map[string]valueRule{}

// valueRule relates Dissect's value of a field, ours, to tshark's, ws.
type valueRule func(ours, ws string) bool

func init() {
	rules := []struct {
		rule  valueRule
		names []string
	}{
		// "TCP (6)": a number with the name Wireshark shows beside it;
		// tshark gives the number alone.
		{named, []string{
			"eth.type", "arp.hw.type", "arp.proto.type", "arp.opcode", "ip.proto", "ipv6.nxt",
			"ipv6.hopopts.nxt", "ipv6.routing.nxt", "ipv6.dstopts.nxt", "ipv6.fraghdr.nxt", "ah.next_header",
		}},
		// "20 bytes (5)": a header length in bytes, then in the header's
		// 4-byte units; tshark gives the bytes alone.
		{leadingNumber(" bytes ("), []string{"ip.hdr_len", "tcp.hdr_len"}},
		// "0 (8 bytes)": an extension header's length field, then the
		// header's length in bytes; tshark gives the field alone.
		{leadingNumber(" ("), []string{"ipv6.hopopts.len", "ipv6.routing.len", "ipv6.dstopts.len", "ah.length"}},
		// "0x3830 (14384)": in hex, then in decimal; tshark gives the hex.
		{leadingNumber(" ("), []string{"ip.id"}},
		// "0x2, Don't fragment": the flags' number, then the names of
		// those set; tshark gives the number, zero-padded ("0x02").
		{hexBefore(","), []string{"ip.flags"}},
		// "0xe6400": tshark pads a hex number to its field type's width
		// ("0x0e6400", and "0x00000000" for the 8 bits of ipv6.tclass,
		// a 32-bit field); Wireshark's tree, and Dissect, do not.
		{hexBefore(""), []string{"ipv6.flow", "ipv6.tclass"}},
		// "8": Wireshark's tree shows the fragment offset in bytes;
		// tshark gives the field, in units of 8 bytes.
		{fragOffset, []string{"ip.frag_offset"}},
		// "Set", "Not set": a flag as Wireshark's tree shows a bit of a
		// flags field; tshark gives 1 or 0.
		{boolean("Set", "Not set"), []string{
			"ip.flags.rb", "ip.flags.df", "ip.flags.mf",
			"tcp.flags.res", "tcp.flags.ae", "tcp.flags.cwr", "tcp.flags.ece", "tcp.flags.urg",
			"tcp.flags.ack", "tcp.flags.push", "tcp.flags.reset", "tcp.flags.syn", "tcp.flags.fin",
		}},
		// "Yes", "No": a flag that is not part of a flags field.
		{boolean("Yes", "No"), []string{"ipv6.fraghdr.more"}},
		// "SYN, ACK": the names of the flags set, as Wireshark's tree
		// shows them ("Flags: 0x012 (SYN, ACK)"); tshark gives the number.
		{tcpFlags, []string{"tcp.flags"}},
		// "68:65:…": Dissect cuts a long run of bytes short after 24 of
		// them and ends it with "…"; tshark gives them all.
		{cutBytes, []string{
			"data.data", "eth.padding", "tcp.options", "tcp.options.sack",
			"tcp.options.unknown", "tcp.options.unknown.payload", "ah.icv",
		}},
	}
	for _, r := range rules {
		for _, name := range r.names {
			valueRules[name] = r.rule
		}
	}
}

// valueAgrees reports whether ours, the value Dissect gives the field
// name, agrees with ws, the value tshark -T json gives it.
func valueAgrees(name, ours, ws string) bool {
	if rule, ok := valueRules[name]; ok {
		return rule(ours, ws)
	}
	return ours == ws
}

// named: ours is "Name (N)", or N alone for a number without a name.
func named(ours, ws string) bool {
	if _, n, ok := strings.Cut(ours, " ("); ok {
		return strings.TrimSuffix(n, ")") == ws && strings.HasSuffix(n, ")")
	}
	return ours == ws
}

// leadingNumber: ours is tshark's value followed by sep and more.
func leadingNumber(sep string) valueRule {
	return func(ours, ws string) bool {
		n, _, ok := strings.Cut(ours, sep)
		return ok && n == ws
	}
}

// hexBefore: ours begins with a hex number, up to sep ("": all of it),
// that equals tshark's hex number.
func hexBefore(sep string) valueRule {
	return func(ours, ws string) bool {
		if sep != "" {
			ours, _, _ = strings.Cut(ours, sep)
		}
		a, errA := strconv.ParseUint(ours, 0, 64)
		b, errB := strconv.ParseUint(ws, 0, 64)
		return errA == nil && errB == nil && strings.HasPrefix(ours, "0x") && a == b
	}
}

// fragOffset: ours is in bytes, tshark's in units of 8 bytes.
func fragOffset(ours, ws string) bool {
	a, errA := strconv.ParseUint(ours, 10, 64)
	b, errB := strconv.ParseUint(ws, 10, 64)
	return errA == nil && errB == nil && a == 8*b
}

// boolean: ours is set or unset where tshark's is 1 or 0.
func boolean(set, unset string) valueRule {
	return func(ours, ws string) bool {
		return (ours == set && ws == "1") || (ours == unset && ws == "0")
	}
}

// wiresharkTCPFlags are the names Wireshark's tree gives the TCP flags, from
// the lowest bit up (epan/dissectors/packet-tcp.c, tcp_flags_to_str).
var wiresharkTCPFlags = []string{"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE"}

// tcpFlags: ours names the flags set in tshark's number, as Wireshark's
// tree does: in bit order, then "Reserved" for any of the top three bits,
// or "<None>".
func tcpFlags(ours, ws string) bool {
	v, err := strconv.ParseUint(ws, 0, 16)
	if err != nil {
		return false
	}
	var names []string
	for i, n := range wiresharkTCPFlags {
		if v&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	if v&0xe00 != 0 {
		names = append(names, "Reserved")
	}
	if len(names) == 0 {
		names = []string{"<None>"}
	}
	return ours == strings.Join(names, ", ")
}

// cutBytes: ours equals tshark's, or is its first 24 bytes and "…".
func cutBytes(ours, ws string) bool {
	if head, ok := strings.CutSuffix(ours, "…"); ok {
		return strings.Count(head, ":") == 23 && strings.HasPrefix(ws, head+":")
	}
	return ours == ws
}

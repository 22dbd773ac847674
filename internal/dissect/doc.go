// Package dissect turns one captured Ethernet II frame into layers (eth,
// arp, ip, ipv6 and its extension headers, tcp, udp, data) and fields, each
// field named by its Wireshark display-filter name (eth.dst, ip.ttl,
// tcp.flags.syn, ...) with its byte offset and length in the frame, a bit
// mask for fields narrower than a byte's worth of bits, and its value as
// shown.
//
// It is the one model of a frame that every view of a trace is drawn from:
// the terminal ladder, the JSON output and the web page, which lights a
// field's bytes by offset and length. The field name is also the key under
// which an explanation of the field is looked up, so names are Wireshark's
// own, and offsets agree with tshark's for the same frame (tested against
// tshark -T json -x). The package is pure: bytes in, a Frame out, no I/O.
package dissect

package dissect

import (
	"errors"
	"fmt"
	"net"
	"strings"
)

// Errors that Dissect wraps, so that a caller can tell a frame cut short
// (by a snap length, say) from one that makes no sense.
var (
	// ErrTruncated means the bytes end before a header or a length says
	// they should.
	ErrTruncated = errors.New("dissect: truncated")
	// ErrMalformed means a field holds a value no valid packet has.
	ErrMalformed = errors.New("dissect: malformed")
)

// Frame is one captured frame as layers, outermost first.
type Frame struct {
	// Length is the number of captured bytes.
	Length int `json:"length"`
	// Layers are the protocol headers found, in order, and a data layer
	// for a payload no known protocol claims.
	Layers []Layer `json:"layers"`
}

// Layer is one protocol's header (or a payload) in a frame.
type Layer struct {
	// Name is Wireshark's protocol name: eth, arp, ip, ipv6 (with its
	// extension headers, as fields named ipv6.hopopts, ipv6.routing,
	// ipv6.fraghdr, ipv6.dstopts and ah), tcp, udp, data, or eth.padding
	// for the bytes a wire adds after a short packet.
	Name string `json:"name"`
	// Offset and Length place the layer's bytes in the frame.
	Offset int `json:"offset"`
	Length int `json:"length"`
	// Fields are the layer's fields in the order of their bytes.
	Fields []Field `json:"fields"`
}

// Field is one field of a header. Its Name is its Wireshark display-filter
// name, which is also the key of its explanation.
type Field struct {
	// Name is the Wireshark display-filter name, such as tcp.flags.syn.
	Name string `json:"name"`
	// Offset and Length place the field's bytes in the frame.
	Offset int `json:"offset"`
	Length int `json:"length"`
	// Mask, when not zero, picks the field's bits out of the big-endian
	// number its Length bytes make; zero means all of them.
	Mask uint64 `json:"mask,omitempty"`
	// Value is the field's value as shown, such as "02:00:ac:10:0a:0a",
	// "64" or "SYN, ACK".
	Value string `json:"value"`
	// Fields are the parts of this field, such as the bits of tcp.flags
	// or each of tcp.options.
	Fields []Field `json:"fields,omitempty"`
}

// Walk calls fn for every field of the frame, depth first, with the layer
// it belongs to.
func (f Frame) Walk(fn func(l Layer, fd Field)) {
	for _, l := range f.Layers {
		walkFields(l, l.Fields, fn)
	}
}

func walkFields(l Layer, fs []Field, fn func(Layer, Field)) {
	for _, fd := range fs {
		fn(l, fd)
		walkFields(l, fd.Fields, fn)
	}
}

// Field returns the first field of the frame with the given name.
func (f Frame) Field(name string) (Field, bool) {
	var found Field
	ok := false
	f.Walk(func(_ Layer, fd Field) {
		if !ok && fd.Name == name {
			found, ok = fd, true
		}
	})
	return found, ok
}

// Layer returns the first layer with the given name.
func (f Frame) Layer(name string) (Layer, bool) {
	for _, l := range f.Layers {
		if l.Name == name {
			return l, true
		}
	}
	return Layer{}, false
}

// Dissect decodes one Ethernet II frame, as an AF_PACKET socket or a pcap
// file of link type 1 gives it, as far as it knows how. Bytes that end too
// soon or make no sense give the layers decoded until then and an error
// naming the layer, wrapping ErrTruncated or ErrMalformed; Dissect never
// panics. Checksums are shown, not verified: on loopback the kernel does not
// fill them in.
func Dissect(b []byte) (Frame, error) {
	d := &dissector{b: b, f: Frame{Length: len(b), Layers: []Layer{}}}
	err := d.ethernet()
	return d.f, err
}

// dissector holds the frame being dissected and the layers found so far.
type dissector struct {
	b []byte
	f Frame
}

// add appends a layer.
func (d *dissector) add(name string, off, n int, fields ...Field) {
	d.f.Layers = append(d.f.Layers, Layer{Name: name, Offset: off, Length: n, Fields: fields})
}

// need reports an error naming layer when the frame ends before off+n.
func (d *dissector) need(layer, what string, off, n int) error {
	return needIn(layer, what, off, n, len(d.b))
}

// needIn reports an error naming layer when the bytes that end at end (the
// frame's or the packet's) end before off+n.
func needIn(layer, what string, off, n, end int) error {
	if have := end - off; have < n {
		return fmt.Errorf("dissect %s: %d bytes, %s needs %d: %w", layer, max(have, 0), what, n, ErrTruncated)
	}
	return nil
}

// data adds the bytes b[off:end] as a data layer, if there are any.
func (d *dissector) data(off, end int) {
	if end <= off {
		return
	}
	d.add("data", off, end-off, field("data.data", off, end-off, bytesValue(d.b[off:end])))
}

// field makes a field of whole bytes.
func field(name string, off, n int, value string, children ...Field) Field {
	return Field{Name: name, Offset: off, Length: n, Value: value, Fields: children}
}

// bits makes a field of the bits mask picks from n bytes at off.
func bits(name string, off, n int, mask uint64, value string, children ...Field) Field {
	return Field{Name: name, Offset: off, Length: n, Mask: mask, Value: value, Fields: children}
}

// flag makes a one-bit field shown as Wireshark shows a boolean.
func flag(name string, off int, mask uint64, set bool) Field {
	v := "Not set"
	if set {
		v = "Set"
	}
	return bits(name, off, 1, mask, v)
}

// macValue shows a MAC address as Wireshark does: 02:00:ac:10:0a:0a.
func macValue(b []byte) string { return net.HardwareAddr(b).String() }

// maxBytesShown bounds how many bytes a bytes value shows.
const maxBytesShown = 24

// bytesValue shows bytes as Wireshark does, colon-separated hex, cut short
// after maxBytesShown bytes.
func bytesValue(b []byte) string {
	var sb strings.Builder
	for i, c := range b {
		if i == maxBytesShown {
			sb.WriteString("…")
			break
		}
		if i > 0 {
			sb.WriteByte(':')
		}
		fmt.Fprintf(&sb, "%02x", c)
	}
	return sb.String()
}

// named shows a number with its name, as Wireshark does: "TCP (6)".
func named(names map[uint64]string, v uint64, format string) string {
	n := fmt.Sprintf(format, v)
	if s, ok := names[v]; ok {
		return s + " (" + n + ")"
	}
	return n
}

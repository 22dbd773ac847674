package netem

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"
)

func TestDecide(t *testing.T) {
	issue := Faults{Loss: 0.10, Delay: 20 * time.Millisecond, Jitter: 5 * time.Millisecond, Reorder: 0.25, Duplicate: 0.02, Corrupt: 0.01}
	mid := Rolls{Loss: 0.5, Duplicate: 0.5, Corrupt: 0.5, Reorder: 0.5, Jitter: 0.5}
	with := func(f func(*Rolls)) Rolls { r := mid; f(&r); return r }
	tests := []struct {
		name   string
		faults Faults
		rolls  Rolls
		want   Decision
	}{
		{"perfect wire", Faults{}, Rolls{}, Decision{}},
		{"no faults drawn", issue, mid, Decision{Delay: 20 * time.Millisecond}},
		{"lost", issue, with(func(r *Rolls) { r.Loss = 0.09 }), Decision{Drop: true}},
		{"loss roll at the probability is kept", issue, with(func(r *Rolls) { r.Loss = 0.10 }), Decision{Delay: 20 * time.Millisecond}},
		{"lost suffers nothing else", issue, Rolls{}, Decision{Drop: true}},
		{"duplicated", issue, with(func(r *Rolls) { r.Duplicate = 0.01 }), Decision{Duplicate: true, Delay: 20 * time.Millisecond}},
		{"corrupted", issue, with(func(r *Rolls) { r.Corrupt = 0.005 }), Decision{Corrupt: true, Delay: 20 * time.Millisecond}},
		{"reordered skips the delay", issue, with(func(r *Rolls) { r.Reorder = 0.2 }), Decision{Reorder: true}},
		{"everything but loss", issue, Rolls{Loss: 0.99}, Decision{Duplicate: true, Corrupt: true, Reorder: true}},
		{"least jitter", issue, with(func(r *Rolls) { r.Jitter = 0 }), Decision{Delay: 15 * time.Millisecond}},
		{"most jitter", issue, with(func(r *Rolls) { r.Jitter = 0.75 }), Decision{Delay: 22500 * time.Microsecond}},
		{"jitter beyond the delay stops at zero", Faults{Delay: time.Millisecond, Jitter: 5 * time.Millisecond}, Rolls{}, Decision{}},
		{"certain loss", Faults{Loss: 1}, Rolls{Loss: 0.999999}, Decision{Drop: true}},
		{"reorder without delay", Faults{Reorder: 1}, Rolls{}, Decision{Reorder: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.faults.Decide(tt.rolls); got != tt.want {
				t.Errorf("Decide(%+v) = %+v, want %+v", tt.rolls, got, tt.want)
			}
		})
	}
}

// tcp4 builds an IPv4 packet carrying a TCP segment with data, with correct
// checksums.
func tcp4(data string) []byte {
	pkt := make([]byte, 20+20+len(data))
	pkt[0] = 0x45
	binary.BigEndian.PutUint16(pkt[2:], uint16(len(pkt)))
	binary.BigEndian.PutUint16(pkt[6:], 0x4000) // don't fragment
	pkt[8], pkt[9] = 64, 6
	copy(pkt[12:], []byte{10, 201, 0, 2, 10, 201, 0, 1})
	binary.BigEndian.PutUint16(pkt[10:], ^sum(0, pkt[:20]))
	tcp := pkt[20:]
	binary.BigEndian.PutUint16(tcp[0:], 40000)
	binary.BigEndian.PutUint16(tcp[2:], 8080)
	tcp[12] = 5 << 4
	tcp[13] = 0x18 // PSH, ACK
	copy(tcp[20:], data)
	binary.BigEndian.PutUint16(tcp[16:], ^tcpSum4(pkt))
	return pkt
}

// withIPOptions gives the IPv4 packet pkt four bytes of IP options (no-ops).
func withIPOptions(pkt []byte) []byte {
	q := append(append(bytes.Clone(pkt[:20]), 1, 1, 1, 1), pkt[20:]...)
	q[0]++
	binary.BigEndian.PutUint16(q[2:], uint16(len(q)))
	return q
}

// tcp6 builds an IPv6 packet carrying a TCP segment with data; its checksum
// is not filled in.
func tcp6(data string) []byte {
	pkt := make([]byte, 40+20+len(data))
	pkt[0] = 0x60
	binary.BigEndian.PutUint16(pkt[4:], uint16(20+len(data)))
	pkt[6], pkt[7] = 6, 64
	pkt[40+12] = 5 << 4
	copy(pkt[60:], data)
	return pkt
}

// sum is the ones' complement sum of b added to s, folded to 16 bits.
func sum(s uint32, b []byte) uint16 {
	for ; len(b) >= 2; b = b[2:] {
		s += uint32(binary.BigEndian.Uint16(b))
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	return uint16(s)
}

// tcpSum4 is the ones' complement sum the TCP checksum covers in the IPv4
// packet pkt: the pseudo-header, the TCP header and the data. A segment is
// intact when it is 0xffff.
func tcpSum4(pkt []byte) uint16 {
	ihl := int(pkt[0]&0x0f) * 4
	tcp := pkt[ihl:binary.BigEndian.Uint16(pkt[2:])]
	pseudo := append(bytes.Clone(pkt[12:20]), 0, 6, byte(len(tcp)>>8), byte(len(tcp)))
	return sum(uint32(sum(0, pseudo)), tcp)
}

func TestFlipPayloadBit(t *testing.T) {
	mutate := func(pkt []byte, f func([]byte)) []byte { f(pkt); return pkt }
	tests := []struct {
		name   string
		pkt    []byte
		n      uint64
		offset int // of the byte changed, or -1 for none
	}{
		{"first data bit", tcp4("hello"), 0, 40},
		{"last data bit", tcp4("hello"), 39, 44},
		{"n wraps around the data", tcp4("hello"), 40 + 9, 41},
		{"after TCP options", mutate(tcp4("twelve bytes of options, then data"), func(p []byte) { p[32] = 8 << 4 }), 0, 52},
		{"after IPv4 options", withIPOptions(tcp4("hello")), 0, 44},
		{"IPv6", tcp6("hello"), 8, 61},
		{"no data: a pure ACK", tcp4(""), 5, -1},
		{"UDP", mutate(tcp4("hello"), func(p []byte) { p[9] = 17 }), 0, -1},
		{"fragment", mutate(tcp4("hello"), func(p []byte) { p[6] = 0x20 }), 0, -1},
		{"later fragment", mutate(tcp4("hello"), func(p []byte) { p[7] = 1 }), 0, -1},
		{"IPv6 extension header", mutate(tcp6("hello"), func(p []byte) { p[6] = 0 }), 0, -1},
		{"truncated", tcp4("hello")[:30], 0, -1},
		{"total length beyond the packet", mutate(tcp4("hello"), func(p []byte) { p[3]++ }), 0, -1},
		{"data offset beyond the segment", mutate(tcp4("hello"), func(p []byte) { p[32] = 15 << 4 }), 0, -1},
		{"data offset too small", mutate(tcp4("hello"), func(p []byte) { p[32] = 4 << 4 }), 0, -1},
		{"IPv4 header length too small", mutate(tcp4("hello"), func(p []byte) { p[0] = 0x44 }), 0, -1},
		{"not IP", []byte{0x00, 1, 2, 3}, 0, -1},
		{"empty", nil, 0, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := bytes.Clone(tt.pkt)
			offset, ok := FlipPayloadBit(tt.pkt, tt.n)
			if tt.offset < 0 {
				if ok || !bytes.Equal(tt.pkt, orig) {
					t.Errorf("FlipPayloadBit changed byte %d (ok %v); want no change", offset, ok)
				}
				return
			}
			if !ok || offset != tt.offset {
				t.Fatalf("FlipPayloadBit = %d, %v; want %d, true", offset, ok, tt.offset)
			}
			var diff []int
			for i := range tt.pkt {
				if b := tt.pkt[i] ^ orig[i]; b != 0 {
					diff = append(diff, i)
					if b&(b-1) != 0 {
						t.Errorf("byte %d: %08b became %08b; want one bit flipped", i, orig[i], tt.pkt[i])
					}
				}
			}
			if len(diff) != 1 || diff[0] != tt.offset {
				t.Errorf("bytes changed: %v; want only %d", diff, tt.offset)
			}
		})
	}
}

// TestFlipPayloadBitBreaksChecksum: whichever bit is flipped, the segment's
// TCP checksum no longer holds while its IPv4 header checksum still does, so
// the receiver's TCP, not IP, drops it.
func TestFlipPayloadBitBreaksChecksum(t *testing.T) {
	pkt := tcp4("every bit of this is covered")
	if got := tcpSum4(pkt); got != 0xffff {
		t.Fatalf("test packet's TCP sum is %#x; want 0xffff", got)
	}
	for n := range uint64(8 * 28) {
		p := bytes.Clone(pkt)
		if _, ok := FlipPayloadBit(p, n); !ok {
			t.Fatalf("bit %d: not flipped", n)
		}
		if got := tcpSum4(p); got == 0xffff {
			t.Errorf("bit %d: the TCP checksum still holds", n)
		}
		if got := sum(0, p[:20]); got != 0xffff {
			t.Errorf("bit %d: the IP header checksum broke (sum %#x)", n, got)
		}
	}
}

package netem

import (
	"encoding/binary"
	"time"
)

// Faults says what a Relay does to the packets it carries, each fault drawn
// independently per packet, as kernel netem's options do. Probabilities are
// in [0, 1]; the zero value is a perfect wire.
type Faults struct {
	// Loss is the probability that a packet is dropped.
	Loss float64
	// Delay is how long a packet waits before it is sent on, give or take
	// Jitter (uniformly distributed); a delay never goes below zero. Jitter
	// alone reorders packets that arrive closer together than 2*Jitter.
	Delay, Jitter time.Duration
	// Reorder is the probability that a packet skips the delay and is sent at
	// once, overtaking the packets still waiting.
	Reorder float64
	// Duplicate is the probability that a packet is sent twice.
	Duplicate float64
	// Corrupt is the probability that one bit of a packet's TCP data is
	// flipped (see FlipPayloadBit). Packets without TCP data are never
	// corrupted.
	Corrupt float64
}

// Rolls are the random numbers that decide the fate of one packet, each
// uniform in [0, 1).
type Rolls struct {
	Loss, Duplicate, Corrupt, Reorder, Jitter float64
}

// Decision is the fate of one packet.
type Decision struct {
	Drop      bool          // lost: nothing is sent
	Duplicate bool          // sent twice, both copies after the same delay
	Corrupt   bool          // the first copy has one bit of its TCP data flipped
	Reorder   bool          // skips the delay (Delay is zero)
	Delay     time.Duration // how long the packet waits before it is sent
}

// Decide is the fate of a packet with the given rolls: a fault happens when
// its roll is below its probability. A dropped packet suffers nothing else.
// Decide is a pure function.
func (f Faults) Decide(r Rolls) Decision {
	if r.Loss < f.Loss {
		return Decision{Drop: true}
	}
	d := Decision{Duplicate: r.Duplicate < f.Duplicate, Corrupt: r.Corrupt < f.Corrupt}
	if r.Reorder < f.Reorder {
		d.Reorder = true
		return d
	}
	d.Delay = max(0, f.Delay+time.Duration((2*r.Jitter-1)*float64(f.Jitter)))
	return d
}

// FlipPayloadBit flips bit n (modulo the number of bits there) of the data
// carried by the TCP segment in pkt, an IPv4 or IPv6 packet, and reports the
// offset in pkt of the byte it changed. The IP and TCP headers are left
// alone, so the packet still reaches the receiver's TCP, and the bit is one
// the TCP checksum covers, so that TCP drops the segment as corrupt
// (TcpInCsumErrors) instead of delivering it. It changes nothing and returns
// false for anything else: a segment without data, another protocol, an IP
// fragment, IPv6 with extension headers, or a truncated packet.
func FlipPayloadBit(pkt []byte, n uint64) (offset int, ok bool) {
	start, end, ok := tcpData(pkt)
	if !ok || start == end {
		return 0, false
	}
	bits := uint64(end-start) * 8
	n %= bits
	offset = start + int(n/8)
	pkt[offset] ^= 1 << (n % 8)
	return offset, true
}

// tcpData finds the data of the TCP segment in the IP packet pkt: it is
// pkt[start:end].
func tcpData(pkt []byte) (start, end int, ok bool) {
	const protoTCP = 6
	if len(pkt) < 1 {
		return 0, 0, false
	}
	var hdr int // where the TCP header starts
	switch pkt[0] >> 4 {
	case 4:
		hdr = int(pkt[0]&0x0f) * 4
		if hdr < 20 || len(pkt) < hdr || pkt[9] != protoTCP {
			return 0, 0, false
		}
		if binary.BigEndian.Uint16(pkt[6:8])&0x3fff != 0 { // more fragments, or an offset
			return 0, 0, false
		}
		end = int(binary.BigEndian.Uint16(pkt[2:4]))
	case 6:
		hdr = 40
		if len(pkt) < hdr || pkt[6] != protoTCP {
			return 0, 0, false
		}
		end = hdr + int(binary.BigEndian.Uint16(pkt[4:6]))
	default:
		return 0, 0, false
	}
	if end > len(pkt) || end < hdr+20 {
		return 0, 0, false
	}
	start = hdr + int(pkt[hdr+12]>>4)*4
	if start < hdr+20 || start > end {
		return 0, 0, false
	}
	return start, end, true
}

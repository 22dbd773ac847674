package bench

import (
	"bytes"
	"math/rand/v2"

	"github.com/upcase/upcase/internal/upper"
)

// A payload is the byte stream every connection sends, and the reply it
// expects: an endless sequence of period bytes repeated. Both are stored with
// their first maxChunk bytes repeated after the end, so that any window of up
// to maxChunk bytes, starting anywhere, is one contiguous slice: sending and
// checking copy nothing and compute nothing per message. A payload is only
// read once made, so all connections share one.
type payload struct {
	period int64
	send   []byte // period+maxChunk bytes
	want   []byte // the expected reply to send; nil: anything goes
}

// Periods for the payload: primes, so that message k and message k+j (j
// less than the period) start at different points of the stream unless the
// message size is a multiple of the period; the second is for that case.
//
// They are small, as the C reference client's (bench/compare/cepoll,
// 4093), so that what a run reads of the payload and of its expected reply
// stays in the first-level cache: with periods of 65521 and 65519 (256 KiB
// of payload and reply), 50 connections of 1 KiB messages cost bench 1.38x
// the C client's CPU per message, and the C client itself 1.27x when it was
// given a pattern of 65521 bytes; the server behind it paid as much more.
const (
	period1 = 4093
	period2 = 4091
)

// newPayload makes the payload for messages of size bytes. It is the same
// for every run: a mismatch can be reproduced.
func newPayload(size int, expect Expect) *payload {
	period := period1
	if size%period1 == 0 {
		period = period2
	}
	rng := rand.New(rand.NewPCG(0x75706361, 0x7365)) // "upca" "se"
	p := &payload{period: int64(period), send: make([]byte, period+maxChunk)}
	for i := range period {
		b := randomByte(rng)
		for i > 0 && b == p.send[i-1] { // neighbours differ, so 1-byte messages vary too
			b = randomByte(rng)
		}
		p.send[i] = b
	}
	for i := period; i < len(p.send); i++ { // maxChunk > period: it may wrap twice
		p.send[i] = p.send[i-period]
	}
	switch expect {
	case ExpectUpper:
		p.want = append([]byte(nil), p.send...)
		upper.ASCII(p.want)
	case ExpectEcho:
		p.want = p.send
	}
	return p
}

// randomByte draws one byte of the stream: about half lower-case letters,
// which upper-casing changes, and half bytes it must leave alone. The high
// bytes are ones that are never part of valid UTF-8, so that a server doing
// Unicode upper-casing passes them through unchanged too.
func randomByte(rng *rand.Rand) byte {
	const others = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\x00\t\n\r\x1b\x7f\xc0\xc1\xf5\xf8\xfe\xff"
	if rng.IntN(2) == 0 {
		return byte('a' + rng.IntN(26))
	}
	return others[rng.IntN(len(others))]
}

// sendAt returns the n bytes (n ≤ maxChunk) of the stream from offset off.
func (p *payload) sendAt(off int64, n int) []byte {
	i := off % p.period
	return p.send[i : i+int64(n)]
}

// check reports whether got is the expected reply at stream offset off
// (len(got) ≤ maxChunk).
func (p *payload) check(off int64, got []byte) bool {
	if p.want == nil {
		return true
	}
	i := off % p.period
	return bytes.Equal(got, p.want[i:i+int64(len(got))])
}

// start is where connection i begins in the stream, so that connections
// send different bytes.
func (p *payload) start(i int) int64 { return int64(i) * 7919 % p.period }

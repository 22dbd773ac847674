package upper

// Unicode mode: full Unicode upper-casing of UTF-8 by golang.org/x/text/cases,
// which maps ß to SS and ﬁ to FI, knows the Turkish, Azeri, Greek and
// Lithuanian rules, and passes invalid UTF-8 through unchanged. A reply can be
// up to three times as long as its request (ΐ, 2 bytes, becomes 6) and, under
// Greek rules, shorter.

import (
	"bytes"
	"encoding/binary"
	"sync/atomic"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
	"golang.org/x/text/transform"
)

// Unicode upper-cases a whole message (for a UDP datagram), appending to dst.
//
// The result is exactly cases.Upper(tag).Bytes(src): full Unicode casing for
// language tag, invalid UTF-8 passed through unchanged, and at most three
// times as long as src (ΐ, 2 bytes, becomes 6). dst and src must not overlap.
// Unicode allocates only when dst lacks the room, except that under a
// language with rules of its own (tr, az, el, lt) x/text allocates a little
// for each call.
func Unicode(dst, src []byte, tag language.Tag) []byte {
	if asciiRuleFor(tag).covers(src) {
		n := len(dst)
		dst = append(dst, src...)
		ASCII(dst[n:])
		return dst
	}
	dst, _ = transformAppend(cases.Upper(tag), dst, src, true)
	return dst
}

// maxGrowth is how many times longer upper-casing can make a text: U+0390 ΐ,
// 2 bytes, becomes Ϊ́, three runes of 2 bytes.
const maxGrowth = 3

// transformAppend runs t over src, appending to dst and growing it whenever t
// asks (ErrShortDst). It returns dst and how many bytes of src t consumed:
// all of them if atEOF, otherwise all but a tail that t needs more input to
// decide (ErrShortSrc).
//
// It is generic so that a cases.Caser is passed as it is: turning one into a
// transform.Transformer interface value would allocate on every call.
//
// At the end of the input (atEOF) the invalid bytes at its end that could
// start a sequence (see badTail) are not given to t but appended as they
// are, which is what t would do with them: each is invalid, copied as it is,
// and ends any lookahead just as the end of the input does. This keeps clear
// of a panic in x/text v0.44.0: under lt, "i\u0307\xcc" with atEOF indexes
// past the end of src (ltUpper reads the byte after a final 0xCC without
// checking there is one). FuzzUnicodeMessage checks the equivalence on every
// input that does not panic.
func transformAppend[T transform.Transformer](t T, dst, src []byte, atEOF bool) ([]byte, int) {
	dst = grow(dst, len(src)+utf8.UTFMax, maxGrowth*len(src)+utf8.UTFMax)
	var tail []byte
	if atEOF {
		cut := len(src) - badTail(src)
		src, tail = src[:cut], src[cut:]
	}
	n := 0
	for {
		nDst, nSrc, err := t.Transform(dst[len(dst):cap(dst)], src[n:], atEOF)
		dst = dst[:len(dst)+nDst]
		n += nSrc
		if err != transform.ErrShortDst {
			if atEOF {
				dst = append(dst, tail...)
				n += len(tail)
			}
			return dst, n
		}
		// Room for the rest at its longest. Should a rune ever need more,
		// at least doubling the room still makes progress.
		need := max(maxGrowth*(len(src)-n)+utf8.UTFMax, 2*(cap(dst)-len(dst))+1)
		dst = grow(dst, need, need)
	}
}

// badTail returns how many bytes at the end of b are incomplete UTF-8
// sequences, one after another: "\xcc\xcc" is two of them. b without them
// does not end in a byte that could start a sequence.
func badTail(b []byte) int {
	n := 0
	for k := incompleteTail(b); k > 0; k = incompleteTail(b[:len(b)-n]) {
		n += k
	}
	return n
}

// grow returns dst with room for need more bytes. It grows the buffer at
// least twofold, so that a run of slightly longer chunks costs few copies, but
// never past room for limit more bytes (limit >= need).
func grow(dst []byte, need, limit int) []byte {
	if cap(dst)-len(dst) >= need {
		return dst
	}
	c := min(max(2*cap(dst), len(dst)+need), len(dst)+limit)
	b := make([]byte, len(dst), c)
	copy(b, dst)
	return b
}

// An asciiRule says when text may take the fast path, ASCII in place, instead
// of going through the Caser: when it is all ASCII and holds none of the
// bytes in special, the ASCII bytes that the language's rules treat
// otherwise. That is i under tr and az (it becomes İ, two bytes) and i and j
// under lt (a dot above that follows is dropped); under und and el there are
// none.
type asciiRule struct {
	off     bool   // too many special bytes to scan for: no fast path
	special string // at most maxSpecial bytes
}

const maxSpecial = 4

func (r asciiRule) covers(p []byte) bool {
	if r.off || !isASCII(p) {
		return false
	}
	for i := 0; i < len(r.special); i++ {
		if bytes.IndexByte(p, r.special[i]) >= 0 {
			return false
		}
	}
	return true
}

// isASCII reports whether every byte of p is below 0x80.
func isASCII(p []byte) bool {
	for len(p) >= 8 {
		if binary.LittleEndian.Uint64(p)&hi1 != 0 {
			return false
		}
		p = p[8:]
	}
	for _, c := range p {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// lastRule is the rule probed for the latest tag asked for. A server uses one
// tag for all its connections, so a new connection costs an atomic load; a
// different tag costs a new probe, never more memory.
var lastRule atomic.Pointer[taggedRule]

type taggedRule struct {
	tag  language.Tag
	rule asciiRule
}

// asciiRuleFor returns the fast-path rule for cases.Upper(tag).
func asciiRuleFor(tag language.Tag) asciiRule {
	if r := lastRule.Load(); r != nil && r.tag == tag {
		return r.rule
	}
	r := probeASCII(cases.Upper(tag))
	lastRule.Store(&taggedRule{tag: tag, rule: r})
	return r
}

// probeASCII asks c itself which ASCII bytes it does not upper-case as ASCII
// does, rather than trusting a list of languages: each byte is transformed
// alone with atEOF false, and is special unless c turns it into ASCII's one
// byte and consumes it at once. A Caser consumes only what no later input can
// change (that is what makes streaming with it correct), and upper-casing
// keeps no state between runes, so a byte that passes is cased the same
// wherever it stands, and a chunk of such bytes is cased exactly by ASCII.
// Under tr, i fails (it becomes İ); under lt, i and j fail (c waits to see
// whether a dot above follows).
func probeASCII(c cases.Caser) asciiRule {
	var special []byte
	var dst [2 * utf8.UTFMax]byte
	for b := range byte(utf8.RuneSelf) {
		want := [1]byte{b}
		ASCII(want[:])
		nDst, nSrc, err := c.Transform(dst[:], []byte{b}, false)
		c.Reset()
		if err != nil || nSrc != 1 || nDst != 1 || dst[0] != want[0] {
			special = append(special, b)
		}
	}
	if len(special) > maxSpecial {
		return asciiRule{off: true}
	}
	return asciiRule{special: string(special)}
}

package upper

import (
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

// A Stream upper-cases one connection's bytes as they arrive, in chunks split
// at arbitrary points. A Stream is not safe for concurrent use: make one per
// connection.
type Stream interface {
	// Chunk returns the reply to p: everything that can be transformed so
	// far. It may modify p in place, and may return p itself or a buffer of its
	// own; the result is valid until the next call.
	//
	// It holds back only what later input can still change, and sends that in
	// a later Chunk or in Flush: a true prefix of a valid UTF-8 sequence at
	// the very end of the input so far (C3, or E2 82, but not E0 80, ED A0,
	// F4 90 or F5, which nothing can complete), and, under a language whose
	// casing looks ahead (el, lt), the valid text before it that is waiting
	// for that context. Invalid UTF-8 is never held: it goes back at once,
	// unchanged, so that a client sending Latin-1 line by line gets each line
	// back.
	Chunk(p []byte) []byte
	// Flush returns what was held back, transformed, at the end of the stream.
	Flush() []byte
}

var (
	_ Stream = asciiStream{}
	_ Stream = (*unicodeStream)(nil)
)

// NewASCII returns the lesson's transform as a Stream: stateless, in place,
// no allocation; Chunk(p) is ASCII(p) and returns p.
func NewASCII() Stream { return asciiStream{} }

// asciiStream is ASCII as a Stream. It holds nothing back: every byte is
// transformed on its own.
type asciiStream struct{}

func (asciiStream) Chunk(p []byte) []byte { ASCII(p); return p }
func (asciiStream) Flush() []byte         { return nil }

// carryCap is how many bytes a Unicode stream may hold back between chunks.
//
// What a Unicode stream holds back (x/text v0.44.0's Transform returns
// ErrShortSrc and leaves the tail unconsumed when atEOF is false, and the
// stream hands it back whatever of that tail is invalid; see consume):
//   - for the default rules (und) and for tr and az: only a true prefix of a
//     valid UTF-8 sequence at the end of the input, at most 3 bytes. A run of
//     combining marks costs nothing: each rune is cased on its own.
//   - for el (Greek accents are dropped) and lt (a dot above is dropped after
//     i and j): a rune plus up to 30 following marks of lookahead (maxIgnorable
//     in x/text/cases), at most 4+29*4+2+3 = 125 bytes. TestCarryWorstCase
//     builds that input and measures it.
//
// x/text stops looking after 30 marks, so a hostile run of marks or of
// invalid bytes cannot make the carry grow without end. The cap is a second
// bound, for a later x/text that looked further: a carry that would exceed it
// is transformed as if the stream ended there (atEOF), keeping back only a
// trailing incomplete UTF-8 sequence. The effect is that of a message
// boundary at that point: a Greek accent or Lithuanian dot that comes more
// than carryCap bytes after its letter is left as it is. Real text never gets
// near it, and with x/text v0.44.0 not even hostile text does.
const carryCap = 128

// unicodeStream is NewUnicode's Stream.
type unicodeStream struct {
	caser cases.Caser
	ascii asciiRule // when a chunk may take the in-place ASCII path

	max   int    // carry cap: carryCap, lowered by tests
	carry []byte // held-back bytes, at most max of them, at the start of win
	win   [2 * carryCap]byte
	out   []byte // the reply, reused across calls
}

// NewUnicode returns a Stream doing full Unicode upper-casing of UTF-8 for
// language tag (language.Und for the default rules, language.Turkish for
// dotted/dotless i). Invalid UTF-8 passes through unchanged.
//
// Concatenating the replies of Chunk and Flush gives exactly
// Unicode(nil, input, tag), however the input was split into chunks. A reply
// can be up to three times as long as the bytes it answers (ΐ, 2 bytes,
// becomes 6), or shorter (Greek accents are dropped under el). At most
// carryCap bytes are held back between calls, and the reply buffer grows to
// at most three times the largest chunk plus the carry. Only what later input
// can still change is held back (see Stream): invalid UTF-8 is answered at
// once.
func NewUnicode(tag language.Tag) Stream {
	s := &unicodeStream{
		caser: cases.Upper(tag),
		ascii: asciiRuleFor(tag),
		max:   carryCap,
	}
	s.carry = s.win[:0]
	return s
}

func (s *unicodeStream) Chunk(p []byte) []byte {
	if len(s.carry) == 0 && s.ascii.covers(p) {
		ASCII(p)
		return p
	}
	s.out = s.out[:0]
	p = s.drain(p)
	if len(p) == 0 {
		return s.out
	}
	s.hold(p[s.consume(p):])
	return s.out
}

func (s *unicodeStream) Flush() []byte {
	s.out = s.out[:0]
	if len(s.carry) > 0 {
		s.out, _ = transformAppend(s.caser, s.out, s.carry, true)
		s.carry = s.win[:0]
	}
	s.caser.Reset()
	return s.out
}

// drain transforms the carry together with the start of p, appending to
// s.out, and returns the rest of p. Only a window of p is copied: once the
// casing has consumed the whole carry it is back in step with p itself.
func (s *unicodeStream) drain(p []byte) []byte {
	for len(s.carry) > 0 && len(p) > 0 {
		n := len(s.carry)
		m := copy(s.win[n:2*s.max], p)
		w := s.win[:n+m]
		k := s.consume(w)
		if k >= n {
			s.carry = s.win[:0]
			return p[k-n:]
		}
		// The casing still holds back part of the old carry. If the window
		// was full this is more than max bytes and hold forces it out; either
		// way the loop goes on with what is left of p.
		p = p[m:]
		s.hold(w[k:])
	}
	return p
}

// consume transforms as much of p as the input so far decides, appending to
// s.out, and returns how many bytes of p that is. What it leaves is what later
// input can still change: a true prefix of a valid UTF-8 sequence at the end
// of p, or context the casing needs (el, lt), or both.
//
// The Caser alone, with atEOF false, leaves more. x/text v0.44.0 (context.next
// and the trie's lookup) stops with ErrShortSrc at a lead byte from C2 to F7
// with fewer bytes after it than its sequence needs, whatever those bytes are:
// it would hold E9 0A, a Latin-1 é and a newline, until more input came. Where
// it stops on a lead byte that nothing can complete (see invalidStop), consume
// transforms up to and including that byte as if the input ended there, then
// goes on after it. That gives what the Caser gives over the whole input,
// whatever comes next. There it reads the lead byte, with any continuation
// bytes that follow, as one invalid unit, which its tables give no case and
// no combining class (TestCaserInvalidUnits): the unit is copied as it is and
// ends any Greek or Lithuanian lookahead. The end of the input does the same:
// it copies the same bytes, one at a time, and ends the lookahead at the same
// place. FuzzUnicodeStream and FuzzUnicodeStreamHold check the result against
// Unicode over the whole input.
func (s *unicodeStream) consume(p []byte) int {
	done := 0
	for {
		var n int
		s.out, n = transformAppend(s.caser, s.out, p[done:], false)
		done += n
		j := invalidStop(p[done:])
		if j < 0 {
			return done
		}
		s.out, _ = transformAppend(s.caser, s.out, p[done:done+j+1], true)
		done += j + 1
	}
}

// invalidStop returns where in rest, the bytes the Caser did not consume with
// atEOF false, it stopped on a lead byte that cannot start valid UTF-8
// whatever follows; or -1 if it did not, that is, if rest is empty, or ends
// in a true prefix of a valid sequence, or is only context.
//
// The Caser stops on the first lead byte (C2 to F7) that has fewer bytes
// after it than seqLen says. Every byte that is not a continuation byte
// starts a unit of the Caser's, so that is the first such byte among the last
// three. Whether what starts there is a true prefix is utf8.FullRune's strict
// reading: C2 to F4 with each following byte in its allowed range (A0 to BF
// after E0, 80 to 9F after ED, 90 to BF after F0, 80 to 8F after F4).
func invalidStop(rest []byte) int {
	for j := max(len(rest)-3, 0); j < len(rest); j++ {
		if seqLen(rest[j]) > len(rest)-j {
			if utf8.FullRune(rest[j:]) {
				return j // invalid: no continuation can make it valid
			}
			return -1
		}
	}
	return -1
}

// hold keeps rest, the bytes the casing did not consume, for the next call.
// If they exceed the cap it transforms all but a trailing incomplete UTF-8
// sequence as at the end of the stream (see carryCap). rest may overlap win.
func (s *unicodeStream) hold(rest []byte) {
	if len(rest) > s.max {
		cut := len(rest) - incompleteTail(rest)
		s.out, _ = transformAppend(s.caser, s.out, rest[:cut], true)
		rest = rest[cut:]
	}
	s.carry = s.win[:copy(s.win[:], rest)]
}

// incompleteTail returns how many bytes at the end of b are the start of a
// UTF-8 sequence that more bytes could complete: 0 to 3.
func incompleteTail(b []byte) int {
	for i := 1; i <= 3 && i <= len(b); i++ {
		c := b[len(b)-i]
		if c&0xC0 == 0x80 { // a continuation byte: look further back
			continue
		}
		if seqLen(c) > i {
			return i
		}
		return 0
	}
	return 0
}

// seqLen returns the length of the UTF-8 sequence that lead byte c starts, as
// x/text's tables read it: 2 for 0xC2 to 0xDF, 3 for 0xE0 to 0xEF, 4 for 0xF0
// to 0xF7, and 1 for anything else (ASCII, or a byte that is invalid alone).
func seqLen(c byte) int {
	switch {
	case c >= 0xF8 || c < 0xC2:
		return 1
	case c >= 0xF0:
		return 4
	case c >= 0xE0:
		return 3
	}
	return 2
}

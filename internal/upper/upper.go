// Package upper holds upcase's byte transforms: what the server does to the
// bytes it receives, kept apart from how those bytes are moved.
//
// ASCII is the lesson's transform, exactly Python's bytes.upper(): the 26
// bytes 'a' to 'z' become 'A' to 'Z' and every other byte value, including
// every byte of 0x80 and above, is left as it is. It never changes a length,
// so a reply can be written from the very buffer the request was read into.
//
// The standard library's bytes.ToUpper is not used on purpose: once it meets a
// byte of 0x80 or above it decodes the input as UTF-8, replaces invalid bytes
// with U+FFFD and may change the length, which breaks "every byte back".
package upper

import "encoding/binary"

// ASCII upper-cases p in place, exactly as Python's bytes.upper() does: bytes
// 'a' (0x61) to 'z' (0x7A) lose their lower-case bit and nothing else changes.
// It allocates nothing and is safe to call on disjoint slices concurrently.
func ASCII(p []byte) {
	// Eight bytes at a time: for each byte b of a word, (b + 0x80 - 'a') has its top
	// bit set when b >= 'a', and (b + 0x80 - ('z'+1)) has it set when b > 'z'.
	// Doing the sums on the low seven bits of each byte keeps carries inside it.
	for len(p) >= 8 {
		binary.LittleEndian.PutUint64(p, asciiWord(binary.LittleEndian.Uint64(p)))
		p = p[8:]
	}
	for i, c := range p {
		if 'a' <= c && c <= 'z' {
			p[i] = c - ('a' - 'A')
		}
	}
}

const (
	lo7  = 0x7f7f7f7f7f7f7f7f // the low seven bits of every byte
	hi1  = 0x8080808080808080 // the top bit of every byte
	ones = 0x0101010101010101 // one in every byte
)

// asciiWord upper-cases the eight bytes packed in w, with no branch per byte.
func asciiWord(w uint64) uint64 {
	low := w & lo7                   // each byte without its top bit: 0..0x7f
	geA := low + ones*(0x80-'a')     // top bit set where low >= 'a'
	gtZ := low + ones*(0x80-('z'+1)) // top bit set where low > 'z'
	isLower := geA &^ gtZ &^ w & hi1 // top bit set where 'a' <= b <= 'z' and b < 0x80
	return w &^ (isLower >> 2)       // 0x80>>2 = 0x20, the lower-case bit
}

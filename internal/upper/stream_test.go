package upper

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// feed sends chunks through s, each a copy (Chunk may write into it), then
// flushes, and returns everything s replied. After each call it checks the
// carry against its cap.
func feed(t testing.TB, s Stream, chunks ...[]byte) string {
	t.Helper()
	var out []byte
	for _, c := range chunks {
		out = append(out, s.Chunk(bytes.Clone(c))...)
		if u, ok := s.(*unicodeStream); ok && len(u.carry) > u.max {
			t.Fatalf("after Chunk(%q) the stream holds %d bytes; want at most %d", c, len(u.carry), u.max)
		}
	}
	return string(append(out, s.Flush()...))
}

// splits returns in cut at every point into two chunks, and also into
// single bytes, each with a name for t.Run.
func splits(in string) (names []string, cuts [][][]byte) {
	b := []byte(in)
	for i := 0; i <= len(b); i++ {
		names = append(names, fmt.Sprintf("at%d", i))
		cuts = append(cuts, [][]byte{b[:i], b[i:]})
	}
	var ones [][]byte
	for i := range b {
		ones = append(ones, b[i:i+1])
	}
	return append(names, "bytewise"), append(cuts, ones)
}

// TestUnicodeStream checks that a stream gives the table's answers however
// the input is cut, including through the middle of every character.
func TestUnicodeStream(t *testing.T) {
	for _, tc := range unicodeTests {
		t.Run(tc.name, func(t *testing.T) {
			names, cuts := splits(tc.in)
			for i, chunks := range cuts {
				if got := feed(t, NewUnicode(tc.tag), chunks...); got != tc.want {
					t.Errorf("%s: stream of %q (%v) = %q; want %q", names[i], chunks, tc.tag, got, tc.want)
				}
			}
		})
	}
}

// TestUnicodeStreamCharacterSplit cuts each multi-byte character at each of
// its inner byte boundaries, and checks both halves of the reply.
func TestUnicodeStreamCharacterSplit(t *testing.T) {
	for _, ch := range []string{"ß", "é", "ﬁ", "ΐ", "я", "€", "𐐨"} { // 𐐨 is U+10428, whose upper case is U+10400
		want := Unicode(nil, []byte(ch), language.Und)
		for i := 1; i < len(ch); i++ {
			t.Run(fmt.Sprintf("%s/%d", ch, i), func(t *testing.T) {
				s := NewUnicode(language.Und)
				if got := s.Chunk([]byte("x" + ch[:i])); string(got) != "X" {
					t.Errorf("Chunk(%q) = %q; want %q (the rest held back)", "x"+ch[:i], got, "X")
				}
				if got := s.Chunk([]byte(ch[i:] + "y")); string(got) != string(want)+"Y" {
					t.Errorf("Chunk(%q) = %q; want %q", ch[i:]+"y", got, string(want)+"Y")
				}
				if got := s.Flush(); len(got) != 0 {
					t.Errorf("Flush() = %q; want nothing", got)
				}
			})
		}
	}
}

// TestUnicodeStreamInvalidTail checks that invalid UTF-8 passes through and
// that an incomplete sequence at the end is held back, then comes out
// unchanged at Flush.
func TestUnicodeStreamInvalidTail(t *testing.T) {
	s := NewUnicode(language.Und)
	if got, want := string(s.Chunk([]byte("a\xffb\xc3"))), "A\xffB"; got != want {
		t.Errorf("Chunk(%q) = %q; want %q", "a\xffb\xc3", got, want)
	}
	if got, want := string(s.Flush()), "\xc3"; got != want {
		t.Errorf("Flush() = %q; want %q", got, want)
	}
	// After Flush the stream starts afresh.
	if got, want := string(s.Chunk([]byte("\xa9x"))), "\xa9X"; got != want {
		t.Errorf("Chunk(%q) after Flush = %q; want %q", "\xa9x", got, want)
	}
	// An incomplete sequence cut short by more input passes through as it is.
	if got, want := feed(t, NewUnicode(language.Und), []byte("\xe2\x82"), []byte("z")), "\xe2\x82Z"; got != want {
		t.Errorf("stream of %q, %q = %q; want %q", "\xe2\x82", "z", got, want)
	}
}

// TestUnicodeStreamFastPath checks when a chunk is upper-cased in place and
// returned as it is: pure ASCII, nothing held back, and no byte that the
// language's rules treat otherwise.
func TestUnicodeStreamFastPath(t *testing.T) {
	tests := []struct {
		name     string
		tag      language.Tag
		in, want string
		inPlace  bool
	}{
		{"und", language.Und, "hello", "HELLO", true},
		{"el", language.Greek, "hello", "HELLO", true},
		{"tr without i", language.Turkish, "hello", "HELLO", true},
		{"tr with i", language.Turkish, "hi", "Hİ", false},
		{"lt without i or j", language.Lithuanian, "hello", "HELLO", true},
		{"lt with j", language.Lithuanian, "jam", "JAM", false},
		{"not ascii", language.Und, "héllo", "HÉLLO", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := []byte(tc.in)
			s := NewUnicode(tc.tag)
			got := string(s.Chunk(p)) + string(s.Flush())
			if got != tc.want {
				t.Errorf("stream of %q (%v) = %q; want %q", tc.in, tc.tag, got, tc.want)
			}
			if inPlace := string(p) == tc.want; inPlace != tc.inPlace {
				t.Errorf("Chunk(%q) wrote its reply in place: %v; want %v", tc.in, inPlace, tc.inPlace)
			}
		})
	}
	// Under lt a chunk ending in i waits for what follows: a dot above goes.
	s := NewUnicode(language.Lithuanian)
	if got, want := feed(t, s, []byte("ti"), []byte("\u0307")), "TI"; got != want {
		t.Errorf("lt stream of %q, %q = %q; want %q", "ti", "\u0307", got, want)
	}
}

// TestASCIIStream checks that NewASCII is ASCII: in place, returning p,
// holding nothing back, allocating nothing.
func TestASCIIStream(t *testing.T) {
	for _, in := range []string{"", "hello", "straße héllo", "a\xffb\xc3", "`az{@AZ["} {
		want := []byte(in)
		ASCII(want)
		s := NewASCII()
		p := []byte(in)
		got := s.Chunk(p)
		if !bytes.Equal(got, want) {
			t.Errorf("Chunk(%q) = %q; want %q", in, got, want)
		}
		if len(p) > 0 && &got[0] != &p[0] {
			t.Errorf("Chunk(%q) did not return p itself", in)
		}
		if f := s.Flush(); len(f) != 0 {
			t.Errorf("Flush() = %q; want nothing", f)
		}
	}
	p := []byte("Hello, wörld")
	if n := testing.AllocsPerRun(100, func() {
		s := NewASCII()
		s.Chunk(p)
		s.Flush()
	}); n != 0 {
		t.Errorf("NewASCII, Chunk and Flush allocated %v times; want 0", n)
	}
}

// worstCarry builds, for each language whose rules look ahead, the input that
// makes x/text hold back the most: a letter that starts a lookahead, the
// longest run of 4-byte marks it will look through, and a truncated last
// sequence.
func worstCarry() map[string]struct {
	tag  language.Tag
	text string
} {
	marks := strings.Repeat("\U0001D165", 29) // MUSICAL SYMBOL COMBINING STEM: 4 bytes, ccc 216
	return map[string]struct {
		tag  language.Tag
		text string
	}{
		// U+1D200 is a 4-byte Greek letter: el looks for accents after it.
		"el": {language.Greek, "\U0001D200" + marks + "\U0001D165\u0301x"},
		// U+1D422 (bold small i) is soft-dotted: lt looks for a dot above,
		// and past it once more.
		"lt":  {language.Lithuanian, "\U0001D422" + marks + "\u0307\U0001D165x"},
		"und": {language.Und, "a" + marks + "\U0001D165x"},
		"tr":  {language.Turkish, "i" + marks + "\U0001D165x"},
	}
}

// TestCarryWorstCase measures the most a stream holds back, cutting the
// worst input at every point, and checks that it stays within carryCap, so
// that the forced path (see carryCap) never runs and the output is exact.
func TestCarryWorstCase(t *testing.T) {
	for name, w := range worstCarry() {
		t.Run(name, func(t *testing.T) {
			want := string(Unicode(nil, []byte(w.text), w.tag))
			most := 0
			for i := 0; i <= len(w.text); i++ {
				s := NewUnicode(w.tag).(*unicodeStream)
				got := string(s.Chunk([]byte(w.text[:i])))
				most = max(most, len(s.carry))
				got += string(s.Chunk([]byte(w.text[i:]))) + string(s.Flush())
				if got != want {
					t.Fatalf("stream cut at %d = %q; want %q", i, got, want)
				}
			}
			t.Logf("%s: at most %d bytes held back (cap %d)", name, most, carryCap)
			if most > carryCap {
				t.Errorf("held back %d bytes; want at most carryCap = %d", most, carryCap)
			}
		})
	}
}

// TestCarryHostile feeds endless runs that a hostile client might send, in
// small chunks, and checks that the carry stays within its cap and the output
// is exact.
func TestCarryHostile(t *testing.T) {
	tests := []struct {
		name string
		tag  language.Tag
		text string
	}{
		{"marks after a greek letter", language.Greek, "α" + strings.Repeat("\u0301", 5000)},
		{"marks after i", language.Lithuanian, "i" + strings.Repeat("\u0316", 5000) + "\u0307"},
		{"marks under und", language.Und, "a" + strings.Repeat("\u0301", 5000)},
		{"truncated 4-byte starts", language.Und, strings.Repeat("\xf0\x9f\x98", 3000)},
		{"lone leads", language.Und, strings.Repeat("\xc3", 9000)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := string(Unicode(nil, []byte(tc.text), tc.tag))
			for _, size := range []int{1, 7, 100, 4096} {
				var chunks [][]byte
				for b := []byte(tc.text); len(b) > 0; b = b[min(size, len(b)):] {
					chunks = append(chunks, b[:min(size, len(b))])
				}
				if got := feed(t, NewUnicode(tc.tag), chunks...); got != want {
					t.Errorf("stream in %d-byte chunks differs from Unicode over the whole", size)
				}
			}
		})
	}
}

// TestCarryForced lowers the cap to show what happens past it: the held-back
// bytes are cased as if the stream ended there, so an accent or dot above
// that comes after the cut is left as it is.
func TestCarryForced(t *testing.T) {
	tests := []struct {
		name   string
		tag    language.Tag
		chunks []string
		want   string
	}{
		{"el", language.Greek, []string{"α" + strings.Repeat("\u0301", 20), "\u0301\u0301b"}, "Α\u0301\u0301B"},
		{"lt", language.Lithuanian, []string{"i" + strings.Repeat("\u0316", 20), "\u0307b"}, "I" + strings.Repeat("\u0316", 20) + "\u0307B"},
		// Past the cap in the window that tops up the carry: the carry (α and
		// one accent) and 12 bytes of the chunk (six accents) are forced.
		{"el window", language.Greek, []string{"α\u0301", strings.Repeat("\u0301", 20) + "b"}, "Α" + strings.Repeat("\u0301", 14) + "B"},
		// A character cut at the chunk's end is never split by the force.
		{"el keeps a cut character", language.Greek, []string{"α" + strings.Repeat("\u0301", 20) + "\xcf", "\x89"}, "ΑΩ"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewUnicode(tc.tag).(*unicodeStream)
			s.max = 8
			var chunks [][]byte
			for _, c := range tc.chunks {
				chunks = append(chunks, []byte(c))
			}
			if got := feed(t, s, chunks...); got != tc.want {
				t.Errorf("stream of %q with an 8-byte cap = %q; want %q", tc.chunks, got, tc.want)
			}
		})
	}
}

func TestBadTail(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0}, {"a", 0}, {"é", 0}, {"a\xcc", 1}, {"a\xcc\xcc", 2}, {"\xcc\xcc\xcc", 3},
		{"a\xe2\x82\xcc", 3}, {"a\xe2\x82\xac", 0}, {"\xff\xcc", 1}, {"é\xf0\x9f\x98\xf0", 4},
	}
	for _, tc := range tests {
		if got := badTail([]byte(tc.in)); got != tc.want {
			t.Errorf("badTail(%q) = %d; want %d", tc.in, got, tc.want)
		}
	}
}

func TestIncompleteTail(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0}, {"a", 0}, {"é", 0}, {"€", 0}, {"😀", 0},
		{"a\xc3", 1}, {"\xe2", 1}, {"\xe2\x82", 2}, {"\xf0\x9f\x98", 3}, {"\xf0\x9f", 2},
		{"\xc1", 0}, {"\xf8", 0}, {"\xff", 0}, {"\x80", 0}, {"\x80\x80\x80", 0},
		{"\xc3\x80\x80", 0}, {"a\x80\x80\x80", 0},
	}
	for _, tc := range tests {
		if got := incompleteTail([]byte(tc.in)); got != tc.want {
			t.Errorf("incompleteTail(%q) = %d; want %d", tc.in, got, tc.want)
		}
	}
}

// mixedText is prose in several scripts, with characters that change length.
const mixedText = "Grüße aus Köln! The ﬁsh costs 5 €. ωμέγα, привет, İstanbul, ΐ. "

// TestUnicodeStreamNoAlloc checks a steady stream of mixed text in chunks
// that cut characters: once the reply buffer has grown, Chunk and Flush
// allocate nothing under the default rules. Under a language with rules of
// its own x/text allocates its context on every Transform call (it escapes
// through a function value), at most two of which a Chunk makes.
func TestUnicodeStreamNoAlloc(t *testing.T) {
	text := []byte(strings.Repeat(mixedText, 16))
	var chunks [][]byte
	for b := text; len(b) > 0; b = b[min(101, len(b)):] {
		chunks = append(chunks, bytes.Clone(b[:min(101, len(b))]))
	}
	for _, tc := range []struct {
		tag      language.Tag
		perChunk float64
	}{
		{language.Und, 0},
		{language.Turkish, 2},
	} {
		s := NewUnicode(tc.tag)
		run := func() {
			for _, c := range chunks {
				s.Chunk(c)
			}
			s.Flush()
		}
		run() // grow the reply buffer
		n := testing.AllocsPerRun(20, run) / float64(len(chunks))
		t.Logf("%v: %.2f allocations per Chunk", tc.tag, n)
		if n > tc.perChunk {
			t.Errorf("%v: %.2f allocations per Chunk; want at most %v", tc.tag, n, tc.perChunk)
		}
	}
}

// TestUnicodeStreamBuffer checks that the reply buffer stays within three
// times the largest chunk plus the carry window.
func TestUnicodeStreamBuffer(t *testing.T) {
	s := NewUnicode(language.Und).(*unicodeStream)
	worst := []byte(strings.Repeat("ΐ", 2048))
	for _, size := range []int{1, 5, 64, 1000, 4096} {
		for b := worst; len(b) > 0; b = b[min(size, len(b)):] {
			s.Chunk(bytes.Clone(b[:min(size, len(b))]))
		}
		s.Flush()
		if limit := 3*(size+2*carryCap) + utf8.UTFMax; cap(s.out) > limit {
			t.Errorf("after %d-byte chunks the reply buffer holds %d bytes; want at most %d", size, cap(s.out), limit)
		}
	}
}

// FuzzUnicodeStream checks that for any input cut into any chunks, the
// stream's replies add up to Unicode over the whole input. splits gives the
// chunk sizes in turn (0: an empty Chunk, then one byte).
func FuzzUnicodeStream(f *testing.F) {
	for _, tc := range unicodeTests {
		f.Add([]byte(tc.in), []byte{1}, uint8(0))
		f.Add([]byte(tc.in), []byte{3, 0, 2}, uint8(1))
	}
	for _, w := range worstCarry() {
		f.Add([]byte(w.text), []byte{7, 60, 1}, uint8(2))
		f.Add([]byte(w.text), []byte{125, 2}, uint8(3))
	}
	f.Add([]byte(strings.Repeat(mixedText, 4)), []byte{255, 17}, uint8(0))
	f.Fuzz(func(t *testing.T, data, sizes []byte, lang uint8) {
		tag := fuzzTags[int(lang)%len(fuzzTags)]
		want := string(Unicode(nil, data, tag))
		var chunks [][]byte
		for i, b := 0, data; len(b) > 0; i++ {
			n := len(b)
			if len(sizes) > 0 {
				n = int(sizes[i%len(sizes)])
			}
			if n == 0 {
				chunks = append(chunks, nil)
				n = 1
			}
			n = min(n, len(b))
			chunks = append(chunks, b[:n])
			b = b[n:]
		}
		s := NewUnicode(tag)
		if got := feed(t, s, chunks...); got != want {
			t.Fatalf("stream of %q (%v) = %q; want %q", chunks, tag, got, want)
		}
		// A stream starts afresh after Flush.
		if got := feed(t, s, chunks...); got != want {
			t.Fatalf("second stream of %q (%v) = %q; want %q", chunks, tag, got, want)
		}
	})
}

// BenchmarkStream compares the Unicode stream with the ASCII one on pure
// ASCII text (where the Unicode stream takes the in-place path, except under
// tr, where the text's i goes through x/text) and on mixed text, each sent as
// one chunk.
func BenchmarkStream(b *testing.B) {
	texts := []struct{ name, unit string }{
		{"ascii", "Hello, world! This is upcase 0123. "},
		{"mixed", mixedText},
	}
	streams := []struct {
		name string
		new  func() Stream
	}{
		{"ASCII", NewASCII},
		{"Unicode", func() Stream { return NewUnicode(language.Und) }},
		{"Unicode-tr", func() Stream { return NewUnicode(language.Turkish) }},
	}
	for _, text := range texts {
		for _, size := range []int{1 << 10, 64 << 10} {
			in := []byte(strings.Repeat(text.unit, size/len(text.unit)+1))[:size]
			in = in[:len(in)-incompleteTail(in)] // whole characters
			p := make([]byte, len(in))
			for _, st := range streams {
				b.Run(fmt.Sprintf("%s/%s/%d", text.name, st.name, size), func(b *testing.B) {
					s := st.new()
					copy(p, in)
					s.Chunk(p) // grow the reply buffer before measuring
					s.Flush()
					b.SetBytes(int64(len(in)))
					b.ReportAllocs()
					for b.Loop() {
						copy(p, in)
						s.Chunk(p)
						s.Flush()
					}
				})
			}
		}
	}
}

// BenchmarkUnicode measures the whole-message form, as for a datagram.
func BenchmarkUnicode(b *testing.B) {
	for _, text := range []struct{ name, unit string }{
		{"ascii", "Hello, world! upcase 0123 "},
		{"mixed", mixedText},
	} {
		in := []byte(strings.Repeat(text.unit, 1400/len(text.unit)+1))[:1400]
		in = in[:len(in)-incompleteTail(in)]
		dst := make([]byte, 0, 3*len(in))
		b.Run(text.name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				Unicode(dst, in, language.Und)
			}
		})
	}
}

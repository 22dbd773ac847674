package upper

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
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

// TestUnicodeStreamInvalidLead checks what a stream may hold back after a
// lead byte: only a true prefix of a valid UTF-8 sequence at the very end of
// what was read, which more input could still complete. A lead byte that no
// continuation can make valid (followed by a byte that is not a continuation,
// or by one outside its allowed second-byte range, or F5 to F7, which start
// nothing) is invalid and comes back at once, unchanged, with what follows it.
// A line-by-line client sending Latin-1 would otherwise wait for its reply.
// Each chunk's reply is checked, then Flush's.
func TestUnicodeStreamInvalidLead(t *testing.T) {
	for _, tc := range invalidLeadTests {
		tags := tc.tags
		if tags == nil {
			tags = fuzzTags
		}
		for _, tag := range tags {
			t.Run(fmt.Sprintf("%s/%v", tc.name, tag), func(t *testing.T) {
				s := NewUnicode(tag)
				for i, c := range tc.chunks {
					if got := string(s.Chunk([]byte(c))); got != tc.replies[i] {
						t.Errorf("Chunk(%q) = %q; want %q", c, got, tc.replies[i])
					}
				}
				if got := string(s.Flush()); got != tc.flush {
					t.Errorf("Flush() = %q; want %q", got, tc.flush)
				}
			})
		}
	}
}

// invalidLeadTests are TestUnicodeStreamInvalidLead's cases, and seeds for
// FuzzUnicodeStreamHold.
var invalidLeadTests = []struct {
	name    string
	tags    []language.Tag // nil: all of fuzzTags
	chunks  []string
	replies []string // one for each chunk
	flush   string
}{
	{"latin-1 café then newline", nil, []string{"caf\xe9\n"}, []string{"CAF\xe9\n"}, ""},
	{"latin-1 lead then ascii", nil, []string{"ol\xe9!"}, []string{"OL\xe9!"}, ""},
	{"latin-1 lead then ascii mid-chunk", nil, []string{"caf\xe9 au lot\xe9\n"}, []string{"CAF\xe9 AU LOT\xe9\n"}, ""},
	{"latin-1 lead last", nil, []string{"caf\xe9"}, []string{"CAF"}, "\xe9"},
	{"two-byte prefix held", nil, []string{"caf\xc3"}, []string{"CAF"}, "\xc3"},
	{"three-byte prefix held", nil, []string{"x\xe2\x82"}, []string{"X"}, "\xe2\x82"},
	{"four-byte prefix held", nil, []string{"x\xf0\x9f\x98"}, []string{"X"}, "\xf0\x9f\x98"},
	{"last before surrogates held", nil, []string{"x\xed\x9f"}, []string{"X"}, "\xed\x9f"},
	{"last plane held", nil, []string{"x\xf4\x8f"}, []string{"X"}, "\xf4\x8f"},
	{"overlong three-byte", nil, []string{"x\xe0\x80"}, []string{"X\xe0\x80"}, ""},
	{"overlong four-byte", nil, []string{"x\xf0\x80\x80"}, []string{"X\xf0\x80\x80"}, ""},
	{"surrogate", nil, []string{"x\xed\xa0"}, []string{"X\xed\xa0"}, ""},
	{"beyond U+10FFFF", nil, []string{"x\xf4\x90"}, []string{"X\xf4\x90"}, ""},
	{"F5 never starts", nil, []string{"x\xf5"}, []string{"X\xf5"}, ""},
	{"F7 and continuations", nil, []string{"x\xf7\xbf\xbf"}, []string{"X\xf7\xbf\xbf"}, ""},
	{"C0 never starts", nil, []string{"x\xc0"}, []string{"X\xc0"}, ""},
	{"truncated then newline", nil, []string{"x\xe2\x82\n"}, []string{"X\xe2\x82\n"}, ""},
	{"invalid lead then a prefix", nil, []string{"x\xe9\xc3"}, []string{"X\xe9"}, "\xc3"},
	{"four-byte lead then a prefix", nil, []string{"x\xf0\xe2\x82"}, []string{"X\xf0"}, "\xe2\x82"},
	{"two invalid leads", nil, []string{"x\xe9\xf5"}, []string{"X\xe9\xf5"}, ""},
	// The carry, topped up by the next chunk, is decided the same way.
	{"held lead then newline", nil, []string{"caf\xe2", "\n"}, []string{"CAF", "\xe2\n"}, ""},
	{"held prefix then newline", nil, []string{"\xf0\x9f", "\n"}, []string{"", "\xf0\x9f\n"}, ""},
	{"held prefix then a bad second byte", nil, []string{"a\xe0", "\x80b"}, []string{"A", "\xe0\x80B"}, ""},
	{"held prefix completed", nil, []string{"a\xe2\x82", "\xacb"}, []string{"A", "€B"}, ""},
	// Lookahead for a Greek accent or a Lithuanian dot above ends at an
	// invalid byte, as it does at any starter.
	{"greek letter then latin-1", []language.Tag{language.Greek}, []string{"ωμέγα\xe9\n"}, []string{"ΩΜΕΓΑ\xe9\n"}, ""},
	{"greek accent then surrogate", []language.Tag{language.Greek}, []string{"α\u0301\xed\xa0"}, []string{"Α\xed\xa0"}, ""},
	{"i then latin-1", []language.Tag{language.Lithuanian}, []string{"ti\xe9\n"}, []string{"TI\xe9\n"}, ""},
	{"i and a mark then F5", []language.Tag{language.Lithuanian}, []string{"i\u0316\xf5"}, []string{"I\u0316\xf5"}, ""},
	{"i then latin-1 under tr", []language.Tag{language.Turkish}, []string{"ti\xe9\n"}, []string{"Tİ\xe9\n"}, ""},
	// Valid text whose casing needs what comes next may still wait, with
	// a true prefix after it.
	{"greek accent then a prefix", []language.Tag{language.Greek}, []string{"α\u0301\xcc"}, []string{""}, "Α\xcc"},
	{"i then a prefix", []language.Tag{language.Lithuanian}, []string{"i\xcc", "\x87\n"}, []string{"", "I\n"}, ""},
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
		chunks := fuzzChunks(data, sizes)
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

// fuzzChunks cuts data into chunks of the sizes in turn, over and over (0:
// an empty chunk, then one byte); with no sizes, data is one chunk.
func fuzzChunks(data, sizes []byte) [][]byte {
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
	return chunks
}

// truePrefixes holds every true prefix of a valid UTF-8 sequence: the first
// one, two or three bytes of the encoding of each rune of two bytes or more
// (surrogates have none). It is built from utf8.AppendRune alone, apart from
// the range checks the stream uses, as the reference for what may be held.
var truePrefixes = sync.OnceValue(func() map[string]bool {
	m := make(map[string]bool)
	var buf [utf8.UTFMax]byte
	for r := rune(0x80); r <= unicode.MaxRune; r++ {
		if 0xD800 <= r && r <= 0xDFFF {
			continue
		}
		b := utf8.AppendRune(buf[:0], r)
		for n := 1; n < len(b); n++ {
			m[string(b[:n])] = true
		}
	}
	return m
})

// mayHold returns how many bytes at the end of fed more input could still
// complete into a valid UTF-8 sequence: the longest suffix that is a true
// prefix, 0 to 3 bytes.
func mayHold(fed []byte) int {
	for n := min(3, len(fed)); n > 0; n-- {
		if truePrefixes()[string(fed[len(fed)-n:])] {
			return n
		}
	}
	return 0
}

// TestMayHold pins the fuzz reference to the UTF-8 rules on known cases: C0,
// C1 and F5 to F7 start nothing, E0 needs A0 to BF next, ED 80 to 9F, F0 90
// to BF and F4 80 to 8F.
func TestMayHold(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0}, {"a", 0}, {"é", 0}, {"a\xc3", 1}, {"\xc2", 1}, {"\xdf", 1},
		{"\xc0", 0}, {"\xc1", 0}, {"\xf5", 0}, {"\xf7", 0}, {"\xf8", 0}, {"\xff", 0}, {"\x80", 0},
		{"\xe0", 1}, {"\xe0\xa0", 2}, {"\xe0\x80", 0}, {"\xe0\x9f", 0},
		{"\xed", 1}, {"\xed\x9f", 2}, {"\xed\xa0", 0},
		{"\xf0", 1}, {"\xf0\x90", 2}, {"\xf0\x90\x80", 3}, {"\xf0\x8f", 0}, {"\xf0\x8f\x80", 0},
		{"\xf4\x8f\xbf", 3}, {"\xf4\x90", 0}, {"\xf4\x90\x80", 0},
		{"\xe9\n", 0}, {"\xe9\xc3", 1}, {"\xf0\xe2\x82", 2}, {"\xe2\x82\xac", 0},
	}
	for _, tc := range tests {
		if got := mayHold([]byte(tc.in)); got != tc.want {
			t.Errorf("mayHold(%q) = %d; want %d", tc.in, got, tc.want)
		}
	}
}

// TestInvalidStop checks invalidStop against the reference for every lead
// byte the Caser stops on, followed by every run of bytes too short for its
// sequence, alone and after ASCII: it gives the lead's place exactly when
// nothing can complete what starts there.
func TestInvalidStop(t *testing.T) {
	check := func(b []byte) {
		at := 0
		if truePrefixes()[string(b)] {
			at = -1
		}
		if got := invalidStop(b); got != at {
			t.Fatalf("invalidStop(%q) = %d; want %d", b, got, at)
		}
		after := append([]byte("xyz"), b...)
		if at >= 0 {
			at += 3
		}
		if got := invalidStop(after); got != at {
			t.Fatalf("invalidStop(%q) = %d; want %d", after, got, at)
		}
	}
	for c := 0xC2; c <= 0xF7; c++ {
		b := []byte{byte(c), 0, 0}
		for n := 1; n < seqLen(b[0]); n++ {
			for i := range 1 << (8 * (n - 1)) {
				b[1], b[2] = byte(i), byte(i>>8)
				check(b[:n])
			}
		}
	}
}

// TestCaserInvalidUnits checks what consume relies on in x/text: every
// invalid sequence that the Caser reads as one unit (a lead byte from C2 to F7
// and as many continuation bytes, 80 to BF, as its sequence needs, that are
// not valid UTF-8: overlong, surrogate, beyond U+10FFFF, or F5 to F7) is
// copied as it is, and ends the lookahead for a Greek accent (el) or a
// Lithuanian dot above (lt), as a single invalid byte does. Each unit is put
// after a letter that starts the lookahead and before the mark it looks for.
// All the three-byte units are tried; of the four-byte ones, every lead,
// second and third byte with the first and last continuation byte as the
// fourth, and every lead, second and fourth byte with those as the third
// (all of them take 16 times as long, and pass with x/text v0.44.0).
func TestCaserInvalidUnits(t *testing.T) {
	var units [][]byte
	for c := 0xE0; c <= 0xEF; c++ {
		for i := range 1 << 12 {
			if u := []byte{byte(c), 0x80 | byte(i>>6), 0x80 | byte(i&0x3F)}; !utf8.Valid(u) {
				units = append(units, u)
			}
		}
	}
	for c := 0xF0; c <= 0xF7; c++ {
		for c1 := byte(0x80); c1 <= 0xBF; c1++ {
			for c2 := byte(0x80); c2 <= 0xBF; c2++ {
				for _, c3 := range []byte{0x80, 0xBF} {
					for _, u := range [][]byte{{byte(c), c1, c2, c3}, {byte(c), c1, c3, c2}} {
						if !utf8.Valid(u) {
							units = append(units, u)
						}
					}
				}
			}
		}
	}
	if want := 2048 + 2048 + (16+48+3*64)*64*4; len(units) != want {
		t.Fatalf("%d invalid units; want %d", len(units), want)
	}
	for _, tc := range []struct {
		tag               language.Tag
		before, after, up string
	}{
		{language.Und, "a", "", "A"},
		{language.Turkish, "i", "", "İ"},
		{language.Greek, "α", "\u0301", "Α"},
		{language.Lithuanian, "i", "\u0307", "I"},
	} {
		var in, want []byte
		for _, u := range units {
			in = append(append(append(in, tc.before...), u...), tc.after...)
			want = append(append(append(want, tc.up...), u...), tc.after...)
		}
		if got := cases.Upper(tc.tag).Bytes(in); !bytes.Equal(got, want) {
			for i := 0; i < min(len(got), len(want)); i++ {
				if got[i] != want[i] {
					t.Errorf("%v: cases.Upper differs at byte %d: %q; want %q", tc.tag, i, got[max(i-8, 0):min(i+8, len(got))], want[max(i-8, 0):min(i+8, len(want))])
					break
				}
			}
			t.Errorf("%v: cases.Upper does not copy every invalid unit and end the lookahead there", tc.tag)
		}
	}
}

// FuzzUnicodeStreamHold checks a stream, chunk by chunk, against a reference
// for what it may hold back. After each Chunk, the replies so far must be
// Unicode over what was fed so far without the bytes held, so nothing was
// sent that later input could change. Under und and tr the stream must hold
// exactly mayHold of what was fed: a true prefix of a valid UTF-8 sequence at
// its end, and nothing else. Under el and lt it may hold more, context for a
// Greek accent or a Lithuanian dot above, but that context is valid UTF-8
// (invalid bytes end any lookahead) and within carryCap. At the end the
// replies add up to Unicode over the whole input, as in FuzzUnicodeStream.
func FuzzUnicodeStreamHold(f *testing.F) {
	for _, tc := range invalidLeadTests {
		data := []byte(strings.Join(tc.chunks, ""))
		var sizes []byte
		for _, c := range tc.chunks {
			sizes = append(sizes, byte(len(c)))
		}
		for lang := range fuzzTags {
			f.Add(data, sizes, uint8(lang))
			f.Add(data, []byte{1}, uint8(lang))
		}
	}
	for _, tc := range unicodeTests {
		f.Add([]byte(tc.in), []byte{2, 1}, uint8(0))
		f.Add([]byte(tc.in), []byte{1}, uint8(2))
	}
	for _, w := range worstCarry() {
		f.Add([]byte(w.text), []byte{7, 60, 1}, uint8(3))
	}
	f.Add([]byte("caf\xe9\nna\xefve\r\n\xa9 2024\n"), []byte{5, 1, 7}, uint8(0))
	f.Fuzz(func(t *testing.T, data, sizes []byte, lang uint8) {
		tag := fuzzTags[int(lang)%len(fuzzTags)]
		s := NewUnicode(tag).(*unicodeStream)
		var fed, out []byte
		for _, c := range fuzzChunks(data, sizes) {
			fed = append(fed, c...)
			out = append(out, s.Chunk(bytes.Clone(c))...)
			held := len(s.carry)
			if held > len(fed) || !bytes.Equal(s.carry, fed[len(fed)-held:]) {
				t.Fatalf("%v: after %q the stream holds %q, not the end of what was fed", tag, fed, s.carry)
			}
			if want := Unicode(nil, fed[:len(fed)-held], tag); !bytes.Equal(out, want) {
				t.Fatalf("%v: after %q (holding %q) the replies are %q; want %q", tag, fed, s.carry, out, want)
			}
			may := mayHold(fed)
			switch tag {
			case language.Und, language.Turkish:
				if held != may {
					t.Fatalf("%v: after %q the stream holds %q; want %q", tag, fed, s.carry, fed[len(fed)-may:])
				}
			default:
				if held < may {
					t.Fatalf("%v: after %q the stream holds %q; want at least %q", tag, fed, s.carry, fed[len(fed)-may:])
				}
				if context := s.carry[:held-may]; !utf8.Valid(context) || len(context) > carryCap {
					t.Fatalf("%v: after %q the stream holds %q as context, before %q; want valid UTF-8 of at most %d bytes", tag, fed, context, fed[len(fed)-may:], carryCap)
				}
			}
		}
		out = append(out, s.Flush()...)
		if want := Unicode(nil, data, tag); !bytes.Equal(out, want) {
			t.Fatalf("%v: stream of %q in chunks %v = %q; want %q", tag, data, sizes, out, want)
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

package upper

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

// unicodeTests are checked against literal answers, both whole (Unicode) and
// streamed (NewUnicode, split at every point). The answers are what
// cases.Upper gives; FuzzUnicodeMessage checks Unicode against it directly.
var unicodeTests = []struct {
	name     string
	tag      language.Tag
	in, want string
}{
	{"empty", language.Und, "", ""},
	{"ascii", language.Und, "Hello, World! 123", "HELLO, WORLD! 123"},
	{"sharp s", language.Und, "straße", "STRASSE"},
	{"fi ligature", language.Und, "ﬁ", "FI"},
	{"ffi ligature", language.Und, "ﬃx", "FFIX"},
	{"latin accent", language.Und, "héllo", "HÉLLO"},
	{"greek", language.Und, "ωμέγα", "ΩΜΈΓΑ"},
	{"greek under el drops accents", language.Greek, "ωμέγα Οδός", "ΩΜΕΓΑ ΟΔΟΣ"},
	{"cyrillic", language.Und, "привет мир", "ПРИВЕТ МИР"},
	{"turkish", language.Turkish, "istanbul ıi", "İSTANBUL Iİ"},
	{"azeri", language.Azerbaijani, "ıi", "Iİ"},
	{"i under und", language.Und, "istanbul ıi", "ISTANBUL II"},
	{"lithuanian drops dot above", language.Lithuanian, "i\u0307 j\u0307 i\u0316\u0307", "I J I\u0316"},
	// x/text v0.44.0 copies the rune after a dropped dot above as it is,
	// without upper-casing it (ltUpper ends in c.copy()). Unicode follows
	// its reference, so this pins that, and shows if x/text fixes it.
	// Under lt x/text v0.44.0 panics on this at the end of its input;
	// Unicode keeps the incomplete sequence away from it.
	{"lithuanian dot then a truncated sequence", language.Lithuanian, "i\u0307\xcc", "I\xcc"},
	{"lithuanian dot then two", language.Lithuanian, "i\u0307\xcc\xcc", "I\xcc\xcc"},
	{"lithuanian after a dropped dot", language.Lithuanian, "i\u0307s", "Is"},
	{"dot above kept under und", language.Und, "i\u0307", "I\u0307"},
	{"iota with dialytika and tonos triples", language.Und, "ΐ", "\u0399\u0308\u0301"},
	{"apostrophe n", language.Und, "ŉ", "ʼN"},
	{"ypogegrammeni", language.Und, "ᾀ", "ἈΙ"},
	{"armenian ligature", language.Und, "և", "ԵՒ"},
	{"invalid utf8", language.Und, "a\xffb\xc3", "A\xffB\xc3"},
	{"invalid utf8 under tr", language.Turkish, "i\xffi\xc3", "İ\xffİ\xc3"},
	{"surrogate and overlong", language.Und, "a\xed\xa0\x80b\xe0\x80\x80c", "A\xed\xa0\x80B\xe0\x80\x80C"},
	{"truncated sequences", language.Und, "\xe2\x82z\xf0\x9f\x98z", "\xe2\x82Z\xf0\x9f\x98Z"},
	{"stdlib edges", language.Und, "a\u0080\U0010FFFF", "A\u0080\U0010FFFF"},
	{"mixed", language.Und, "Grüße, ωμέγα ﬁsh! привет 123", "GRÜSSE, ΩΜΈΓΑ FISH! ПРИВЕТ 123"},
}

func TestUnicode(t *testing.T) {
	for _, tc := range unicodeTests {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(Unicode(nil, []byte(tc.in), tc.tag)); got != tc.want {
				t.Errorf("Unicode(%q, %v) = %q; want %q", tc.in, tc.tag, got, tc.want)
			}
			dst := []byte("> ")
			if got := string(Unicode(dst, []byte(tc.in), tc.tag)); got != "> "+tc.want {
				t.Errorf("Unicode(%q, %q, %v) = %q; want %q", dst, tc.in, tc.tag, got, "> "+tc.want)
			}
		})
	}
}

// TestUnicodeTriples checks the longest growth: ΐ, 2 bytes, becomes 6.
func TestUnicodeTriples(t *testing.T) {
	in := []byte(strings.Repeat("ΐ", 100))
	if got, want := len(Unicode(nil, in, language.Und)), 3*len(in); got != want {
		t.Errorf("len(Unicode(100 × ΐ)) = %d; want %d", got, want)
	}
	if got := len(Unicode(nil, []byte("ΐ"), language.Und)); got != 6 {
		t.Errorf("len(Unicode(ΐ)) = %d; want 6", got)
	}
}

// TestUnicodeNoAlloc checks that Unicode allocates nothing when dst has room,
// both on the ASCII fast path and through the Caser.
func TestUnicodeNoAlloc(t *testing.T) {
	for _, in := range []string{"plain ascii text", "Grüße, ωμέγα ﬁsh! ΐ"} {
		src := []byte(in)
		dst := make([]byte, 0, 3*len(src)+8)
		if n := testing.AllocsPerRun(100, func() { Unicode(dst, src, language.Und) }); n != 0 {
			t.Errorf("Unicode(%q) allocated %v times per call; want 0", in, n)
		}
	}
}

func TestProbeASCII(t *testing.T) {
	tests := []struct {
		tag     string
		special string
	}{
		{"und", ""},
		{"en", ""},
		{"de-CH", ""},
		{"nl", ""},
		{"el", ""},
		{"tr", "i"},
		{"tr-TR", "i"},
		{"az", "i"},
		{"lt", "ij"},
	}
	for _, tc := range tests {
		t.Run(tc.tag, func(t *testing.T) {
			tag := language.MustParse(tc.tag)
			r := probeASCII(cases.Upper(tag))
			if r.off || r.special != tc.special {
				t.Errorf("probeASCII(%s) = %+v; want special %q", tc.tag, r, tc.special)
			}
			// asciiRuleFor remembers one tag: asking for another and back
			// must still give each its own rule.
			asciiRuleFor(language.Und)
			if got := asciiRuleFor(tag); got != r {
				t.Errorf("asciiRuleFor(%s) = %+v; want %+v", tc.tag, got, r)
			}
		})
	}
}

// casesUpper is cases.Upper over the whole of src, or false if it panics.
func casesUpper(tag language.Tag, src []byte) (out []byte, ok bool) {
	defer func() {
		if recover() != nil {
			out, ok = nil, false
		}
	}()
	return cases.Upper(tag).Bytes(src), true
}

func TestIsASCII(t *testing.T) {
	for n := 0; n <= 17; n++ {
		p := bytes.Repeat([]byte{0x7f}, n)
		if !isASCII(p) {
			t.Errorf("isASCII(%d × 0x7f) = false; want true", n)
		}
		for at := range n {
			p[at] = 0x80
			if isASCII(p) {
				t.Errorf("isASCII(0x80 at %d of %d) = true; want false", at, n)
			}
			p[at] = 0x7f
		}
	}
}

// fuzzTags are the languages the fuzz targets try: the default rules, and
// each kind of rule x/text tailors (a different mapping, accents dropped, a
// dot above dropped after i and j).
var fuzzTags = []language.Tag{language.Und, language.Turkish, language.Greek, language.Lithuanian}

// FuzzUnicodeMessage checks Unicode against the reference, cases.Upper over
// the whole input, and the threefold bound on growth.
func FuzzUnicodeMessage(f *testing.F) {
	for _, tc := range unicodeTests {
		f.Add([]byte(tc.in), uint8(0))
		f.Add([]byte(tc.in), uint8(1))
	}
	f.Add([]byte("α"+strings.Repeat("\u0301", 40)+"b"), uint8(2))
	f.Add([]byte("i"+strings.Repeat("\u0316", 40)+"\u0307j\u0307"), uint8(3))
	f.Add([]byte("i\u0307\xcc"), uint8(3))
	f.Fuzz(func(t *testing.T, src []byte, lang uint8) {
		tag := fuzzTags[int(lang)%len(fuzzTags)]
		want, ok := casesUpper(tag, src)
		if !ok {
			// x/text panicked. Unicode must not: it should give what x/text
			// gives without the trailing incomplete sequences, then those as
			// they are (see transformAppend).
			cut := len(src) - badTail(src)
			want, ok = casesUpper(tag, src[:cut])
			if !ok {
				t.Fatalf("cases.Upper(%v) panics on %q, even without its incomplete tail", tag, src)
			}
			want = append(want, src[cut:]...)
		}
		got := Unicode(nil, src, tag)
		if !bytes.Equal(got, want) {
			t.Fatalf("Unicode(%q, %v) = %q; want %q", src, tag, got, want)
		}
		if len(got) > 3*len(src) {
			t.Errorf("Unicode(%q, %v) is %d bytes; want at most 3 × %d", src, tag, len(got), len(src))
		}
		if got := Unicode([]byte("> "), src, tag); !bytes.Equal(got, append([]byte("> "), want...)) {
			t.Errorf("Unicode(%q, %q, %v) = %q; want %q", "> ", src, tag, got, append([]byte("> "), want...))
		}
	})
}

// TestRuleConcurrent has connections of different languages start at once:
// the remembered fast-path rule is shared, each stream must still get its own.
func TestRuleConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for i := range 8 {
		tag := fuzzTags[i%len(fuzzTags)]
		wg.Go(func() {
			for range 50 {
				want := string(Unicode(nil, []byte("this is it"), tag))
				s := NewUnicode(tag)
				if got := string(s.Chunk([]byte("this is it"))) + string(s.Flush()); got != want {
					t.Errorf("%v: stream of %q = %q; want %q", tag, "this is it", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

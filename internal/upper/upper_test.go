package upper

import (
	"bytes"
	"fmt"
	"testing"
)

// reference is the plain definition the fast path is checked against: Python's
// bytes.upper() changes exactly 'a'..'z'.
func reference(p []byte) []byte {
	out := make([]byte, len(p))
	for i, c := range p {
		if c >= 'a' && c <= 'z' {
			c -= 32
		}
		out[i] = c
	}
	return out
}

// TestASCIIEveryByte checks all 256 byte values against what bytes.upper()
// does, at every offset within a word so both the word and tail paths see each.
func TestASCIIEveryByte(t *testing.T) {
	for v := 0; v < 256; v++ {
		want := byte(v)
		if v >= 'a' && v <= 'z' {
			want = byte(v) - 'a' + 'A'
		}
		for n := 1; n <= 17; n++ {
			for at := 0; at < n; at++ {
				p := bytes.Repeat([]byte{0xff}, n)
				p[at] = byte(v)
				ASCII(p)
				if p[at] != want {
					t.Fatalf("ASCII(byte 0x%02x at %d of %d) = 0x%02x; want 0x%02x", v, at, n, p[at], want)
				}
				for i, c := range p {
					if i != at && c != 0xff {
						t.Fatalf("ASCII changed neighbour %d of byte 0x%02x to 0x%02x", i, v, c)
					}
				}
			}
		}
	}
}

func TestASCII(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"lesson", "hello", "HELLO"},
		{"mixed", "Hello, World! 123", "HELLO, WORLD! 123"},
		{"edges", "`az{@AZ[", "`AZ{@AZ["},
		{"utf8 untouched", "straße héllo", "STRAßE HéLLO"},
		{"invalid utf8 untouched", "a\xffb\xc3", "A\xffB\xc3"},
		{"high bit letters", "\xe1\xfa\xc1", "\xe1\xfa\xc1"},
		{"newlines", "one\ntwo\r\n", "ONE\nTWO\r\n"},
		{"long", "the quick brown fox jumps over the lazy dog", "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := []byte(tc.in)
			ASCII(p)
			if got := string(p); got != tc.want {
				t.Errorf("ASCII(%q) = %q; want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestASCIINoAlloc(t *testing.T) {
	p := bytes.Repeat([]byte("abc xyz\x80"), 1000)
	if n := testing.AllocsPerRun(100, func() { ASCII(p) }); n != 0 {
		t.Errorf("ASCII allocated %v times per call; want 0", n)
	}
}

func FuzzASCII(f *testing.F) {
	for _, s := range []string{"", "hello", "a\xffb\xc3", "straße", "`az{@AZ[", "0123456789abcdefghijklmnopqrstuvwxyz"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		want := reference(in)
		got := bytes.Clone(in)
		ASCII(got)
		if !bytes.Equal(got, want) {
			t.Errorf("ASCII(%q) = %q; want %q", in, got, want)
		}
	})
}

// BenchmarkASCII measures the transform beside two peers on the same input: the
// plain byte loop it replaces and the standard library's bytes.ToUpper (which
// allocates and is only equivalent for pure ASCII input).
func BenchmarkASCII(b *testing.B) {
	for _, size := range []int{16, 1 << 10, 64 << 10} {
		text := bytes.Repeat([]byte("Hello, world! upcase 0123"), size/25+1)[:size]
		p := make([]byte, size)
		b.Run(fmt.Sprintf("upcase/%d", size), func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				copy(p, text)
				ASCII(p)
			}
		})
		b.Run(fmt.Sprintf("byteloop/%d", size), func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				copy(p, text)
				byteLoop(p)
			}
		})
		b.Run(fmt.Sprintf("bytes.ToUpper/%d", size), func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				copy(p, text)
				_ = bytes.ToUpper(p)
			}
		})
	}
}

// byteLoop is the obvious one-byte-at-a-time version, the peer for the benchmark.
func byteLoop(p []byte) {
	for i, c := range p {
		if 'a' <= c && c <= 'z' {
			p[i] = c - ('a' - 'A')
		}
	}
}

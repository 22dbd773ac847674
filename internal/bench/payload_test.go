package bench

import (
	"bytes"
	"math/big"
	"testing"

	"github.com/upcase/upcase/internal/upper"
	"golang.org/x/text/language"
)

func TestPayloadPeriodsArePrime(t *testing.T) {
	for _, p := range []int64{period1, period2} {
		if !big.NewInt(p).ProbablyPrime(20) {
			t.Errorf("%d is not prime", p)
		}
	}
}

func TestPayload(t *testing.T) {
	for _, size := range []int{1, 2, 16, 1000, period1, 2 * period1} {
		p := newPayload(size, ExpectUpper)
		// The wrap-around copy makes every window the stream.
		if !bytes.Equal(p.send[p.period:], p.send[:maxChunk]) {
			t.Fatalf("size %d: the tail is not the head", size)
		}
		want := bytes.Clone(p.send)
		upper.ASCII(want)
		if !bytes.Equal(p.want, want) {
			t.Fatalf("size %d: want is not send upper-cased", size)
		}
		// Consecutive messages differ, and most of them are changed by
		// upper-casing.
		n := min(size, 4096)
		changed := 0
		for k := range int64(200) {
			a, b := p.sendAt(k*int64(size), n), p.sendAt((k+1)*int64(size), n)
			if bytes.Equal(a, b) {
				t.Fatalf("size %d: messages %d and %d are the same", size, k, k+1)
			}
			if !p.check(k*int64(size), a) {
				changed++
			}
		}
		if changed < 80 {
			t.Errorf("size %d: only %d of 200 messages are changed by upper-casing", size, changed)
		}
	}
	if p := newPayload(16, ExpectNone); !p.check(0, []byte("anything at all!")) {
		t.Error("ExpectNone refused a reply")
	}
	if p := newPayload(16, ExpectEcho); !p.check(5, p.sendAt(5, 16)) {
		t.Error("ExpectEcho refused the message itself")
	}
}

// The stream's high bytes are never valid UTF-8, and its other bytes are
// ASCII: a Unicode upper-caser must answer exactly as the ASCII one.
func TestPayloadSameUnderUnicode(t *testing.T) {
	p := newPayload(16, ExpectUpper)
	got := upper.Unicode(nil, p.send[:p.period], language.Und)
	if !bytes.Equal(got, p.want[:p.period]) {
		t.Error("Unicode upper-casing of the payload differs from ASCII")
	}
}

package netpoll

import (
	"strings"
	"testing"
)

// TestTries: tries go on while they pay, stop for trySkip times once
// tryMisses in a row found nothing, and a try that finds something resets
// the count.
func TestTries(t *testing.T) {
	// The pattern of tries made over n times, "T" a try and "." none, when
	// try i finds something if found(i).
	run := func(found func(i int) bool, n int) string {
		var tr Tries
		var got []byte
		for i := range n {
			if tr.Try() {
				got = append(got, 'T')
				tr.Tried(found(i))
			} else {
				got = append(got, '.')
			}
		}
		return string(got)
	}
	never := func(int) bool { return false }
	always := func(int) bool { return true }
	skip := strings.Repeat(".", trySkip)
	for _, c := range []struct {
		name  string
		found func(int) bool
		n     int
		want  string
	}{
		{"tries that pay go on", always, 70, strings.Repeat("T", 70)},
		{"tries that never pay stop, then start again", never, 2*(tryMisses+trySkip) + 1,
			"TTTT" + skip + "TTTT" + skip + "T"},
		{"a try that pays resets the count", func(i int) bool { return i == 2 }, tryMisses + 2 + trySkip,
			"TTT" + "TTTT" + skip[:trySkip-1]},
	} {
		if got := run(c.found, c.n); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

package netpoll

// Tries learns whether a try that may find nothing pays: a look before
// blocking (Poller.Wait), a read right after a write, before waiting for
// the reply (bench's goroutine engine). After tryMisses tries in a row
// that found nothing, Try says no for the next trySkip times, then lets
// one through again: where trying never pays, 4 in 64 still try, and find
// out when it pays again. The zero value tries.
type Tries struct {
	misses int // tries in a row that found nothing
	skip   int // times still to say no
}

const (
	tryMisses = 4
	trySkip   = 60
)

// Try reports whether to try this time.
func (t *Tries) Try() bool {
	if t.skip > 0 {
		t.skip--
		return false
	}
	return true
}

// Tried learns from a try whether it found something.
func (t *Tries) Tried(found bool) {
	if found {
		t.misses = 0
		return
	}
	if t.misses++; t.misses == tryMisses {
		t.misses, t.skip = 0, trySkip
	}
}

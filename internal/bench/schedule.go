package bench

import "math"

// A schedule is one connection's share of an open-loop rate: its message k is
// meant to be sent at first + k*every nanoseconds after the run's epoch. Times
// are parameters, not read from the clock, so the arithmetic is tested
// without waiting.
type schedule struct {
	begin int64   // ns after the epoch when the run's schedule starts
	first float64 // ns after begin of this connection's message 0
	every float64 // ns between two of its messages
}

// newSchedule spreads rate messages per second over conns connections and
// returns connection i's share, starting at epoch offset begin: the
// connections take turns, so that together they send evenly.
func newSchedule(rate float64, conns, i int, begin int64) schedule {
	gap := 1e9 / rate // ns between two messages of the whole run
	return schedule{begin: begin, first: float64(i) * gap, every: float64(conns) * gap}
}

// at is when message k is meant to be sent, rounded to the nanosecond.
func (s schedule) at(k int64) int64 { return s.begin + int64(math.Round(s.first+float64(k)*s.every)) }

// due is how many messages are meant to have been sent by now: the k with
// at(k) ≤ now.
func (s schedule) due(now int64) int64 {
	if now < s.at(0) {
		return 0
	}
	k := int64((float64(now-s.begin)-s.first)/s.every) + 1
	// Float rounding may put the boundary one message off; at is the truth.
	for k > 0 && s.at(k-1) > now {
		k--
	}
	for s.at(k) <= now {
		k++
	}
	return k
}

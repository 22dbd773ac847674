package bench

import "math"

// A schedule is one connection's share of an open-loop rate: its message k is
// meant to be sent at first + k*every nanoseconds after the run's epoch. Times
// are parameters, not read from the clock, so the arithmetic is tested
// without waiting.
type schedule struct {
	first float64 // ns after the epoch of this connection's message 0
	every float64 // ns between two of its messages
}

// newSchedule spreads rate messages per second over conns connections and
// returns connection i's share: the connections take turns, so that
// together they send evenly.
func newSchedule(rate float64, conns, i int) schedule {
	gap := 1e9 / rate // ns between two messages of the whole run
	return schedule{first: float64(i) * gap, every: float64(conns) * gap}
}

// at is when message k is meant to be sent, rounded to the nanosecond.
func (s schedule) at(k int64) int64 { return int64(math.Round(s.first + float64(k)*s.every)) }

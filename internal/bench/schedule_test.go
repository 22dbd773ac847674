package bench

import "testing"

func TestSchedule(t *testing.T) {
	// 1000 msgs/s over 4 connections: one message every ms in all, each
	// connection every 4ms, connection i offset by i ms.
	s := newSchedule(1000, 4, 1)
	const ms = 1e6
	for _, tc := range []struct {
		now  int64
		want int64
	}{
		{0, 0}, {ms - 1, 0}, {ms, 1}, {5*ms - 1, 1}, {5 * ms, 2}, {41 * ms, 11}, {1e9, 250},
	} {
		if got := s.due(tc.now); got != tc.want {
			t.Errorf("due(%d) = %d; want %d", tc.now, got, tc.want)
		}
	}
	if got := s.at(10); got != 41*ms {
		t.Errorf("at(10) = %d; want %d", got, int64(41*ms))
	}
	// Rates that are not a whole number of ns apart: due and at agree.
	s = newSchedule(3, 7, 6)
	for k := range int64(1000) {
		if s.due(s.at(k)) != k+1 || s.due(s.at(k)-1) != k {
			t.Fatalf("due(at(%d)) = %d, due(at(%d)-1) = %d; want %d, %d", k, s.due(s.at(k)), k, s.due(s.at(k)-1), k+1, k)
		}
	}
}

// All connections together send at the rate, evenly.
func TestScheduleSpread(t *testing.T) {
	const conns, rate = 7, 3000.0
	var due int64
	for i := range conns {
		due += newSchedule(rate, conns, i).due(1e9 - 1)
	}
	if due != 3000 {
		t.Errorf("%d messages due in the first second at %v/s", due, rate)
	}
}

// due, the inverse of at, checks it: how many messages are meant to have been sent by now: the k with
// at(k) ≤ now.
func (s schedule) due(now int64) int64 {
	if now < s.at(0) {
		return 0
	}
	k := int64((float64(now)-s.first)/s.every) + 1
	// Float rounding may put the boundary one message off; at is the truth.
	for k > 0 && s.at(k-1) > now {
		k--
	}
	for s.at(k) <= now {
		k++
	}
	return k
}

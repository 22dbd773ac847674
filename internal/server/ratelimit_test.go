package server

import (
	"net/netip"
	"testing"
	"time"
)

func TestRateLimiter(t *testing.T) {
	t0 := time.Unix(1000, 0)
	a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1")
	l := newRateLimiter(3)
	steps := []struct {
		ip   netip.Addr
		at   time.Duration
		want bool
	}{
		{a, 0, true}, {a, 0, true}, {a, 0, true}, // the burst
		{a, 0, false},                      // over the rate
		{b, 0, true},                       // another source has its own bucket
		{a, 200 * time.Millisecond, false}, // 0.6 tokens back: not yet one
		{a, 334 * time.Millisecond, true},  // one token back
		{a, 334 * time.Millisecond, false},
		{a, 10 * time.Second, true}, // refilled, but never beyond the burst
		{a, 10 * time.Second, true},
		{a, 10 * time.Second, true},
		{a, 10 * time.Second, false},
	}
	for i, st := range steps {
		if got := l.allow(st.ip, t0.Add(st.at)); got != st.want {
			t.Errorf("step %d: allow(%v, +%v) = %v; want %v", i, st.ip, st.at, got, st.want)
		}
	}
}

func TestRateLimiterMemoryBounded(t *testing.T) {
	l := newRateLimiter(1)
	now := time.Unix(1000, 0)
	for i := range maxRateSources + 100 {
		ip := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		l.allow(ip, now)
	}
	if n := len(l.buckets); n > maxRateSources+1 {
		t.Errorf("%d buckets after %d sources; want at most %d", n, maxRateSources+100, maxRateSources+1)
	}
	// A second later the idle sources are forgotten to make room.
	l.allow(netip.MustParseAddr("192.0.2.9"), now.Add(2*time.Second))
	if n := len(l.buckets); n > 2 {
		t.Errorf("%d buckets after the idle ones should have been forgotten", n)
	}
}

package server

import (
	"fmt"
	"runtime"
	"testing"
)

// TestNoAllocationPerMessage: once a connection is up, a message and its reply
// cost the server (and this client) no heap allocation: buffers are reused.
// It counts every allocation in the process over many round trips, so even one
// allocation every few messages shows.
func TestNoAllocationPerMessage(t *testing.T) {
	c := dial(t, start(t, &Server{}))
	msg := []byte("hello, allocation-free world\n")
	reply := make([]byte, len(msg))
	for range 100 { // warm up: the connection's buffer and timers are made once
		roundTrip(t, c, msg, reply)
	}
	const messages = 5000
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range messages {
		roundTrip(t, c, msg, reply)
	}
	runtime.ReadMemStats(&after)
	// A few allocations may come from the runtime itself (GC, timers);
	// one per message would be 5000.
	if n := after.Mallocs - before.Mallocs; n > messages/100 {
		t.Errorf("%d allocations over %d round trips; want none per message", n, messages)
	}
}

// BenchmarkRoundTrip is one client's ping-pong through the server on loopback.
func BenchmarkRoundTrip(b *testing.B) {
	s := &Server{}
	addr := start(b, s)
	c := dial(b, addr)
	for _, size := range []int{16, 1024} {
		msg := make([]byte, size)
		reply := make([]byte, size)
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				roundTrip(b, c, msg, reply)
			}
		})
	}
}

package server

import (
	"fmt"
	"testing"
)

// TestNoAllocationPerMessage: once a connection is up, a message and its reply
// cost the server (and this client) no heap allocation: buffers are reused.
func TestNoAllocationPerMessage(t *testing.T) {
	c := dial(t, start(t, &Server{}))
	msg := []byte("hello, allocation-free world\n")
	reply := make([]byte, len(msg))
	roundTrip(t, c, msg, reply) // warm up: the connection's buffer is allocated once
	allocs := testing.AllocsPerRun(2000, func() { roundTrip(t, c, msg, reply) })
	if allocs != 0 {
		t.Errorf("%v allocations per message round trip; want 0", allocs)
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

package bench

import (
	"testing"
	"time"
)

// A server that stalls once for 300ms: closed loop, only the one message
// caught in the stall shows it; open loop (--rate), every message that was
// meant to be sent during the stall is late by the rest of it, so a large
// share of the latencies shows the stall. Only lower bounds are asserted: a
// slow machine makes latencies longer, never shorter.
func TestOpenLoopSeesStall(t *testing.T) {
	const stall = 300 * time.Millisecond
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"ping-pong", Config{Rate: 1000}},
		{"pipelined", Config{Rate: 1000, Pipeline: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stalled := make(chan struct{})
			cfg := tc.cfg
			// The stall comes early (at the 20th message, meant for 20ms
			// in), so that even a busy machine is far from the end of
			// the run when it begins.
			cfg.Addr = tcpServer(t, stallOnce(20*16, stall, stalled))
			cfg.Conns, cfg.Duration = 1, time.Second
			res := mustRun(t, cfg)
			select {
			case <-stalled:
			default:
				t.Fatalf("the server never stalled: only %d messages", res.Messages)
			}
			wantClean(t, res)
			h := res.Latency
			if max := time.Duration(h.Max()); max < stall {
				t.Errorf("max latency %v; want at least the stall, %v", max, stall)
			}
			// Messages meant for the first half of the stall waited at
			// least half of it: 150 of them at 1000/s.
			half := int64(stall / 2)
			above := countAbove(res, half)
			if above < 100 {
				t.Errorf("%d latencies ≥ %v of %d; want the ~150 messages meant to be sent in the stall's first half", above, time.Duration(half), h.TotalCount())
			}
		})
	}
}

// The closed loop sees the stall too, in one message at least.
func TestClosedLoopSeesStall(t *testing.T) {
	const stall = 300 * time.Millisecond
	stalled := make(chan struct{})
	res := mustRun(t, Config{Addr: tcpServer(t, stallOnce(100*16, stall, stalled)), Conns: 1, Duration: time.Second})
	<-stalled
	wantClean(t, res)
	if max := time.Duration(res.Latency.Max()); max < stall {
		t.Errorf("max latency %v; want at least the stall, %v", max, stall)
	}
}

// countAbove is how many latencies in res are at least ns.
func countAbove(res *Result, ns int64) int64 {
	var n int64
	for _, b := range res.Latency.Distribution() {
		if b.From >= ns {
			n += b.Count
		}
	}
	return n
}

package bench

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/upcase/upcase/internal/upper"
)

// A server that stalls once for 300ms: closed loop, only the one message
// caught in the stall shows it; open loop (--rate), every message that was
// meant to be sent during the stall is late by the rest of it, so a large
// share of the latencies shows the stall. Only lower bounds are asserted: a
// slow machine makes latencies longer, never shorter. The run lasts until
// the server has answered 200 messages after the stall, whatever the
// machine's speed: those meant for its first half among them.
func TestOpenLoopSeesStall(t *testing.T) {
	const stall = 300 * time.Millisecond
	const size, before, after = 16, 20, 200 // messages before the stall, and answered after it
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"ping-pong", Config{Rate: 1000}},
		{"pipelined", Config{Rate: 1000, Pipeline: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			cfg := tc.cfg
			// The stall comes early, at the 20th message.
			cfg.Addr = tcpServer(t, func(c net.Conn) {
				buf := make([]byte, 16<<10)
				total := 0
				for {
					n, err := c.Read(buf)
					was := total
					total += n
					if was < before*size && total >= before*size {
						time.Sleep(stall) // the server's stall, not a wait of the test
					}
					upper.ASCII(buf[:n])
					if _, werr := c.Write(buf[:n]); werr != nil || err != nil {
						return
					}
					if was < (before+after)*size && total >= (before+after)*size {
						cancel()
					}
				}
			})
			cfg.Conns, cfg.Duration, cfg.Timeout = 1, time.Hour, mustTimeout
			res, err := Run(ctx, cfg)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Run: %v; want it stopped once 200 messages were answered after the stall", err)
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

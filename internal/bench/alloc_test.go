package bench

import (
	"runtime"
	"testing"
	"time"

	"github.com/upcase/upcase/internal/upper"
)

// TestNoAllocationPerMessage: a message costs no heap allocation in any loop.
// Two runs, one three times longer than the other, differ by many messages;
// they must not differ by more than a few allocations (the extra throughput
// steps and timer wakeups of the longer run), which a cost of even one
// allocation per hundred messages would exceed. The server is in this
// process and allocates nothing per message either.
func TestNoAllocationPerMessage(t *testing.T) {
	tcp := tcpServer(t, serveUpper)
	udp := udpServer(t, 0, upper.ASCII)
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"ping-pong", Config{Addr: tcp}},
		{"pipelined", Config{Addr: tcp, Pipeline: 8}},
		{"open loop", Config{Addr: tcp, Rate: 20000}},
		{"udp", Config{Addr: udp, UDP: true}},
		{"udp pipelined", Config{Addr: udp, UDP: true, Pipeline: 8}},
		{"udp open loop", Config{Addr: udp, UDP: true, Rate: 20000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.Conns = 1
			mallocs := func(d time.Duration) (allocs, msgs int64) {
				cfg.Duration = d
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				res := mustRun(t, cfg)
				runtime.ReadMemStats(&after)
				// Not wantClean: on a loaded machine a run this short
				// may end before its first reply, which the check on
				// the message count below reports as too slow.
				if res.Failed() {
					t.Errorf("%s run: mismatches %d, errors %d, conn failures %d (%s); want no failure",
						d, res.Mismatches, res.Errors, res.ConnFailures, res.FirstError)
				}
				return int64(after.Mallocs - before.Mallocs), res.Sent
			}
			mallocs(50 * time.Millisecond) // warm up
			a1, m1 := mallocs(100 * time.Millisecond)
			a2, m2 := mallocs(300 * time.Millisecond)
			if m2-m1 < 500 {
				t.Skipf("only %d more messages in the longer run: too slow a machine to tell", m2-m1)
			}
			if extra := a2 - a1; extra > 50+(m2-m1)/100 {
				t.Errorf("%d more allocations for %d more messages; want none per message", extra, m2-m1)
			}
		})
	}
}

package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkVsPlainClient compares Run with the plainest Go load generator,
// a goroutine per connection writing a message and io.ReadFull-ing its reply
// with nothing checked or measured, against the same in-process
// goroutine-per-connection upper-casing server, in the same run. On a small
// machine the client is the bottleneck, so the ratio is the price of what
// Run adds (checking every byte, a latency per message, the timeline); it
// should be 1 or more. Each iteration runs both for benchDuration, in
// alternating order; the metrics are the medians over the iterations:
//
//	go test -run='^$' -bench=VsPlainClient -benchtime=7x -count=5 ./internal/bench/
//
// With UPCASE_BENCH_ADDR=host:port both load a server already running there
// instead (say, `upcase serve` in another process, which does not share the
// Go scheduler with the clients).
func BenchmarkVsPlainClient(b *testing.B) {
	const size = 16
	for _, conns := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) {
			addr := os.Getenv("UPCASE_BENCH_ADDR")
			if addr == "" {
				addr = tcpServer(b, serveUpper)
			}
			var ours, plain, ratio []float64
			for i := 0; b.Loop(); i++ {
				var o, p float64
				if i%2 == 0 {
					p, o = plainClient(b, addr, conns, size), runBench(b, addr, conns, size)
				} else {
					o, p = runBench(b, addr, conns, size), plainClient(b, addr, conns, size)
				}
				ours, plain, ratio = append(ours, o), append(plain, p), append(ratio, o/p)
			}
			b.ReportMetric(median(ours), "bench-msgs/s")
			b.ReportMetric(median(plain), "plain-msgs/s")
			b.ReportMetric(median(ratio), "ratio")
			b.ReportMetric(0, "ns/op") // an iteration is a fixed time: meaningless
		})
	}
}

const benchDuration = time.Second

func runBench(b *testing.B, addr string, conns, size int) float64 {
	res, err := Run(context.Background(), Config{Addr: addr, Conns: conns, Size: size, Duration: benchDuration})
	if err != nil {
		b.Fatal(err)
	}
	if res.Failed() {
		b.Fatalf("bench failed: %s", res.FirstError)
	}
	return res.MsgsPerSec
}

// plainClient is the baseline: dial conns connections, then on each, as fast
// as it goes for benchDuration: write, io.ReadFull the reply.
func plainClient(b *testing.B, addr string, conns, size int) float64 {
	cs := make([]net.Conn, conns)
	for i := range cs {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		cs[i] = c
	}
	var total atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	end := start.Add(benchDuration)
	for _, c := range cs {
		wg.Go(func() {
			msg, reply := make([]byte, size), make([]byte, size)
			for i := range msg {
				msg[i] = 'a' + byte(i%26)
			}
			var n int64
			for time.Now().Before(end) {
				if _, err := c.Write(msg); err != nil {
					break
				}
				if _, err := io.ReadFull(c, reply); err != nil {
					break
				}
				n++
			}
			total.Add(n)
		})
	}
	wg.Wait()
	return float64(total.Load()) / time.Since(start).Seconds()
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

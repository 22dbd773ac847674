package bench

import (
	"runtime"
	"syscall"
	"testing"
	"time"
)

// maxBytesPerConn is what one more connection may cost the epoll engine in
// Go heap: its worker and its place on a loop, a few hundred bytes. (The
// goroutine engine's histogram alone is 220 KiB.)
const maxBytesPerConn = 512

// The epoll engine's connections cost bench a few hundred bytes each, not a
// goroutine and a histogram: the live heap with 4000 connections open, less
// that with 200, over the 3800 more.
func TestMemoryPerConnection(t *testing.T) {
	if testEngine != EngineEpoll {
		t.Skip("the goroutine engine keeps a histogram of 220 KiB per connection")
	}
	const small, large = 200, 4000
	raiseFileLimit(t, 2*large+100) // the server's sockets are in a process of their own, which inherits it
	addr := serverProcess(t)
	heap := func(conns int) int64 {
		var live int64
		res := mustRun(t, Config{Addr: addr, Conns: conns, Duration: time.Second, Progress: func(p Progress) {
			if live == 0 && p.Messages > 0 { // every connection has been opened
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				live = int64(ms.HeapAlloc)
			}
		}})
		wantClean(t, res)
		if live == 0 {
			t.Fatalf("%d connections: no progress report with messages", conns)
		}
		return live
	}
	heap(small) // the first run's one-time allocations
	h1, h2 := heap(small), heap(large)
	per := (h2 - h1) / (large - small)
	t.Logf("live heap: %d B with %d connections, %d B with %d: %d B per connection", h1, small, h2, large, per)
	if per > maxBytesPerConn {
		t.Errorf("each connection costs %d B of heap; want at most %d", per, maxBytesPerConn)
	}
}

// raiseFileLimit raises the soft limit on open files to at least n, or
// skips the test if the hard limit is lower.
func raiseFileLimit(t *testing.T, n uint64) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Max < n {
		t.Skipf("the hard limit on open files is %d; the test needs %d", lim.Max, n)
	}
	if lim.Cur < n {
		saved := lim
		lim.Cur = n
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { syscall.Setrlimit(syscall.RLIMIT_NOFILE, &saved) })
	}
}

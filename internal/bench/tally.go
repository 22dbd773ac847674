package bench

import (
	"sync/atomic"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// A tally is what some connections measured: one worker's on the goroutine
// engine, one event loop's on the epoll engine (so that 10,000 connections
// do not cost 10,000 histograms). Its plain fields belong to the one
// goroutine that reads the replies; the sampler reads the atomic counters
// while the run goes on, and the counts of dials are added to by whichever
// goroutine dials.
type tally struct {
	hist *hdrhistogram.Histogram

	sent int64 // messages sent (entirely written)
	lost int64 // UDP: no reply within the timeout
	late int64 // UDP: a reply that came after its message was counted lost
	// lastReply is when the last reply counted came in, ns after the
	// epoch.
	lastReply int64

	_            [64]byte     // keep the counters off other tallies' cache lines
	done         atomic.Int64 // replies received and checked since measuring started
	mismatches   atomic.Int64
	errs         atomic.Int64
	connFailures atomic.Int64 // connections that could not be opened
	opened       atomic.Int64 // connections opened
	// Dials refused and timed out, and connections the server closed
	// before any byte of a reply: each also counted as a connection
	// failure or an error.
	dialsRefused, dialsTimedOut, closedBeforeReply atomic.Int64
	_                                              [64]byte
}

func newTally() *tally { return &tally{hist: newHistogram()} }

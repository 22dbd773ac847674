package bench

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram bounds: latencies are recorded in nanoseconds, from 1 ns to a
// minute, to three significant figures.
const (
	minLatency = 1
	maxLatency = int64(time.Minute)
	sigFigs    = 3
)

// dialers is how many connections are being opened at once, so that a
// thousand connections do not overflow the server's listen backlog.
const dialers = 64

// A run is what the connections of one Run share. Its fields are set before
// the connections start and only read after, except stop.
type run struct {
	cfg     Config
	pay     *payload
	addr    string
	epoch   time.Time // when load started; times below are ns after it
	measure int64     // when measuring starts: after the warmup
	end     int64     // when sending stops
	stop    atomic.Bool
	ended   chan struct{} // open loop: closed when the pacer has released the last message
}

// now is the time since the epoch, from the monotonic clock.
func (r *run) now() int64 { return int64(time.Since(r.epoch)) }

// at is the wall-clock time of t ns after the epoch, for deadlines.
func (r *run) at(t int64) time.Time { return r.epoch.Add(time.Duration(t)) }

// Run opens cfg.Conns connections to cfg.Addr, sends load on all of them for
// cfg.Warmup plus cfg.Duration, waits up to cfg.Timeout for the last replies,
// closes the connections and returns what it measured.
//
// If no connection can be opened, Run returns a nil Result and the first
// error, which names the address. Other failures (a connection that could not
// be opened while others could, a reset, a missing or wrong reply) are
// counted in the Result, with an error nil.
//
// When ctx is done, Run stops at once and returns the Result so far, with
// Interrupted set, and ctx's error. It returns only once every goroutine it
// started has ended and every connection is closed.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	r := &run{cfg: cfg, pay: newPayload(cfg.Size, cfg.Expect), addr: cfg.Addr, ended: make(chan struct{})}
	ws, err := r.dial(ctx)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, w := range ws {
			if w.conn != nil {
				w.conn.Close()
			}
		}
	}()

	r.epoch = time.Now()
	r.measure = int64(cfg.Warmup)
	r.end = int64(cfg.Warmup + cfg.Duration)
	var wg sync.WaitGroup
	for _, w := range ws {
		if w.conn != nil {
			wg.Go(func() { w.run(ctx) })
		}
	}
	finished := make(chan struct{})
	go func() {
		wg.Wait()
		close(finished)
	}()
	paced := make(chan struct{})
	if cfg.Rate > 0 {
		go func() {
			defer close(paced)
			r.pace(ctx, ws, finished)
		}()
	} else {
		close(paced)
	}
	samples := r.watch(ctx, ws, finished)
	<-paced
	if ctx.Err() != nil { // workers that saw ctx first may have ended before cancel
		r.stop.Store(true)
	}
	res := r.result(ws, samples)
	if res.ConnFailures == int64(len(ws)) && res.Messages == 0 {
		return nil, firstError(ws) // UDP: every socket was refused
	}
	if res.Interrupted {
		return res, ctx.Err()
	}
	return res, nil
}

// dial opens the connections, at most dialers at a time. It fails only if
// none could be opened, or when ctx is done (after closing what it opened).
func (r *run) dial(ctx context.Context) ([]*worker, error) {
	ws := make([]*worker, r.cfg.Conns)
	sem := make(chan struct{}, dialers)
	var wg sync.WaitGroup
	for i := range ws {
		w := newWorker(r, i)
		ws[i] = w
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				w.dialErr = ctx.Err()
				return
			}
			w.conn, w.dialErr = r.cfg.Dial(ctx, r.cfg.network(), r.addr)
		})
	}
	wg.Wait()
	var first error
	opened := 0
	for _, w := range ws {
		if w.dialErr == nil {
			opened++
		} else if first == nil {
			first = w.dialErr
		}
	}
	if ctx.Err() != nil || opened == 0 {
		for _, w := range ws {
			if w.conn != nil {
				w.conn.Close()
			}
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, first
	}
	return ws, nil
}

// aLongTimeAgo is a deadline in the past: setting it wakes up every blocked
// read and write on a connection (as net/http does).
var aLongTimeAgo = time.Unix(1, 0)

// cancel stops every connection at once: the workers see r.stop, or a
// deadline in the past when they are blocked in I/O. A worker that sets a
// deadline of its own checks r.stop after it, so that it cannot undo
// cancel's without seeing r.stop.
func (r *run) cancel(ws []*worker) {
	r.stop.Store(true)
	for _, w := range ws {
		if w.conn != nil {
			w.conn.SetDeadline(aLongTimeAgo)
		}
	}
}

// newHistogram returns an empty latency histogram.
func newHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(minLatency, maxLatency, sigFigs)
}

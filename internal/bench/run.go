package bench

import (
	"context"
	"net/netip"
	"runtime/debug"
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
	end     int64     // when sending stops, unless the run is stopped first
	stop    atomic.Bool
	// stopped is when sending stopped: end, or when the run was stopped
	// (cancel), if that came first.
	stopped int64         // Run's goroutine only (watch, cancel, halt, result): not shared with the workers
	ended   chan struct{} // open loop: closed when the pacer has released the last message

	// stopCtx is done when the run is stopped (cancel) or Run returns: it
	// cuts short the dials and back-offs of redialling workers.
	stopCtx context.Context
	stopAll context.CancelFunc
	sources atomic.Uint64 // connections dialled so far: the next source
	redials *redialBudget // shared by the redials after failures without a reply

	// loops is the epoll engine; nil on the goroutine engine.
	loops *loops
	// tallies are where the workers count, each once: one per worker on
	// the goroutine engine, one per event loop on the epoll engine.
	tallies []*tally

	failMu      sync.Mutex
	failedConns []FailedConn // the first maxFailedConns
	failedTotal int64
}

// maxFailedConns is how many failed connections a Result lists one by one;
// it counts all of them.
const maxFailedConns = 1000

// source is the local address for the next connection: the sources in
// turn, or the zero Addr (any) when there are none.
func (r *run) source() netip.Addr {
	src := r.cfg.Source
	if len(src) == 0 {
		return netip.Addr{}
	}
	return src[(r.sources.Add(1)-1)%uint64(len(src))]
}

// addFailed records a connection that failed: its local and remote
// addresses (local may be just the source address, or empty, when the
// connection was never opened) and why.
func (r *run) addFailed(local, remote string, err error) {
	f := FailedConn{Local: local, Remote: remote, Error: err.Error()}
	if !r.epoch.IsZero() {
		f.At = time.Duration(r.now() - r.measure)
	}
	r.failMu.Lock()
	defer r.failMu.Unlock()
	r.failedTotal++
	if len(r.failedConns) < maxFailedConns {
		r.failedConns = append(r.failedConns, f)
	}
}

// now is the time since the epoch, from the monotonic clock.
func (r *run) now() int64 { return int64(time.Since(r.epoch)) }

// at is the wall-clock time of t ns after the epoch, for deadlines.
func (r *run) at(t int64) time.Time { return r.epoch.Add(time.Duration(t)) }

// Run opens cfg.Conns connections to cfg.Addr, sends load on all of them for
// cfg.Warmup plus cfg.Duration, waits up to cfg.Timeout for the last replies,
// closes the connections and returns what it measured.
//
// If no connection can be opened at the start (and Run is not stopped
// meanwhile), Run returns a nil Result and the first error, which names the
// address. Other failures (a connection that could not be opened while
// others could, a reset, a missing or wrong reply) are counted in the
// Result, with an error nil. Over TCP a connection that fails, or could not
// be opened, is opened again, after a back-off that grows while failures
// go on, until the run ends: each failure is counted and listed
// (Result.FailedConns), and the load goes on. Against a server that
// answers no connection (it refuses them, or closes them unanswered) the
// whole run dials at most 100 more times than Conns, plus 100 a second,
// whatever Conns is; Result says which of those causes it was.
//
// When ctx is done, Run stops at once (no dial starts after that, and
// those under way are cut short) and returns the Result so far, with
// Interrupted set, and ctx's error; the Result covers the time until the
// stop, and the connections Run closes because it was stopped are not
// failures. Run returns only once every goroutine it started has ended and
// every connection is closed.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	r := &run{cfg: cfg, pay: newPayload(cfg.Size, cfg.Expect), addr: cfg.Addr, ended: make(chan struct{}), redials: newRedialBudget()}
	r.stopCtx, r.stopAll = context.WithCancel(ctx)
	defer r.stopAll()
	if cfg.Engine == EngineEpoll {
		if r.loops, err = newLoops(r); err != nil {
			return nil, err
		}
		defer r.loops.close() // when Run returns: the loops and their redialers have ended
	}
	ws, err := r.dial(ctx)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, w := range ws {
			w.closeConn()
		}
	}()

	if r.loops != nil {
		// What dialling left behind (a net.Conn per connection, taken
		// over and closed) goes back to the system before the load:
		// the epoll engine's memory is then what its connections keep.
		debug.FreeOSMemory()
	}
	r.epoch = time.Now() // every connection is open, or failed to: load starts
	r.measure = int64(cfg.Warmup)
	r.end = int64(cfg.Warmup + cfg.Duration)
	r.stopped = r.end
	if ctx.Err() != nil { // stopped while the connections were being opened
		r.stopped = 0
		r.stop.Store(true)
	}
	for _, w := range ws { // every connection that could not be opened counts
		if w.dialErr != nil {
			w.dialFailed(w.dialErr)
			r.addFailed(addrString(w.dialFrom), r.addr, w.dialErr)
		}
	}
	var wg sync.WaitGroup
	if r.loops != nil {
		r.loops.start(ws, &wg)
	} else {
		for _, w := range ws {
			if w.conn != nil || !cfg.UDP { // over TCP, a worker whose dial failed dials again
				wg.Go(func() { w.run(ctx) })
			}
		}
	}
	finished := make(chan struct{})
	go func() {
		wg.Wait()
		close(finished)
	}()
	paced := make(chan struct{})
	if cfg.Rate > 0 && r.loops == nil { // the loops keep the schedule themselves
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
		r.halt()
	}
	res := r.result(ws, samples)
	if cfg.UDP && res.ConnFailures == int64(len(ws)) && res.Messages == 0 {
		return nil, firstError(ws) // every socket was refused
	}
	if res.Interrupted {
		return res, ctx.Err()
	}
	return res, nil
}

// dial opens the connections, dialers at a time, from as many goroutines
// (not one per connection, which for 10,000 connections would cost more
// than the connections). It fails only if none could be opened; when ctx
// is done it stops dialling, and the dials it cut short are not failures.
// On the epoll engine each connection's socket is taken over as soon as
// it is open, so that its net.Conn is not kept.
func (r *run) dial(ctx context.Context) ([]*worker, error) {
	ws := make([]*worker, r.cfg.Conns)
	for i := range ws {
		if r.loops != nil {
			ws[i] = r.loops.place(i)
		} else {
			ws[i] = newWorker(r, i, r.tallyFor(i))
		}
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(dialers, len(ws)) {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(len(ws)); i = next.Add(1) - 1 {
				if ctx.Err() != nil {
					continue // stopped: not dialled, and not a failure
				}
				w := ws[i]
				w.dialFrom = r.source()
				w.conn, w.dialErr = r.cfg.Dial(ctx, r.cfg.network(), w.dialFrom, r.addr)
				switch {
				case w.dialErr == nil && r.loops != nil:
					if w.dialErr = r.loops.take(w); w.dialErr == nil {
						w.opened.Add(1)
					}
				case w.dialErr == nil:
					w.opened.Add(1)
				case ctx.Err() != nil:
					w.dialErr = nil // cut short by the stop: not a failure
				}
			}
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return ws, nil // stopped: the result says so
	}
	var first error
	for _, w := range ws {
		if w.dialErr == nil {
			return ws, nil
		}
		if first == nil {
			first = w.dialErr
		}
	}
	return nil, first
}

// tallyFor is where connection i counts on the goroutine engine: its own
// tally.
func (r *run) tallyFor(i int) *tally {
	t := newTally()
	r.tallies = append(r.tallies, t)
	return t
}

// aLongTimeAgo is a deadline in the past: setting it wakes up every blocked
// read and write on a connection (as net/http does).
var aLongTimeAgo = time.Unix(1, 0)

// cancel stops every connection at once: the workers see r.stop, or a
// deadline in the past when they are blocked in I/O, or r.stopCtx when they
// are dialling or backing off. A worker that sets a deadline of its own, or
// a new connection, checks r.stop after it, so that it cannot undo cancel's
// without seeing r.stop.
func (r *run) cancel(ws []*worker) {
	r.halt()
	r.stopAll()
	if r.loops != nil {
		r.loops.wake()
	}
	for _, w := range ws {
		w.mu.Lock()
		if w.conn != nil {
			w.conn.SetDeadline(aLongTimeAgo)
		}
		w.mu.Unlock()
	}
}

// halt marks the run stopped, now: sending stops (r.stop), and r.stopped
// keeps the time if the run had not ended yet.
func (r *run) halt() {
	r.stopped = min(r.stopped, r.now())
	r.stop.Store(true)
}

// measured is when measuring ended, ns after the epoch: when sending
// stopped, or when the last reply counted came in, if that was later (the
// replies in flight when sending stopped are awaited and counted). It is
// for after every worker has ended.
func (r *run) measured() int64 {
	end := r.stopped
	for _, t := range r.tallies {
		end = max(end, t.lastReply)
	}
	return end
}

// newHistogram returns an empty latency histogram.
func newHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(minLatency, maxLatency, sigFigs)
}

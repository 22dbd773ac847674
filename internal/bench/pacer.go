package bench

import (
	"context"
	"runtime"
	"time"
)

// pace releases the messages of an open-loop run at their intended times:
// the only goroutine that waits on the clock, so that it can wait precisely.
// Go's timers on Linux round a wait of less than a millisecond up to one
// (golang/go#53824), which would add up to a millisecond to every latency
// measured from an intended send time; pace sleeps in the kernel instead
// (precise to some tens of µs), which blocks its thread, so there is one
// such thread, not one per connection. Message k of connection i is released
// by raising ws[i].released above k and waking the worker; a worker that is
// behind finds several released at once. pace closes r.ended when the
// schedule reaches the end of the run, and returns then, or when ctx is
// done or every worker has finished.
func (r *run) pace(ctx context.Context, ws []*worker, finished <-chan struct{}) {
	defer close(r.ended)
	// The pacer keeps a thread of its own, told to wake up on time (the
	// thread ends with the pacer, and the setting with it).
	runtime.LockOSThread()
	preciseTimers()
	conns := int64(len(ws))
	for m := int64(0); ; m++ { // message m of the run is message m/conns of connection m%conns
		w, k := ws[m%conns], m/conns
		t := w.at(k)
		if t >= r.end || !r.sleepUntil(ctx, t, finished) {
			return
		}
		w.released.Store(k + 1)
		select {
		case w.tick <- struct{}{}:
		default: // a wake-up is already pending
		}
	}
}

// pacerSlice is the longest the pacer sleeps at once, so that it notices a
// cancelled run soon.
const pacerSlice = 5 * time.Millisecond

// sleepUntil blocks until t (ns after the epoch); false means the run was
// stopped or every worker has finished.
func (r *run) sleepUntil(ctx context.Context, t int64, finished <-chan struct{}) bool {
	for {
		select {
		case <-ctx.Done():
			return false
		case <-finished:
			return false
		default:
		}
		d := time.Duration(t - r.now())
		if d <= 0 {
			return true
		}
		sleep(min(d, pacerSlice))
	}
}

// waitTurn waits until the pacer has released message k of w; false means
// the schedule has ended first, or the run was stopped.
func (w *worker) waitTurn(ctx context.Context, k int64, quit <-chan struct{}) bool {
	for w.released.Load() <= k {
		select {
		case <-w.tick:
		case <-w.r.ended:
			return w.released.Load() > k
		case <-quit:
			return false
		case <-ctx.Done():
			return false
		}
	}
	return !w.r.stop.Load()
}

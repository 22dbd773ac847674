package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// pingPong is the TCP loop for one message in flight of at most maxChunk
// bytes: write it, read its reply (in as many pieces as it comes), check it,
// repeat.
// The connection's deadline is the end of the run plus the timeout, so a
// server that stops answering cannot hold the run past it.
func (w *worker) pingPong(ctx context.Context) {
	r := w.r
	size := r.cfg.Size
	buf := make([]byte, size)
	w.conn.SetDeadline(r.at(r.end + int64(r.cfg.Timeout)))
	off := w.off
	x := newExchanger(w.conn)
	// Closed loop, the reply's arrival time is also the next message's send
	// time: one clock read per message, not two.
	now := r.now()
	for k := int64(0); !r.stop.Load(); k++ {
		if now >= r.end { // even when behind schedule: the run is over
			return
		}
		intended := now
		if w.open {
			intended = w.sched.at(k)
			if intended >= r.end || !w.waitTurn(ctx, k, nil) {
				return
			}
			now = r.now()
			if now >= r.end {
				return
			}
		}
		got, err := x.exchange(r.pay.sendAt(off, size), buf)
		if err != nil {
			w.exchangeFailed(err)
			return
		}
		w.sent++
		if !r.pay.check(off, buf[:got]) {
			w.mismatches.Add(1)
		}
		now = r.now()
		if w.record(intended, now) {
			w.done.Add(1)
		}
		off += int64(size)
	}
}

// exchangeFailed counts a failed round trip, unless the run was stopped.
func (w *worker) exchangeFailed(err error) {
	if w.r.stop.Load() {
		return
	}
	var xe *exchangeError
	if errors.As(err, &xe) {
		w.fail(ioError("write to", w.r.addr, xe.err))
		return
	}
	w.sent++ // written, not answered
	w.fail(w.readError(err, 1))
}

// readError describes a read that failed with missing replies still due.
func (w *worker) readError(err error, missing int64) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("read from %s: %d replies missing %v after the end of the run (%w)", w.r.addr, missing, w.r.cfg.Timeout, err)
	}
	return ioError("read from", w.r.addr, err)
}

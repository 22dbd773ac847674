package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// pingPong is the TCP loop for one message in flight of at most maxChunk
// bytes: write it, read its reply (in as many pieces as it comes), check it,
// repeat, on one connection until the run ends, the connection fails or it
// has carried MsgsPerConn messages.
// The connection's deadline is the end of the run plus the timeout, so a
// server that stops answering cannot hold the run past it.
func (w *worker) pingPong(ctx context.Context, buf []byte) connEnd {
	r := w.r
	size := r.cfg.Size
	w.conn.SetDeadline(r.at(r.end + int64(r.cfg.Timeout)))
	off := w.off
	defer func() { w.off = off }()
	x := newExchanger(w.conn)
	limit := int64(r.cfg.MsgsPerConn)
	// Closed loop, the reply's arrival time is also the next message's send
	// time: one clock read per message, not two.
	now := r.now()
	w.connReplies = 0
	for !r.stop.Load() {
		if now >= r.end { // even when behind schedule: the run is over
			return endRun
		}
		if limit > 0 && w.connReplies == limit {
			return w.endPingPong(buf)
		}
		k := w.next
		intended := now
		if w.open {
			intended = w.at(k)
			if intended >= r.end || !w.waitTurn(ctx, k, nil) {
				return endRun
			}
			now = r.now()
			if now >= r.end {
				return endRun
			}
		}
		w.next++ // its turn is taken, answered or not
		got, err := x.exchange(r.pay.sendAt(off, size), buf)
		off += int64(size)
		if err != nil {
			if !w.exchangeFailed(err, w.connReplies > 0 || got > 0) {
				return endRun
			}
			return endFailed
		}
		w.sent++
		if w.connReplies++; w.connReplies == 1 {
			w.answered()
		}
		if !r.pay.check(off-int64(size), buf[:got]) {
			w.mismatches.Add(1)
		}
		now = r.now()
		if w.record(intended, now) {
			w.done.Add(1)
		}
	}
	return endRun
}

// endPingPong ends a connection that has carried MsgsPerConn messages:
// half-close, then wait for the server's close.
func (w *worker) endPingPong(buf []byte) connEnd {
	tc, ok := w.conn.(closeWriter)
	if !ok {
		return endPolite // no half-close without a TCP connection: just close
	}
	if err := tc.CloseWrite(); err != nil {
		if w.r.stop.Load() {
			return endRun
		}
		w.fail(ioError("shut down writing to", w.r.addr, err))
		return endFailed
	}
	return w.closePolitely(buf)
}

// exchangeFailed counts a failed round trip, unless the run was stopped;
// it reports whether it counted it. replied says whether any byte of a
// reply had come on the connection.
func (w *worker) exchangeFailed(err error, replied bool) bool {
	if w.r.stop.Load() {
		return false
	}
	w.countClose(err, replied)
	var xe *exchangeError
	if errors.As(err, &xe) {
		w.fail(ioError("write to", w.r.addr, xe.err))
		return true
	}
	w.sent++ // written, not answered
	w.fail(w.readError(err, 1))
	return true
}

// readError describes a read that failed with missing replies still due.
func (w *worker) readError(err error, missing int64) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("read from %s: %d replies missing %v after the end of the run (%w)", w.r.addr, missing, w.r.cfg.Timeout, err)
	}
	return ioError("read from", w.r.addr, err)
}

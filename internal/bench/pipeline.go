package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// A window is the messages in flight on one pipelined connection, shared by
// its writer and its reader goroutines without a lock: the writer stores a
// message's intended send time in times, then publishes it by advancing sent,
// then writes the message; the reader reads the time once the reply is in and
// advances done, which frees the slot for the writer.
type window struct {
	times []int64       // intended send time of message k at k % len(times)
	sent  atomic.Int64  // messages whose times are stored
	done  atomic.Int64  // messages answered
	wake  chan struct{} // reader → writer: slots were freed (capacity 1)
	quit  chan struct{} // closed when the reader has ended

	// Set by the writer before it closes written.
	written  chan struct{}
	final    int64 // messages entirely written
	writeErr error // why the writer stopped before the end, if it did
	full     bool  // it wrote MsgsPerConn messages (and half-closed)

	base int64 // open loop: the schedule's number of this connection's first message
}

// pipelined is the TCP loop for several messages in flight (or messages too
// big for one buffer), on one connection: a writer goroutine keeps the
// window full while this one reads, so neither direction waits for the
// other. At the end of the run, or after MsgsPerConn messages, the writer
// half-closes the connection; the server answers what remains and closes
// its side, which tells the reader it has everything.
func (w *worker) pipelined(ctx context.Context) connEnd {
	r := w.r
	win := &window{
		times:   make([]int64, r.cfg.Pipeline),
		wake:    make(chan struct{}, 1),
		quit:    make(chan struct{}),
		written: make(chan struct{}),
		base:    w.next,
	}
	w.connReplies = 0
	w.conn.SetDeadline(r.at(r.end + int64(r.cfg.Timeout)))
	if r.stop.Load() { // cancelled before the deadline above was set
		return endRun
	}
	var wg sync.WaitGroup
	wg.Go(func() { w.write(ctx, win) })
	w.read(win)
	close(win.quit)
	w.conn.SetWriteDeadline(aLongTimeAgo) // unblock a writer stuck in Write
	wg.Wait()
	w.sent += win.final
	w.next = win.base + win.final
	w.off += win.final * int64(r.cfg.Size)
	w.connReplies = win.done.Load()
	switch {
	case r.stop.Load():
		return endRun
	case w.failed():
		return endFailed
	case win.full && r.now() < r.end:
		return w.closePolitely(make([]byte, 512))
	}
	return endRun
}

// write is the writer of a pipelined connection. When it has written its
// last message it tells the reader how many there were, then half-closes.
func (w *worker) write(ctx context.Context, win *window) {
	seq, err := w.writeLoop(ctx, win)
	win.final, win.writeErr = seq, err
	win.full = err == nil && w.r.cfg.MsgsPerConn > 0 && seq == int64(w.r.cfg.MsgsPerConn)
	close(win.written)
	if w.r.stop.Load() || ctx.Err() != nil { // cancelled: no goodbye
		return
	}
	if err == nil {
		if tc, ok := w.conn.(closeWriter); ok {
			tc.CloseWrite()
		}
	}
	if win.done.Load() >= seq {
		// Everything is answered, and the reader may be blocked in Read
		// since before written was closed: wake it up.
		w.conn.SetReadDeadline(aLongTimeAgo)
	}
}

// writeLoop keeps the window full (closed loop) or sends what is due (open
// loop) until the end of the run, and returns how many messages it wrote
// entirely. The error is why it stopped early, if it did.
func (w *worker) writeLoop(ctx context.Context, win *window) (int64, error) {
	r := w.r
	size, depth := int64(r.cfg.Size), int64(r.cfg.Pipeline)
	batchMax := max(1, maxChunk/size) // messages per Write call
	limit := int64(r.cfg.MsgsPerConn)
	end := time.NewTimer(time.Duration(r.end - r.now()))
	defer end.Stop()
	var seq int64 // messages written
	for !r.stop.Load() {
		if limit > 0 && seq == limit {
			return seq, nil
		}
		free := depth - (seq - win.done.Load())
		if limit > 0 {
			free = min(free, limit-seq)
		}
		if free == 0 {
			select {
			case <-win.wake:
				continue
			case <-end.C:
				return seq, nil
			case <-win.quit:
				return seq, nil
			case <-ctx.Done():
				return seq, nil
			}
		}
		now := r.now()
		if now >= r.end {
			return seq, nil
		}
		n := min(free, batchMax)
		if w.open {
			due := w.released.Load() - (win.base + seq)
			if due <= 0 {
				if !w.waitTurn(ctx, win.base+seq, win.quit) {
					return seq, nil
				}
				continue
			}
			n = min(n, due)
			for j := range n {
				win.times[(seq+j)%depth] = w.at(win.base + seq + j)
			}
		} else {
			for j := range n {
				win.times[(seq+j)%depth] = now
			}
		}
		win.sent.Store(seq + n)
		written, err := w.writeStream(w.off+seq*size, n*size)
		seq += written / size
		if err != nil {
			return seq, ioError("write to", r.addr, err)
		}
	}
	return seq, nil
}

// writeStream writes n bytes of the payload from offset off, in pieces of
// at most maxChunk, and returns how many were written.
func (w *worker) writeStream(off, n int64) (int64, error) {
	var done int64
	for done < n {
		m, err := w.conn.Write(w.r.pay.sendAt(off+done, int(min(n-done, maxChunk))))
		done += int64(m)
		if err != nil {
			return done, err
		}
	}
	return done, nil
}

// read is the reader of a pipelined connection: it reassembles replies by
// length, checks them and records their latency.
func (w *worker) read(win *window) {
	r := w.r
	size, depth := int64(r.cfg.Size), int64(r.cfg.Pipeline)
	buf := make([]byte, min(size*depth, maxChunk))
	var seq int64 // messages answered
	rs := replyStream{off: w.off}
	for {
		n, err := w.conn.Read(buf)
		now := r.now()
		p := buf[:n]
		before, counted := seq, int64(0)
		for len(p) > 0 {
			k, complete, ok := rs.next(r.pay, size, p)
			p = p[k:]
			if !complete {
				break
			}
			if seq >= win.sent.Load() {
				w.mismatches.Add(1)
				w.fail(errMoreBytes(r.addr))
				return
			}
			if !ok {
				w.mismatches.Add(1)
			}
			if w.record(win.times[seq%depth], now) {
				counted++
			}
			seq++
		}
		if counted > 0 {
			w.done.Add(counted)
		}
		if seq > before {
			if before == 0 {
				w.answered()
			}
			win.done.Store(seq)
			select {
			case win.wake <- struct{}{}:
			default:
			}
			if allAnswered(win, seq) {
				return
			}
		}
		if err != nil {
			if !r.stop.Load() && !allAnswered(win, seq) {
				w.readEnd(win, seq, err, rs.off > w.off)
			}
			return
		}
	}
}

// allAnswered reports whether the writer has finished and the seq replies
// received answer everything it wrote.
func allAnswered(win *window, seq int64) bool {
	select {
	case <-win.written:
		return win.writeErr == nil && seq >= win.final
	default:
		return false
	}
}

// readEnd judges how a pipelined connection ended, once its reader has got
// err after seq replies (and replied, whether any byte of a reply came):
// the server closing after answering everything the writer wrote before
// the end is the normal way.
func (w *worker) readEnd(win *window, seq int64, err error, replied bool) {
	cause, failure := err, w.readError(err, win.sent.Load()-seq)
	select {
	case <-win.written:
		switch {
		case win.writeErr != nil:
			cause, failure = win.writeErr, win.writeErr
		case errors.Is(err, io.EOF):
			failure = fmt.Errorf("read from %s: the server closed the connection with %d replies missing", w.r.addr, win.final-seq)
		}
	default:
	}
	w.countClose(cause, replied)
	w.fail(failure)
}

// closeWriter is a connection that can be half-closed, as *net.TCPConn.
type closeWriter interface{ CloseWrite() error }

var _ closeWriter = (*net.TCPConn)(nil)

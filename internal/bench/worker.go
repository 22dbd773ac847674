package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// A worker is one connection's load, over TCP one connection after another
// (after --msgs-per-conn messages, or after a failure): its socket, its
// place in the payload, its schedule and what it measured. The goroutine
// running it (and, when pipelining, its writer) are the only ones to touch
// its plain fields until it ends; the sampler reads the atomic counters
// while it runs.
type worker struct {
	r    *run
	id   int
	off  int64 // where the next message starts in the payload
	next int64 // open loop: the schedule's number of the next message, over all connections
	open bool  // open loop: send by sched
	// failing says a dial failed, or a connection failed without a reply,
	// and no connection has been answered since: each dial takes a token
	// from r.redials.
	failing bool
	refused bool // UDP: refused before any reply: a connection failure
	*tally
	lc   *lconn        // epoll engine: the worker's place on its loop
	tick chan struct{} // open loop: the pacer released messages (capacity 1)

	// conn is the connection in use, nil between two; it is replaced only
	// by the worker's goroutine, holding mu, which cancel holds to reach it.
	conn     net.Conn
	dialErr  error         // the first dial's, before the run
	dialFrom netip.Addr    // the first dial's source address
	backoff  time.Duration // the ceiling of the next pause
	// connReplies is how many replies the connection in use has received.
	connReplies int64

	mu       sync.Mutex // guards conn's replacement, firstErr and connErr: a pipelined worker has two goroutines
	firstErr error
	connErr  error // the first failure of the connection in use

	released atomic.Int64 // open loop: messages the pacer has released
}

// at is when the worker's message k is meant to be sent, ns after the
// epoch: its share of the open loop's schedule, computed rather than kept,
// since the epoll engine keeps thousands of workers.
func (w *worker) at(k int64) int64 { return newSchedule(w.r.cfg.Rate, w.r.cfg.Conns, w.id).at(k) }

// newWorker makes connection i's worker, counting into t.
func newWorker(r *run, i int, t *tally) *worker {
	w := new(worker)
	w.init(r, i, t)
	return w
}

// init makes w connection i's worker, counting into t.
func (w *worker) init(r *run, i int, t *tally) {
	w.r, w.id, w.off, w.tally = r, i, r.pay.start(i), t
	if r.cfg.Rate > 0 {
		w.open = true
		if r.loops == nil { // the epoll engine's loops keep the schedule themselves
			w.tick = make(chan struct{}, 1)
		}
	}
}

// How a connection ended, for the worker to decide what comes next.
type connEnd int

const (
	endRun    connEnd = iota // the run is over or stopped: the worker ends
	endPolite                // MsgsPerConn reached, closed politely: open the next at once
	endFailed                // counted as a failure: back off, then open the next
)

// run sends and receives until the end of the run or r.stop. Over TCP it
// opens a new connection whenever one ends before the run does.
func (w *worker) run(ctx context.Context) {
	cfg := w.r.cfg
	if cfg.UDP { // a socket, not a connection: nothing to open again
		w.udp(ctx)
		w.endConn()
		return
	}
	var buf []byte // ping-pong: the reply
	if cfg.Pipeline == 1 && cfg.Size <= maxChunk {
		buf = make([]byte, cfg.Size)
	}
	if w.conn == nil && !w.pause() { // the first dial failed
		return
	}
	for {
		if w.conn == nil && !w.redial() {
			return
		}
		var end connEnd
		if buf != nil {
			end = w.pingPong(ctx, buf)
		} else {
			end = w.pipelined(ctx)
		}
		w.endConn()
		switch end {
		case endRun:
			return
		case endFailed:
			if w.connReplies == 0 { // not answered: the next dial takes a token
				w.failing = true
			}
			if !w.pause() {
				return
			}
		}
	}
}

// redial opens a new connection, trying again after a back-off while it
// fails, until the run ends; while the worker is failing each dial takes a
// token from the run's budget first (backoff.go). It reports whether
// w.conn is open.
func (w *worker) redial() bool {
	r := w.r
	for !r.stop.Load() {
		now := r.now()
		if now >= r.end {
			return false
		}
		if w.failing && !r.redials.take(now) {
			if !w.pause() { // the budget is spent: wait again
				return false
			}
			continue
		}
		src := r.source()
		// No dial starts after the end, and a stop (cancel) cuts one short;
		// but one started before the end may finish within the timeout, as
		// replies may: cut short at the end, a dial whose handshake has
		// just completed would leave the server a connection bench did not
		// count as opened. The wait is not in Result.Duration, and a dial
		// that fails after the end is not a failure.
		ctx, cancel := context.WithDeadline(r.stopCtx, r.at(r.end+int64(r.cfg.Timeout)))
		conn, err := r.cfg.Dial(ctx, "tcp", src, r.addr)
		cancel()
		if err == nil {
			w.mu.Lock()
			w.conn, w.connErr = conn, nil
			w.mu.Unlock()
			w.opened.Add(1)
			if r.stop.Load() { // cancel may have looked before the swap
				w.closeConn()
				return false
			}
			return true
		}
		if r.stop.Load() || r.stopCtx.Err() != nil || r.now() >= r.end { // the end cut the dial short
			return false
		}
		w.dialFailed(err)
		w.keepFirst(err)
		r.addFailed(addrString(src), r.addr, err)
		if !w.pause() {
			return false
		}
	}
	return false
}

// endConn closes the connection in use, and lists it as failed if it did.
func (w *worker) endConn() {
	w.mu.Lock()
	c, err := w.conn, w.connErr
	w.conn, w.connErr = nil, nil
	w.mu.Unlock()
	if c == nil {
		return
	}
	if err != nil {
		w.r.addFailed(c.LocalAddr().String(), c.RemoteAddr().String(), err)
	}
	c.Close()
}

// closeConn closes the connection in use, if any, without judging it.
func (w *worker) closeConn() {
	w.mu.Lock()
	c := w.conn
	w.conn, w.connErr = nil, nil
	w.mu.Unlock()
	if c != nil {
		c.Close()
	}
}

// closePolitely ends a connection whose writing side is already shut down:
// it reads until the server closes, which must come with no more bytes.
func (w *worker) closePolitely(buf []byte) connEnd {
	r := w.r
	w.conn.SetReadDeadline(r.at(r.end + int64(r.cfg.Timeout)))
	if r.stop.Load() { // cancel's deadline may have come just before ours
		return endRun
	}
	for {
		n, err := w.conn.Read(buf)
		if n > 0 {
			w.mismatches.Add(1)
			w.fail(errMoreBytes(r.addr))
			return endFailed
		}
		switch {
		case errors.Is(err, io.EOF):
			return endPolite
		case err != nil && r.stop.Load():
			return endRun
		case err != nil:
			w.fail(fmt.Errorf("read from %s after all replies, waiting for the server to close: %w", r.addr, ioError("read from", r.addr, err)))
			return endFailed
		}
	}
}

// errMoreBytes is the failure of a connection on which the server sent
// more bytes than it was sent.
func errMoreBytes(addr string) error {
	return fmt.Errorf("read from %s: the server sent more bytes than it was sent", addr)
}

// addrString is a's text, or "" for the zero Addr.
func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// record counts a reply received at now to a message meant to be sent at
// intended, if measuring has started. The caller adds it to w.done; record
// is called only from the goroutine that reads the replies.
func (w *worker) record(intended, now int64) bool { return w.tally.record(w.r, intended, now) }

// record counts, in t, a reply received at now to a message meant to be
// sent at intended, if measuring has started.
func (t *tally) record(r *run, intended, now int64) bool {
	if now < r.measure {
		return false
	}
	t.hist.RecordValue(min(max(now-intended, minLatency), maxLatency))
	t.lastReply = now
	return true
}

// fail counts err as an error of this connection, and keeps the first.
func (w *worker) fail(err error) {
	w.errs.Add(1)
	w.mu.Lock()
	if w.connErr == nil {
		w.connErr = err
	}
	w.mu.Unlock()
	w.keepFirst(err)
}

// keepFirst keeps err if it is the worker's first.
func (w *worker) keepFirst(err error) {
	w.mu.Lock()
	if w.firstErr == nil {
		w.firstErr = fmt.Errorf("connection %d: %w", w.id+1, err)
	}
	w.mu.Unlock()
}

// failed reports whether the connection in use has failed.
func (w *worker) failed() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.connErr != nil
}

// ioError is a failed read or write on the connection to addr, as one line
// in plain words: "read from 127.0.0.1:8080: connection reset by peer". It
// wraps the cause.
func ioError(op, addr string, err error) error {
	var errno syscall.Errno
	switch {
	case errors.Is(err, io.EOF):
		return fmt.Errorf("%s %s: the server closed the connection (%w)", op, addr, err)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("%s %s: %w", op, addr, err)
	case errors.As(err, &errno):
		return fmt.Errorf("%s %s: %w", op, addr, errno)
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		err = oe.Err
	}
	return fmt.Errorf("%s %s: %w", op, addr, err)
}

// firstError is the first failure of any worker, dialling included.
func firstError(ws []*worker) error {
	for _, w := range ws {
		if w.dialErr != nil {
			return w.dialErr
		}
		w.mu.Lock()
		err := w.firstErr
		w.mu.Unlock()
		if err != nil {
			return err
		}
	}
	return nil
}

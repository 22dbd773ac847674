package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// udp is the loop of one UDP socket on the goroutine engine: what is sent
// and checked is a udpFlight's; this loop only moves the datagrams and
// waits.
//
// The socket's I/O is a udpIO: on Linux it sends every datagram due with one
// sendmmsg(2) and takes every reply waiting with one recvmmsg(2)
// (udp_batch_linux.go); elsewhere, or for a connection with no socket, one
// Write and one Read per datagram (udp_each.go).
func (w *worker) udp(ctx context.Context) {
	r := w.r
	x := newUDPIO(w.conn, r.cfg.Size, r.cfg.Pipeline)
	f := newUDPFlight(w)
	defer f.settle()
	// The replies' arrival time is also when the next messages are sent and
	// the expired ones judged: one clock read per batch of replies.
	now := r.now()
	for !r.stop.Load() {
		f.expire(now, len(f.flight))
		for {
			msg, ok := f.next(now)
			if !ok {
				break
			}
			if !x.queue(msg) { // the batch is full: send it, then start the next
				sent, err := x.send()
				if f.sent += int64(sent); err != nil {
					w.udpFailed(err, f.replies)
					return
				}
				x.queue(msg)
			}
		}
		if len(f.flight) == 0 {
			if now >= r.end || !w.open {
				return
			}
			if !w.waitTurn(ctx, f.seq, nil) {
				return
			}
			now = r.now()
			continue
		}
		deadline := f.deadline()
		if w.open && len(f.flight) < r.cfg.Pipeline {
			// Wake up for the next message too; but never for a time
			// already past, which would spin until the pacer releases it.
			// (Timers round this up to a millisecond, which is why open loop
			// over UDP is precise only with --pipeline=1.)
			deadline = min(deadline, max(w.at(f.seq), now+int64(50*time.Microsecond)))
		}
		w.conn.SetReadDeadline(r.at(deadline))
		if r.stop.Load() { // cancel's deadline may have come just before ours
			return
		}
		sent, n, err := x.recv() // sends what is queued first
		now = r.now()
		f.sent += int64(sent)
		if err != nil {
			if r.stop.Load() {
				return
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				continue
			}
			w.udpFailed(err, f.replies)
			return
		}
		f.expire(now, len(f.flight)) // a reply after its message's timeout is late
		for k := range n {
			if f.answer(x.reply(k), now) {
				w.done.Add(1)
			}
		}
	}
}

// udpFailed counts err, from a udpIO, unless it is a stop's deadline (a stop
// fails the I/O under way: not an error).
func (w *worker) udpFailed(err error, replies int64) {
	if w.r.stop.Load() {
		return
	}
	var se *exchangeError
	if errors.As(err, &se) {
		w.udpError("send to", se.err, replies)
		return
	}
	w.udpError("read from", err, replies)
}

// udpError counts a failed send or receive. "Connection refused" is ICMP
// port unreachable: nobody listens there; before any reply it means this
// socket never reached a server, which is a connection failure.
func (w *worker) udpError(op string, err error, replies int64) {
	if errors.Is(err, syscall.ECONNREFUSED) {
		err = fmt.Errorf("%s %s over UDP: %w (nobody is listening there)", op, w.r.addr, syscall.ECONNREFUSED)
		if replies == 0 {
			w.refused = true
			w.mu.Lock()
			w.firstErr, w.connErr = err, err
			w.mu.Unlock()
			return
		}
		w.fail(err)
		return
	}
	w.fail(ioError(op, w.r.addr, err))
}

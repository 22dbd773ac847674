package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// A datagram is a message in flight over UDP.
type datagram struct {
	seq      int64 // the worker's message number
	intended int64 // when it was meant to be sent, ns after the epoch
	sent     int64 // when it was sent
}

// recentLost is how many lost messages a UDP worker remembers, to recognise
// a reply that comes after its message was counted lost.
const recentLost = 64

// udp is the loop of one UDP socket: up to Pipeline datagrams in flight,
// each answered by one datagram, matched to its message by content (replies
// may come out of order); a message with no reply within the timeout is lost.
// Only when the expected replies are not known (ExpectNone) is a reply simply
// taken as the answer to the oldest message.
//
// The socket's I/O is a udpIO: on Linux it sends every datagram due with one
// sendmmsg(2) and takes every reply waiting with one recvmmsg(2)
// (udp_batch_linux.go); elsewhere, or for a connection with no socket, one
// Write and one Read per datagram (udp_each.go).
func (w *worker) udp(ctx context.Context) {
	r := w.r
	size, timeout, depth := int64(r.cfg.Size), int64(r.cfg.Timeout), r.cfg.Pipeline
	x := newUDPIO(w.conn, r.cfg.Size, depth)
	defer x.close()
	flight := make([]datagram, 0, depth) // oldest first
	var lost [recentLost]int64           // seq of the last lost messages
	var seq, replies int64
	// The replies' arrival time is also when the next messages are sent and
	// the expired ones judged: one clock read per batch of replies.
	now := r.now()
	for !r.stop.Load() {
		for len(flight) > 0 && flight[0].sent+timeout <= now { // expired
			lost[w.lost%recentLost] = flight[0].seq
			w.lost++
			flight = remove(flight, 0)
		}
		for len(flight) < depth && now < r.end {
			intended := now
			if w.open {
				if w.released.Load() <= seq {
					break
				}
				intended = w.at(seq)
			}
			msg := r.pay.sendAt(w.off+seq*size, int(size))
			if !x.queue(msg) { // the batch is full: send it, then start the next
				sent, err := x.send()
				if w.sent += int64(sent); err != nil {
					w.udpFailed(err, replies)
					return
				}
				x.queue(msg)
			}
			flight = append(flight, datagram{seq: seq, intended: intended, sent: now})
			seq++
		}
		if len(flight) == 0 {
			if now >= r.end || !w.open {
				return
			}
			if !w.waitTurn(ctx, seq, nil) {
				return
			}
			now = r.now()
			continue
		}
		deadline := flight[0].sent + timeout
		if w.open && len(flight) < depth {
			// Wake up for the next message too; but never for a time
			// already past, which would spin until the pacer releases it.
			// (Timers round this up to a millisecond, which is why open loop
			// over UDP is precise only with --pipeline=1.)
			deadline = min(deadline, max(w.at(seq), now+int64(50*time.Microsecond)))
		}
		w.conn.SetReadDeadline(r.at(deadline))
		if r.stop.Load() { // cancel's deadline may have come just before ours
			return
		}
		sent, n, err := x.recv() // sends what is queued first
		now = r.now()
		w.sent += int64(sent)
		if err != nil {
			if r.stop.Load() {
				return
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				continue
			}
			w.udpFailed(err, replies)
			return
		}
		for k := range n {
			reply := x.reply(k)
			i := w.match(flight, reply)
			switch {
			case i >= 0:
			case w.wasLost(lost[:min(w.lost, recentLost)], reply):
				w.late++
				continue
			default:
				w.mismatches.Add(1) // taken as the (wrong) answer to the oldest
				if len(flight) == 0 {
					continue // nothing in flight to take it for
				}
				i = 0
			}
			replies++
			if w.record(flight[i].intended, now) {
				w.done.Add(1)
			}
			flight = remove(flight, i)
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

// remove removes flight[i], keeping the order and the capacity.
func remove(flight []datagram, i int) []datagram {
	return append(flight[:i], flight[i+1:]...)
}

// match returns the index in flight of the message reply answers, or -1.
func (w *worker) match(flight []datagram, reply []byte) int {
	size := int64(w.r.cfg.Size)
	if int64(len(reply)) != size || len(flight) == 0 {
		return -1
	}
	if w.r.pay.want == nil {
		return 0
	}
	for i, d := range flight {
		if w.r.pay.check(w.off+d.seq*size, reply) {
			return i
		}
	}
	return -1
}

// wasLost reports whether reply answers one of the lost messages.
func (w *worker) wasLost(lost []int64, reply []byte) bool {
	size := int64(w.r.cfg.Size)
	if int64(len(reply)) != size || w.r.pay.want == nil {
		return false
	}
	for _, seq := range lost {
		if w.r.pay.check(w.off+seq*size, reply) {
			return true
		}
	}
	return false
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

package bench

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"

	"github.com/upcase/upcase/internal/netpoll"
)

// An lconn is one worker on its event loop, over all the connections it
// opens in turn: the worker itself (one allocation for both), the
// connection in use (fd), how far its messages and replies have gone, and
// when each message in flight was meant to be sent. Messages are counted
// from the connection's first: message j starts at payload offset
// w.off + j*size and is number w.next + j of the worker's schedule.
type lconn struct {
	worker
	fd        int // -1 while the worker is away, dialling
	committed int64
	written   int64 // bytes written
	read      int64 // bytes of replies received
	answered  int64 // replies complete
	rs        replyStream
	t0        int64    // the intended send time of the message in flight, with one in flight
	ring      []int64  // with Pipeline in flight, message j's at j % Pipeline
	halfDone  bool     // writing is shut down: MsgsPerConn reached
	blocked   bool     // the last write found the socket full
	u         *udpSock // UDP: the socket's datagrams (loopudp_linux.go); nil over TCP
}

// place makes connection i's worker, on its loop.
func (l *loop) place(i int) *worker {
	c := &lconn{fd: -1}
	c.worker.init(l.r, i, l.t)
	c.lc = c
	switch {
	case l.udp != nil:
		c.u = &udpSock{}
		c.u.init(&c.worker)
	case l.depth > 1:
		c.ring = make([]int64, l.depth)
	}
	l.mine = append(l.mine, c)
	l.active++
	return &c.worker
}

// times is where message j's intended send time is kept.
func (c *lconn) times(j int64) *int64 {
	if c.ring == nil {
		return &c.t0
	}
	return &c.ring[j%int64(len(c.ring))]
}

// start begins a new connection on fd.
func (c *lconn) start(fd int) {
	c.fd, c.committed, c.written, c.read, c.answered = fd, 0, 0, 0, 0
	c.rs = replyStream{off: c.off}
	c.halfDone, c.blocked = false, false
	c.connReplies = 0
}

// idle reports whether everything written has been answered and nothing
// more is to be written; for a UDP socket, whether nothing is in flight.
func (c *lconn) idle() bool {
	if c.u != nil {
		return len(c.u.flight) == 0
	}
	return c.answered == c.committed && c.read == c.written
}

// handle acts on c's events.
func (l *loop) handle(c *lconn, events uint32) {
	if c.u != nil {
		l.handleUDP(c, events)
		return
	}
	if events&(netpoll.In|netpoll.Hup|netpoll.Err) != 0 {
		if !l.receive(c) {
			return
		}
	}
	if events&netpoll.Out != 0 || events&netpoll.In != 0 {
		l.fill(c)
	}
}

// fill sends what c may send now: closed loop, up to Pipeline messages in
// flight; open loop, the messages the schedule has released. Writes go on
// until the socket is full; then the loop watches for room. It reports
// whether c is still open.
func (l *loop) fill(c *lconn) bool {
	if c.u != nil {
		return l.sendUDP(c)
	}
	w := &c.worker
	if !l.ended && !c.halfDone {
		for c.committed-c.answered < l.depth && (l.limit == 0 || c.committed < l.limit) {
			intended := l.now
			if w.open {
				k := w.next + c.committed
				if k >= w.released.Load() {
					break
				}
				intended = w.at(k)
			}
			*c.times(c.committed) = intended
			c.committed++
		}
	}
	target := c.committed * l.size
	for c.written < target {
		p := l.r.pay.sendAt(w.off+c.written, int(min(target-c.written, maxChunk)))
		n, err := netpoll.Write(c.fd, p)
		switch err {
		case nil:
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			if !c.blocked {
				c.blocked = true
				if err := l.poll.WatchReadWrite(c.fd); err != nil {
					return l.failed(c, err, false)
				}
			}
			return true
		default:
			return l.failed(c, err, false)
		}
		w.sent += (c.written+int64(n))/l.size - c.written/l.size
		c.written += int64(n)
	}
	if c.blocked {
		c.blocked = false
		if err := l.poll.WatchRead(c.fd); err != nil {
			return l.failed(c, err, false)
		}
	}
	if l.limit > 0 && c.committed == l.limit && !c.halfDone {
		// Everything this connection is to carry is written: say so,
		// and read until the server closes.
		c.halfDone = true
		if err := unix.Shutdown(c.fd, unix.SHUT_WR); err != nil {
			return l.failed(c, fmt.Errorf("shut down writing: %w", err), false)
		}
	}
	return true
}

// receive reads what the server sent on c and checks it. It reports
// whether c is still open.
func (l *loop) receive(c *lconn) bool {
	for {
		n, err := netpoll.Read(c.fd, l.buf)
		switch {
		case err == unix.EAGAIN:
			return true
		case err == unix.EINTR:
			continue
		case err != nil:
			return l.failed(c, err, true)
		case n == 0:
			return l.closed(c)
		}
		if !l.replies(c, l.buf[:n]) {
			return false
		}
		if l.ended && c.idle() {
			l.end(c, endRun)
			return false
		}
		if n < len(l.buf) {
			return true // most likely all there was: epoll says if more comes
		}
	}
}

// replies takes p, the next bytes from the server on c: each reply it
// completes is checked, timed and counted. It reports whether c is still
// open.
func (l *loop) replies(c *lconn, p []byte) bool {
	w := &c.worker
	extra := c.read+int64(len(p)) > c.written // more than was sent: the replies before it still count
	if extra {
		p = p[:c.written-c.read]
	}
	c.read += int64(len(p))
	for len(p) > 0 {
		k, complete, ok := c.rs.next(l.r.pay, l.size, p)
		p = p[k:]
		if !complete {
			break
		}
		if !ok {
			w.mismatches.Add(1)
		}
		if w.record(*c.times(c.answered), l.now) {
			l.done++
		}
		if c.answered++; c.answered == 1 {
			w.answered()
		}
	}
	if extra {
		w.mismatches.Add(1)
		w.fail(errMoreBytes(l.r.addr))
		l.end(c, endFailed)
		return false
	}
	return true
}

// closed handles the server's FIN on c: the end of a connection that
// carried MsgsPerConn messages and got every reply, else a failure.
func (l *loop) closed(c *lconn) bool {
	switch {
	case c.halfDone && c.idle():
		l.end(c, endPolite)
	case c.halfDone:
		c.countClose(io.EOF, c.read > 0)
		c.fail(fmt.Errorf("read from %s: the server closed the connection with %d replies missing", l.r.addr, c.committed-c.answered))
		l.end(c, endFailed)
	case l.ended && c.idle():
		l.end(c, endRun)
	default:
		return l.failed(c, io.EOF, true)
	}
	return false
}

// failed ends c after a failed read or write (reading), unless the run
// was stopped. It returns false: c is closed.
func (l *loop) failed(c *lconn, err error, reading bool) bool {
	w := &c.worker
	if l.r.stop.Load() {
		l.end(c, endRun)
		return false
	}
	w.countClose(err, c.read > 0)
	switch {
	case reading:
		w.fail(w.readError(err, c.committed-c.answered))
	default:
		w.fail(ioError("write to", l.r.addr, err))
	}
	l.end(c, endFailed)
	return false
}

// lateReplies fails c, still waiting for replies when their time is up
// after the end of the run; a UDP socket's messages in flight are lost.
func (l *loop) lateReplies(c *lconn) {
	if c.u != nil { // lost, not an error
		l.expireUDP(c.u)
		l.end(c, endRun)
		return
	}
	w := &c.worker
	if c.written < c.committed*l.size {
		w.fail(ioError("write to", l.r.addr, os.ErrDeadlineExceeded))
	} else {
		w.fail(w.readError(os.ErrDeadlineExceeded, c.committed-c.answered))
	}
	l.end(c, endFailed)
}

// end closes c's connection and decides what comes next for its worker:
// nothing when the run is over, else a new connection, at once after a
// polite end and after a back-off after a failure.
func (l *loop) end(c *lconn, how connEnd) {
	w, r := &c.worker, l.r
	w.mu.Lock()
	err := w.connErr
	w.connErr = nil
	w.mu.Unlock()
	if err != nil {
		local, remote := "", r.addr
		if sa, e := unix.Getsockname(c.fd); e == nil {
			local = netpoll.AddrPort(sa).String()
		}
		if sa, e := unix.Getpeername(c.fd); e == nil { // not after a reset
			remote = netpoll.AddrPort(sa).String()
		}
		r.addFailed(local, remote, err)
		how = endFailed
	}
	l.conns[c.fd] = nil
	l.poll.CloseFD(c.fd)
	c.fd = -1
	if c.u != nil { // a UDP socket is not opened again
		c.u.settle()
		l.active--
		return
	}
	w.off += c.committed * l.size
	w.next += c.committed
	w.connReplies = c.answered
	if how == endRun || l.dead || r.stop.Load() || l.now >= r.end {
		l.active--
		return
	}
	if how == endFailed && c.answered == 0 {
		w.failing = true
	}
	l.redial(c, how == endFailed)
}

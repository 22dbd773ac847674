//go:build linux

package server

import (
	"fmt"
	"log/slog"
	"net/netip"
	"runtime/debug"
	"sync"
	"time"
	"unsafe"

	"github.com/upcase/upcase/internal/netpoll"
	"github.com/upcase/upcase/internal/upper"
	"golang.org/x/sys/unix"
)

// econn is one connection of the epoll engine. It is kept small (64 bytes)
// because an idle connection costs only this: what a busy one needs
// besides (a reply the client has not taken yet, the Unicode transform's
// state, why the server is ending it, its peer's address for the
// narration) lives in ext, which only such a connection has. The peer's
// address is not kept otherwise: the kernel has it (getpeername).
type econn struct {
	fd    int32
	state uint8      // st* bits
	count *addrCount // its source address's count, for MaxConnsPerIP
	in    int64      // bytes received
	out   int64      // bytes sent
	start int64      // when it was accepted, on the loop's clock
	// last is when the client last sent something (for the idle timeout),
	// or, while a reply is pending, when it began to wait (for the write
	// timeout).
	last int64
	ext  *econnExt
}

// econnExt is the state of a connection that is more than idle.
type econnExt struct {
	stream   upper.Stream   // the Unicode transform, or nil for ASCII
	pending  []byte         // reply bytes the socket has not taken yet
	reason   CloseReason    // set once the server ends the connection
	deadline int64          // for the final writes and the linger
	peer     netip.AddrPort // the client, kept when narrating (-v) or named by a PROXY header
	via      netip.AddrPort // the load balancer that sent the PROXY header
	hdr      []byte         // in stHeader: what came so far
	acked    uint64         // while a reply is pending: the client's acknowledged bytes when its wait began (tcpAcked)
}

// Connection states, as bits of econn.state.
const (
	stPending uint8 = 1 << iota // a reply waits for the socket: not reading, waiting for EPOLLOUT
	stEOF                       // the client finished (FIN): close once the pending reply is out
	stClosing                   // the server ends it: FIN once the pending reply is out
	stLinger                    // FIN sent: discarding input until the client's FIN or the deadline
	stHeader                    // from a trusted load balancer: reading its PROXY header (epoll_proxy_linux.go)
	stRefuse                    // from an untrusted source with the PROXY protocol on: closed if it begins with a header
)

// accept takes the connections waiting on the listener, up to a batch.
func (l *loop) accept() {
	for range 64 {
		fd, ok := l.accept4()
		if !ok {
			return
		}
		l.admit(fd)
	}
}

// accept4 accepts one connection, non-blocking, without allocating. On an
// error other than an empty queue it pauses accepting with a back-off, as
// Serve does, so that EMFILE neither spins nor ends the server.
func (l *loop) accept4() (int, bool) {
	for {
		size := uint32(unix.SizeofSockaddrAny)
		r, _, errno := unix.Syscall6(unix.SYS_ACCEPT4, uintptr(l.lnfd),
			uintptr(unsafe.Pointer(&l.rsa)), uintptr(unsafe.Pointer(&size)),
			unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0, 0)
		switch errno {
		case 0:
			if l.retry.delay > 0 {
				l.retry.accepted(l.base.Add(time.Duration(l.now)))
			}
			return int(r), true
		case unix.EAGAIN:
			return -1, false
		case unix.EINTR, unix.ECONNABORTED:
			continue
		}
		l.acceptFailed(errno)
		return -1, false
	}
}

// acceptFailed stops watching the listener for the back-off after an
// accept error, and reports it.
func (l *loop) acceptFailed(errno error) {
	delay := l.retry.failed(l.base.Add(time.Duration(l.now)))
	l.srv.acceptFailed(sockName(l.lnfd), fmt.Errorf("accept4: %w", errno), delay)
	l.poll.Unwatch(l.lnfd)
	l.acceptAt = l.now + int64(delay)
}

// resumeAccepting watches the listener again after an accept back-off, as
// newLoop did (with EPOLLEXCLUSIVE when loops share it: otherwise every
// loop would wake for every connection from then on).
func (l *loop) resumeAccepting() {
	l.acceptAt = 0
	if l.lnfd >= 0 {
		if err := l.poll.WatchAccept(l.lnfd, l.exclusive); err != nil {
			l.log.Error("cannot watch the listener again", "err", err)
		}
	}
}

// peer is the accepted connection's source, from accept4's address.
func (l *loop) peer() (netip.Addr, uint16) {
	switch l.rsa.Addr.Family {
	case unix.AF_INET:
		sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(&l.rsa))
		p := (*[2]byte)(unsafe.Pointer(&sa.Port))
		return netip.AddrFrom4(sa.Addr), uint16(p[0])<<8 | uint16(p[1])
	case unix.AF_INET6:
		sa := (*unix.RawSockaddrInet6)(unsafe.Pointer(&l.rsa))
		p := (*[2]byte)(unsafe.Pointer(&sa.Port))
		return netip.AddrFrom16(sa.Addr).Unmap(), uint16(p[0])<<8 | uint16(p[1])
	}
	return netip.Addr{}, 0
}

// admit serves a new connection, or closes it at once if the limits or the
// access lists refuse it, or if Close has begun (see startConn).
func (l *loop) admit(fd int) {
	ip, port := l.peer()
	s := l.srv
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		unix.Close(fd)
		return
	}
	var (
		count  *addrCount
		state  uint8
		reason RejectReason
		ok     bool
	)
	switch {
	case s.ProxyProtocol == ProxyOff:
		count, reason, ok = s.admitLocked(ip)
	default:
		var trusted bool
		count, trusted, reason, ok = s.admitProxyLocked(ip)
		state = stRefuse
		if trusted {
			state = stHeader
		}
	}
	s.mu.Unlock()
	if !ok {
		l.obs.Rejected(reason)
		peer := netip.AddrPortFrom(ip, port)
		s.refused(reason, peer.String(), nil)
		if l.debug {
			logRejected(l.log, peer, nil, reason, nil)
		}
		unix.Close(fd)
		return
	}
	// As Go's own connections: a reply goes out at once, not after the
	// client's ACK of the previous one (Nagle), which pipelining would wait on.
	unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	c := l.newConn(fd, count)
	c.state = state
	if l.debug || state == stHeader {
		l.extOf(c).peer = netip.AddrPortFrom(ip, port)
	}
	if err := l.poll.WatchRead(fd); err != nil {
		l.log.Error("cannot watch a new connection; closing it", "err", err)
		l.finish(c, ReasonError, err)
		return
	}
	if state == stHeader {
		return // accepted once its header is read
	}
	l.obs.Accepted()
	if l.debug {
		l.connLog(c).Debug("accepted: three-way handshake complete", "local", sockName(fd))
	}
}

// The memory of closed connections, and the reply buffers of connections
// whose client is slow to read, are kept for reuse in sync.Pools shared by
// every loop: so that neither a connection nor a short write allocates in
// the steady state, and so that what a burst took goes back to the runtime
// after it (a pool is emptied over two garbage collections). Free lists
// kept by each loop were never trimmed: 600 clients that did not read left
// 8 MB behind for good.
var (
	econnPool   = sync.Pool{New: func() any { return new(econn) }}
	extPool     = sync.Pool{New: func() any { return new(econnExt) }}
	pendingPool sync.Pool // of *[]byte
)

// maxPooledPending is the largest reply buffer kept for reuse: an
// expanding (Unicode) reply may have made one larger than a read.
const maxPooledPending = 2 * DefaultBufferSize

// newConn records a connection in the loop's table, reusing a closed one's
// memory when there is some.
func (l *loop) newConn(fd int, count *addrCount) *econn {
	c := econnPool.Get().(*econn)
	*c = econn{fd: int32(fd), count: count, start: l.now, last: l.now}
	if l.inplace == nil {
		l.extOf(c).stream = l.srv.newStream()
	}
	for fd >= len(l.conns) {
		l.conns = append(l.conns, make([]*econn, len(l.conns))...)
	}
	l.conns[fd] = c
	l.open++
	return c
}

// extOf is c's extended state, made (or reused) on first need.
func (l *loop) extOf(c *econn) *econnExt {
	if c.ext == nil {
		c.ext = extPool.Get().(*econnExt)
	}
	return c.ext
}

// shrink gives back c's extended state once an ASCII connection is idle
// again, unless it must stay for the addresses it holds (narration, a PROXY
// header's client).
func (l *loop) shrink(c *econn) {
	e := c.ext
	switch {
	case e == nil || e.stream != nil || e.reason != "" || e.pending != nil || c.state&stHeader != 0 || e.peer.IsValid():
	default:
		extPool.Put(e)
		c.ext = nil
	}
}

// keepPending makes p, the part of a reply the socket did not take, e's
// pending reply, in a buffer from pendingPool.
func keepPending(e *econnExt, p []byte) {
	if e.pending == nil {
		if b, ok := pendingPool.Get().(*[]byte); ok {
			e.pending = *b
		}
	}
	e.pending = append(e.pending[:0], p...)
}

// dropPending gives e's reply buffer back to pendingPool: the reply is out,
// or the connection is closed.
func dropPending(e *econnExt) {
	b := e.pending[:0]
	e.pending = nil
	if b != nil && cap(b) <= maxPooledPending {
		pendingPool.Put(&b)
	}
}

// handle acts on c's epoll events. A panic in it (a transform's bug) ends
// c alone.
func (l *loop) handle(c *econn, events uint32) {
	defer func() {
		if v := recover(); v != nil {
			l.connLog(c).Error("connection handler panicked; closing only this connection",
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if int(c.fd) < len(l.conns) && l.conns[c.fd] == c {
				l.stop(c, ReasonPanic)
			}
		}
	}()
	switch {
	case c.state&stHeader != 0:
		l.readHeader(c)
	case c.state&stPending != 0:
		l.flush(c)
	case c.state&stLinger != 0:
		l.discard(c)
	default:
		l.read(c)
	}
}

// read is one turn of the communication loop: read what arrived, upper-case
// it, send it back.
func (l *loop) read(c *econn) {
	n, err := netpoll.Read(int(c.fd), l.buf)
	switch {
	case err == nil && n > 0:
		if c.state&stRefuse != 0 {
			c.state &^= stRefuse
			if hasSignature(l.buf[:n]) {
				l.finish(c, ReasonProxyHeader, nil)
				return
			}
		}
		l.data(c, l.buf[:n])
	case err == nil:
		l.fin(c)
	case err == unix.EAGAIN || err == unix.EINTR:
	default:
		l.finish(c, classify(err, false), err)
	}
}

// data answers p, which c sent: upper-cased, sent back.
func (l *loop) data(c *econn, p []byte) {
	n := len(p)
	c.in += int64(n)
	c.last = l.now
	l.obs.Received(n)
	if l.debug {
		l.connLog(c).Debug("received", "bytes", n)
	}
	if l.inplace != nil {
		l.inplace(p)
	} else {
		p = c.ext.stream.Chunk(p)
	}
	l.send(c, p)
}

// fin handles the client's FIN: what the transform held back (an
// incomplete UTF-8 sequence) goes back as it is, then our FIN.
func (l *loop) fin(c *econn) {
	if l.debug {
		l.connLog(c).Debug("peer finished sending (FIN)")
	}
	if c.ext != nil && c.ext.stream != nil {
		if !l.send(c, c.ext.stream.Flush()) {
			return
		}
	}
	if c.state&stPending != 0 {
		c.state |= stEOF
		return
	}
	l.finish(c, ReasonFIN, nil)
}

// send writes a reply; what the socket does not take waits in c's pending
// buffer, and c is not read again until it has gone out, so a client that
// does not read holds at most one buffer's worth of reply. It reports
// whether c is still open.
func (l *loop) send(c *econn, p []byte) bool {
	if len(p) == 0 {
		return true
	}
	w, err := netpoll.Write(int(c.fd), p)
	if err != nil && err != unix.EAGAIN && err != unix.EINTR {
		l.finish(c, classify(err, true), err)
		return false
	}
	w = max(w, 0)
	l.sent(c, w)
	if w < len(p) {
		e := l.extOf(c)
		keepPending(e, p[w:])
		c.state |= stPending
		c.last = l.now
		if l.write > 0 {
			e.acked, _ = tcpAcked(int(c.fd))
		}
		if err := l.poll.WatchWrite(int(c.fd)); err != nil {
			l.finish(c, ReasonError, err)
			return false
		}
	}
	return true
}

func (l *loop) sent(c *econn, w int) {
	if w <= 0 {
		return
	}
	c.out += int64(w)
	l.obs.Sent(w)
	if l.debug {
		l.connLog(c).Debug("sent", "bytes", w)
	}
}

// flush sends more of c's pending reply, now that the socket has room, and
// once it is out goes on with what c was doing: reading, or closing.
func (l *loop) flush(c *econn) {
	e := c.ext
	w, err := netpoll.Write(int(c.fd), e.pending)
	if err != nil {
		if err != unix.EAGAIN && err != unix.EINTR {
			l.finish(c, classify(err, true), err)
		}
		return
	}
	l.sent(c, w)
	if w < len(e.pending) {
		e.pending = e.pending[:copy(e.pending, e.pending[w:])]
		return
	}
	dropPending(e)
	c.state &^= stPending
	switch {
	case c.state&stEOF != 0:
		l.finish(c, ReasonFIN, nil)
	case c.state&stClosing != 0:
		l.shutdownWrite(c)
	default:
		c.last = l.now
		l.shrink(c)
		if err := l.poll.WatchRead(int(c.fd)); err != nil {
			l.finish(c, ReasonError, err)
		}
	}
}

// stop ends c for reason, the way that loses no reply: the pending reply
// and what the Unicode transform holds back go out (until the linger
// deadline), then FIN, then the linger. A
// client that does not read (ReasonLimit) is closed at once instead: a FIN
// would only wait behind the replies it ignores.
func (l *loop) stop(c *econn, reason CloseReason) {
	if c.state&stHeader != 0 {
		l.release(c) // never accepted: nothing to drain, nothing to report
		return
	}
	if c.state&(stClosing|stLinger) != 0 {
		return
	}
	e := l.extOf(c)
	e.reason = reason
	e.deadline = l.now + l.linger
	c.state |= stClosing
	if reason == ReasonLimit {
		l.finish(c, reason, nil)
		return
	}
	if e.stream != nil { // what the transform holds back goes first, as at the client's FIN
		held := e.stream.Flush()
		switch {
		case c.state&stPending != 0:
			e.pending = append(e.pending, held...)
		case !l.send(c, held):
			return
		}
	}
	if c.state&stPending == 0 {
		l.shutdownWrite(c)
	}
}

// shutdownWrite sends the server's FIN and lingers: input is read and
// discarded until the client's FIN, so that unread input does not turn the
// close into an RST that would destroy replies the client has not read.
func (l *loop) shutdownWrite(c *econn) {
	c.state = c.state&^stClosing | stLinger
	if err := unix.Shutdown(int(c.fd), unix.SHUT_WR); err != nil {
		if l.debug {
			l.connLog(c).Debug("could not send FIN", "err", err)
		}
		l.finish(c, "", nil)
		return
	}
	if l.now >= c.ext.deadline {
		l.finish(c, "", nil)
		return
	}
	if err := l.poll.WatchRead(int(c.fd)); err != nil {
		l.finish(c, "", nil)
	}
}

// discard reads and drops input during the linger.
func (l *loop) discard(c *econn) {
	n, err := netpoll.Read(int(c.fd), l.buf)
	switch {
	case err == nil && n > 0:
		c.in += int64(n)
	case err == nil:
		if l.debug {
			l.connLog(c).Debug("sent FIN; the client finished too")
		}
		l.finish(c, "", nil)
	case err == unix.EAGAIN || err == unix.EINTR:
	default:
		if l.debug {
			l.connLog(c).Debug("sent FIN; the connection then failed", "err", err)
		}
		l.finish(c, "", nil)
	}
}

// checkTimeouts ends the connections whose idle, write or linger time is
// up.
func (l *loop) checkTimeouts() {
	l.sweep = l.now + l.tick
	for _, c := range l.conns {
		if c == nil {
			continue
		}
		switch {
		case c.state&stHeader != 0:
			if l.handshake > 0 && l.now-c.start >= l.handshake {
				l.headerLate(c)
			}
		case c.state&(stClosing|stLinger) != 0:
			if l.now >= c.ext.deadline {
				if l.debug && c.state&stLinger != 0 {
					l.connLog(c).Debug("sent FIN; the client kept sending past the linger, so the close may send RST")
				}
				l.finish(c, "", nil)
			}
		case c.state&stPending != 0:
			if l.write > 0 && l.now-c.last >= l.write {
				l.writeDue(c)
			}
		case l.idle > 0 && l.now-c.last >= l.idle:
			l.stop(c, ReasonIdle)
		}
	}
}

// writeDue applies the write timeout's rule (see progress.go) to c, whose
// reply has waited a WriteTimeout: a client that took enough of it since
// gets another, one that did not is closed.
func (l *loop) writeDue(c *econn) {
	if acked, ok := tcpAcked(int(c.fd)); ok && int64(acked-c.ext.acked) >= l.minProgress {
		c.last, c.ext.acked = l.now, acked // slow, but reading
		return
	}
	l.stop(c, ReasonLimit)
}

// finish closes c and reports it. A connection the server ended keeps the
// reason it was given; reason is what ended it otherwise.
func (l *loop) finish(c *econn, reason CloseReason, err error) {
	if c.state&stHeader != 0 {
		l.release(c) // never accepted: nothing to report
		return
	}
	if c.ext != nil && c.ext.reason != "" {
		reason, err = c.ext.reason, nil
	}
	var log *slog.Logger
	if l.debug || reason.level() > slog.LevelDebug {
		log = l.connLog(c) // before the close: it may ask the kernel for the peer
	}
	in, out, d := c.in, c.out, time.Duration(l.now-c.start)
	l.release(c)
	l.obs.Closed(reason, d)
	if log != nil {
		logClosed(log, reason, in, out, d, err)
	}
}

// release closes c and gives back its places in the limits and its memory.
func (l *loop) release(c *econn) {
	l.conns[c.fd] = nil
	l.open--
	s := l.srv
	s.mu.Lock()
	s.releaseLocked(c.count) // the slot is free before the client can see our FIN and redial
	s.mu.Unlock()
	l.poll.CloseFD(int(c.fd))
	if e := c.ext; e != nil {
		dropPending(e)
		*e = econnExt{}
		extPool.Put(e)
	}
	*c = econn{}
	econnPool.Put(c)
}

// connLog is the logger for c's lines, naming its peer.
func (l *loop) connLog(c *econn) *slog.Logger {
	peer := "unknown"
	if p := c.peer(); p.IsValid() {
		peer = p.String()
	}
	return l.log.With("peer", peer)
}

// peer is c's client: kept when narrating, asked of the kernel otherwise
// (which no longer knows it once the client has reset).
func (c *econn) peer() netip.AddrPort {
	if c.ext != nil && c.ext.peer.IsValid() {
		return c.ext.peer
	}
	sa, err := unix.Getpeername(int(c.fd))
	if err != nil {
		return netip.AddrPort{}
	}
	return netpoll.AddrPort(sa)
}

// sockName names a socket's local address in log lines.
func sockName(fd int) string {
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return "unknown"
	}
	if ap := netpoll.AddrPort(sa); ap.IsValid() {
		return ap.String()
	}
	return "unknown"
}

package bench

import (
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/upcase/upcase/internal/netpoll"
)

// A udpSock is a UDP socket on its event loop: what it has in flight and
// checks (a udpFlight, as on the goroutine engine), and how many of the
// messages in flight are still to be sent, the socket's buffer having
// been full.
type udpSock struct {
	udpFlight
	unsent int // the last unsent messages of flight
}

// udpLoop is what an event loop keeps for all its UDP sockets: one set of
// receive slots and one of send headers, shared since the loop handles one
// socket at a time, and the timer for lost datagrams.
type udpLoop struct {
	mmsgSlots
	// lossAt is when to look for lost datagrams: no later than the
	// earliest time one of the loop's sockets loses one; -1 when none has
	// anything in flight.
	lossAt int64
}

// udpScanGap is the least time between two looks for lost datagrams
// (scanUDP), which goes over all the loop's sockets: with 10,000 sockets
// and datagrams lost all the time, looking at each loss would cost more
// than the load. A socket that has replies judges its own losses first,
// on time (handleUDP): only a socket the server no longer answers is told
// of its losses up to this late.
const udpScanGap = int64(time.Millisecond)

// newUDPLoop makes the receive slots and send headers of a loop whose
// sockets carry messages of size bytes, up to depth in flight on each.
func newUDPLoop(size, depth int) *udpLoop {
	return &udpLoop{mmsgSlots: newMmsgSlots(size, depth), lossAt: -1}
}

// handleUDP acts on the events of c, a UDP socket: it reads the replies
// waiting, with one recvmmsg(2), judges them, and sends the messages now
// due with one sendmmsg(2).
func (l *loop) handleUDP(c *lconn, events uint32) {
	if events&(netpoll.In|netpoll.Hup|netpoll.Err) != 0 && !l.receiveUDP(c) {
		return
	}
	if l.sendUDP(c) && l.ended && c.idle() {
		l.end(c, endRun)
	}
}

// receiveUDP reads and judges the replies waiting on c. It reports
// whether c is still open.
func (l *loop) receiveUDP(c *lconn) bool {
	u, lu := c.u, l.udp
	n, errno := loopMmsg.recv(uintptr(c.fd), lu.in)
	switch errno {
	case 0:
	case unix.EAGAIN, unix.EINTR:
		return true
	default:
		return l.failedUDP(c, "read from", errno)
	}
	// Each socket's replies are timed when read, not when the loop woke:
	// one clock read per socket with replies, as the goroutine engine has.
	l.now = l.r.now()
	l.expireUDP(u) // a reply after its message's timeout is late
	for k := range n {
		if u.answer(lu.reply(k), l.now) {
			l.done++
		}
	}
	return true
}

// sendUDP puts in flight the messages c may send now and sends those not
// sent yet, with one sendmmsg(2) per udpBatchMax; when the socket's
// buffer is full, the loop watches for room. It reports whether c is still
// open.
func (l *loop) sendUDP(c *lconn) bool {
	u, lu := c.u, l.udp
	for {
		if _, ok := u.next(l.now); !ok {
			break
		}
		u.unsent++
	}
	if u.unsent > 0 && lu.lossAt < 0 {
		lu.lossAt = u.deadline()
	}
	for u.unsent > 0 {
		k := min(u.unsent, len(lu.out))
		first := len(u.flight) - u.unsent
		for i := range k {
			msg := u.msg(u.flight[first+i].seq)
			lu.outIov[i].Base = unsafe.SliceData(msg)
			lu.outIov[i].SetLen(len(msg))
		}
		n, errno := loopMmsg.send(uintptr(c.fd), lu.out[:k])
		switch errno {
		case 0:
			for i := range n { // a message's timeout runs from when it left
				u.flight[first+i].sent = l.now
			}
			u.unsent -= n
			u.sent += int64(n)
		case unix.EINTR:
		case unix.EAGAIN:
			if !c.blocked {
				c.blocked = true
				if err := l.poll.WatchReadWrite(c.fd); err != nil {
					return l.failedUDP(c, "send to", err)
				}
			}
			return true
		default:
			return l.failedUDP(c, "send to", errno)
		}
	}
	if c.blocked {
		c.blocked = false
		if err := l.poll.WatchRead(c.fd); err != nil {
			return l.failedUDP(c, "send to", err)
		}
	}
	return true
}

// expireUDP counts lost the messages of u sent whose time is up at l.now.
func (l *loop) expireUDP(u *udpSock) {
	u.expire(l.now, len(u.flight)-u.unsent)
}

// scanUDP judges the losses of every socket of the loop (the timer says
// one may have lost a datagram), sends what their losses free, and sets
// when to look again.
func (l *loop) scanUDP() {
	lu := l.udp
	next := int64(-1)
	for _, c := range l.mine {
		if c.fd < 0 {
			continue
		}
		l.expireUDP(c.u)
		if !l.sendUDP(c) {
			continue
		}
		if l.ended && c.idle() {
			l.end(c, endRun)
			continue
		}
		if d := c.u.deadline(); d >= 0 && (next < 0 || d < next) {
			next = d
		}
	}
	if next >= 0 {
		next = max(next, l.now+udpScanGap)
	}
	lu.lossAt = next
}

// failedUDP counts err, a failed send or receive on c, unless the run was
// stopped, and closes c. It returns false: c is closed.
func (l *loop) failedUDP(c *lconn, op string, err error) bool {
	if !l.r.stop.Load() {
		c.udpError(op, err, c.u.replies)
	}
	l.end(c, endRun)
	return false
}

// An mmsg is the two system calls that move UDP datagrams in batches,
// sendmmsg(2) and recvmmsg(2) on a connected socket. Tests replace them to
// count them, or to have them fail.
type mmsg struct {
	send, recv func(fd uintptr, hs []unix.Mmsghdr) (int, syscall.Errno)
}

// mmsgCalls are udpBatch's, on the goroutine engine, and loopMmsg the
// event loops': two, so that a test can steer one engine's.
var (
	mmsgCalls = mmsg{netpoll.SendMmsg, netpoll.RecvMmsg}
	loopMmsg  = mmsgCalls
)

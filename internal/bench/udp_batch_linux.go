//go:build linux

package bench

import (
	"errors"
	"net"
	"os"
	"syscall"
	"unsafe"

	"github.com/upcase/upcase/internal/netpoll"
	"golang.org/x/sys/unix"
)

// udpBatchMax is the most datagrams one sendmmsg(2) sends or one
// recvmmsg(2) reads: the deepest pipeline that is sent in one call (a
// deeper one takes a call per udpBatchMax).
const udpBatchMax = 64

// udpSlotsMem bounds the memory of a socket's receive slots: with large
// datagrams fewer are read at once, but then the system call is not what
// costs.
const udpSlotsMem = 256 << 10

// udpBatch sends a connected UDP socket's datagrams with sendmmsg(2) and
// reads its replies with recvmmsg(2), calling them directly on the file
// descriptor (as the server's batchConn does) rather than through
// golang.org/x/net's WriteBatch and ReadBatch, which allocate for every
// datagram read. The socket is connected, so no address is given or kept.
// Nothing is allocated after newUDPBatch: the headers point at the payload
// for sending and at slots made once for receiving.
//
// recv makes its sendmmsg inside RawConn.Read's callback, as rawExchanger
// does its write (exchange_unix.go): the poller's readiness is reset before
// the callback runs, so a reply that comes right after the send still wakes
// the wait. With one datagram in flight, whether to try recvmmsg at once,
// before waiting, is learnt (netpoll.Tries, as rawExchanger does): when the
// server has a core of its own the reply is rarely in that soon, and the
// try is a wasted system call per datagram. With more in
// flight it always tries: replies to the others may have come just before
// the reset, and would wait for the next one to be noticed.
type udpBatch struct {
	rc         syscall.RawConn
	mmsgSlots  // out is the queue: out[:queued] are queued, out[:sent] of those went
	queued     int
	sent       int
	learn      bool          // one in flight: learn whether to try reading right after sending
	tries      netpoll.Tries // with learn: whether reading right after the send pays
	n          int           // datagrams the last recvmmsg read
	blocked    bool
	sendErrno  syscall.Errno
	recvErrno  syscall.Errno
	exchangeF  func(fd uintptr) bool // the callbacks, made once: a closure per call would allocate
	sendF      func(fd uintptr) bool
	drainF     func(fd uintptr)
	drainTried bool
}

var _ udpIO = (*udpBatch)(nil)

// newUDPBatch is a udpBatch for conn, carrying messages of size bytes with
// up to depth in flight, if conn is a UDP socket whose file descriptor can
// be reached.
func newUDPBatch(conn net.Conn, size, depth int) (*udpBatch, bool) {
	sc, ok := conn.(syscall.Conn)
	if _, udp := conn.LocalAddr().(*net.UDPAddr); !ok || !udp {
		return nil, false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, false
	}
	b := &udpBatch{rc: rc, mmsgSlots: newMmsgSlots(size, depth), learn: depth == 1}
	b.exchangeF = b.exchange
	b.sendF = b.sendQueued
	b.drainF = b.drain
	return b, true
}

func (b *udpBatch) queue(msg []byte) bool {
	if b.queued == len(b.out) {
		return false
	}
	b.outIov[b.queued].Base = unsafe.SliceData(msg)
	b.outIov[b.queued].SetLen(len(msg))
	b.queued++
	return true
}

func (b *udpBatch) send() (int, error) {
	from := b.sent
	for b.sent < b.queued {
		b.sendErrno = 0
		err := b.rc.Write(b.sendF)
		if err == nil && b.sendErrno != 0 {
			err = os.NewSyscallError("sendmmsg", b.sendErrno)
		}
		if err != nil {
			sent := b.sent - from
			b.queued, b.sent = 0, 0 // the worker stops: what is queued is dropped
			return sent, &exchangeError{err}
		}
	}
	sent := b.sent - from
	b.queued, b.sent = 0, 0
	return sent, nil
}

func (b *udpBatch) recv() (int, int, error) {
	sent := 0
	for {
		from := b.sent
		b.n, b.blocked, b.sendErrno, b.recvErrno = 0, false, 0, 0
		err := b.rc.Read(b.exchangeF)
		sent += b.sent - from
		switch {
		case b.sendErrno != 0:
			b.queued, b.sent = 0, 0
			return sent, 0, &exchangeError{os.NewSyscallError("sendmmsg", b.sendErrno)}
		case b.blocked: // the send buffer is full: wait for room, then for replies
			n, err := b.send()
			if sent += n; err != nil {
				return sent, 0, err
			}
			continue
		}
		if b.sent == b.queued {
			b.queued, b.sent = 0, 0
		}
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded) && b.drainTried:
			// The wait may have started with replies already waiting,
			// when the try was skipped (see udpBatch): read them
			// before the worker counts their messages lost.
			b.drainTried = false
			if cerr := b.rc.Control(b.drainF); cerr == nil {
				switch {
				case b.recvErrno != 0:
					return sent, 0, os.NewSyscallError("recvmmsg", b.recvErrno)
				case b.n > 0:
					return sent, b.n, nil
				}
			}
		case err == nil && b.recvErrno != 0:
			err = os.NewSyscallError("recvmmsg", b.recvErrno)
		}
		if err != nil {
			return sent, 0, err
		}
		b.drainTried = false
		return sent, b.n, nil
	}
}

// exchange is recv's RawConn.Read callback: it sends what is queued, then
// reads the replies waiting, if any; false means "wait for replies".
func (b *udpBatch) exchange(fd uintptr) bool {
	if b.sent < b.queued {
		if !b.sendQueued(fd) {
			b.blocked = true
			return true
		}
		if b.sendErrno != 0 {
			return true
		}
		if b.learn && !b.tries.Try() {
			b.drainTried = true
			return false // wait for the replies, without trying to read them first
		}
		return b.read(fd, true)
	}
	return b.read(fd, false)
}

// sendQueued sends the queued datagrams not sent yet; false means the
// socket's send buffer is full (EAGAIN): wait for room. A failure is left
// in b.sendErrno.
func (b *udpBatch) sendQueued(fd uintptr) bool {
	for b.sent < b.queued {
		n, errno := mmsgCalls.send(fd, b.out[b.sent:b.queued])
		switch errno {
		case 0:
			b.sent += n
		case unix.EINTR:
		case unix.EAGAIN:
			return false
		default:
			b.sendErrno = errno
			return true
		}
	}
	return true
}

// read reads the replies waiting, up to a slot each; first says it is the
// try right after the send. false means none was there: wait.
func (b *udpBatch) read(fd uintptr, first bool) bool {
	for {
		n, errno := mmsgCalls.recv(fd, b.in)
		switch errno {
		case 0:
			if first && b.learn {
				b.tries.Tried(true)
			}
			b.n = n
			return true
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			if first && b.learn {
				b.tries.Tried(false)
			}
			return false
		}
		b.recvErrno = errno
		return true
	}
}

// drain is read without waiting, for RawConn.Control.
func (b *udpBatch) drain(fd uintptr) { b.read(fd, false) }

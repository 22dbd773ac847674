//go:build unix

package bench

import (
	"io"
	"net"
	"syscall"

	"github.com/upcase/upcase/internal/netpoll"
)

// rawExchanger saves the read that net.Conn makes right after a write only
// to find nothing there yet. A Read on a net.Conn first tries read(2), and
// only when that says EAGAIN does it wait for the poller; when the server
// has a core of its own the reply is rarely in that soon, and every message
// costs a wasted system call. Here the write is made inside
// syscall.RawConn.Read's callback: the poller's readiness is reset before
// the callback runs, so a reply that arrives right after the write still
// wakes the wait, and read(2) can wait until there is something to read.
//
// Whether to try reading at once is learnt: when the CPUs are busy the reply
// is often in by the time the writer looks, and then reading at once saves a
// trip through the poller. So the exchanger tries, and learns with
// netpoll.Tries, the event loops' policy for looking before blocking: after
// 4 tries in a row that find nothing it stops trying for 60 messages, then
// tries again. A message that does not fit the send buffer at once is
// finished with a plain Write.
type rawExchanger struct {
	conn net.Conn
	rc   syscall.RawConn
	fn   func(fd uintptr) bool // x.step, made once: a closure per call would allocate

	tries netpoll.Tries // whether reading right after the write pays

	msg, reply   []byte // this round trip's
	sent, got    int
	werr, rerr   error
	writeTooLong bool
}

func newRawExchanger(conn net.Conn) exchanger {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	x := &rawExchanger{conn: conn, rc: rc}
	x.fn = x.step
	return x
}

func (x *rawExchanger) exchange(msg, reply []byte) (int, error) {
	x.msg, x.reply, x.sent, x.got, x.werr, x.rerr, x.writeTooLong = msg, reply, 0, 0, nil, nil, false
	err := x.rc.Read(x.fn)
	switch {
	case x.werr != nil:
		return 0, &exchangeError{x.werr}
	case x.writeTooLong:
		// The send buffer took only part of msg: write the rest the usual
		// way, then read the usual way.
		return plainExchanger{x.conn}.exchange(msg[x.sent:], reply)
	case x.rerr != nil:
		return x.got, x.rerr
	case err != nil: // a deadline, or the connection closed, while waiting
		return x.got, err
	}
	return x.got, nil
}

// step is the RawConn.Read callback: true means done.
func (x *rawExchanger) step(fd uintptr) bool {
	for x.sent < len(x.msg) {
		n, err := syscall.Write(int(fd), x.msg[x.sent:])
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			x.writeTooLong = true
			return true
		case err != nil:
			x.werr = err
			return true
		}
		x.sent += n
		if x.sent < len(x.msg) {
			x.writeTooLong = true
			return true
		}
		if !x.tries.Try() {
			return false // wait for the reply, without trying to read it first
		}
		return x.read(fd, true)
	}
	return x.read(fd, false)
}

// read reads what there is of the reply; first says it is the try right
// after the write.
func (x *rawExchanger) read(fd uintptr, first bool) bool {
	for {
		n, err := syscall.Read(int(fd), x.reply[x.got:])
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			if first {
				x.tries.Tried(false)
			}
			return false // nothing yet: wait
		case err != nil:
			x.rerr = err
			return true
		case n == 0:
			x.rerr = io.EOF
			return true
		}
		if first {
			x.tries.Tried(true)
		}
		x.got += n
		return x.got == len(x.reply)
	}
}

package bench

import "net"

// A udpIO sends a UDP socket's datagrams and receives its replies for the
// worker's udp loop, in batches where the system allows. It is used by one
// goroutine.
type udpIO interface {
	// queue adds msg to the datagrams to send (by recv, or send); msg must
	// stay unchanged until sent. It reports false, and queues nothing, if
	// the batch is full: the caller sends it (send) and queues msg again.
	queue(msg []byte) bool
	// send sends the queued datagrams, in order, waiting for room in the
	// socket's buffer if need be. It returns how many went; if not all
	// did, the error (an *exchangeError) that stopped the rest.
	send() (int, error)
	// recv sends the datagrams still queued, as send does, then waits for
	// replies until the read deadline and reads those waiting, up to its
	// batch. It returns how many were sent and how many were read (see
	// reply); a failed send is an *exchangeError.
	recv() (sent, n int, err error)
	// reply is datagram k of those the last recv read, valid until the
	// next recv; longer than the message if the reply was, but not
	// necessarily by all its bytes.
	reply(k int) []byte
}

// newUDPIO returns the udpIO for conn, which carries messages of size
// bytes, up to depth of them in flight: batches on Linux
// (udp_batch_linux.go), one datagram at a time elsewhere or when conn has no
// socket.
func newUDPIO(conn net.Conn, size, depth int) udpIO {
	if b, ok := newUDPBatch(conn, size, depth); ok {
		return b
	}
	return &udpEach{conn: conn, buf: make([]byte, 64<<10)}
}

// udpEach sends each datagram with its own Write and reads each reply with
// its own Read: a system call per datagram each way, and the goroutine
// parked for every reply.
type udpEach struct {
	conn net.Conn
	buf  []byte // a longer reply must not pass for a right one
	msg  []byte // queued, or nil
	n    int    // bytes in buf
}

var _ udpIO = (*udpEach)(nil)

func (e *udpEach) queue(msg []byte) bool {
	if e.msg != nil {
		return false
	}
	e.msg = msg
	return true
}

func (e *udpEach) send() (int, error) {
	if e.msg == nil {
		return 0, nil
	}
	msg := e.msg
	e.msg = nil
	if _, err := e.conn.Write(msg); err != nil {
		return 0, &exchangeError{err}
	}
	return 1, nil
}

func (e *udpEach) recv() (int, int, error) {
	sent, err := e.send()
	if err != nil {
		return sent, 0, err
	}
	if e.n, err = e.conn.Read(e.buf); err != nil {
		return sent, 0, err
	}
	return sent, 1, nil
}

func (e *udpEach) reply(int) []byte { return e.buf[:e.n] }

package bench

import (
	"io"
	"net"
)

// An exchanger does one write-then-read round trip on a connection: it
// writes msg and reads until reply is full. It returns how many bytes of the
// reply came and the error that stopped it short, if one did.
type exchanger interface {
	exchange(msg, reply []byte) (int, error)
}

// newExchanger returns the cheapest exchanger for conn: on Unix, for a
// connection with a file descriptor, one that saves a system call per
// message (exchange_unix.go); otherwise plain Write and io.ReadFull.
func newExchanger(conn net.Conn) exchanger {
	if x := newRawExchanger(conn); x != nil {
		return x
	}
	return plainExchanger{conn}
}

// plainExchanger is Write then io.ReadFull.
type plainExchanger struct{ conn net.Conn }

func (x plainExchanger) exchange(msg, reply []byte) (int, error) {
	if _, err := x.conn.Write(msg); err != nil {
		return 0, &exchangeError{err}
	}
	n, err := io.ReadFull(x.conn, reply)
	if err == io.ErrUnexpectedEOF {
		err = io.EOF
	}
	return n, err
}

// exchangeError is a failed write: the caller tells it from a failed read.
type exchangeError struct{ err error }

func (e *exchangeError) Error() string { return e.err.Error() }
func (e *exchangeError) Unwrap() error { return e.err }

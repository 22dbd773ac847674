package server

import (
	"errors"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"time"
)

// DefaultWriteMinRate is the least a client must read of its replies, in
// bytes a second, while the server holds replies it could not write yet,
// when Server.WriteMinRate is zero. A reader of 100 bytes a second is slow
// but served; one that takes a byte now and then to keep its connection
// (and the buffer behind it) is not.
const DefaultWriteMinRate = 64

// The write timeout counts progress, as nginx's send_timeout does: while
// replies wait for a client, it must take at least minProgress bytes of
// them in every WriteTimeout, counted as the bytes its TCP acknowledges
// (tcpAcked), which move on whenever it reads although the server's own
// writes only resume once the kernel's buffer has drained by half. A client
// that reads nothing, or too little, is closed (ReasonLimit); one that reads
// slowly but steadily is served.

// minProgress is how many bytes a client must take of its waiting replies
// in each WriteTimeout: WriteMinRate's worth, and at least one (all it
// takes with a WriteMinRate of NoLimit, or no WriteTimeout to count over).
func (s *Server) minProgress() int64 {
	rate, t := orDefaultInt(s.WriteMinRate, DefaultWriteMinRate), s.writeTimeout()
	if rate == NoLimit || t == Never {
		return 1
	}
	return max(1, int64(rate)*int64(t)/int64(time.Second))
}

// progressConn applies the write timeout's rule to the goroutine engine's
// connections, under any TLS: when a write's deadline passes with replies
// still waiting, the write goes on with a new deadline if the client took
// at least min bytes since the deadline was set, and fails otherwise. (A
// TLS connection cannot be written again after a timeout, so the rule lives
// below it.)
type progressConn struct {
	net.Conn
	raw     syscall.Conn // the TCP socket, for tcpAcked; nil if there is none
	c       *conn        // its ending stops the rule: a close is under way
	timeout time.Duration
	min     int64
	// acked is the client's acknowledged bytes when the deadline was last
	// set, or -1 if unknown. Atomic: stop sets deadlines from other
	// goroutines.
	acked atomic.Int64
}

func newProgressConn(nc net.Conn, raw net.Conn, c *conn, timeout time.Duration, min int64) *progressConn {
	p := &progressConn{Conn: nc, c: c, timeout: timeout, min: min}
	p.raw, _ = raw.(syscall.Conn)
	p.acked.Store(-1)
	return p
}

// SetWriteDeadline sets the deadline and starts counting the client's
// progress from now.
func (p *progressConn) SetWriteDeadline(t time.Time) error {
	p.acked.Store(p.ackedNow())
	return p.Conn.SetWriteDeadline(t)
}

// SetDeadline is SetWriteDeadline's too.
func (p *progressConn) SetDeadline(t time.Time) error {
	p.acked.Store(p.ackedNow())
	return p.Conn.SetDeadline(t)
}

// Write writes p, going on past its deadline while the client keeps
// taking at least min bytes per timeout.
func (p *progressConn) Write(b []byte) (int, error) {
	n := 0
	for {
		w, err := p.Conn.Write(b[n:])
		n += w
		if err == nil || !errors.Is(err, os.ErrDeadlineExceeded) || p.c.ending.Load() != nil {
			return n, err
		}
		took := int64(w) // without TCP_INFO: what this write got out
		if now, before := p.ackedNow(), p.acked.Load(); now >= 0 && before >= 0 {
			took = now - before
		}
		if took < p.min {
			return n, err
		}
		p.SetWriteDeadline(time.Now().Add(p.timeout + p.timeout/16))
	}
}

// CloseWrite sends FIN, for the half-close and the graceful close.
func (p *progressConn) CloseWrite() error {
	if cw, ok := p.Conn.(closeWriter); ok {
		return cw.CloseWrite()
	}
	return nil
}

// ackedNow is the client's acknowledged bytes, or -1 if unknown.
func (p *progressConn) ackedNow() int64 {
	if p.raw == nil {
		return -1
	}
	rc, err := p.raw.SyscallConn()
	if err != nil {
		return -1
	}
	acked, ok := int64(-1), false
	rc.Control(func(fd uintptr) {
		var a uint64
		if a, ok = tcpAcked(int(fd)); ok {
			acked = int64(a)
		}
	})
	return acked
}

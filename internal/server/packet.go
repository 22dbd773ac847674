package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"runtime/debug"
	"time"

	"github.com/upcase/upcase/internal/upper"
)

// DropReason says why a datagram was not answered. The same words are used
// in logs and metrics labels.
type DropReason string

const (
	// DropRate means its source sent more than UDPRate datagrams a second.
	DropRate DropReason = "rate"
	// DropPort means it came from a port of an echo-like service (7 echo,
	// 13 daytime, 19 chargen) or from the server's own port: answering could
	// start an endless exchange between two such servers.
	DropPort DropReason = "port"
	// DropTruncated means it did not fit the server's buffer.
	DropTruncated DropReason = "truncated"
	// DropLonger means its reply would be longer than it, which would let a
	// forged source address amplify traffic towards a victim (Unicode only).
	DropLonger DropReason = "longer"
	// DropDenied means its source is not allowed by Allow and Deny.
	DropDenied DropReason = "denied"
	// DropPanic means the transform panicked on it.
	DropPanic DropReason = "panic"
)

// udpReadBuffer is the socket receive buffer asked for, so that a burst of
// large datagrams waits in the kernel instead of being dropped there.
const udpReadBuffer = 4 << 20

// maxDatagram is the buffer for one datagram: the largest UDP payload over
// IPv6 (65527 bytes; 65507 over IPv4), plus one byte to tell a datagram that
// was cut short.
const maxDatagram = 65535 - 8 + 1

// ServePacket answers each datagram on pc with one datagram to its sender,
// upper-cased, until Shutdown or Close. ServePacket takes ownership of pc and
// closes it; it always returns a non-nil error: ErrServerClosed after
// Shutdown or Close.
//
// A reply is never longer than its request, so a forged source address gains
// an attacker nothing; each source address is held to UDPRate datagrams a
// second; datagrams from ports 7, 13 and 19 and from the server's own port
// are never answered. A datagram that does not fit the buffer is dropped, not
// answered in part. Every drop is counted (Observer.Dropped) and logged at
// debug level.
//
// On Linux, for a *net.UDPConn, one goroutine reads up to a batch of
// datagrams with one recvmmsg(2) and sends their replies with one
// sendmmsg(2) (packet_batch_linux.go); elsewhere, or with EngineGoroutine,
// it reads and answers one datagram at a time (packet_each.go). Both treat
// every datagram the same way.
func (s *Server) ServePacket(pc net.PacketConn) error {
	release, ok := s.own(pc)
	if !ok {
		return ErrServerClosed
	}
	defer release()

	if rb, ok := pc.(interface{ SetReadBuffer(int) error }); ok {
		rb.SetReadBuffer(udpReadBuffer) // best effort: the kernel caps it at net.core.rmem_max
	}
	s.logger().Info("listening", append(listenAttrs(pc.LocalAddr()), "network", "udp")...)
	p := s.newPacketLoop(pc)
	if s.Engine != EngineGoroutine {
		if b, ok := newBatchConn(pc); ok {
			return p.serveBatches(b)
		}
	}
	return p.serveEach()
}

// packetLoop is what ServePacket's loop keeps between datagrams, and the
// decisions it makes for each, whichever way datagrams are read.
type packetLoop struct {
	s       *Server
	pc      net.PacketConn
	log     *slog.Logger
	obs     Observer
	ownPort int
	limit   *rateLimiter // nil: no limit
	out     []byte       // Unicode replies; reused
}

func (s *Server) newPacketLoop(pc net.PacketConn) *packetLoop {
	p := &packetLoop{s: s, pc: pc, log: s.logger(), obs: s.observer()}
	if ua, ok := pc.LocalAddr().(*net.UDPAddr); ok {
		p.ownPort = ua.Port
	}
	if r := s.udpRate(); r != NoLimit {
		p.limit = newRateLimiter(r)
	}
	return p
}

// debug reports whether per-datagram debug lines are wanted.
func (p *packetLoop) debug() bool { return p.log.Enabled(context.Background(), slog.LevelDebug) }

// readFailed decides what a failed read means: nil to go on reading, or the
// error for ServePacket to return.
func (p *packetLoop) readFailed(err error) error {
	if p.s.shuttingDown() {
		return ErrServerClosed
	}
	if errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("read datagram on %s: %w", p.pc.LocalAddr(), err)
	}
	p.log.Error("read datagram failed", "addr", p.pc.LocalAddr().String(), "err", err)
	return nil // ICMP errors and the like concern one peer, not the server
}

// refusal is why a datagram of n bytes from src must not be answered, before
// it is transformed, or "" if it may be. now is needed only when limit is
// set.
func (p *packetLoop) refusal(src netip.AddrPort, truncated bool, now time.Time) DropReason {
	switch {
	case truncated:
		return DropTruncated
	case src.Port() == 7 || src.Port() == 13 || src.Port() == 19 || int(src.Port()) == p.ownPort:
		return DropPort
	case src.IsValid() && !Allowed(src.Addr(), p.s.Allow, p.s.Deny):
		return DropDenied
	case p.limit != nil && (p.s.LimitLoopback || !src.Addr().IsLoopback()) && !p.limit.allow(src.Addr(), now):
		return DropRate
	}
	return ""
}

// needsTime reports whether refusal needs the time: only the rate limit
// reads it.
func (p *packetLoop) needsTime() bool { return p.limit != nil }

// drop counts, reports and logs a datagram of n bytes from peer that is not
// answered. peer may be nil when the source is unknown.
func (p *packetLoop) drop(reason DropReason, peer fmt.Stringer, n int) {
	p.obs.Dropped(reason)
	if reason == DropRate || reason == DropDenied {
		p.s.refusedDatagram(reason, peerString(peer))
	}
	if p.debug() {
		p.log.Debug("datagram dropped", "peer", peerString(peer), "bytes", n, "reason", string(reason))
	}
}

func peerString(a fmt.Stringer) string {
	if a == nil {
		return "unknown"
	}
	return a.String()
}

// datagramReply transforms one datagram, in place or into *out. A reply
// longer than its request is refused (DropLonger), and a panic in the
// transform costs only that datagram (DropPanic), never the server.
func (s *Server) datagramReply(p []byte, out *[]byte) (reply []byte, reason DropReason) {
	defer func() {
		if v := recover(); v != nil {
			s.logger().Error("transform panicked; datagram dropped", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			reply, reason = nil, DropPanic
		}
	}()
	if !s.Unicode {
		s.transformFunc()(p)
		return p, ""
	}
	*out = upper.Unicode((*out)[:0], p, s.Lang)
	if len(*out) > len(p) {
		return nil, DropLonger
	}
	return *out, ""
}

// udpSource is a datagram's source address and port; the zero AddrPort when
// the PacketConn does not say.
func udpSource(a net.Addr) netip.AddrPort {
	if ua, ok := a.(*net.UDPAddr); ok && ua != nil {
		ap := ua.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	return netip.AddrPort{}
}

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
func (s *Server) ServePacket(pc net.PacketConn) error {
	release, ok := s.own(pc)
	if !ok {
		return ErrServerClosed
	}
	defer release()

	log, obs := s.logger(), s.observer()
	if rb, ok := pc.(interface{ SetReadBuffer(int) error }); ok {
		rb.SetReadBuffer(udpReadBuffer) // best effort: the kernel caps it at net.core.rmem_max
	}
	log.Info("listening", append(listenAttrs(pc.LocalAddr()), "network", "udp")...)
	ownPort := 0
	if ua, ok := pc.LocalAddr().(*net.UDPAddr); ok {
		ownPort = ua.Port
	}
	var limit *rateLimiter
	if r := s.udpRate(); r != NoLimit {
		limit = newRateLimiter(r)
	}
	ctx := context.Background()
	buf := make([]byte, maxDatagram)
	var out []byte // Unicode replies; reused
	drop := func(reason DropReason, from net.Addr, n int) {
		obs.Dropped(reason)
		if reason == DropRate || reason == DropDenied {
			s.refusedDatagram(reason, addrString(from))
		}
		if log.Enabled(ctx, slog.LevelDebug) {
			log.Debug("datagram dropped", "peer", addrString(from), "bytes", n, "reason", string(reason))
		}
	}
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			if s.shuttingDown() {
				return ErrServerClosed
			}
			if errors.Is(err, net.ErrClosed) {
				return fmt.Errorf("read datagram on %s: %w", pc.LocalAddr(), err)
			}
			log.Error("read datagram failed", "addr", pc.LocalAddr().String(), "err", err)
			continue // ICMP errors and the like concern one peer, not the server
		}
		obs.Received(n)
		if log.Enabled(ctx, slog.LevelDebug) {
			log.Debug("datagram received", "peer", addrString(from), "bytes", n)
		}
		src := udpSource(from)
		switch {
		case n == len(buf):
			drop(DropTruncated, from, n)
			continue
		case src.Port() == 7 || src.Port() == 13 || src.Port() == 19 || int(src.Port()) == ownPort:
			drop(DropPort, from, n)
			continue
		case src.IsValid() && !Allowed(src.Addr(), s.Allow, s.Deny):
			drop(DropDenied, from, n)
			continue
		case limit != nil && (s.LimitLoopback || !src.Addr().IsLoopback()) && !limit.allow(src.Addr(), time.Now()):
			drop(DropRate, from, n)
			continue
		}
		reply, reason := s.datagramReply(buf[:n], &out)
		if reason != "" {
			drop(reason, from, n)
			continue
		}
		w, err := pc.WriteTo(reply, from)
		if err != nil {
			log.Debug("datagram not sent", "peer", addrString(from), "err", err)
			continue
		}
		obs.Sent(w)
		if log.Enabled(ctx, slog.LevelDebug) {
			log.Debug("datagram sent", "peer", addrString(from), "bytes", w)
		}
	}
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

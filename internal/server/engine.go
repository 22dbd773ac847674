package server

import (
	"errors"
	"fmt"
	"net"

	"github.com/upcase/upcase/internal/engine"
)

// Engine says how a Server moves bytes between its TCP connections and the
// transform. Both engines behave the same on the wire, with the same limits,
// timeouts, drain and narration; they differ in cost. Bench has the same
// two (internal/engine).
type Engine = engine.Engine

const (
	// EngineAuto picks EngineEpoll where it can serve the listener (Linux,
	// a plain *net.TCPListener) and EngineGoroutine otherwise (TLS, wrapped
	// listeners, other systems). It is the zero value.
	EngineAuto = engine.Auto
	// EngineEpoll serves connections from one event loop per CPU on
	// Linux's epoll: a connection costs about 0.1 KiB while idle and a
	// message about what the system calls cost.
	EngineEpoll = engine.Epoll
	// EngineGoroutine serves each connection in its own goroutine, on any
	// system and for any net.Listener, TLS and the PROXY protocol included.
	// ServePacket with it reads and answers one datagram at a time, as it
	// does on systems other than Linux, instead of in batches.
	EngineGoroutine = engine.Goroutine
)

// ErrEngineUnsupported is returned by Serve when EngineEpoll was asked for
// but cannot serve the listener.
var ErrEngineUnsupported = errors.New("the epoll engine needs Linux and a plain TCP listener (not TLS)")

// ParseEngine reads an engine's name as given to --engine.
func ParseEngine(name string) (Engine, error) { return engine.Parse(name) }

// epollListener is the listener the epoll engine can take over, if ln is one.
func (s *Server) epollListener(ln net.Listener) (*net.TCPListener, error) {
	if s.Engine == EngineGoroutine {
		return nil, nil
	}
	tl, ok := ln.(*net.TCPListener)
	// A TLS handshake is done with blocking reads under a deadline: the
	// goroutine engine's way.
	if !ok || s.TLSConfig != nil || !epollSupported {
		if s.Engine == EngineEpoll {
			return nil, fmt.Errorf("serve on %s: %w", ln.Addr(), ErrEngineUnsupported)
		}
		return nil, nil
	}
	return tl, nil
}

// drainer is an event loop that Close can tell to end its connections.
type drainer interface {
	// drain ends every connection of the loop with ReasonDrain, losing no
	// reply already written. It must not block or take Server.mu.
	drain()
}

package bench

import (
	"errors"
	"fmt"
	"net"
	"syscall"

	"github.com/upcase/upcase/internal/engine"
)

// Engine says how Run moves bytes over its connections (UDP: sockets).
// Both engines send the same bytes, check every byte of every reply the
// same way (replies.go and udpflight.go, payload.go) and report the same
// Result; they differ in what a connection costs bench itself. The server
// has the same two (internal/engine).
type Engine = engine.Engine

const (
	// EngineAuto picks EngineEpoll on Linux with the default dialer, over
	// TCP and UDP alike, and EngineGoroutine otherwise (other systems, a
	// Config.Dial of the caller's, which may return a connection with no
	// socket of its own).
	EngineAuto = engine.Auto
	// EngineEpoll runs the connections on one event loop per CPU Run may
	// use (GOMAXPROCS), each with its own poller (internal/netpoll) and
	// latency histogram: no goroutine per connection while it carries
	// load, no allocation per message, a few hundred bytes per
	// connection. Over UDP a loop reads each socket's replies with one
	// recvmmsg(2) and sends what is due with one sendmmsg(2) when it is
	// readable. Linux only; connections are still opened by Config.Dial
	// (in a goroutine while the dial lasts) and then handed to a loop.
	EngineEpoll = engine.Epoll
	// EngineGoroutine runs each connection in its own goroutine (two when
	// pipelining over TCP) with its own histogram: any system, any
	// net.Conn.
	EngineGoroutine = engine.Goroutine
)

// ErrEngineUnsupported is Run's error when EngineEpoll was asked for where
// it cannot run.
var ErrEngineUnsupported = errors.New("the epoll engine needs Linux")

// ParseEngine reads an engine's name as given to --engine.
func ParseEngine(name string) (Engine, error) { return engine.Parse(name) }

// testEngine, when set by the package's tests, replaces EngineAuto, so that
// the same tests run on both engines.
var testEngine Engine

// RunsOn is the engine Run would use for c: EngineEpoll or
// EngineGoroutine, or an error if c asks for one that cannot run it.
func (c Config) RunsOn() (Engine, error) {
	e := c.Engine
	if e == EngineAuto && testEngine != EngineAuto {
		e = testEngine
		if e == EngineEpoll && !epollSupported {
			e = EngineGoroutine
		}
	}
	switch e {
	case EngineAuto:
		if epollSupported && c.Dial == nil {
			return EngineEpoll, nil
		}
		return EngineGoroutine, nil
	case EngineEpoll:
		if !epollSupported {
			return "", fmt.Errorf("bench: --engine=epoll: %w", ErrEngineUnsupported)
		}
	case EngineGoroutine:
	default:
		return "", fmt.Errorf("bench: unknown Engine %q", string(e))
	}
	return e, nil
}

// socketOf is conn's socket, for a connection that has one.
func socketOf(conn net.Conn) (syscall.RawConn, error) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil, fmt.Errorf("the epoll engine needs a connection with a socket; Dial returned a %T", conn)
	}
	return sc.SyscallConn()
}
